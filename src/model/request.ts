import { toHeaderList } from './header-list.js';
import { normalizeMethod } from './method.js';
import { splitRequestHeaders } from './safelist.js';
import type { CredentialsMode, HeaderList, RequestMode, Scenario, ServerAnswer } from './types.js';

/** A scenario with every default applied: what the engines evaluate. */
export interface PreparedScenario {
  /** The page origin, serialised. */
  origin: string;
  url: string;
  /** Method as sent, after `fetch()` normalisation. */
  method: string;
  credentials: CredentialsMode;
  /** Credentials mode is `include` (the only mode that needs `Access-Control-Allow-Credentials`). */
  includeCredentials: boolean;
  mode: RequestMode;
  /** Request headers `fetch()` keeps, sorted and combined (as Chromium checks them). */
  headers: HeaderList;
  /** Request header lines `fetch()` keeps, as the page gave them (Firefox checks each line on its own). */
  headerLines: HeaderList;
  /** The header lines of the first request: Firefox keeps its CORS-unsafe header list across redirects. */
  initialHeaderLines: HeaderList;
  /**
   * The first request carried a body (`fetch()` then adds `Content-Type: text/plain;charset=UTF-8`
   * when the page set none). Chromium's header order is fixed by the first request's headers.
   */
  initialBody: boolean;
  /** Header names `fetch()` drops (forbidden request headers). */
  droppedHeaders: string[];
  /** The request's URL is not same-origin with the page. */
  crossOrigin: boolean;
  preflight: ServerAnswer;
  response: ServerAnswer;
}

/** Documented default when a scenario gives no answer to the preflight: 404 with no headers. */
export const DEFAULT_PREFLIGHT_ANSWER: ServerAnswer = { status: 404, headers: [] };
/** Documented default when a scenario gives no answer to the actual request: 200 with no headers. */
export const DEFAULT_RESPONSE_ANSWER: ServerAnswer = { status: 200, headers: [] };

/** The ASCII serialisation of a URL's origin. */
export function serializeOrigin(url: string): string {
  return new URL(url).origin;
}

export function prepareScenario(scenario: Scenario): PreparedScenario {
  const { request } = scenario;
  const credentials = request.credentials ?? 'same-origin';
  const { sent, lines, dropped } = splitRequestHeaders(toHeaderList(request.headers));
  return {
    origin: scenario.origin,
    url: request.url,
    method: normalizeMethod(request.method ?? 'GET'),
    credentials,
    includeCredentials: credentials === 'include',
    mode: request.mode ?? 'cors',
    headers: sent,
    headerLines: lines,
    initialHeaderLines: lines,
    initialBody: request.body !== undefined,
    droppedHeaders: dropped,
    crossOrigin: serializeOrigin(request.url) !== scenario.origin,
    preflight: scenario.preflight ?? DEFAULT_PREFLIGHT_ANSWER,
    response: scenario.response ?? DEFAULT_RESPONSE_ANSWER,
  };
}

export function isOkStatus(status: number): boolean {
  return status >= 200 && status <= 299;
}

export function isRedirectStatus(status: number): boolean {
  return [301, 302, 303, 307, 308].includes(status);
}
