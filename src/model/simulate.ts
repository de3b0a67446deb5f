import { evaluateChrome } from './engines/chrome.js';
import { evaluateFetchStandard } from './engines/fetch-standard.js';
import { evaluateFirefox, firefoxLinesInChain } from './engines/firefox.js';
import type { EngineVerdict } from './engines/verdict.js';
import { exposedResponseHeaders } from './expose.js';
import { CHROME_TOO_MANY_REDIRECTS, chromeMessage, chromeWarningText } from './messages/chrome.js';
import { firefoxMessage, firefoxNetworkErrorMessage, firefoxWarningText } from './messages/firefox.js';
import { followRedirect, isFollowedRedirect, preparedHop, type RedirectRefusal } from './redirect.js';
import { DEFAULT_PREFLIGHT_ANSWER, type PreparedScenario, prepareScenario } from './request.js';
import type { BrowserVerdict, HeaderList, Scenario, SimulationResult, Stage } from './types.js';

/** The OPTIONS request a browser sends before the actual request (request headers, in order). */
export function preflightRequestHeaders(s: PreparedScenario, unsafeNames: string[]): HeaderList {
  const headers: HeaderList = [
    ['Accept', '*/*'],
    ['Access-Control-Request-Method', s.method],
  ];
  if (unsafeNames.length > 0) headers.push(['Access-Control-Request-Headers', unsafeNames.join(',')]);
  headers.push(['Origin', s.origin]);
  return headers;
}

function notCors(s: PreparedScenario): SimulationResult {
  const allowed: BrowserVerdict = { outcome: 'allowed', preflight: false, messages: [], warnings: [] };
  return {
    chrome: allowed,
    firefox: { ...allowed },
    spec: { outcome: 'allowed', preflight: false },
    method: s.method,
    droppedHeaders: s.droppedHeaders,
  };
}

/** The requests a browser makes: the first, then one per followed redirect. */
interface Chain {
  hops: PreparedScenario[];
  /** Why the last redirect could not be followed (a network error), if so. */
  refusal?: RedirectRefusal;
}

function buildChain(first: PreparedScenario, scenario: Scenario): Chain {
  const hops = [first];
  let body = scenario.request.body;
  for (let i = 0; ; i++) {
    const current = hops[i] as PreparedScenario;
    const answers = scenario.hops?.[i];
    if (!isFollowedRedirect(current.response)) return { hops };
    const next = followRedirect(
      { ...current, ...(body !== undefined && { body }) },
      current.response,
      first.origin,
      i,
    );
    // A redirect the browser refuses (past the limit of 20, a bad Location) is a network error even when
    // the scenario gives no answers after it.
    if (typeof next === 'string') return { hops, refusal: next };
    if (!answers) return { hops };
    body = next.body;
    hops.push(preparedHop(current, next, answers, DEFAULT_PREFLIGHT_ANSWER));
  }
}

/** Where in the chain an engine stopped, and its verdict there. */
interface Walk<V> {
  verdict: V;
  hop: number;
  stage?: Stage;
  preflight: boolean;
  /** The chain ended on a redirect the browser refuses (a network error), with every hop before it allowed. */
  refused?: RedirectRefusal;
}

function walk<V extends EngineVerdict<unknown, unknown>>(
  chain: Chain,
  evaluate: (s: PreparedScenario) => V,
): Walk<V> {
  let preflight = false;
  for (let i = 0; i < chain.hops.length; i++) {
    const verdict = evaluate(chain.hops[i] as PreparedScenario);
    preflight ||= verdict.preflight;
    const last = i === chain.hops.length - 1;
    if (verdict.outcome === 'blocked') {
      const stage = verdict.stage === 'actual' && (!last || chain.refusal) ? 'redirect' : verdict.stage;
      return { verdict, hop: i, ...(stage && { stage }), preflight };
    }
    if (last) {
      if (!chain.refusal) return { verdict, hop: i, preflight };
      // More than 20 redirects is a network error (net::ERR_TOO_MANY_REDIRECTS), not a CORS failure.
      const stage = chain.refusal === 'too-many-redirects' ? 'network' : 'redirect';
      return {
        verdict: { ...verdict, outcome: 'blocked' },
        hop: i,
        stage,
        preflight,
        refused: chain.refusal,
      };
    }
  }
  throw new Error('a chain has at least one request');
}

/**
 * Predicts what Chrome, Firefox and the Fetch standard do with one cross-origin `fetch()`:
 * whether a preflight is sent, the outcome, the failing stage and the exact console text.
 * Redirects are followed through `scenario.hops`, each hop checked as the browsers check it.
 */
export function simulate(scenario: Scenario): SimulationResult {
  const first = prepareScenario(scenario);
  if (!first.crossOrigin || first.mode === 'no-cors') return notCors(first);
  const chain = buildChain(first, scenario);
  const final = chain.hops[chain.hops.length - 1] as PreparedScenario;

  const chrome = walk(chain, evaluateChrome);
  const firefox = walk(chain, evaluateFirefox);
  const spec = walk(chain, evaluateFetchStandard);

  const chromeHop = chain.hops[chrome.hop] as PreparedScenario;
  const chromeFailure = chrome.verdict.failure;
  const chromeVerdict: BrowserVerdict = {
    outcome: chrome.verdict.outcome,
    preflight: chrome.preflight,
    ...(chrome.stage && { stage: chrome.stage }),
    messages: chromeFailure
      ? [chromeMessage(chromeHop.url, first.origin, chromeFailure, first.url)]
      : chrome.refused === 'too-many-redirects'
        ? [CHROME_TOO_MANY_REDIRECTS]
        : [],
    warnings: chrome.verdict.warnings.map(chromeWarningText),
    ...(chromeFailure && { reason: chromeFailure.error }),
  };
  const firefoxHop = chain.hops[firefox.hop] as PreparedScenario;
  const firefoxVerdict: BrowserVerdict = {
    outcome: firefox.verdict.outcome,
    preflight: firefox.preflight,
    ...(firefox.stage && { stage: firefox.stage }),
    messages:
      firefox.refused === 'too-many-redirects'
        ? [firefoxNetworkErrorMessage(firefoxHop.url)]
        : firefoxLinesInChain(firefox.verdict, {
            hop: firefox.hop,
            stage: firefox.stage,
            origin: firefoxHop.origin,
          }).map((line) => firefoxMessage(firefoxHop.url, line)),
    warnings: firefox.verdict.warnings.map((w) => firefoxWarningText(firefoxHop.url, w)),
    ...(firefox.verdict.failure && { reason: firefox.verdict.failure.key }),
  };
  for (const verdict of [chromeVerdict, firefoxVerdict]) {
    if (verdict.outcome === 'allowed') {
      verdict.exposedHeaders = exposedResponseHeaders(final.response.headers, final.includeCredentials);
    }
    if (chain.refusal && verdict.outcome === 'blocked' && !verdict.reason) verdict.reason = chain.refusal;
  }

  const specFailure = spec.verdict.failure;
  const result: SimulationResult = {
    chrome: chromeVerdict,
    firefox: firefoxVerdict,
    spec: {
      outcome: spec.verdict.outcome,
      preflight: spec.preflight,
      ...(spec.stage && { stage: spec.stage }),
      ...(specFailure && {
        reason: specFailure.detail ? `${specFailure.reason} (${specFailure.detail})` : specFailure.reason,
      }),
      ...(!specFailure && chain.refusal && { reason: chain.refusal }),
    },
    method: first.method,
  };
  const firstChrome = evaluateChrome(first);
  if (firstChrome.preflight) {
    result.preflightRequest = preflightRequestHeaders(first, firstChrome.unsafeNames);
    if (firstChrome.unsafeNames.length > 0)
      result.accessControlRequestHeaders = firstChrome.unsafeNames.join(',');
  }
  if (chain.hops.length > 1)
    result.redirects = chain.hops.slice(1).map((h) => ({ url: h.url, method: h.method, origin: h.origin }));
  if (first.droppedHeaders.length > 0) result.droppedHeaders = first.droppedHeaders;
  return result;
}
