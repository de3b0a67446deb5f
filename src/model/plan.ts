/**
 * What a browser sends next: the narrow interface for gatherers that replay a fetch() (the live probe, the
 * server model offline). They ask here whether a preflight goes out, whether the actual request follows,
 * and where a redirect leads; they never judge the answers (that is `judge`, after the exchanges).
 */
import { evaluateChrome } from './engines/chrome.js';
import { evaluateFirefox } from './engines/firefox.js';
import type { EngineVerdict } from './engines/verdict.js';
import { followRedirect, isFollowedRedirect, preparedHop } from './redirect.js';
import {
  DEFAULT_PREFLIGHT_ANSWER,
  DEFAULT_RESPONSE_ANSWER,
  type PreparedScenario,
  prepareScenario,
} from './request.js';
import { preflightRequestHeaders } from './simulate.js';
import type { BrowserName, HeaderList, Scenario, ServerAnswer } from './types.js';

const ENGINES: Record<BrowserName, (s: PreparedScenario) => EngineVerdict<unknown, unknown>> = {
  chrome: evaluateChrome,
  firefox: evaluateFirefox,
};

/** One request of the chain a browser makes: the first, or the one after the n-th redirect. */
export interface PlannedRequest {
  /** 0 for the first request, n after the n-th redirect. */
  index: number;
  url: string;
  /** As sent on the wire, after fetch()'s normalisation. */
  method: string;
  /** The Origin the browser sends (`null` once a redirect taints it). */
  origin: string;
  /** The page's own origin (what `origin` was before any redirect). */
  pageOrigin: string;
  /** The page's header lines that fetch() keeps on this request. */
  headerLines: HeaderList;
  body?: string;
  /** Internal state of the model for this request. */
  readonly state: PreparedScenario;
}

/** The first request the page's fetch() makes. */
export function firstRequest(scenario: Scenario): PlannedRequest {
  const state = prepareScenario(scenario);
  return planned(state, 0, scenario.request.body, scenario.origin);
}

function planned(
  state: PreparedScenario,
  index: number,
  body: string | undefined,
  pageOrigin: string,
): PlannedRequest {
  return {
    index,
    pageOrigin,
    url: state.url,
    method: state.method,
    origin: state.origin,
    headerLines: state.headerLines,
    ...(body !== undefined && { body }),
    state,
  };
}

/** The preflight's request headers when some browser sends one before `request`, else undefined. */
export function preflightFor(request: PlannedRequest, browsers: BrowserName[]): HeaderList | undefined {
  const preflighting = browsers.map((b) => ENGINES[b](request.state)).find((v) => v.preflight);
  return preflighting ? preflightRequestHeaders(request.state, preflighting.unsafeNames) : undefined;
}

/** Records the preflight's answer: some browser then goes on to the actual request (or not). */
export function afterPreflight(
  request: PlannedRequest,
  answer: ServerAnswer,
  browsers: BrowserName[],
): { request: PlannedRequest; goesOn: boolean } {
  const next = { ...request, state: { ...request.state, preflight: answer } };
  return { request: next, goesOn: browsers.some((b) => ENGINES[b](next.state).stage !== 'preflight') };
}

/**
 * The request a browser sends after `answer` to `request`: undefined when the answer is final (not a
 * followed redirect, refused by every browser, or past the redirect limit).
 */
export function nextRequest(
  request: PlannedRequest,
  answer: ServerAnswer,
  browsers: BrowserName[],
): PlannedRequest | undefined {
  const state = { ...request.state, response: answer };
  if (!isFollowedRedirect(answer)) return undefined;
  if (!browsers.some((b) => ENGINES[b](state).outcome === 'allowed')) return undefined;
  const next = followRedirect(
    { ...state, ...(request.body !== undefined && { body: request.body }) },
    answer,
    request.pageOrigin,
    request.index,
  );
  if (typeof next === 'string') return undefined;
  return planned(
    preparedHop(state, next, { response: DEFAULT_RESPONSE_ANSWER }, DEFAULT_PREFLIGHT_ANSWER),
    request.index + 1,
    next.body,
    request.pageOrigin,
  );
}
