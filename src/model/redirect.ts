import { getHeader } from './header-list.js';
import { isRedirectStatus, type PreparedScenario } from './request.js';
import { splitRequestHeaders } from './safelist.js';
import type { HeaderList, ServerAnswer } from './types.js';

/** The most redirects a fetch follows (Fetch standard, Chrome and Firefox). */
export const MAX_REDIRECTS = 20;

const REQUEST_BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type'];

/** An answer the browser follows: a redirect status with a Location header. */
export function isFollowedRedirect(answer: ServerAnswer): boolean {
  return isRedirectStatus(answer.status) && getHeader(answer.headers, 'Location') !== null;
}

/** The request a browser sends after a redirect: its URL, method, headers and Origin. */
export interface RedirectedRequest {
  url: string;
  method: string;
  /** The page's header lines that still apply (request-body headers dropped on a switch to GET, Authorization on a cross-origin hop). */
  headerLines: HeaderList;
  /** `null` once the request went from a cross-origin URL to another origin (the origin is then "tainted"). */
  origin: string;
  body?: string;
}

/** Why a redirect cannot be followed (a network error in every browser). */
export type RedirectRefusal = 'bad-location' | 'not-http' | 'credentials-in-url' | 'too-many-redirects';

/**
 * Fetch's HTTP-redirect fetch, for the parts that matter to CORS: where the browser goes next, with which
 * method and headers, and whether the Origin becomes `null`.
 */
export function followRedirect(
  current: Pick<PreparedScenario, 'url' | 'method' | 'headerLines' | 'origin'> & { body?: string },
  answer: ServerAnswer,
  pageOrigin: string,
  redirectCount: number,
): RedirectedRequest | RedirectRefusal {
  if (redirectCount >= MAX_REDIRECTS) return 'too-many-redirects';
  const location = getHeader(answer.headers, 'Location');
  let next: URL;
  try {
    next = new URL(location ?? '', current.url);
  } catch {
    return 'bad-location';
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return 'not-http';
  if (next.username || next.password) return 'credentials-in-url';
  next.hash = new URL(current.url).hash || next.hash;
  const from = new URL(current.url).origin;
  const switchToGet =
    ((answer.status === 301 || answer.status === 302) && current.method === 'POST') ||
    (answer.status === 303 && current.method !== 'GET' && current.method !== 'HEAD');
  let headerLines = current.headerLines;
  if (switchToGet) headerLines = headerLines.filter(([n]) => !REQUEST_BODY_HEADERS.includes(n.toLowerCase()));
  if (next.origin !== from) headerLines = headerLines.filter(([n]) => n.toLowerCase() !== 'authorization');
  const tainted = current.origin === 'null' || (next.origin !== from && pageOrigin !== from);
  return {
    url: next.href,
    method: switchToGet ? 'GET' : current.method,
    headerLines,
    origin: tainted ? 'null' : pageOrigin,
    ...(!switchToGet && current.body !== undefined && { body: current.body }),
  };
}

/** A prepared hop for the request after a redirect, answered by `answers`. */
export function preparedHop(
  previous: PreparedScenario,
  next: RedirectedRequest,
  answers: { preflight?: ServerAnswer; response: ServerAnswer },
  defaultPreflight: ServerAnswer,
): PreparedScenario {
  const { sent, lines } = splitRequestHeaders(next.headerLines);
  return {
    ...previous,
    url: next.url,
    method: next.method,
    origin: next.origin,
    headers: sent,
    headerLines: lines,
    crossOrigin: true,
    preflight: answers.preflight ?? defaultPreflight,
    response: answers.response,
  };
}
