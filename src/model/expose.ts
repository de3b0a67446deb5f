import { getHeader } from './header-list.js';
import { splitListHeader } from './http-token.js';
import type { HeaderList } from './types.js';

/** Response headers JavaScript can always read from a CORS response. */
export const CORS_SAFELISTED_RESPONSE_HEADERS = [
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
];

const FORBIDDEN_RESPONSE_HEADERS = ['set-cookie', 'set-cookie2'];

/** The lowercased names of the response headers a page can read (`response.headers.get`). */
export function exposedResponseHeaders(headers: HeaderList, includeCredentials: boolean): string[] {
  const names = [...new Set(headers.map(([name]) => name.toLowerCase()))];
  const listed = splitListHeader(getHeader(headers, 'Access-Control-Expose-Headers')).map((n) =>
    n.toLowerCase(),
  );
  const exposeAll = !includeCredentials && listed.includes('*');
  return names.filter(
    (name) =>
      !FORBIDDEN_RESPONSE_HEADERS.includes(name) &&
      (CORS_SAFELISTED_RESPONSE_HEADERS.includes(name) || exposeAll || listed.includes(name)),
  );
}
