// What the page does: the fetch() a check replays, built and validated from what the user typed.
import { hasHeader } from '../model/header-list.js';
import { isForbiddenRequestHeader } from '../model/safelist.js';
import type { BrowserName, CredentialsMode, HeaderList, Scenario } from '../model/types.js';
import { BadInputError } from './errors.js';
import { collectHeaders, parseMethod, parseOrigin, parseRequestUrl } from './request-input.js';

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

/** The page's fetch() as the browser model takes it, with no answers yet. */
export function pageScenario(page: PageFetch): Scenario {
  return {
    origin: page.origin,
    request: {
      url: page.url,
      method: page.method,
      headers: page.headers,
      credentials: page.credentials,
      ...(page.body !== undefined && { body: page.body }),
    },
  };
}

/** The page origin assumed when none is given. */
export const DEFAULT_ORIGIN = 'http://localhost:3000';

/** The page's fetch() as a user describes it (the flags of `check`); all text, not yet checked. */
export interface PageFetchInput {
  url: string;
  origin?: string;
  method?: string;
  /** `Name: value` lines. */
  headers?: string[];
  data?: string;
  jsonBody?: string;
  credentials?: string;
  cookie?: string;
}

const CREDENTIALS_MODES = ['omit', 'same-origin', 'include'];

/** `--credentials`: omit, same-origin or include. */
export function parseCredentials(value: string): CredentialsMode {
  if (!CREDENTIALS_MODES.includes(value))
    throw new BadInputError(`--credentials is omit, same-origin or include, not ${JSON.stringify(value)}`);
  return value as CredentialsMode;
}

/** `--browser`: chrome, firefox or all. */
export function parseBrowsers(value: string): BrowserName[] {
  if (!['chrome', 'firefox', 'all'].includes(value))
    throw new BadInputError(`--browser is chrome, firefox or all, not ${JSON.stringify(value)}`);
  return value === 'all' ? ['chrome', 'firefox'] : [value as BrowserName];
}

/**
 * The page's fetch() from what the user typed, checked as fetch() would check it: what fetch() throws a
 * TypeError for (credentials in the URL, a method that is no token or is CONNECT, TRACE or TRACK, a header
 * name or value Headers refuses, a body with GET) throws BadInputError with one line. The method is the one
 * fetch() sends (`get` becomes `GET`). Forbidden request headers (Cookie, Host, Origin, Sec-*, ...) are kept
 * here and dropped by the browser model, as fetch() drops them: `droppedHeadersNote` says so.
 */
export function buildPageFetch(input: PageFetchInput): PageFetch {
  const url = parseRequestUrl(input.url);
  const origin = parseOrigin(input.origin ?? DEFAULT_ORIGIN);
  const headers = collectHeaders(input.headers ?? []);
  if (input.data !== undefined && input.jsonBody !== undefined)
    throw new BadInputError('give either --data or --json-body, not both');
  let body = input.data;
  if (input.jsonBody !== undefined) {
    try {
      JSON.parse(input.jsonBody);
    } catch (error) {
      throw new BadInputError(`--json-body is not valid JSON (${(error as Error).message})`);
    }
    body = input.jsonBody;
    if (!hasHeader(headers, 'Content-Type')) headers.push(['Content-Type', 'application/json']);
  }
  const method = parseMethod(input.method ?? (body !== undefined ? 'POST' : 'GET'));
  if (['GET', 'HEAD'].includes(method) && body !== undefined) {
    throw new BadInputError(`fetch() cannot send a body with ${method}: use -X POST (or PUT, PATCH)`);
  }
  const credentials = parseCredentials(input.credentials ?? 'same-origin');
  return {
    url,
    origin,
    method,
    headers,
    credentials,
    ...(body !== undefined && { body }),
    ...(input.cookie !== undefined && { cookie: input.cookie }),
  };
}

/**
 * The page's headers fetch() silently drops (forbidden request headers: Cookie, Host, Origin, Content-Length,
 * Sec-*, Proxy-*, ...), said in one line, or undefined when it drops none. The browser sets these itself.
 */
export function droppedHeadersNote(page: Pick<PageFetch, 'headers'>): string | undefined {
  const dropped = [
    ...new Set(page.headers.filter(([n, v]) => isForbiddenRequestHeader(n, v)).map(([n]) => n)),
  ];
  if (dropped.length === 0) return undefined;
  const cookie = dropped.some((n) => n.toLowerCase() === 'cookie')
    ? ' (for cookies, use --cookie with --credentials include: the browser sends the cookies it holds)'
    : '';
  return `fetch() drops the forbidden request header${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')}: the browser sets ${dropped.length > 1 ? 'them' : 'it'} itself, so ${dropped.length > 1 ? 'they were' : 'it was'} not sent${cookie}.`;
}
