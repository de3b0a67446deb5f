// Real answers for the rule tables, written as `curl -i` prints them.
//
// Every answer in the tables under this folder was recorded by the live probe (probeLikeBrowser) against
// real servers: FastAPI 0.92.0 / Starlette 0.26.1 under uvicorn 0.17.6 (the apps of examples/ and
// test/fixtures/fastapi/, test/fixtures/nginx/), and nginx 1.22.1 in front of them (the configurations of
// test/fixtures/nginx/, and the few more that a table's comment quotes). Hosts are rewritten to
// localhost:8000 (uvicorn) and localhost:8080 (nginx). Each header line is kept as the server wrote it, in
// its order, except `date` and `Connection: close` (the latter answers the probe's own `Connection: close`).
import type { HeaderList } from '../../../../src/model/types.js';
import type { ExchangeSpec } from '../../../support/rule-tester.js';

type Answer = Required<Pick<ExchangeSpec, 'status' | 'statusText' | 'headers' | 'body'>>;

/**
 * An answer as `curl -i` prints it: the status line, the header lines, a blank line and the body. Leading
 * spaces are ignored on every line; `body` replaces the text after the blank line (for nginx's pages).
 */
export function http(raw: string, body?: string): Answer {
  const lines = raw.replace(/^\s*\n/, '').split('\n');
  const [statusLine = '', ...rest] = lines.map((l) => l.trimStart());
  const match = /^HTTP\/1\.1 (\d{3}) ?(.*)$/.exec(statusLine);
  if (!match) throw new Error(`not a status line: ${statusLine}`);
  const blank = rest.indexOf('');
  const headerLines = blank < 0 ? rest : rest.slice(0, blank);
  const headers: HeaderList = headerLines.map((line) => {
    const colon = line.indexOf(': ');
    return [line.slice(0, colon), line.slice(colon + 2)];
  });
  return {
    status: Number(match[1]),
    statusText: match[2] as string,
    headers,
    body: body ?? (blank < 0 ? '' : rest.slice(blank + 1).join('\n')),
  };
}

/** The page nginx 1.22.1 writes for a status itself (padded for MSIE from 400 up, as nginx does). */
export function nginxPage(title: string): string {
  const page = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n`;
  const padding = '<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n'.repeat(6);
  return Number.parseInt(title, 10) >= 400 ? page + padding : page;
}

const ORIGIN = 'http://localhost:3000';

/**
 * The probe's diagnostic preflight for a simple request answered without Access-Control-Allow-Origin:
 * is there a CORS layer, and does it allow this origin? (src/evidence/probe/probe.ts)
 */
export const layerProbe = (method = 'GET', origin = ORIGIN): ExchangeSpec => ({
  kind: 'diagnostic',
  method: 'OPTIONS',
  purpose: 'is there a CORS layer, and does it allow this origin?',
  requestHeaders: [
    ['Accept', '*/*'],
    ['Access-Control-Request-Method', method],
    ['Origin', origin],
  ],
});

/** The probe's diagnostic preflight from the page's origin with a trailing slash, the allow-list typo. */
export const slashProbe = (method = 'GET', origin = ORIGIN): ExchangeSpec => ({
  kind: 'diagnostic',
  method: 'OPTIONS',
  purpose: `does the server allow ${origin}/ (the origin with a trailing slash, a common typo in allow-lists)?`,
  requestHeaders: [
    ['Accept', '*/*'],
    ['Access-Control-Request-Method', method],
    ['Origin', `${origin}/`],
  ],
});

/** The probe's diagnostic repeat of a failed actual request, without Origin. */
export const withoutOrigin = (method = 'GET'): ExchangeSpec => ({
  kind: 'diagnostic',
  method,
  purpose: 'the same request without Origin: what the server answers when CORS is out of the way',
  requestHeaders: [['Accept', '*/*']],
});

/** The page's session cookie, sent with `credentials: 'include'`. */
export const COOKIE = 'session=abc123';

/** The actual request's lines that matter when the page sends its cookie. */
export const WITH_COOKIE: HeaderList = [
  ['Accept', '*/*'],
  ['Origin', ORIGIN],
  ['Cookie', COOKIE],
];

/** A JSON body the page sends (`Content-Type: application/json` makes the request preflighted). */
export const JSON_BODY = { headers: [['Content-Type', 'application/json']] as HeaderList };
/** `Authorization: Bearer ...` (preflighted). */
export const BEARER: HeaderList = [['Authorization', 'Bearer t0k3n']];

export const PUT_ITEM = {
  url: 'http://localhost:8000/items/1',
  method: 'PUT',
  ...JSON_BODY,
  body: '{"name":"Saw","price":12}',
};

export const ORDERS = 'http://localhost:8080/orders';

export const NOT_AUTHENTICATED = http(`
  HTTP/1.1 401 Unauthorized
  server: uvicorn
  content-length: 30
  content-type: application/json

  {"detail":"Not authenticated"}`);

export const ITEMS_WITHOUT_ACAO = http(`
  HTTP/1.1 200 OK
  server: uvicorn
  content-length: 38
  content-type: application/json
  access-control-allow-credentials: true

  [{"id":1,"name":"Hammer","price":9.5}]`);

/** Starlette's CORSMiddleware refusing an origin it does not list (ACAH echoes the request's, if any). */
export const refused = (requestHeaders?: string) =>
  http(`
    HTTP/1.1 400 Bad Request
    server: uvicorn
    vary: Origin
    access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
    access-control-max-age: 600
    access-control-allow-credentials: true${requestHeaders ? `\naccess-control-allow-headers: ${requestHeaders}` : ''}
    content-length: 22
    content-type: text/plain; charset=utf-8

    Disallowed CORS origin`);

export const ALLOWED_PREFLIGHT = http(`
  HTTP/1.1 200 OK
  server: uvicorn
  vary: Origin
  access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
  access-control-max-age: 600
  access-control-allow-credentials: true
  access-control-allow-origin: http://localhost:3000
  access-control-allow-headers: authorization
  content-length: 2
  content-type: text/plain; charset=utf-8

  OK`);
