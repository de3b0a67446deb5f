// A request copied from DevTools ("Copy as cURL" for bash or cmd, "Copy as fetch", "Copy as fetch
// (Node.js)") → the page's fetch() as `check` takes it, with notes on what the copy could not tell. The
// heart of it is telling the page's headers from the browser's: only the headers the page's code set decide
// the preflight, while a copy also holds the ones the browser added itself (Sec-Fetch-*, sec-ch-ua*,
// User-Agent, Accept-Language, Priority, Origin, Referer, Cookie, …). Pure: text in, request and notes out.
import { BadInputError } from '../../core/errors.js';
import type { PageFetchInput } from '../../core/page.js';
import type { CheckReport } from '../../core/report.js';
import { isForbiddenRequestHeader } from '../../model/safelist.js';
import type { CredentialsMode, HeaderList } from '../../model/types.js';
import { parseCurl } from './curl.js';
import { FETCH_START, parseFetch } from './fetch.js';

export type CopyFormat = 'curl-bash' | 'curl-cmd' | 'fetch' | 'fetch-node';

/** The page's request as a DevTools copy describes it. */
export interface CopiedRequest {
  format: CopyFormat;
  url: string;
  method?: string;
  /** The headers the page's code set: the ones that decide the preflight. */
  headers: HeaderList;
  /** The names of the headers the browser (or DevTools) added itself, not replayed as the page's. */
  browserHeaders: string[];
  body?: string;
  /** The page's origin, when the copy shows it (`Origin`, or the origin of `Referer` / `referrer`). */
  origin?: string;
  originFrom?: 'Origin' | 'Referer' | 'referrer';
  credentials?: CredentialsMode;
  /** The cookies the browser sent (curl's `-b` or a Cookie header). */
  cookie?: string;
  /** What the copy could not tell, and what was assumed: one line each, no header values. */
  notes: string[];
}

const FORMAT_NAMES: Record<CopyFormat, string> = {
  'curl-bash': 'Copy as cURL (bash)',
  'curl-cmd': 'Copy as cURL (cmd)',
  fetch: 'Copy as fetch',
  'fetch-node': 'Copy as fetch (Node.js)',
};

/** Headers the browser sends on its own for a fetch(), beyond the forbidden ones. */
const BROWSER_SET = new Set([
  'user-agent',
  'accept-language',
  'priority',
  'upgrade-insecure-requests',
  'purpose',
  'x-client-data',
  'alt-used',
  // Client hints the browser adds once a site asks for them.
  'device-memory',
  'dpr',
  'width',
  'viewport-width',
  'rtt',
  'downlink',
  'ect',
  'save-data',
]);

/** Conditional headers the browser's cache adds when it revalidates a stored answer. */
const CACHE_REVALIDATION = new Set(['if-none-match', 'if-modified-since']);

/** The format of a copy, from its first word; undefined when it is neither curl nor fetch(). */
function formatOf(text: string): 'curl-bash' | 'curl-cmd' | 'fetch' | undefined {
  if (FETCH_START.test(text)) return 'fetch';
  if (!/^\s*curl(\.exe)?(\s|$)/i.test(text)) return undefined;
  // cmd: curl.exe (Firefox), or the URL in ^"…^" (both DevTools quote every value so for cmd), or lines
  // continued with ^.
  return /^\s*curl\.exe\s/i.test(text) || /^\s*curl\s+(--url\s+)?\^"/i.test(text) || / \^\n/.test(text)
    ? 'curl-cmd'
    : 'curl-bash';
}

/** The origin of a Referer value, or undefined when it has none (about:client, a path, garbage). */
function refererOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const header = (list: HeaderList, name: string): string | undefined =>
  list.find(([n]) => n.toLowerCase() === name)?.[1];

/** Splits the copy's headers into the page's and the browser's, with notes on the guesses. */
function splitHeaders(all: HeaderList, notes: string[]): { page: HeaderList; browser: string[] } {
  const page: HeaderList = [];
  const browser: string[] = [];
  const disabledCache =
    /^no-cache$/i.test(header(all, 'pragma') ?? '') && /^no-cache$/i.test(header(all, 'cache-control') ?? '');
  const revalidation: string[] = [];
  for (const [name, value] of all) {
    const lower = name.toLowerCase();
    if (lower.startsWith(':')) continue;
    if (isForbiddenRequestHeader(name, value) || BROWSER_SET.has(lower)) browser.push(name);
    else if (disabledCache && (lower === 'pragma' || lower === 'cache-control')) browser.push(name);
    else if (CACHE_REVALIDATION.has(lower)) {
      browser.push(name);
      revalidation.push(name);
    } else page.push([name, value]);
  }
  if (disabledCache) {
    notes.push(
      'Pragma: no-cache and Cache-Control: no-cache are taken as DevTools\' "Disable cache" (the browser adds them, no preflight needed); if the page\'s code sets them itself, add them with -H',
    );
  }
  if (revalidation.length > 0) {
    notes.push(
      `${revalidation.join(' and ')} ${revalidation.length > 1 ? 'are' : 'is'} taken as the browser's cache revalidating a stored answer; if the page's code sets ${revalidation.length > 1 ? 'them' : 'it'} itself, add ${revalidation.length > 1 ? 'them' : 'it'} with -H`,
    );
  }
  return { page, browser };
}

/** `Cookie` lines of the copy joined, or curl's -b. */
function cookieOf(all: HeaderList, fromOption: string | undefined): string | undefined {
  const lines = all.filter(([n]) => n.toLowerCase() === 'cookie').map(([, v]) => v);
  if (fromOption !== undefined) lines.push(fromOption);
  return lines.length > 0 ? lines.join('; ') : undefined;
}

/**
 * Reads a DevTools copy ("Copy as cURL" bash or cmd, "Copy as fetch", "Copy as fetch (Node.js)") of Chrome
 * or Firefox. Throws BadInputError with one line for a text that is none of these.
 */
export function parseCopyAs(text: string, name = 'the copied request'): CopiedRequest {
  const normalized = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  if (normalized.trim() === '') {
    throw new BadInputError(
      `${name} is empty: paste the text of Copy as cURL or Copy as fetch (DevTools' Network panel, right-click the request)`,
    );
  }
  const detected = formatOf(normalized);
  if (
    detected === undefined &&
    /(^|\n)\s*(Invoke-WebRequest|Invoke-RestMethod|\$session\s*=\s*New-Object)\b/i.test(normalized)
  ) {
    throw new BadInputError(
      `${name} is a PowerShell command (Copy as PowerShell), which cors-doctor does not read: copy the request with Copy as cURL (cmd or bash) or Copy as fetch instead`,
    );
  }
  if (detected === undefined) {
    const first = normalized.trim().split(/\s/)[0] ?? '';
    throw new BadInputError(
      `${name} is not a curl command or a fetch() call (it starts with ${JSON.stringify(first.slice(0, 20))}): in DevTools' Network panel, right-click the failing request and use Copy > Copy as cURL (bash or cmd) or Copy as fetch`,
    );
  }
  const notes: string[] = [];
  if (detected === 'fetch') return fromFetch(normalized.trim(), notes);
  const raw = parseCurl(normalized.trim(), detected === 'curl-cmd' ? 'cmd' : 'bash');
  notes.push(...raw.notes);
  // Chrome's cmd quoting escapes a character outside ASCII with ^ and then writes it as a space: "^ ".
  const lost = detected === 'curl-cmd' ? (normalized.match(/\^ /g) ?? []).length : 0;
  if (lost > 0) {
    notes.push(
      `the copy lost ${lost} character${lost > 1 ? 's' : ''} outside ASCII (Chrome's Copy as cURL (cmd) writes them as spaces): for the exact headers and body, use Copy as cURL (bash) or Copy as fetch`,
    );
  }
  const { page, browser } = splitHeaders(raw.headers, notes);
  const cookie = cookieOf(raw.headers, raw.cookie);
  if (cookie === undefined) {
    notes.push(
      "the copy sent no cookie, and curl text does not say the fetch()'s credentials mode: checked without credentials; if the page's fetch() uses credentials: 'include' (or withCredentials), add --credentials include",
    );
  }
  return {
    format: detected,
    url: raw.url,
    ...(raw.method !== undefined && { method: raw.method }),
    headers: page,
    browserHeaders: browser,
    ...(raw.body !== undefined && { body: raw.body }),
    ...originOf(raw.headers, undefined, notes),
    ...(cookie !== undefined && { credentials: 'include' as const, cookie }),
    notes,
  };
}

/** The page's origin from the copy's Origin, Referer or referrer, with a note when it is not Origin. */
function originOf(
  all: HeaderList,
  referrer: string | undefined,
  notes: string[],
): Pick<CopiedRequest, 'origin' | 'originFrom'> {
  const origin = header(all, 'origin');
  if (origin !== undefined) return { origin, originFrom: 'Origin' };
  const referer = header(all, 'referer');
  const fromReferer = referer === undefined ? undefined : refererOrigin(referer);
  if (fromReferer !== undefined) {
    notes.push(
      `the copy has no Origin header (Chrome leaves it out of a request that never left the browser, such as one blocked at its preflight): the page's origin ${fromReferer} is taken from its Referer`,
    );
    return { origin: fromReferer, originFrom: 'Referer' };
  }
  const fromReferrer = referrer === undefined ? undefined : refererOrigin(referrer);
  if (fromReferrer !== undefined) return { origin: fromReferrer, originFrom: 'referrer' };
  return {};
}

function fromFetch(text: string, notes: string[]): CopiedRequest {
  const raw = parseFetch(text);
  const format: CopyFormat = raw.node ? 'fetch-node' : 'fetch';
  const { page, browser } = splitHeaders(raw.headers, notes);
  const cookie = cookieOf(raw.headers, undefined);
  let credentials: CredentialsMode | undefined;
  if (raw.credentials !== undefined) {
    if (!['omit', 'same-origin', 'include'].includes(raw.credentials)) {
      throw new BadInputError(
        `the fetch() call's credentials is omit, same-origin or include, not ${JSON.stringify(raw.credentials)}`,
      );
    }
    credentials = raw.credentials as CredentialsMode;
    const authorization = header(raw.headers, 'authorization') !== undefined;
    if (credentials === 'include' && authorization) {
      notes.push(
        "DevTools writes credentials: 'include' when the request carried a cookie or an Authorization header: checked with 'include'; if the page's fetch() sends no cookies (credentials 'same-origin', the default), add --credentials same-origin",
      );
    } else if (credentials === 'include') {
      notes.push(
        "the fetch() copy says the browser sent cookies (credentials: 'include'), but never their values: checked with credentials 'include' and no Cookie header; add --cookie 'name=value' to send them",
      );
    } else if (credentials === 'omit') {
      notes.push(
        "DevTools writes credentials: 'omit' for any request that carried no cookie and no Authorization header: checked without credentials; if the page's fetch() uses credentials: 'include' (or withCredentials), add --credentials include",
      );
    }
  } else if (cookie !== undefined) credentials = 'include';
  else {
    notes.push(
      "the copy sent no cookie and does not say the fetch()'s credentials mode: checked without credentials; if the page's fetch() uses credentials: 'include', add --credentials include",
    );
  }
  if (raw.mode !== undefined && raw.mode !== 'cors') {
    notes.push(
      `the fetch() call's mode is ${JSON.stringify(raw.mode)}: checked as a CORS request (mode 'cors'), the one whose answer the page can read`,
    );
  }
  return {
    format,
    url: raw.url,
    ...(raw.method !== undefined && { method: raw.method }),
    headers: page,
    browserHeaders: browser,
    ...(raw.body !== undefined && { body: raw.body }),
    ...originOf(raw.headers, raw.referrer, notes),
    ...(credentials !== undefined && { credentials }),
    ...(cookie !== undefined && { cookie }),
    notes,
  };
}

/** The request flags of `check` given beside `--from` (undefined or empty when not given). */
export interface CheckFlags {
  url?: string;
  origin?: string;
  method?: string;
  headers: string[];
  data?: string;
  jsonBody?: string;
  credentials?: string;
  cookie?: string;
}

/** The name of a `Name: value` flag line. */
const flagHeaderName = (line: string): string =>
  line
    .slice(0, Math.max(0, line.indexOf(':')))
    .trim()
    .toLowerCase();

/**
 * The page's fetch() for `check`: the copy's request, with each flag given explicitly overriding the copy
 * (said in a note). `notes` starts with what was read, then what the copy could not tell.
 */
export function pageInputFromCopy(
  copy: CopiedRequest,
  flags: CheckFlags,
): {
  input: PageFetchInput;
  notes: string[];
  /** The other credentials mode the page may have used, when the copy cannot tell and no flag says. */
  otherCredentials?: CredentialsMode;
} {
  const notes = [
    `read ${FORMAT_NAMES[copy.format]}: ${copy.method ?? (copy.body !== undefined ? 'POST' : 'GET')} ${copy.url}${copy.headers.length > 0 ? ` with the page's header${copy.headers.length > 1 ? 's' : ''} ${copy.headers.map(([n]) => n).join(', ')}` : ''}`,
  ];
  if (copy.browserHeaders.length > 0) {
    notes.push(
      `not the page's headers (the browser sets them itself, and they do not decide the preflight): ${[...new Set(copy.browserHeaders)].join(', ')}`,
    );
  }
  notes.push(...copy.notes);
  const overridden: string[] = [];
  const given = (flag: string, value: unknown) => {
    if (value !== undefined) overridden.push(flag);
    return value !== undefined;
  };
  const url = given('the URL', flags.url) ? (flags.url as string) : copy.url;
  const origin = given('--origin', flags.origin) ? flags.origin : copy.origin;
  const method = given('--method', flags.method) ? flags.method : copy.method;
  const flagNames = new Set(flags.headers.map(flagHeaderName));
  if (flags.headers.length > 0) overridden.push('--header');
  const headers = [
    ...copy.headers.filter(([n]) => !flagNames.has(n.toLowerCase())).map(([n, v]) => `${n}: ${v}`),
    ...flags.headers,
  ];
  const bodyGiven = flags.data !== undefined || flags.jsonBody !== undefined;
  if (bodyGiven) overridden.push(flags.data !== undefined ? '--data' : '--json-body');
  const credentials = given('--credentials', flags.credentials) ? flags.credentials : copy.credentials;
  const cookie = given('--cookie', flags.cookie) ? flags.cookie : copy.cookie;
  if (overridden.length > 0) {
    notes.push(
      `given explicitly, ${overridden.join(', ')} override${overridden.length > 1 ? '' : 's'} the copy`,
    );
  }
  if (origin === undefined) {
    notes.push(
      "the copy shows no page origin (no Origin, Referer or referrer): checked from the default origin; give the page's origin with --origin",
    );
  }
  const input: PageFetchInput = {
    url,
    headers,
    ...(origin !== undefined && { origin }),
    ...(method !== undefined && { method }),
    ...(bodyGiven
      ? {
          ...(flags.data !== undefined && { data: flags.data }),
          ...(flags.jsonBody !== undefined && { jsonBody: flags.jsonBody }),
        }
      : copy.body !== undefined && { data: copy.body }),
    ...(credentials !== undefined && { credentials }),
    ...(cookie !== undefined && { cookie }),
  };
  if (copy.body !== undefined && !bodyGiven && method !== undefined && /^(GET|HEAD)$/i.test(method)) {
    throw new BadInputError(
      `the copy has a body with ${method.toUpperCase()}, which fetch() cannot send: copy the request again, or give -X`,
    );
  }
  const otherCredentials =
    flags.credentials === undefined ? otherCredentialsOf(copy, flags.cookie !== undefined) : undefined;
  return {
    input,
    notes,
    ...(otherCredentials !== undefined && { otherCredentials }),
  };
}

/**
 * The credentials mode the page may have used instead of the one the copy was checked with: 'include' when
 * nothing credentialed was sent (a page with credentials: 'include' and no cookie stored sends the same
 * requests), 'same-origin' when DevTools wrote 'include' only because of an Authorization header. Undefined
 * when the copy tells (a cookie was sent).
 */
function otherCredentialsOf(copy: CopiedRequest, cookieGiven: boolean): CredentialsMode | undefined {
  if (copy.cookie !== undefined || cookieGiven) return undefined;
  if (copy.credentials === 'include') {
    const authorization = copy.headers.some(([n]) => n.toLowerCase() === 'authorization');
    return copy.format === 'fetch' && authorization ? 'same-origin' : undefined;
  }
  return 'include';
}

const BROWSER_NAMES: Record<string, string> = { chrome: 'Chrome', firefox: 'Firefox' };

/**
 * What the verdict would be had the page used `mode`, judged on the same answers (the requests on the wire
 * are the same: no cookie is known either way): one note, or undefined when the verdicts agree.
 */
export function otherCredentialsNote(
  mode: CredentialsMode,
  checked: Pick<CheckReport, 'browsers' | 'causes' | 'exchanges'>,
  other: Pick<CheckReport, 'browsers' | 'causes'>,
): string | undefined {
  const names = Object.keys(checked.browsers) as Array<keyof CheckReport['browsers']>;
  // Stopped at the preflight, the request itself was never sent: its answer cannot be judged.
  const actualAnswered = checked.exchanges.some((x) => x.kind === 'actual' && x.response !== undefined);
  const passesPreflight = (n: (typeof names)[number]) =>
    checked.browsers[n]?.stage === 'preflight' && other.browsers[n]?.stage !== 'preflight';
  if (!actualAnswered && names.some(passesPreflight)) {
    return `the verdict depends on the credentials mode the copy cannot tell: with credentials: '${mode}' the preflight passes, and the request itself was not sent; if the page's fetch() uses '${mode}', check again with --credentials ${mode}`;
  }
  const differ = names.filter((n) => checked.browsers[n]?.outcome !== other.browsers[n]?.outcome);
  if (differ.length === 0) return undefined;
  const verdicts = differ.map((n) => `${BROWSER_NAMES[n] ?? n} ${other.browsers[n]?.outcome}`).join(', ');
  const causes = [...new Set(other.causes.filter((c) => c.severity === 'error').map((c) => c.code))];
  return `the verdict depends on the credentials mode the copy cannot tell: with credentials: '${mode}' the same answers give ${verdicts}${causes.length > 0 ? ` (${causes.join(', ')})` : ''}; if the page's fetch() uses '${mode}', check again with --credentials ${mode}`;
}
