/**
 * From a chain of HAR entries to what `check` works with: the page's fetch() (origin, method, the headers
 * the page set, body, credentials mode) and the exchanges, recorded rather than sent. What the HAR cannot
 * tell (the page's origin when no request carries it, the credentials mode of a sanitized export) is said.
 */
import type { Exchange, NetworkFailure } from '../../core/exchange.js';
import { type PageFetch, pageScenario } from '../../core/page.js';
import { isMixedContent } from '../../model/mixed-content.js';
import { firstRequest, preflightFor } from '../../model/plan.js';
import { isCorsSafelistedRequestHeader, isForbiddenRequestHeader } from '../../model/safelist.js';
import type { BrowserName, CredentialsMode, HeaderList } from '../../model/types.js';
import type { HarChain } from './chains.js';
import type { HarRecord } from './entry.js';
import type { HarLog } from './stream.js';

/** A header value DevTools left out of the HAR (its default export drops Authorization and Cookie). */
export const NOT_IN_HAR = '<not in the HAR>';

/** How the page's credentials mode was read, or why it could not be. */
export interface CredentialsReading {
  known: boolean;
  /** The mode judged first. */
  mode: CredentialsMode;
  /** One sentence: what in the HAR says so, or why nothing does. */
  why: string;
}

/** One cross-origin fetch/XHR as recorded. */
export interface RecordedFetch {
  chain: HarChain;
  page: PageFetch;
  exchanges: Exchange[];
  /** Where the page's origin was read. */
  originFrom: string;
  credentials: CredentialsReading;
  /** What the browser itself recorded: blocked (an error, no answer) or allowed; undefined when it cannot say. */
  recordedOutcome?: 'allowed' | 'blocked';
  /** `preflight` when the preflight was answered and the request never sent: the browser stopped there. */
  recordedStage?: 'preflight';
  /** Notes on what the HAR leaves out. */
  notes: string[];
}

/** A chain that is not judged, and why. */
export interface SkippedChain {
  entry: number;
  url: string;
  why: string;
}

const headerOf = (headers: HeaderList, name: string): string | undefined =>
  headers.find(([n]) => n.toLowerCase() === name)?.[1];

const answered = (r: HarRecord | undefined): boolean =>
  r !== undefined && (r.status > 0 || r.responseHeaders.length > 0);

function originOfUrl(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** The browser that wrote the HAR, from its creator (`WebInspector` is Chrome's DevTools). */
export function recordingBrowser(log: HarLog): BrowserName | undefined {
  const name = `${log.creator} ${log.browser ?? ''}`.toLowerCase();
  if (/firefox|gecko/.test(name)) return 'firefox';
  if (/webinspector|chrom|edge|devtools/.test(name)) return 'chrome';
  return undefined;
}

/** The page's origin: the Origin a request carried, else the Referer's, else the page the entry belongs to. */
function pageOrigin(
  records: HarRecord[],
  log: HarLog,
  documents: HarRecord[],
): { origin: string; from: string } | undefined {
  for (const r of records) {
    const origin = headerOf(r.requestHeaders, 'origin');
    if (origin !== undefined && origin !== '') return { origin, from: 'its Origin header' };
  }
  for (const r of records) {
    const referer = headerOf(r.requestHeaders, 'referer');
    const origin = referer ? originOfUrl(referer) : undefined;
    if (origin) return { origin, from: 'its Referer header' };
  }
  const pageref = records.find((r) => r.pageref !== undefined)?.pageref;
  const title = log.pages.find((p) => p.id === pageref)?.title ?? log.pages[0]?.title;
  const fromPage = title ? originOfUrl(title) : undefined;
  if (fromPage) return { origin: fromPage, from: "the HAR's page" };
  const first = records[0]?.index ?? 0;
  const document = [...documents].reverse().find((d) => d.index < first) ?? documents[0];
  const fromDocument = document ? originOfUrl(document.url) : undefined;
  if (fromDocument) return { origin: fromDocument, from: 'the page loaded before it' };
  return undefined;
}

/** A header name a preflight gives in lower case, as a page most likely wrote it (`X-Request-Id`). */
const written = (name: string): string =>
  name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

/** Headers a browser adds itself and the page does not set (besides the forbidden ones). */
const BROWSER_SET = new Set([
  'accept-language',
  'user-agent',
  // DevTools' "Disable cache", and the HTTP cache's revalidation.
  'cache-control',
  'pragma',
  'if-none-match',
  'if-modified-since',
  'priority',
  'dnt',
  'upgrade-insecure-requests',
  'purpose',
  'x-client-data',
]);

/**
 * The headers the page set: of the request's headers, those fetch() lets a page set, minus those the
 * browser adds itself; with a preflight, exactly the names it asks for plus the safelisted ones. Names the
 * preflight asks for that the HAR left out (Authorization in a sanitized export) come back with a
 * placeholder value.
 */
function pageHeaders(actual: HarRecord | undefined, preflight: HarRecord | undefined): HeaderList {
  const asked = (
    preflight ? (headerOf(preflight.requestHeaders, 'access-control-request-headers') ?? '') : ''
  )
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
  const out: HeaderList = [];
  for (const [name, value] of actual?.requestHeaders ?? []) {
    const lower = name.toLowerCase();
    if (isForbiddenRequestHeader(name, value)) continue;
    if (asked.includes(lower)) out.push([name, value]);
    else if (BROWSER_SET.has(lower)) continue;
    else if (lower === 'accept' && value === '*/*') continue;
    else if (isCorsSafelistedRequestHeader(name, value)) out.push([name, value]);
    // Without a preflight in the HAR (the browser's preflight cache answered it), a header the page set.
    else if (!preflight && actual && answered(actual)) out.push([name, value]);
    // Otherwise a header no preflight asked for: added by the browser or an extension, not by the page.
  }
  // The preflight names them in lower case; the page most likely wrote them capitalised.
  for (const name of asked) {
    if (!out.some(([n]) => n.toLowerCase() === name)) out.push([written(name), NOT_IN_HAR]);
  }
  return out;
}

/** Chrome's failure codes as the probe's network failure codes. */
function failureOf(error: string | undefined, browser: BrowserName | undefined): NetworkFailure {
  const code = error ?? '';
  const known: Array<[RegExp, string, string]> = [
    [/CONNECTION_REFUSED/, 'ECONNREFUSED', 'connection refused'],
    [/NAME_NOT_RESOLVED|NAME_RESOLUTION/, 'ENOTFOUND', 'the host name did not resolve (DNS)'],
    [/TIMED_OUT/, 'TIMEOUT', 'the request timed out'],
    [/CERT|SSL/, 'TLS', 'the TLS handshake or certificate failed'],
    [/CONNECTION_(RESET|CLOSED)|EMPTY_RESPONSE/, 'ECONNRESET', 'the connection closed without an answer'],
    [/ADDRESS_UNREACHABLE|INTERNET_DISCONNECTED/, 'EHOSTUNREACH', 'the address is unreachable'],
  ];
  for (const [pattern, c, words] of known)
    if (pattern.test(code))
      return { code: c, message: `the browser recorded ${code}: ${words}; nothing answered` };
  const who = browser === 'firefox' ? 'Firefox' : browser === 'chrome' ? 'Chrome' : 'the browser';
  return {
    code: code ? code.replace(/^net::/, '') : 'NO_ANSWER',
    message: code
      ? `${who} recorded ${code} and no answer`
      : `the HAR records no answer (status 0, no headers): the request failed before an answer came`,
  };
}

/** A network failure a CORS check does not explain: the request never got an answer. */
const networkFailure = (error: string | undefined): boolean =>
  error !== undefined && error !== '' && !/ERR_FAILED|ERR_ABORTED|ERR_BLOCKED/.test(error);

/** The request headers a sanitized export removes and a preflight may ask for. */
const SANITIZED = ['authorization'];

/**
 * The request's headers with those the export removed put back, with a placeholder value: the ones its own
 * preflight asked for (the browser sent them with the request that followed it). A request after a redirect
 * to another origin has no preflight naming them: the browser removed Authorization there itself.
 */
function withDroppedHeaders(headers: HeaderList, preflight: HarRecord | undefined): HeaderList {
  const asked = (
    preflight ? (headerOf(preflight.requestHeaders, 'access-control-request-headers') ?? '') : ''
  )
    .split(',')
    .map((n) => n.trim().toLowerCase());
  const dropped = SANITIZED.filter((n) => asked.includes(n) && headerOf(headers, n) === undefined);
  return dropped.length === 0
    ? headers
    : [...headers, ...dropped.map((n): [string, string] => [written(n), NOT_IN_HAR])];
}

function exchangeOf(
  kind: 'preflight' | 'actual',
  r: HarRecord,
  hop: number,
  browser?: BrowserName,
): Exchange {
  return {
    kind,
    ...(hop > 0 && { hop }),
    request: {
      method: r.method,
      url: r.url,
      headers: r.requestHeaders,
      ...(r.body !== undefined && { body: r.body }),
    },
    ...(answered(r)
      ? {
          response: {
            status: r.status,
            statusText: r.statusText,
            headers: r.responseHeaders,
            bodyExcerpt: r.responseBody,
          },
        }
      : {}),
    ms: r.time,
    recorded: {
      source: 'har',
      entry: r.index,
      ...(r.startedDateTime !== '' && { at: r.startedDateTime }),
      ...(r.error && { browserError: r.error }),
      ...(browser && { browser }),
    },
  };
}

/**
 * The credentials mode: `include` when a cookie was sent (cross-origin, only `include` sends one); else it
 * cannot be known, and the mode judged first is the one the browser's recorded outcome points to, or the one
 * the page's scripts ask for (`withCredentials`, `credentials: 'include'`), else fetch()'s default.
 */
function credentialsOf(actuals: HarRecord[], sanitized: boolean, trace: boolean): CredentialsReading {
  const withCookie = actuals.find(
    (a) => headerOf(a.requestHeaders, 'cookie') !== undefined || a.cookiesListed,
  );
  if (withCookie)
    return {
      known: true,
      mode: 'include',
      why: 'a Cookie was sent with the request: cross-origin, only credentials: include sends one',
    };
  const lead = sanitized
    ? 'the HAR holds no Cookie or Authorization header (DevTools drops them unless saved "with sensitive data")'
    : 'no Cookie was sent (the browser may hold none for the API)';
  return {
    known: false,
    mode: trace ? 'include' : 'same-origin',
    why: `${lead}, so the credentials mode cannot be known${trace ? "; the page's scripts set withCredentials or credentials: 'include'" : ''}`,
  };
}

/** Everything the HAR says about one chain, or why it is not judged. */
export function recordedFetch(
  chain: HarChain,
  context: { log: HarLog; documents: HarRecord[]; browser?: BrowserName; credentialsTrace: boolean },
): RecordedFetch | SkippedChain {
  const records = chain.hops.flatMap((h) => [h.preflight, h.actual]).filter((r): r is HarRecord => !!r);
  const first = chain.hops[0];
  const head = (first?.actual ?? first?.preflight) as HarRecord;
  const skip = (why: string): SkippedChain => ({ entry: head.index, url: head.url, why });
  const target = originOfUrl(head.url);
  if (!target || !/^https?:$/.test(new URL(head.url).protocol))
    return skip('not an http(s) URL: CORS does not apply');
  const found = pageOrigin(records, context.log, context.documents);
  if (!found) return skip("the page's origin is not in the HAR (no Origin, Referer or page)");
  if (found.origin === target) return skip('same-origin');
  const notes: string[] = [];
  const actuals = chain.hops.map((h) => h.actual).filter((r): r is HarRecord => !!r);
  const firstActual = first?.actual;
  const preflight = first?.preflight;
  const method =
    firstActual?.method ??
    (preflight ? headerOf(preflight.requestHeaders, 'access-control-request-method')?.trim() : undefined) ??
    'GET';
  const headers = pageHeaders(firstActual, preflight);
  const sanitized =
    context.browser === 'chrome' &&
    !actuals.some((a) => headerOf(a.requestHeaders, 'cookie') !== undefined || a.cookiesListed);
  if (headers.some(([, v]) => v === NOT_IN_HAR))
    notes.push(
      `The HAR leaves out the value of ${headers
        .filter(([, v]) => v === NOT_IN_HAR)
        .map(([n]) => n)
        .join(
          ', ',
        )} (the preflight asks for it): DevTools removes Authorization and Cookie unless the HAR is saved "with sensitive data".`,
    );
  if (!firstActual)
    notes.push(
      'The request itself is not in the HAR: the browser stopped at the preflight and never sent it; its method and header names come from the preflight.',
    );
  const credentials = credentialsOf(actuals, sanitized, context.credentialsTrace);
  const cookie = actuals.map((a) => headerOf(a.requestHeaders, 'cookie')).find((c) => c !== undefined);
  const page: PageFetch = {
    url: head.url.split('#', 1)[0] as string,
    origin: found.origin,
    method,
    headers,
    credentials: credentials.mode,
    ...(firstActual?.body !== undefined && { body: firstActual.body }),
    ...(cookie !== undefined && { cookie }),
  };
  if (firstActual?.bodyLength !== undefined)
    notes.push(
      `The request body is ${firstActual.bodyLength} characters long; only its first ${firstActual.body?.length} are kept.`,
    );

  const exchanges: Exchange[] = [];
  let failed: HarRecord | undefined;
  for (const [hop, h] of chain.hops.entries()) {
    if (h.preflight) {
      exchanges.push(exchangeOf('preflight', h.preflight, hop, context.browser));
      if (!answered(h.preflight)) failed ??= h.preflight;
    }
    if (h.actual && (answered(h.actual) || networkFailure(h.actual.error) || !h.preflight)) {
      const actual = exchangeOf('actual', h.actual, hop, context.browser);
      if (sanitized) actual.request.headers = withDroppedHeaders(actual.request.headers, h.preflight);
      exchanges.push(actual);
      if (!answered(h.actual)) failed ??= h.actual;
    }
  }
  const cached = cachedPreflight(page, chain, context.browser);
  if (cached) {
    exchanges.unshift(cached);
    notes.push(
      "The HAR holds no preflight for this request, which needs one: the browser sent it on the strength of a preflight it had cached (Access-Control-Max-Age) or made before the recording began; that preflight's answer is taken to have allowed exactly this request.",
    );
  }
  // Nothing answered: the browser's own words say why, as a network failure of that exchange; but an https
  // page's request to a plain-http URL was blocked by the browser before it was sent (mixed content).
  const mixed = isMixedContent(page.origin, page.url);
  for (const x of exchanges) {
    if (x.response || mixed) continue;
    const record = records.find((r) => r.index === x.recorded?.entry);
    x.error = failureOf(record?.error, context.browser);
  }
  // A request whose preflight was answered and which was then never sent: the browser stopped at the preflight.
  const stoppedAtPreflight = chain.hops.some(
    (h) => h.preflight && answered(h.preflight) && !answered(h.actual) && !networkFailure(h.actual?.error),
  );
  const blockedMark = records.some((r) => r.error !== undefined && r.error !== '');
  const recordedOutcome =
    context.browser === 'chrome'
      ? blockedMark || failed
        ? 'blocked'
        : 'allowed'
      : failed || stoppedAtPreflight
        ? 'blocked'
        : undefined;
  return {
    chain,
    page,
    exchanges,
    originFrom: found.from,
    credentials,
    ...(recordedOutcome && { recordedOutcome }),
    ...(stoppedAtPreflight && { recordedStage: 'preflight' as const }),
    notes,
  };
}

/**
 * The preflight a request needed and the HAR does not hold, when the request itself was sent and answered:
 * the browser had a cached preflight result that allowed it (or made the preflight before the recording).
 * Its answer is what that cache entry must hold: the origin (and credentials) the actual answer allows, the
 * method and the header names asked for.
 */
function cachedPreflight(page: PageFetch, chain: HarChain, browser?: BrowserName): Exchange | undefined {
  const first = chain.hops[0];
  if (!first?.actual || first.preflight || !answered(first.actual)) return undefined;
  const asked = preflightFor(firstRequest(pageScenario(page)), [browser ?? 'chrome']);
  if (!asked) return undefined;
  const answer = first.actual.responseHeaders;
  const allowOrigin = headerOf(answer, 'access-control-allow-origin') ?? page.origin;
  const method = headerOf(asked, 'access-control-request-method') ?? page.method;
  const names = headerOf(asked, 'access-control-request-headers');
  const credentials = headerOf(answer, 'access-control-allow-credentials');
  const headers: HeaderList = [
    ['Access-Control-Allow-Origin', allowOrigin],
    ['Access-Control-Allow-Methods', method],
    ...(names ? ([['Access-Control-Allow-Headers', names]] as HeaderList) : []),
    ...(credentials ? ([['Access-Control-Allow-Credentials', credentials]] as HeaderList) : []),
  ];
  return {
    kind: 'preflight',
    request: { method: 'OPTIONS', url: first.actual.url, headers: asked },
    response: { status: 204, statusText: 'No Content', headers, bodyExcerpt: '' },
    ms: 0,
    predicted: {
      answeredBy: "the browser's preflight cache",
      explanation:
        'not in the HAR: the browser sent the request without a new preflight, so a cached preflight result allowed it',
      statusAssumed: true,
      assumptions: [
        'the cached preflight allowed this origin, method and these headers (the request was sent, so it did)',
      ],
      path: [],
    },
  };
}

export const isSkipped = (x: RecordedFetch | SkippedChain): x is SkippedChain => 'why' in x;
