import { wildcardWithCredentials } from '../../../../src/causes/rules/wildcard-with-credentials.js';
import { testRule } from '../../../support/rule-tester.js';
import { BEARER, COOKIE, http, JSON_BODY, WITH_COOKIE } from './wire.js';

// examples/wildcard-credentials: allow_origins=["*"], allow_credentials=True on Starlette 0.26. The preflight
// echoes the origin; the actual answer echoes it only when the request has a Cookie, else it says `*`.
const echoedPreflight = (requestHeaders: string) =>
  http(`
    HTTP/1.1 200 OK
    server: uvicorn
    vary: Origin
    access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
    access-control-max-age: 600
    access-control-allow-credentials: true
    access-control-allow-origin: http://localhost:3000
    access-control-allow-headers: ${requestHeaders}
    content-length: 2
    content-type: text/plain; charset=utf-8

    OK`);

const ME = 'http://localhost:8000/me';

testRule(wildcardWithCredentials, {
  invalid: [
    {
      name: 'Starlette: a Bearer request with credentials and no cookie gets `*` on the actual answer',
      page: { url: ME, headers: BEARER, credentials: 'include' },
      exchanges: [
        { kind: 'preflight', ...echoedPreflight('authorization') },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 27
            content-type: application/json
            access-control-allow-origin: *
            access-control-allow-credentials: true

            {"email":"dev@example.com"}`),
        },
      ],
      summary:
        /^The server answers Access-Control-Allow-Origin: \* to a request with credentials; the browser needs the exact origin/,
      evidence:
        /^GET -> Access-Control-Allow-Origin: \*\n.*\nStarlette \(before 1\.0\) .*echoes the origin only when the request has a Cookie header; this one had none$/,
    },
    {
      name: 'Starlette: the first login-like JSON POST, before any cookie is set',
      page: { method: 'POST', ...JSON_BODY, body: '{"name":"Saw","price":12}', credentials: 'include' },
      exchanges: [
        { kind: 'preflight', ...echoedPreflight('content-type') },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 201 Created
            server: uvicorn
            content-length: 34
            content-type: application/json
            access-control-allow-origin: *
            access-control-allow-credentials: true

            {"id":2,"name":"Saw","price":12.0}`),
        },
      ],
      evidence: /^POST -> Access-Control-Allow-Origin: \*/,
    },
    {
      name: "Starlette: a simple GET with credentials and no cookie, the route's 401 carries `*`",
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
      name: 'nginx `add_header Access-Control-Allow-Origin * always;` with credentials true, cookie sent',
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
            Access-Control-Allow-Origin: *
            Access-Control-Allow-Credentials: true

            {"email":"dev@example.com"}`),
        },
      ],
      evidence:
        /^GET -> Access-Control-Allow-Origin: \*\nthe page sends credentials \('include'\): browsers never accept \* then$/,
    },
    {
      // A hand-written middleware answers OPTIONS itself with response.headers[...] = "*".
      name: 'a hand-written layer answers the preflight with `*` and credentials true',
      page: {
        url: 'http://localhost:8000/items/1',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"name":"Saw","price":12}',
        credentials: 'include',
      },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            server: uvicorn
            access-control-allow-origin: *
            access-control-allow-methods: GET, PUT
            access-control-allow-headers: Content-Type
            access-control-allow-credentials: true`),
        },
      ],
      evidence: /^OPTIONS -> Access-Control-Allow-Origin: \*/,
    },
  ],
  valid: [
    {
      name: 'the same Starlette app without credentials: `*` is fine',
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 73
            content-type: application/json
            access-control-allow-origin: *
            access-control-allow-credentials: true

            [{"id":1,"name":"Hammer","price":9.5},{"id":2,"name":"Saw","price":12.0}]`),
        },
      ],
    },
    {
      name: 'the same Starlette app, credentials with the cookie: it echoes the origin',
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
            access-control-allow-origin: http://localhost:3000
            access-control-allow-credentials: true
            vary: Origin

            {"email":"dev@example.com"}`),
        },
      ],
    },
    {
      name: "nginx's literal `*` for a request without credentials",
      page: { url: 'http://localhost:8080/items' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 38
            Access-Control-Allow-Origin: *
            Access-Control-Allow-Credentials: true

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
      ],
    },
    {
      name: 'the exact origin without Access-Control-Allow-Credentials (credentials-not-allowed)',
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
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            {"email":"dev@example.com"}`),
        },
      ],
    },
    {
      name: 'fixed: allow_origins=["http://localhost:3000"], allow_credentials=True (examples/correct)',
      page: {
        url: 'http://localhost:8000/items/1',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"name":"Saw","price":12}',
        credentials: 'include',
      },
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
            content-length: 34
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            {"id":1,"name":"Saw","price":12.0}`),
        },
      ],
    },
  ],
});
