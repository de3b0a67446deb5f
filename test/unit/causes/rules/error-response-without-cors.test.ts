import { it } from 'vitest';
import { errorResponseWithoutCors } from '../../../../src/causes/rules/error-response-without-cors.js';
import { type RuleCase, testRule } from '../../../support/rule-tester.js';
import { http, JSON_BODY, layerProbe, NOT_AUTHENTICATED, withoutOrigin } from './wire.js';

const POST_ITEM = { method: 'POST', ...JSON_BODY, body: '{"name":"Saw","price":12}' };

/** CORSMiddleware (allow_methods/headers "*", credentials) allowing a preflight from http://localhost:3000. */
const allowed = (requestHeaders?: string) =>
  http(`
    HTTP/1.1 200 OK
    server: uvicorn
    vary: Origin
    access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
    access-control-max-age: 600
    access-control-allow-credentials: true
    access-control-allow-origin: http://localhost:3000${requestHeaders ? `\naccess-control-allow-headers: ${requestHeaders}` : ''}
    content-length: 2
    content-type: text/plain; charset=utf-8

    OK`);

// examples/error-500: the endpoint raises; ServerErrorMiddleware, outside CORSMiddleware, answers.
const SERVER_ERROR = http(`
  HTTP/1.1 500 Internal Server Error
  server: uvicorn
  content-length: 21
  content-type: text/plain; charset=utf-8

  Internal Server Error`);

testRule(errorResponseWithoutCors, {
  invalid: [
    {
      name: 'a JSON POST: the preflight passes, the unhandled exception becomes a 500 without CORS',
      page: POST_ITEM,
      exchanges: [
        { kind: 'preflight', ...allowed('content-type') },
        { kind: 'actual', ...SERVER_ERROR },
        { ...withoutOrigin('POST'), ...SERVER_ERROR },
      ],
      summary: /^The real problem is a server error \(500\): its response carries no CORS headers/,
      evidence:
        /^the preflight passed \(200 OK with CORS headers\)\nPOST http:\/\/localhost:8000\/items -> 500 Internal Server Error without Access-Control-Allow-Origin\nthe same request without Origin -> 500 Internal Server Error: the server fails whatever the origin$/,
    },
    {
      name: 'credentials: the same 500 for a request sent with credentials',
      page: { ...POST_ITEM, credentials: 'include' },
      exchanges: [
        { kind: 'preflight', ...allowed('content-type') },
        { kind: 'actual', ...SERVER_ERROR },
        { ...withoutOrigin('POST'), ...SERVER_ERROR },
      ],
    },
    {
      // test/fixtures/fastapi/exception-handler-500: @app.exception_handler(Exception) runs in
      // ServerErrorMiddleware too. A simple GET: the probe's OPTIONS shows the CORS layer allows the origin.
      name: 'a simple GET: the JSON 500 of @app.exception_handler(Exception) has no CORS either',
      page: { url: 'http://localhost:8000/reports/2022' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 500 Internal Server Error
            server: uvicorn
            content-length: 34
            content-type: application/json

            {"detail":"Internal server error"}`),
        },
        { ...layerProbe(), ...allowed() },
        {
          ...withoutOrigin(),
          ...http(`
            HTTP/1.1 500 Internal Server Error
            server: uvicorn
            content-length: 34
            content-type: application/json

            {"detail":"Internal server error"}`),
        },
      ],
      evidence:
        /^GET http:\/\/localhost:8000\/reports\/2022 -> 500 Internal Server Error without Access-Control-Allow-Origin/,
    },
    {
      // examples/auth-wraps-cors with OPTIONS let through: `if request.method == "OPTIONS" and
      // "access-control-request-method" in request.headers: return await call_next(request)`.
      name: 'an auth middleware outside CORS that lets preflights through answers the GET 401 without CORS',
      page: { url: 'http://localhost:8000/me' },
      exchanges: [
        { kind: 'actual', ...NOT_AUTHENTICATED },
        { ...layerProbe(), ...allowed() },
        { ...withoutOrigin(), ...NOT_AUTHENTICATED },
      ],
      summary:
        /^The 401 error response carries no CORS headers: something outside the CORS layer produced it/,
    },
    {
      name: 'the same middleware: a JSON PUT passes its preflight, then gets the 401 without CORS',
      page: { url: 'http://localhost:8000/items/1', ...POST_ITEM, method: 'PUT' },
      exchanges: [
        { kind: 'preflight', ...allowed('content-type') },
        { kind: 'actual', ...NOT_AUTHENTICATED },
        { ...withoutOrigin('PUT'), ...NOT_AUTHENTICATED },
      ],
      evidence: /^the preflight passed .*\nPUT http:\/\/localhost:8000\/items\/1 -> 401 Unauthorized without/,
    },
  ],
  valid: [
    {
      name: "the route's own 401 passes through CORSMiddleware: readable, not a CORS problem",
      page: { url: 'http://localhost:8000/me', credentials: 'include' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 401 Unauthorized
            server: uvicorn
            www-authenticate: Bearer
            content-length: 30
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            {"detail":"Not authenticated"}`),
        },
      ],
    },
    {
      // examples/auth-wraps-cors: the probe's OPTIONS gets the same 401, so nothing shows a CORS layer that
      // allows the origin (the preflight of a non-simple request is preflight-rejected).
      name: 'a 401 from an auth middleware that also refuses OPTIONS: no sign of a CORS layer',
      exchanges: [
        { kind: 'actual', ...NOT_AUTHENTICATED },
        { ...layerProbe(), ...NOT_AUTHENTICATED },
        { ...withoutOrigin(), ...NOT_AUTHENTICATED },
      ],
    },
    {
      name: "no CORS layer at all: the route's 401 and the router's 405 (no-cors-middleware)",
      page: { url: 'http://localhost:8000/me' },
      exchanges: [
        { kind: 'actual', ...NOT_AUTHENTICATED },
        {
          ...layerProbe(),
          ...http(`
            HTTP/1.1 405 Method Not Allowed
            server: uvicorn
            allow: GET
            content-length: 31
            content-type: application/json

            {"detail":"Method Not Allowed"}`),
        },
        { ...withoutOrigin(), ...NOT_AUTHENTICATED },
      ],
    },
    {
      name: "nginx does CORS without `always`: its preflight answer, the app's 500 (proxy-headers-missing-on-errors)",
      page: { ...POST_ITEM, url: 'http://localhost:8080/orders', body: '{"item":"saw"}' },
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
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 500 Internal Server Error
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 21

            Internal Server Error`),
        },
        {
          ...withoutOrigin('POST'),
          ...http(`
            HTTP/1.1 500 Internal Server Error
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 21

            Internal Server Error`),
        },
      ],
    },
  ],
});

// Not named today: the same app as the third invalid case behind a plain `proxy_pass` nginx (which adds no
// CORS line). nginx's Server line replaces uvicorn's on the 500, and this rule steps aside for any
// `Server: nginx` answer, so proxy-headers-missing-on-errors blames an add_header that does not exist. The
// probe's OPTIONS shows Starlette's CORS layer (200 "OK") allowing the origin, as without the proxy.
const BEHIND_PLAIN_NGINX: RuleCase = {
  name: 'a simple GET through a plain nginx proxy: the JSON 500 of @app.exception_handler(Exception)',
  page: { url: 'http://localhost:8080/reports/2022' },
  exchanges: [
    {
      kind: 'actual',
      ...http(`
        HTTP/1.1 500 Internal Server Error
        Server: nginx/1.22.1
        Content-Type: application/json
        Content-Length: 34

        {"detail":"Internal server error"}`),
    },
    {
      ...layerProbe(),
      ...http(`
        HTTP/1.1 200 OK
        Server: nginx/1.22.1
        Content-Type: text/plain; charset=utf-8
        Content-Length: 2
        vary: Origin
        access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
        access-control-max-age: 600
        access-control-allow-credentials: true
        access-control-allow-origin: http://localhost:3000

        OK`),
    },
    {
      ...withoutOrigin(),
      ...http(`
        HTTP/1.1 500 Internal Server Error
        Server: nginx/1.22.1
        Content-Type: application/json
        Content-Length: 34

        {"detail":"Internal server error"}`),
    },
  ],
};
it.todo(`rule error-response-without-cors names it: ${BEHIND_PLAIN_NGINX.name}`);
