import { evaluateChrome } from '../../model/engines/chrome.js';
import { evaluateFirefox } from '../../model/engines/firefox.js';
import type { EngineVerdict } from '../../model/engines/verdict.js';
import { getHeader, hasCorsHeaders } from '../../model/header-list.js';
import { followRedirect, isFollowedRedirect, MAX_REDIRECTS, preparedHop } from '../../model/redirect.js';
import {
  DEFAULT_PREFLIGHT_ANSWER,
  DEFAULT_RESPONSE_ANSWER,
  isRedirectStatus,
  type PreparedScenario,
  prepareScenario,
} from '../../model/request.js';
import { preflightRequestHeaders, simulate } from '../../model/simulate.js';
import type {
  BrowserName,
  CredentialsMode,
  HeaderList,
  RedirectHop,
  Scenario,
  ServerAnswer,
  SimulationResult,
} from '../../model/types.js';
import type { Exchange, RecordedRequest } from '../types.js';
import { actualHeaders, preflightHeaders } from './browser-request.js';
import { type SendResult, sendRaw } from './http.js';

/** What the page does: the input of `check`. */
export interface PageFetch {
  url: string;
  origin: string;
  method: string;
  headers: HeaderList;
  body?: string;
  credentials: CredentialsMode;
  cookie?: string;
}

export interface ProbeOptions {
  browsers: BrowserName[];
  timeoutMs: number;
  /** Send the actual request even when every browser would stop at the preflight. */
  forceActual?: boolean;
  /**
   * Sends one request and returns what came back. Default: the network (node:http). `check --offline`
   * passes the server model instead.
   */
  transport?: Transport;
  /** Called before each request goes out (for progress output). */
  onSend?: (exchange: Pick<Exchange, 'kind' | 'request'>) => void;
}

export type Transport = (request: RecordedRequest) => Promise<SendResult>;

export interface ProbeResult {
  exchanges: Exchange[];
  /** The scenario the browser model evaluated: the page's fetch and the server's real answers. */
  scenario: Scenario;
  /** What the browser model says each browser does with those answers. */
  simulation: SimulationResult;
  /** Nothing answered (every exchange failed at the network level). */
  unreachable: boolean;
}

const answerOf = (e: Exchange | undefined): ServerAnswer | undefined =>
  e?.response ? { status: e.response.status, headers: e.response.headers } : undefined;

/**
 * Replays what a browser does for `page`: the preflight when the browser model says one is sent, then
 * (unless every browser stops at the preflight) the actual request; then diagnostic probes that reveal what
 * the browser's own exchanges hide. Redirects are never followed automatically; each hop is recorded.
 */
export async function probeLikeBrowser(page: PageFetch, options: ProbeOptions): Promise<ProbeResult> {
  const transport: Transport = options.transport ?? ((request) => sendRaw(request, options.timeoutMs));
  const exchanges: Exchange[] = [];
  const send = async (
    kind: Exchange['kind'],
    request: RecordedRequest,
    purpose?: string,
    hop?: number,
  ): Promise<Exchange> => {
    options.onSend?.({ kind, request });
    const result = await transport(request);
    const exchange: Exchange = { kind, ...(hop && { hop }), ...(purpose && { purpose }), request, ...result };
    exchanges.push(exchange);
    return exchange;
  };

  const base: Scenario = {
    origin: page.origin,
    request: {
      url: page.url,
      method: page.method,
      headers: page.headers,
      credentials: page.credentials,
      ...(page.body !== undefined && { body: page.body }),
    },
  };
  const scenario: Scenario = { ...base };
  const planned = simulate(base);
  let hop: PreparedScenario = prepareScenario(base);
  let body = page.body;
  let firstPreflight: Exchange | undefined;
  let firstActual: Exchange | undefined;
  for (let index = 0; index <= MAX_REDIRECTS; index++) {
    const answers: RedirectHop = { response: DEFAULT_RESPONSE_ANSWER };
    const plans = options.browsers.map((b) => ENGINES[b](hop));
    const preflighting = plans.find((v) => v.preflight);
    let preflight: Exchange | undefined;
    if (preflighting) {
      preflight = await send(
        'preflight',
        {
          method: 'OPTIONS',
          url: hop.url,
          headers: preflightHeaders(
            preflightRequestHeaders(hop, preflighting.unsafeNames),
            hop.origin,
            hop.url,
          ),
        },
        undefined,
        index,
      );
      if (preflight.error) return finish(scenario, true);
      answers.preflight = answerOf(preflight) as ServerAnswer;
      hop = { ...hop, preflight: answers.preflight };
      firstPreflight ??= preflight;
    }
    const goesOn = options.browsers.some((b) => ENGINES[b](hop).stage !== 'preflight');
    if (preflight && !goesOn && !options.forceActual) {
      record(scenario, index, answers);
      break;
    }
    const actual = await send(
      'actual',
      {
        method: hop.method,
        url: hop.url,
        headers: actualHeaders({
          origin: hop.origin,
          url: hop.url,
          headers: hop.headerLines,
          credentials: page.credentials,
          ...(body !== undefined && { body }),
          ...(page.cookie !== undefined && { cookie: page.cookie }),
        }),
        ...(body !== undefined && { body }),
      },
      undefined,
      index,
    );
    if (actual.error) return finish(scenario, true);
    firstActual ??= actual;
    answers.response = answerOf(actual) as ServerAnswer;
    hop = { ...hop, response: answers.response };
    record(scenario, index, answers);
    if (!isFollowedRedirect(answers.response)) break;
    // Follow only if some browser accepts the redirect response itself.
    if (!options.browsers.some((b) => ENGINES[b](hop).outcome === 'allowed')) break;
    const next = followRedirect(
      { ...hop, ...(body !== undefined && { body }) },
      answers.response,
      page.origin,
      index,
    );
    if (typeof next === 'string') break;
    body = next.body;
    hop = preparedHop(hop, next, { response: DEFAULT_RESPONSE_ANSWER }, DEFAULT_PREFLIGHT_ANSWER);
  }

  await diagnose(page, planned, firstPreflight, lastOf(exchanges, 'actual') ?? firstActual, send);
  return finish(scenario, false);

  function finish(scenario: Scenario, unreachable: boolean): ProbeResult {
    return { exchanges, scenario, simulation: simulate(scenario), unreachable };
  }
}

const ENGINES: Record<BrowserName, (s: PreparedScenario) => EngineVerdict<unknown, unknown>> = {
  chrome: evaluateChrome,
  firefox: evaluateFirefox,
};

/** Stores the answers of request `index` in the scenario (the first request, or a redirect hop). */
function record(scenario: Scenario, index: number, answers: RedirectHop): void {
  if (index === 0) {
    if (answers.preflight) scenario.preflight = answers.preflight;
    scenario.response = answers.response;
  } else {
    scenario.hops = [...(scenario.hops ?? []), answers];
  }
}

const lastOf = (exchanges: Exchange[], kind: Exchange['kind']): Exchange | undefined =>
  exchanges.filter((x) => x.kind === kind).at(-1);

/** A preflight sent to ask the CORS layer a question, from `origin` (the page's, or another spelling of it). */
function diagnosticPreflight(page: PageFetch, method: string, origin: string): RecordedRequest {
  return {
    method: 'OPTIONS',
    url: page.url,
    headers: preflightHeaders(
      [
        ['Accept', '*/*'],
        ['Access-Control-Request-Method', method],
        ['Origin', origin],
      ],
      page.origin,
      page.url,
    ),
  };
}

/** Extra requests a senior engineer would send by hand to tell causes apart. */
async function diagnose(
  page: PageFetch,
  planned: SimulationResult,
  preflight: Exchange | undefined,
  actual: Exchange | undefined,
  send: (kind: Exchange['kind'], request: RecordedRequest, purpose?: string) => Promise<Exchange>,
): Promise<void> {
  // A simple request came back without Access-Control-Allow-Origin: ask the CORS layer directly, with a
  // preflight, whether it exists and whether it knows this origin (Starlette names the refusal in the body).
  let layerProbe: Exchange | undefined;
  if (
    !preflight &&
    actual?.response &&
    getHeader(actual.response.headers, 'Access-Control-Allow-Origin') === null
  ) {
    layerProbe = await send(
      'diagnostic',
      diagnosticPreflight(page, planned.method, page.origin),
      'is there a CORS layer, and does it allow this origin?',
    );
  }
  // A CORS layer answered but allowed nothing for this origin: ask whether it allows the origin written with
  // a trailing slash, the commonest typo in allow-lists. Browsers never send that spelling, so if the server
  // allows it, the allow-list has the typo.
  const answers = [preflight, actual, layerProbe].flatMap((x) => (x?.response ? [x.response] : []));
  if (
    page.origin !== 'null' &&
    answers.some((r) => hasCorsHeaders(r.headers)) &&
    answers.every((r) => getHeader(r.headers, 'Access-Control-Allow-Origin') === null)
  ) {
    const misspelt = `${page.origin}/`;
    await send(
      'diagnostic',
      diagnosticPreflight(page, planned.method, misspelt),
      `does the server allow ${misspelt} (the origin with a trailing slash, a common typo in allow-lists)?`,
    );
  }
  // The actual request failed without CORS headers: the same request without Origin shows what the
  // server really answers (curl sees this; the browser hides it).
  const failed = actual?.response;
  if (failed && failed.status >= 400 && !hasCorsHeaders(failed.headers) && !isRedirectStatus(failed.status)) {
    await send(
      'diagnostic',
      {
        method: actual.request.method,
        url: actual.request.url,
        headers: actual.request.headers.filter(([n]) => n.toLowerCase() !== 'origin'),
        ...(actual.request.body !== undefined && { body: actual.request.body }),
      },
      'the same request without Origin: what the server answers when CORS is out of the way',
    );
  }
}
