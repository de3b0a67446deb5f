import { describe, expect, it } from 'vitest';
import { headerNotAllowed } from '../../../../src/causes/rules/header-not-allowed.js';
import { testRule } from '../../../support/rule-tester.js';
import { added, scanAfterFix, scanSource } from '../../../support/scan-source.js';
import { BEARER, http, JSON_BODY, nginxPage } from './wire.js';

const ME = 'http://localhost:8000/me';
const X_REQUEST_ID = { headers: [['X-Request-ID', '42']] as [string, string][] };

// test/fixtures/fastapi/headers-not-allowed: CORSMiddleware without allow_headers. Starlette always allows
// the four safelisted names and refuses the rest with 400, keeping the allowed origin in ACAO.
const SAFELISTED_ONLY_REFUSAL = http(`
  HTTP/1.1 400 Bad Request
  server: uvicorn
  vary: Origin
  access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
  access-control-max-age: 600
  access-control-allow-headers: Accept, Accept-Language, Content-Language, Content-Type
  access-control-allow-credentials: true
  access-control-allow-origin: http://localhost:3000
  content-length: 23
  content-type: text/plain; charset=utf-8

  Disallowed CORS headers`);

// A hand-written middleware answers OPTIONS 204 with `Access-Control-Allow-Headers: *` and credentials true.
const STAR_HEADERS = http(`
  HTTP/1.1 204 No Content
  server: uvicorn
  access-control-allow-origin: http://localhost:3000
  access-control-allow-methods: GET, POST, PUT, DELETE
  access-control-allow-headers: *
  access-control-allow-credentials: true`);

testRule(headerNotAllowed, {
  invalid: [
    {
      // test/fixtures/broken/headers-paren-string: allow_headers=("Authorization") is a string.
      name: 'allow_headers=("Authorization"): Starlette allows the characters of the string',
      page: { url: 'http://localhost:8000/invoices', headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: GET, POST
            access-control-max-age: 600
            access-control-allow-headers: A, Accept, Accept-Language, Content-Language, Content-Type, a, h, i, n, o, r, t, u, z
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            content-length: 23
            content-type: text/plain; charset=utf-8

            Disallowed CORS headers`),
        },
      ],
      summary: /request header authorization\.$/,
      evidence:
        /lists single characters \(a, h, i, n, o, r, t, u, z\): allow_headers is a string, not a list/,
    },
    {
      name: 'default allow_headers: an Authorization preflight gets 400 Disallowed CORS headers',
      page: { url: ME, headers: BEARER },
      exchanges: [{ kind: 'preflight', ...SAFELISTED_ONLY_REFUSAL }],
      summary: /^The preflight does not allow the request header authorization\.$/,
      evidence:
        /^OPTIONS -> 400 Bad Request "Disallowed CORS headers"\nAccess-Control-Request-Headers: authorization\nAccess-Control-Allow-Headers: Accept, Accept-Language, Content-Language, Content-Type$/,
    },
    {
      // The same refusal as a HAR keeps it: DevTools saves no preflight body, the allow-lists are there.
      name: "Starlette's 400 without its body (a HAR): Access-Control-Allow-Headers lacks authorization",
      page: { url: ME, headers: BEARER },
      exchanges: [{ kind: 'preflight', ...SAFELISTED_ONLY_REFUSAL, body: '' }],
      summary: /^The preflight does not allow the request header authorization\.$/,
      evidence:
        /^OPTIONS http:\/\/localhost:8000\/me asked for authorization -> 400 Bad Request, a refusal that carries the CORS layer's allow-lists\nAccess-Control-Request-Headers: authorization\nAccess-Control-Allow-Headers: Accept, Accept-Language, Content-Language, Content-Type$/,
    },
    {
      name: 'default allow_headers: a custom X-Request-ID header',
      page: X_REQUEST_ID,
      exchanges: [{ kind: 'preflight', ...SAFELISTED_ONLY_REFUSAL }],
      summary: /request header x-request-id\.$/,
    },
    {
      name: 'allow_headers lists Authorization but not X-Request-ID (examples/correct)',
      page: X_REQUEST_ID,
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: GET, POST, PUT, DELETE
            access-control-max-age: 600
            access-control-allow-headers: Accept, Accept-Language, Authorization, Content-Language, Content-Type
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            content-length: 23
            content-type: text/plain; charset=utf-8

            Disallowed CORS headers`),
        },
      ],
      evidence:
        /Access-Control-Allow-Headers: Accept, Accept-Language, Authorization, Content-Language, Content-Type$/,
    },
    {
      name: 'a hand-written 204 lists only Content-Type: the browser names authorization',
      page: { url: ME, headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            server: uvicorn
            access-control-allow-origin: http://localhost:3000
            access-control-allow-methods: GET, POST
            access-control-allow-headers: Content-Type`),
        },
      ],
      evidence: /^Access-Control-Request-Headers: authorization\nAccess-Control-Allow-Headers: Content-Type$/,
    },
    {
      name: 'credentials: `Access-Control-Allow-Headers: *` is a literal name then',
      page: { url: ME, headers: BEARER, credentials: 'include' },
      exchanges: [{ kind: 'preflight', ...STAR_HEADERS }],
      evidence: /\* is a literal name, not a wildcard, for requests with credentials/,
    },
    {
      // nginx answers the preflight itself without Access-Control-Allow-Headers
      // (test/fixtures/nginx/behind-proxy/answers-preflight-incompletely.conf): proxy-answers-preflight names
      // the nginx block to change, and supersedes this cause.
      name: "nginx's own 204 has no Access-Control-Allow-Headers for a JSON POST",
      page: { url: 'http://localhost:8080/orders', method: 'POST', ...JSON_BODY, body: '{"item":"saw"}' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            Server: nginx/1.22.1
            Access-Control-Allow-Origin: http://localhost:3000
            Access-Control-Allow-Methods: GET, POST, OPTIONS
            Access-Control-Max-Age: 1728000
            Content-Length: 0`),
        },
      ],
      reported: false,
    },
  ],
  valid: [
    {
      name: 'default allow_headers: Content-Type: application/json passes (Starlette always allows it)',
      page: {
        url: 'http://localhost:8000/items/1',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"name":"Saw","price":12}',
      },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-headers: Accept, Accept-Language, Content-Language, Content-Type
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 34
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            {"id":1,"name":"Saw","price":12.0}`),
        },
      ],
    },
    {
      name: 'no credentials: `*` covers Authorization in browsers today (authorization-wildcard warns)',
      page: { url: ME, headers: BEARER },
      exchanges: [
        { kind: 'preflight', ...STAR_HEADERS },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 27
            content-type: application/json
            access-control-allow-origin: http://localhost:3000
            access-control-allow-methods: GET, POST, PUT, DELETE
            access-control-allow-headers: *
            access-control-allow-credentials: true

            {"email":"dev@example.com"}`),
        },
      ],
    },
    {
      name: 'Starlette refuses the method, not a header (method-not-allowed)',
      page: {
        url: 'http://localhost:8000/items/1',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"name":"Saw","price":12}',
      },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: GET
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            access-control-allow-headers: content-type
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS method`),
        },
      ],
    },
    {
      name: 'fixed: allow_headers=["Authorization", "Content-Type"] (examples/correct)',
      page: { url: ME, headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: GET, POST, PUT, DELETE
            access-control-max-age: 600
            access-control-allow-headers: Accept, Accept-Language, Authorization, Content-Language, Content-Type
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 27
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            {"email":"dev@example.com"}`),
        },
      ],
    },
    {
      // nginx: `add_header Access-Control-Allow-Methods "*" always; ...Headers "*" always; return 403;`: the
      // refusal is not the header's (preflight-rejected).
      name: 'a 403 preflight whose Access-Control-Allow-Headers is * lists every name',
      page: { url: 'http://localhost:8080/me', ...X_REQUEST_ID },
      exchanges: [
        {
          kind: 'preflight',
          ...http(
            `
            HTTP/1.1 403 Forbidden
            Server: nginx/1.22.1
            Content-Type: text/html
            Content-Length: 153
            Access-Control-Allow-Methods: *
            Access-Control-Allow-Headers: *`,
            nginxPage('403 Forbidden'),
          ),
        },
      ],
    },
    {
      // nginx: `add_header Access-Control-Allow-Methods "GET,POST,PUT" always; return 401;`: no header list.
      name: 'a 401 preflight without Access-Control-Allow-Headers: no list was written, nothing is read',
      page: { url: 'http://localhost:8080/me', ...X_REQUEST_ID },
      exchanges: [
        {
          kind: 'preflight',
          ...http(
            `
            HTTP/1.1 401 Unauthorized
            Server: nginx/1.22.1
            Content-Type: text/html
            Content-Length: 179
            Access-Control-Allow-Methods: GET,POST,PUT`,
            nginxPage('401 Authorization Required'),
          ),
        },
      ],
    },
  ],
});

// -------------------------------------------------------------------------------------------------
// Source: a string where a list belongs becomes a list of names, where it is written.

const HEAD =
  'from fastapi import FastAPI, Header\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI()\n';
const ROUTE = '\n\n@app.get("/invoices")\ndef invoices(authorization: str = Header()):\n    return []\n';

const SOURCE_CASES: Array<{
  name: string;
  files: Record<string, string>;
  at: string;
  message: RegExp;
  fixed: string;
}> = [
  {
    name: 'allow_headers=("Authorization"): parentheses without a comma make a string',
    files: {
      'main.py': `${HEAD}app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_headers=("Authorization"),
)${ROUTE}`,
    },
    at: 'main.py:8',
    message: /a string, not a list: Starlette takes the set of its characters \(A, u, t, h, \.\.\.\)/,
    fixed: 'allow_headers=["Authorization"],',
  },
  {
    name: 'allow_headers=["Authorization, Content-Type"]: one item holding two names',
    files: {
      'main.py': `${HEAD}app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_headers=["Authorization, Content-Type"],
)${ROUTE}`,
    },
    at: 'main.py:8',
    message: /"Authorization, Content-Type" is one string holding a comma list/,
    fixed: 'allow_headers=["Authorization", "Content-Type"],',
  },
  {
    name: 'a string naming one header, and the route reads another: both in the list',
    files: {
      'main.py': `${HEAD}app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_headers="X-Request-ID")${ROUTE}`,
    },
    at: 'main.py:5',
    message: /Requests also send authorization/,
    fixed:
      'app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_headers=["X-Request-ID", "authorization"])',
  },
];

describe('rule header-not-allowed: malformed allow_headers in the source', () => {
  it.each(SOURCE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const scan = { files: c.files, origins: ['http://localhost:3000'] };
    const findings = await scanSource('header-not-allowed', scan);
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual([c.at]);
    expect(findings[0]?.message).toMatch(c.message);
    expect(added(findings[0]?.fix?.patch)).toEqual([c.fixed]);
    const { left } = await scanAfterFix('header-not-allowed', scan);
    expect(left.map((f) => f.message)).toEqual([]);
  });
});
