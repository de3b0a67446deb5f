/**
 * The analysis core: recorded exchanges in, a report out. Pure: whoever gathered the exchanges (the live
 * probe, the server model offline, a HAR file, a watching proxy), the browser model judges them here and the
 * rules name the causes here.
 */
import { diagnose } from '../causes/index.js';
import type { CheckEvidence } from '../causes/types.js';
import type { Exchange } from '../core/exchange.js';
import { droppedHeadersNote, type PageFetch, pageScenario } from '../core/page.js';
import type { CheckReport } from '../core/report.js';
import { judge } from '../model/judge.js';
import { MAX_REDIRECTS } from '../model/redirect.js';
import { DEFAULT_RESPONSE_ANSWER } from '../model/request.js';
import type { BrowserName, RedirectHop, Scenario, ServerAnswer } from '../model/types.js';

const answerOf = (e: Exchange | undefined): ServerAnswer | undefined =>
  e?.response ? { status: e.response.status, headers: e.response.headers } : undefined;

/**
 * The browser model's scenario for the page's fetch() and the answers the exchanges hold: the preflight and
 * the actual request of each hop (the first request, then one per redirect). Diagnostic probes are not part
 * of what the browser sees.
 */
export function scenarioOf(page: PageFetch, exchanges: Exchange[]): Scenario {
  const scenario: Scenario = pageScenario(page);
  const hops: RedirectHop[] = [];
  for (const x of exchanges) {
    if (x.kind === 'diagnostic' || !x.response) continue;
    const index = x.hop ?? 0;
    const hop = hops[index] ?? { response: DEFAULT_RESPONSE_ANSWER };
    hops[index] = hop;
    if (x.kind === 'preflight') hop.preflight = answerOf(x) as ServerAnswer;
    else hop.response = answerOf(x) as ServerAnswer;
  }
  const [first, ...after] = hops;
  if (first?.preflight) scenario.preflight = first.preflight;
  if (first) scenario.response = first.response;
  if (after.length > 0) scenario.hops = after;
  return scenario;
}

/** A request of the browser's own chain (not a diagnostic probe) got no HTTP answer. */
const unreachable = (exchanges: Exchange[]): boolean =>
  exchanges.some((x) => x.kind !== 'diagnostic' && x.error !== undefined);

/** What the rules read: the exchanges and the browser model's judgement of them. */
export function checkEvidence(
  page: PageFetch,
  exchanges: Exchange[],
  browsers: BrowserName[],
): CheckEvidence {
  const network = { unreachable: unreachable(exchanges) };
  const simulation = judge(scenarioOf(page, exchanges), network);
  return { page, browsers, exchanges, simulation, unreachable: network.unreachable };
}

/**
 * Judges the exchanges as each browser would and names the root causes: the one function every evidence
 * source ends in.
 */
export function analyze(page: PageFetch, exchanges: Exchange[], browsers: BrowserName[]): CheckReport {
  const evidence = checkEvidence(page, exchanges, browsers);
  const { simulation } = evidence;
  const causes = diagnose(evidence);
  const verdicts = Object.fromEntries(browsers.map((b) => [b, simulation[b]]));
  const notes: string[] = [];
  const actual = exchanges.find((x) => x.kind === 'actual');
  const allowed = browsers.every((b) => simulation[b].outcome === 'allowed');
  if (allowed && actual?.response && actual.response.status >= 400) {
    notes.push(
      `CORS is fine: every browser lets the page read this response. The API itself answered ${actual.response.status}; that is not a CORS problem.`,
    );
  } else if (allowed && causes.length === 0) {
    notes.push('CORS is fine: every browser checked allows this request.');
  }
  const dropped = droppedHeadersNote(page);
  if (dropped) notes.push(dropped);
  if (simulation.spec.reason === 'too-many-redirects') {
    const urls = exchanges.filter((x) => x.kind === 'actual').map((x) => x.request.url);
    const loop = new Set(urls).size < urls.length ? ' (a redirect loop: the same URL comes back)' : '';
    notes.push(
      `Not a CORS problem: the request was redirected more than ${MAX_REDIRECTS} times${loop}; browsers stop after ${MAX_REDIRECTS} redirects with a network error, and fetch() rejects with a TypeError.`,
    );
  }
  return {
    url: page.url,
    origin: page.origin,
    request: { method: simulation.method, headers: page.headers, credentials: page.credentials },
    browsers: verdicts,
    spec: simulation.spec,
    exchanges,
    causes,
    notes,
  };
}
