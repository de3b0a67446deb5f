import { proxyAnswersPreflight } from '../../../../src/causes/rules/proxy-answers-preflight.js';
import { testRule } from '../../../support/rule-tester.js';
import { BEARER, http, JSON_BODY, slashProbe } from './wire.js';

// nginx in front of a FastAPI app whose CORSMiddleware is right (test/fixtures/nginx/behind-proxy/), or of
// an app without CORS, where nginx does CORS (add-header-without-always/ with `always` on its add_header).
const ORDERS = 'http://localhost:8080/orders';
const POST_ORDER = { url: ORDERS, method: 'POST', ...JSON_BODY, body: '{"item":"saw"}' };

// answers-preflight-incompletely.conf: `if ($request_method = OPTIONS) { add_header ... return 204; }` with an
// origin and methods, no Access-Control-Allow-Headers.
const HALF_ANSWER = http(`
  HTTP/1.1 204 No Content
  Server: nginx/1.22.1
  Access-Control-Allow-Origin: http://localhost:3000
  Access-Control-Allow-Methods: GET, POST, OPTIONS
  Access-Control-Max-Age: 1728000
  Content-Length: 0`);

// The same block with origin, methods and headers, but no Access-Control-Allow-Credentials.
const FULL_ANSWER = http(`
  HTTP/1.1 204 No Content
  Server: nginx/1.22.1
  Access-Control-Allow-Origin: http://localhost:3000
  Access-Control-Allow-Methods: GET, POST, PUT, DELETE
  Access-Control-Allow-Headers: content-type, authorization
  Access-Control-Max-Age: 600`);

// `add_header Access-Control-Allow-Origin $http_origin; ... Access-Control-Allow-Headers *; return 204;`
const STAR_HEADERS_ANSWER = http(`
  HTTP/1.1 204 No Content
  Server: nginx/1.22.1
  Access-Control-Allow-Origin: http://localhost:3000
  Access-Control-Allow-Methods: GET, POST, PUT, DELETE
  Access-Control-Allow-Headers: *
  Access-Control-Max-Age: 86400`);

testRule(proxyAnswersPreflight, {
  invalid: [
    {
      name: 'nginx answers a JSON POST preflight with an empty 204 (`return 204;` and no add_header)',
      page: POST_ORDER,
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            Server: nginx/1.22.1`),
        },
      ],
      summary: /^nginx answers the preflight itself \(204 No Content\) without Access-Control-Allow-Origin/,
      evidence:
        /empty body, with no Access-Control-\* header[\s\S]*needed: Access-Control-Allow-Headers: content-type/,
    },
    {
      name: "nginx's 204 allows the origin and methods but not Content-Type",
      page: POST_ORDER,
      exchanges: [{ kind: 'preflight', ...HALF_ANSWER }],
      summary: /its answer lacks Access-Control-Allow-Headers for this request/,
      evidence: /needed: Access-Control-Allow-Headers: content-type \(absent\)/,
    },
    {
      name: "nginx's 204 does not list DELETE",
      page: { url: `${ORDERS}/7`, method: 'DELETE' },
      exchanges: [{ kind: 'preflight', ...HALF_ANSWER }],
      summary: /lacks Access-Control-Allow-Methods/,
      evidence:
        /needed: Access-Control-Allow-Methods: GET, POST, OPTIONS, DELETE \(DELETE is not in GET, POST, OPTIONS\)/,
    },
    {
      name: "credentials: nginx's `Access-Control-Allow-Headers: *` is a literal name, Authorization is not in it",
      page: { url: 'http://localhost:8080/me', headers: BEARER, credentials: 'include' },
      exchanges: [{ kind: 'preflight', ...STAR_HEADERS_ANSWER }],
      evidence: /needed: Access-Control-Allow-Headers: authorization \(authorization not in \*\)/,
    },
  ],
  valid: [
    {
      // Only the credentials line is missing: credentials-not-allowed names it, at nginx's line.
      name: "nginx's otherwise complete 204 has no Access-Control-Allow-Credentials (credentials-not-allowed)",
      page: { ...POST_ORDER, credentials: 'include' },
      exchanges: [{ kind: 'preflight', ...FULL_ANSWER }],
    },
    {
      name: 'a simple GET through the same nginx never meets its preflight answer',
      page: { url: ORDERS },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 23
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            [{"id":1,"item":"saw"}]`),
        },
      ],
    },
    {
      name: "nginx's own 204 has what a request without credentials needs (the 500 after it is readable)",
      page: POST_ORDER,
      exchanges: [
        { kind: 'preflight', ...FULL_ANSWER },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 500 Internal Server Error
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 21
            Access-Control-Allow-Origin: http://localhost:3000

            Internal Server Error`),
        },
      ],
    },
    {
      name: "nginx's own 204 with `Access-Control-Allow-Headers: *`, no credentials: allowed",
      page: { url: 'http://localhost:8080/me', headers: BEARER },
      exchanges: [
        { kind: 'preflight', ...STAR_HEADERS_ANSWER },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 27
            Access-Control-Allow-Origin: http://localhost:3000

            {"email":"dev@example.com"}`),
        },
      ],
    },
    {
      name: "Starlette's own preflight answer through nginx (200 OK), its ACAO hidden: proxy-strips-cors-headers",
      page: POST_ORDER,
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 2
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-headers: content-type

            OK`),
        },
        {
          ...slashProbe('POST'),
          ...http(`
            HTTP/1.1 400 Bad Request
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 22
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true

            Disallowed CORS origin`),
        },
      ],
    },
    {
      name: "the app's router answers the preflight 405 (no proxy, no CORS layer): no-cors-middleware",
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
            HTTP/1.1 405 Method Not Allowed
            server: uvicorn
            allow: PUT
            content-length: 31
            content-type: application/json

            {"detail":"Method Not Allowed"}`),
        },
      ],
    },
  ],
});
