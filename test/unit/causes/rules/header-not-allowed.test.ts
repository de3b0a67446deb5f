import { headerNotAllowed } from '../../../../src/causes/rules/header-not-allowed.js';
import { testRule } from '../../../support/rule-tester.js';
import { BEARER, http, JSON_BODY } from './wire.js';

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
      name: 'default allow_headers: an Authorization preflight gets 400 Disallowed CORS headers',
      page: { url: ME, headers: BEARER },
      exchanges: [{ kind: 'preflight', ...SAFELISTED_ONLY_REFUSAL }],
      summary: /^The preflight does not allow the request header authorization\.$/,
      evidence:
        /^OPTIONS -> 400 Bad Request "Disallowed CORS headers"\nAccess-Control-Request-Headers: authorization\nAccess-Control-Allow-Headers: Accept, Accept-Language, Content-Language, Content-Type$/,
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
  ],
});
