import { isCorsSafelistedMethod } from '../model/method.js';
import { corsUnsafeRequestHeaderNames, splitRequestHeaders } from '../model/safelist.js';
import type { CredentialsMode, HeaderList } from '../model/types.js';

export interface CorsNeeds {
  origin: string;
  method: string;
  headers: HeaderList;
  credentials: CredentialsMode;
}

const py = (items: string[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

/**
 * The smallest safe `CORSMiddleware` call that lets this request through: the exact origin (never `*`
 * with credentials), the methods and headers the request needs, credentials only when it sends them.
 */
export function corsMiddlewareSnippet(needs: CorsNeeds): string {
  const methods = [
    'GET',
    ...(isCorsSafelistedMethod(needs.method) || needs.method === 'GET' ? [] : [needs.method]),
  ];
  if (needs.method === 'POST') methods.push('POST');
  const headers = corsUnsafeRequestHeaderNames(splitRequestHeaders(needs.headers).sent);
  const lines = [
    'from fastapi.middleware.cors import CORSMiddleware',
    '',
    '# Added last, so it is the outermost middleware: it answers preflights before any other middleware runs.',
    'app.add_middleware(',
    '    CORSMiddleware,',
    `    allow_origins=${py([needs.origin])},`,
    ...(needs.credentials === 'include' ? ['    allow_credentials=True,'] : []),
    `    allow_methods=${py(methods)},`,
    ...(headers.length > 0 ? [`    allow_headers=${py(headers)},`] : []),
    ')',
  ];
  return lines.join('\n');
}
