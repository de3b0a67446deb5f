/**
 * The page's fetch() read back from what reached the proxy: who sent it (the browser named by the
 * User-Agent), from which origin, with which method, author headers and credentials mode. Pure.
 */
import type { Exchange } from '../core/exchange.js';
import type { PageFetch } from '../core/page.js';
import { getHeader } from '../model/header-list.js';
import { isForbiddenRequestHeader } from '../model/safelist.js';
import type { BrowserName, HeaderList } from '../model/types.js';

/** The browser a User-Agent names: `chrome` (Chrome, Chromium, Edge, Opera), `firefox`, or unknown. */
export type WatchedBrowser = BrowserName | 'unknown';

/** Chrome/Chromium (and the browsers built on it) → chrome; Firefox → firefox; anything else → unknown. */
export function browserOfUserAgent(userAgent: string | null | undefined): WatchedBrowser {
  if (!userAgent) return 'unknown';
  if (/\b(?:Firefox|FxiOS)\//.test(userAgent)) return 'firefox';
  if (/\b(?:Chrome|Chromium|CriOS|HeadlessChrome)\//.test(userAgent)) return 'chrome';
  return 'unknown';
}

/** The browser models that judge a request from `browser`: the one named, or both. */
export const modelsFor = (browser: WatchedBrowser): BrowserName[] =>
  browser === 'unknown' ? ['chrome', 'firefox'] : [browser];

/** An OPTIONS request with Origin and Access-Control-Request-Method: a browser's CORS preflight. */
export function isPreflight(method: string, headers: HeaderList): boolean {
  return (
    method === 'OPTIONS' &&
    getHeader(headers, 'Origin') !== null &&
    getHeader(headers, 'Access-Control-Request-Method') !== null
  );
}

/**
 * Whether a request is a cross-origin CORS request of a page: it carries an Origin that is not the proxy's
 * own, and (when the browser says so) its fetch mode is `cors`. A navigation, a form post, an `<img>`, curl
 * and a same-origin fetch are passed through and listed, but not judged.
 */
export function crossOriginOf(headers: HeaderList, ownOrigin: string): { cross: boolean; why?: string } {
  const origin = getHeader(headers, 'Origin');
  if (origin === null) return { cross: false, why: 'no Origin header: not a cross-origin fetch' };
  if (origin === ownOrigin) return { cross: false, why: 'same origin as the proxy' };
  const mode = getHeader(headers, 'Sec-Fetch-Mode');
  if (mode !== null && mode !== 'cors') return { cross: false, why: `fetch mode ${mode}, not cors` };
  return { cross: true };
}

/**
 * Headers the browser adds itself (not the page's): forbidden request headers, and those browsers add to a
 * fetch() (`User-Agent`, `Accept-Language`, `Priority`, `Pragma` and `Cache-Control` with `cache: 'no-store'`).
 * A page that sets `Cache-Control` itself makes it appear in the preflight's `Access-Control-Request-Headers`.
 */
const BROWSER_ADDED = new Set([
  'user-agent',
  'accept-language',
  'priority',
  'pragma',
  'cache-control',
  'upgrade-insecure-requests',
]);

const isBrowserAdded = (name: string, value: string): boolean => {
  const lower = name.toLowerCase();
  if (BROWSER_ADDED.has(lower) || isForbiddenRequestHeader(name, value)) return true;
  // fetch() and XMLHttpRequest send `Accept: */*` unless the page sets another.
  return lower === 'accept' && value === '*/*';
};

/** A value for a header the preflight names but whose value was never seen (no request followed). */
export const UNSEEN_VALUE = '"not seen"';

/** The names listed by a preflight's Access-Control-Request-Headers, lowercased. */
export function requestedHeaderNames(preflightHeaders: HeaderList): string[] {
  const value = getHeader(preflightHeaders, 'Access-Control-Request-Headers');
  if (value === null) return [];
  return value
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
}

/** What the page's fetch() set, as far as the proxy can tell. */
export interface WatchedPage {
  page: PageFetch;
  /** False when no Cookie was sent: the page may have asked for credentials and had no cookie to send. */
  credentialsKnown: boolean;
}

/**
 * The page's fetch() from the preflight and the actual request (either may be missing): the URL the browser
 * fetched (the proxy's, `http://` + Host + path), the Origin, the method, the author headers (those the
 * preflight announced, or, without one, those no browser adds itself) and the credentials mode (`include`
 * when a Cookie was sent, else the fetch default, `same-origin`, with `credentialsKnown` false).
 */
export function pageOf(preflight: Exchange | undefined, actual: Exchange | undefined): WatchedPage {
  const first = (preflight ?? actual) as Exchange;
  const origin = getHeader(first.request.headers, 'Origin') ?? 'null';
  const url = first.request.url;
  const method = actual
    ? actual.request.method
    : (getHeader(first.request.headers, 'Access-Control-Request-Method') ?? 'GET');
  const announced = preflight ? requestedHeaderNames(preflight.request.headers) : undefined;
  let headers: HeaderList;
  if (actual) {
    headers = actual.request.headers.filter(([n, v]) =>
      announced
        ? announced.includes(n.toLowerCase()) || (!isBrowserAdded(n, v) && isSafelistName(n))
        : !isBrowserAdded(n, v),
    );
  } else {
    headers = (announced ?? []).map((n) => [n, UNSEEN_VALUE]);
  }
  const cookie = actual ? getHeader(actual.request.headers, 'Cookie') : null;
  const page: PageFetch = {
    url,
    origin,
    method,
    headers,
    credentials: cookie !== null ? 'include' : 'same-origin',
    ...(actual?.request.body !== undefined && actual.request.body !== '' && { body: actual.request.body }),
  };
  return { page, credentialsKnown: cookie !== null };
}

const SAFELIST_NAMES = new Set(['accept', 'accept-language', 'content-language', 'content-type', 'range']);
const isSafelistName = (name: string) => SAFELIST_NAMES.has(name.toLowerCase());
