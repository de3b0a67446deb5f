import { credentialsNotAllowed } from '../../../../src/causes/rules/credentials-not-allowed.js';
import { testRule } from '../../../support/rule-tester.js';
import { BEARER, COOKIE, http, JSON_BODY, layerProbe, PUT_ITEM, slashProbe, WITH_COOKIE } from './wire.js';

// test/fixtures/fastapi/credentials-not-allowed: CORSMiddleware for http://localhost:3000 with the default
// allow_credentials=False, so no answer carries access-control-allow-credentials.
const ME = 'http://localhost:8000/me';

const ME_WITHOUT_ACAC = http(`
  HTTP/1.1 200 OK
  server: uvicorn
  content-length: 27
  content-type: application/json
  access-control-allow-origin: http://localhost:3000
  vary: Origin

  {"email":"dev@example.com"}`);

testRule(credentialsNotAllowed, {
  invalid: [
    {
      name: 'a GET with the session cookie: the exact origin, no Access-Control-Allow-Credentials',
      page: { url: ME, credentials: 'include', cookie: COOKIE },
      exchanges: [{ kind: 'actual', requestHeaders: WITH_COOKIE, ...ME_WITHOUT_ACAC }],
      summary:
        /^The page sends credentials \('include'\) but the server does not allow them: it must answer Access-Control-Allow-Credentials: true/,
      evidence: /^GET -> Access-Control-Allow-Credentials: \(absent\)$/,
    },
    {
      name: 'a PUT with credentials: the preflight answer already lacks it',
      page: { ...PUT_ITEM, credentials: 'include' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-origin: http://localhost:3000
            access-control-allow-headers: content-type
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
      ],
      evidence: /^OPTIONS -> Access-Control-Allow-Credentials: \(absent\)$/,
    },
    {
      name: 'nginx `add_header Access-Control-Allow-Credentials True always;` (only `true` counts)',
      page: { url: 'http://localhost:8080/me', credentials: 'include', cookie: COOKIE },
      exchanges: [
        {
          kind: 'actual',
          requestHeaders: WITH_COOKIE,
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 27
            Access-Control-Allow-Origin: http://localhost:3000
            Access-Control-Allow-Credentials: True

            {"email":"dev@example.com"}`),
        },
      ],
      evidence: /^GET -> Access-Control-Allow-Credentials: True$/,
    },
    {
      // nginx answers the preflight itself (`if ($request_method = OPTIONS) { add_header ...; return 204; }`)
      // without the credentials line: proxy-answers-preflight names the block to change and supersedes this.
      name: "nginx's own 204 for the preflight has no Access-Control-Allow-Credentials",
      page: {
        url: 'http://localhost:8080/orders',
        method: 'POST',
        ...JSON_BODY,
        body: '{"item":"saw"}',
        credentials: 'include',
      },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            Server: nginx/1.22.1
            Access-Control-Allow-Origin: http://localhost:3000
            Access-Control-Allow-Methods: GET, POST, PUT, DELETE
            Access-Control-Allow-Headers: content-type, authorization
            Access-Control-Max-Age: 600`),
        },
      ],
      reported: false,
    },
    {
      // test/fixtures/broken/nginx-credentials-line-missing: nginx answers the preflight itself and writes
      // the CORS headers of the app's answers; no Access-Control-Allow-Credentials in either.
      name: 'behind nginx that writes the CORS headers: its own 204 to the preflight lacks the credentials line',
      page: {
        url: 'http://localhost:8080/api/profile',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"name": "Ada"}',
        credentials: 'include',
        cookie: COOKIE,
      },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            Server: nginx/1.22.1
            Access-Control-Allow-Origin: http://localhost:3000
            Access-Control-Allow-Methods: GET, POST, PUT, DELETE
            Access-Control-Allow-Headers: Content-Type
            Access-Control-Max-Age: 600`),
        },
      ],
      summary: /must answer Access-Control-Allow-Credentials: true/,
      evidence: /^OPTIONS -> Access-Control-Allow-Credentials: \(absent\)$/,
    },
  ],
  valid: [
    {
      name: 'the same app, a Bearer token without credentials: ACAC is not needed',
      page: { url: ME, headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-origin: http://localhost:3000
            access-control-allow-headers: authorization
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
        { kind: 'actual', ...ME_WITHOUT_ACAC },
      ],
    },
    {
      name: 'fixed: allow_credentials=True (examples/correct, with the session cookie)',
      page: { url: ME, credentials: 'include', cookie: COOKIE },
      exchanges: [
        {
          kind: 'actual',
          requestHeaders: WITH_COOKIE,
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
      name: 'ACAC true with `*` for a request with credentials (wildcard-with-credentials)',
      page: { url: ME, credentials: 'include' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 401 Unauthorized
            server: uvicorn
            content-length: 30
            content-type: application/json
            access-control-allow-origin: *
            access-control-allow-credentials: true

            {"detail":"Not authenticated"}`),
        },
      ],
    },
    {
      name: 'ACAC true but no ACAO for an unlisted origin (origin-not-allowed)',
      page: { url: ME, credentials: 'include', cookie: COOKIE },
      exchanges: [
        {
          kind: 'actual',
          requestHeaders: WITH_COOKIE,
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 27
            content-type: application/json
            access-control-allow-credentials: true

            {"email":"dev@example.com"}`),
        },
        {
          ...layerProbe(),
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS origin`),
        },
        {
          ...slashProbe(),
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS origin`),
        },
      ],
    },
  ],
});
