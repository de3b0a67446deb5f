import { hasHeader } from '../../model/header-list.js';
import type { CredentialsMode, HeaderList } from '../../model/types.js';

/** The User-Agent cors-doctor sends: a browser's, so that servers answer as they answer browsers. */
export const PROBE_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 cors-doctor';

/** `Sec-Fetch-Site` for a request from `origin` to `url` (hosts compared by their last two labels). */
export function secFetchSite(origin: string, url: string): 'same-origin' | 'same-site' | 'cross-site' {
  const target = new URL(url);
  if (target.origin === origin) return 'same-origin';
  if (origin === 'null') return 'cross-site';
  const from = new URL(origin);
  const site = (u: URL) => `${u.protocol}${u.hostname.split('.').slice(-2).join('.')}`;
  return site(from) === site(target) ? 'same-site' : 'cross-site';
}

function fetchMetadata(origin: string, url: string): HeaderList {
  return [
    ['Sec-Fetch-Site', secFetchSite(origin, url)],
    ['Sec-Fetch-Mode', 'cors'],
    ['Sec-Fetch-Dest', 'empty'],
  ];
}

/** The preflight a browser sends: the model's headers plus what every Chrome request carries. No credentials. */
export function preflightHeaders(modelHeaders: HeaderList, origin: string, url: string): HeaderList {
  return [
    ...modelHeaders,
    ['User-Agent', PROBE_USER_AGENT],
    ...fetchMetadata(origin, url),
    ...(origin === 'null' ? [] : ([['Referer', `${origin}/`]] as HeaderList)),
  ];
}

export interface ActualRequestInput {
  origin: string;
  url: string;
  /** The page's headers that fetch() keeps (forbidden ones already dropped). */
  headers: HeaderList;
  body?: string;
  credentials: CredentialsMode;
  /** Cookies the browser holds for the API's site, sent only with credentials `include`. */
  cookie?: string;
}

/** The actual request as a browser sends it: the page's headers, Origin, and cookies when credentials are included. */
export function actualHeaders(input: ActualRequestInput): HeaderList {
  const headers: HeaderList = [...input.headers];
  if (input.body !== undefined && !hasHeader(headers, 'Content-Type')) {
    headers.push(['Content-Type', 'text/plain;charset=UTF-8']);
  }
  if (!hasHeader(headers, 'Accept')) headers.push(['Accept', '*/*']);
  headers.push(['Origin', input.origin]);
  headers.push(['User-Agent', PROBE_USER_AGENT]);
  headers.push(...fetchMetadata(input.origin, input.url));
  if (input.origin !== 'null') headers.push(['Referer', `${input.origin}/`]);
  if (input.credentials === 'include' && input.cookie) headers.push(['Cookie', input.cookie]);
  return headers;
}
