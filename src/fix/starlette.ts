import type { Exchange } from '../core/exchange.js';
import { isCorsSafelistedMethod } from '../model/method.js';
import { corsUnsafeRequestHeaderNames, splitRequestHeaders } from '../model/safelist.js';
import type { CredentialsMode, HeaderList } from '../model/types.js';

export interface CorsNeeds {
  origin: string;
  method: string;
  headers: HeaderList;
  credentials: CredentialsMode;
  /**
   * The exchanges the server answered: what their CORS headers already allow is kept, so the snippet never
   * narrows the live configuration (a method, a header or an origin it allows today).
   */
  answered?: Exchange[];
}

/** What the server's answers allow today: the methods, headers and origins their CORS headers list. */
function allowedToday(exchanges: Exchange[]): {
  methods: string[];
  headers: string[];
  origins: string[];
  credentials: boolean;
} {
  const values = (name: string) =>
    exchanges.flatMap((x) =>
      (x.response?.headers ?? [])
        .filter(([n]) => n.toLowerCase() === name)
        .flatMap(([, v]) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    );
  return {
    methods: [...new Set(values('access-control-allow-methods').map((m) => m.toUpperCase()))],
    headers: [...new Set(values('access-control-allow-headers').map((h) => h.toLowerCase()))],
    origins: [...new Set(values('access-control-allow-origin'))].filter((o) => /^https?:\/\/[^/]+$/.test(o)),
    credentials: values('access-control-allow-credentials').includes('true'),
  };
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

const py = (items: string[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

/**
 * The smallest safe `CORSMiddleware` call that lets this request through: the exact origin (never `*`
 * with credentials), the methods and headers the request needs, credentials only when it sends them.
 */
export function corsMiddlewareSnippet(needs: CorsNeeds): string {
  const today = allowedToday(needs.answered ?? []);
  const needed = [
    'GET',
    ...(isCorsSafelistedMethod(needs.method) || needs.method === 'GET' ? [] : [needs.method]),
  ];
  if (needs.method === 'POST') needed.push('POST');
  const methods = today.methods.includes('*') ? ['*'] : union(needed, today.methods);
  const wanted = corsUnsafeRequestHeaderNames(splitRequestHeaders(needs.headers).sent);
  // `*` never covers Authorization: it is named beside it.
  const headers = today.headers.includes('*')
    ? union(
        ['*'],
        wanted.filter((h) => h === 'authorization'),
      )
    : union(wanted, today.headers);
  const origins = union([needs.origin], today.origins);
  const lines = [
    'from fastapi.middleware.cors import CORSMiddleware',
    '',
    '# Added last, so it is the outermost middleware: it answers preflights before any other middleware runs.',
    'app.add_middleware(',
    '    CORSMiddleware,',
    `    allow_origins=${py(origins)},`,
    ...(needs.credentials === 'include' || today.credentials ? ['    allow_credentials=True,'] : []),
    `    allow_methods=${py(methods)},`,
    ...(headers.length > 0 ? [`    allow_headers=${py(headers)},`] : []),
    ')',
  ];
  return lines.join('\n');
}
