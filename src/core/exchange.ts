import type { HeaderList } from '../model/types.js';

/** Why an exchange is in the record: what the browser sends, or an extra probe cors-doctor adds to find the cause. */
export type ExchangeKind = 'preflight' | 'actual' | 'diagnostic';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body?: string;
}

export interface RecordedResponse {
  status: number;
  statusText: string;
  headers: HeaderList;
  /** The first bytes of the body, as text. */
  bodyExcerpt: string;
}

/** A network failure: nothing answered. */
export interface NetworkFailure {
  /** A stable code: `ECONNREFUSED`, `ENOTFOUND`, `TIMEOUT`, `TLS`, ... */
  code: string;
  /** One line that says what happened. */
  message: string;
}

/** One request and what came back (or why nothing did). */
export interface Exchange {
  kind: ExchangeKind;
  /** 0 for the first request, n for the request after the n-th redirect (absent means 0). */
  hop?: number;
  /** Why a diagnostic probe was sent. */
  purpose?: string;
  request: RecordedRequest;
  response?: RecordedResponse;
  error?: NetworkFailure;
  /** Wall time of the exchange in milliseconds. */
  ms: number;
  /** Set when the answer was predicted by the server model (`check --offline`), not received. */
  predicted?: PredictedBy;
  /** Set when the exchange was read from a recording (a HAR file): nothing was sent. */
  recorded?: RecordedBy;
}

/** Where a recorded exchange was read. */
export interface RecordedBy {
  /** `har`: an entry of a HAR file saved by DevTools. */
  source: 'har';
  /** The entry's index in the HAR's `log.entries`. */
  entry: number;
  /** When the browser sent it (the entry's `startedDateTime`). */
  at?: string;
  /** The browser's own failure text for it (`net::ERR_FAILED`), when it recorded one. */
  browserError?: string;
  /** The browser that recorded it, when the HAR says. */
  browser?: 'chrome' | 'firefox';
}

/** How the server model reached a predicted answer. */
export interface PredictedBy {
  /** The layer that answered (`CORSMiddleware`, `require_token`, `/items (main.py:12)`, ...). */
  answeredBy: string;
  explanation: string;
  /** The status is the endpoint's, which the model assumes rather than predicts. */
  statusAssumed: boolean;
  /** What the prediction takes for granted (code the model does not run). */
  assumptions: string[];
  /** The layers the request passed, outermost first. */
  path: string[];
}

/**
 * Chrome's words (kept in a HAR) for a request it refused itself, not for a server that never answered:
 * the HAR then keeps no answer (status 0, no headers), yet the server may well have answered.
 */
export const REFUSED_BY_BROWSER = /^net::ERR_(FAILED|BLOCKED_BY_CLIENT|BLOCKED_BY_RESPONSE)$/;
