/**
 * Types of the browser model: a cross-origin request as a page makes it, what the server
 * answers, and what each browser does with it. Shapes follow the `simulate` JSON contract.
 */

/** `fetch()`'s `credentials` option. */
export type CredentialsMode = 'omit' | 'same-origin' | 'include';

/** `fetch()`'s `mode` option. */
export type RequestMode = 'cors' | 'no-cors' | 'same-origin';

/** Header lines in order; a name may repeat (two `Access-Control-Allow-Origin` lines). */
export type HeaderList = Array<[name: string, value: string]>;

/** The request as the page passes it to `fetch()`. */
export interface PageRequest {
  url: string;
  /** As passed to `fetch()`: the model applies fetch's method normalisation. */
  method: string;
  /** Object form (as `fetch()` takes it) or `[name, value]` pairs. */
  headers?: Record<string, string> | HeaderList;
  credentials?: CredentialsMode;
  mode?: RequestMode;
  body?: string;
}

/** What the server answers to one request. */
export interface ServerAnswer {
  status: number;
  headers: HeaderList;
}

/** One cross-origin request and the server's answers: the input of `simulate`. */
export interface Scenario {
  /** The page's origin, e.g. `http://localhost:3000`. */
  origin: string;
  request: PageRequest;
  /** The answer to the OPTIONS preflight, used only when a preflight is sent. */
  preflight?: ServerAnswer;
  /** The answer to the actual request. */
  response?: ServerAnswer;
  /**
   * When `response` is a redirect (3xx with Location), the answers at each URL the browser is sent to,
   * in order: the preflight (used only if the redirected request needs one) and the response.
   */
  hops?: RedirectHop[];
}

/** What the server answers at one redirect target. */
export interface RedirectHop {
  preflight?: ServerAnswer;
  response: ServerAnswer;
}

export type BrowserName = 'chrome' | 'firefox';

export type Outcome = 'allowed' | 'blocked';

/** Where the browser stopped. Absent when the request was allowed. */
export type Stage = 'preflight' | 'actual' | 'redirect' | 'network';

/** What one browser does. */
export interface BrowserVerdict {
  outcome: Outcome;
  /** Whether an OPTIONS preflight is sent. */
  preflight: boolean;
  stage?: Stage;
  /** Console error lines, exact to the character, in the order the browser prints them. */
  messages: string[];
  /** Console warnings (e.g. `Authorization` covered by `*`). The request still proceeds. */
  warnings: string[];
  /** Machine-readable reason (Chromium's CorsError name or Firefox's message key). */
  reason?: string;
  /** Response header names JavaScript can read, lowercased, when allowed. */
  exposedHeaders?: string[];
}

/** What the Fetch standard requires. */
export interface SpecVerdict {
  outcome: Outcome;
  preflight: boolean;
  stage?: Stage;
  reason?: string;
}

/** The output of `simulate` for one scenario. */
export interface SimulationResult {
  chrome: BrowserVerdict;
  firefox: BrowserVerdict;
  spec: SpecVerdict;
  /** Method as sent on the wire after `fetch()` normalisation. */
  method: string;
  /** `Access-Control-Request-Headers` of the preflight, when a preflight is sent and has one. */
  accessControlRequestHeaders?: string;
  /** The preflight request headers a browser sends, when one is sent. */
  preflightRequest?: HeaderList;
  /** Headers `fetch()` drops from the page's request (forbidden request headers). */
  droppedHeaders?: string[];
  /** The requests the browser makes after redirects: URL, method and the Origin it sends. */
  redirects?: Array<{ url: string; method: string; origin: string }>;
}
