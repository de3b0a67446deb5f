/**
 * One HAR entry, read into what CORS needs and no more: the request line and headers, the answer's status
 * and headers, a short excerpt of each body, and the browser's own marks (Chrome's `_resourceType`,
 * `_initiator` and `_error`). Entries that are not a fetch/XHR, a preflight or a page are only looked at
 * for the page's origin and dropped.
 */
import type { HeaderList } from '../../model/types.js';

/** A request body or a response body longer than this is kept as its first characters only. */
export const BODY_EXCERPT_CHARS = 2048;

/** What kind of request an entry is, as far as CORS goes. */
export type EntryRole = 'fetch' | 'preflight' | 'document' | 'other';

/** A HAR entry, compacted. */
export interface HarRecord {
  /** Its index in `log.entries`. */
  index: number;
  role: EntryRole;
  method: string;
  url: string;
  requestHeaders: HeaderList;
  /** `request.cookies` held something (a sanitized Chrome HAR drops both these and the Cookie header). */
  cookiesListed: boolean;
  /** The request body, or its first characters. */
  body?: string;
  /** The body's full length, when `body` is an excerpt. */
  bodyLength?: number;
  /** 0 when the HAR records no answer. */
  status: number;
  statusText: string;
  responseHeaders: HeaderList;
  responseBody: string;
  /** Chrome's `_error` (`net::ERR_FAILED`), when set. */
  error?: string;
  /** Chrome's `_resourceType`. */
  resourceType?: string;
  /** Chrome's `_initiator`: for a preflight, the URL and id of the request it precedes. */
  initiator?: { type?: string; url?: string; requestId?: string };
  /** Chrome's `_requestId`, when the HAR has it. */
  requestId?: string;
  startedDateTime: string;
  /** Wall time of the exchange in milliseconds. */
  time: number;
  pageref?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function headersOf(value: unknown): HeaderList {
  if (!Array.isArray(value)) return [];
  const out: HeaderList = [];
  for (const h of value) {
    const name = str((h as { name?: unknown } | null)?.name);
    const v = (h as { value?: unknown } | null)?.value;
    if (name === undefined || name.startsWith(':')) continue; // HTTP/2 pseudo-headers are no header lines
    out.push([name, typeof v === 'string' ? v : String(v ?? '')]);
  }
  return out;
}

const headerValue = (headers: HeaderList, name: string): string | undefined =>
  headers.find(([n]) => n.toLowerCase() === name)?.[1];

function excerpt(text: string): { text: string; length?: number } {
  return text.length > BODY_EXCERPT_CHARS
    ? { text: text.slice(0, BODY_EXCERPT_CHARS), length: text.length }
    : { text };
}

/**
 * What the entry is for CORS. Chrome says it (`_resourceType`: `fetch`, `xhr`, `preflight`, `document`);
 * Firefox does not, and its requests say it instead: an OPTIONS with `Access-Control-Request-Method` is a
 * preflight, a request with `Sec-Fetch-Dest: empty` (fetch and XHR), or else with an `Origin` and no other
 * destination, is a fetch.
 */
function roleOf(resourceType: string | undefined, method: string, headers: HeaderList): EntryRole {
  if (resourceType !== undefined) {
    const type = resourceType.toLowerCase();
    if (type === 'preflight') return 'preflight';
    if (type === 'fetch' || type === 'xhr') return 'fetch';
    if (type === 'document') return 'document';
    if (type !== 'other') return 'other';
  }
  const dest = headerValue(headers, 'sec-fetch-dest')?.toLowerCase();
  const mode = headerValue(headers, 'sec-fetch-mode')?.toLowerCase();
  if (
    method.toUpperCase() === 'OPTIONS' &&
    headerValue(headers, 'access-control-request-method') !== undefined
  )
    return 'preflight';
  if (mode === 'navigate' || dest === 'document' || dest === 'iframe') return 'document';
  if (dest === 'empty' && mode !== 'no-cors' && mode !== 'navigate') return 'fetch';
  if (dest === undefined && headerValue(headers, 'origin') !== undefined) return 'fetch';
  return 'other';
}

/** The entry compacted, or undefined when it is not an object with a request URL. */
export function readEntry(value: unknown, index: number): HarRecord | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const e = value as Record<string, unknown>;
  const request = (e.request ?? {}) as Record<string, unknown>;
  const response = (e.response ?? {}) as Record<string, unknown>;
  const url = str(request.url);
  const method = str(request.method);
  if (url === undefined || method === undefined) return undefined;
  const requestHeaders = headersOf(request.headers);
  const resourceType = str(e._resourceType);
  const role = roleOf(resourceType, method, requestHeaders);
  const status =
    typeof response.status === 'number' && Number.isFinite(response.status) ? response.status : 0;
  const record: HarRecord = {
    index,
    role,
    method,
    url,
    requestHeaders,
    cookiesListed: Array.isArray(request.cookies) && request.cookies.length > 0,
    status,
    statusText: str(response.statusText) ?? '',
    responseHeaders: headersOf(response.headers),
    responseBody: '',
    startedDateTime: str(e.startedDateTime) ?? '',
    time: typeof e.time === 'number' && e.time >= 0 ? e.time : 0,
  };
  // Bodies only for the requests judged: a page's scripts and images are dropped here.
  if (role === 'fetch' || role === 'preflight') {
    const postText = str((request.postData as { text?: unknown } | undefined)?.text);
    if (postText !== undefined) {
      const body = excerpt(postText);
      record.body = body.text;
      if (body.length !== undefined) record.bodyLength = body.length;
    }
    const content = response.content as { text?: unknown; encoding?: unknown } | undefined;
    const text = str(content?.text);
    if (text !== undefined && content?.encoding !== 'base64') record.responseBody = excerpt(text).text;
  }
  const error = str(response._error) ?? str(e._error);
  if (error) record.error = error;
  if (resourceType !== undefined) record.resourceType = resourceType;
  const initiator = e._initiator as Record<string, unknown> | null | undefined;
  if (initiator && typeof initiator === 'object') {
    record.initiator = {
      ...(str(initiator.type) !== undefined && { type: str(initiator.type) }),
      ...(str(initiator.url) !== undefined && { url: str(initiator.url) }),
      ...(str(initiator.requestId) !== undefined && { requestId: str(initiator.requestId) }),
    };
  }
  const requestId = str(e._requestId);
  if (requestId !== undefined) record.requestId = requestId;
  const pageref = str(e.pageref);
  if (pageref !== undefined) record.pageref = pageref;
  return record;
}

/** The page's scripts say `credentials: 'include'` or `withCredentials = true` somewhere. */
const CREDENTIALS_TRACE = /withCredentials\s*[:=]\s*(!0|true)|credentials\s*:\s*["'`]include["'`]/;

/** The largest script body searched for credentials traces. */
const MAX_TRACE_CHARS = 4 * 1024 * 1024;

/** Whether a script or page body saved in the entry holds a trace of credentialed requests. */
export function credentialsTraceIn(value: unknown): boolean {
  const e = value as { response?: { content?: { text?: unknown; mimeType?: unknown } } } | null;
  const content = e?.response?.content;
  const text = content?.text;
  if (typeof text !== 'string' || !/javascript|ecmascript|html/i.test(String(content?.mimeType ?? '')))
    return false;
  return CREDENTIALS_TRACE.test(text.length > MAX_TRACE_CHARS ? text.slice(0, MAX_TRACE_CHARS) : text);
}
