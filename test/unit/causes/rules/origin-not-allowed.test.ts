import { originNotAllowed } from '../../../../src/causes/rules/origin-not-allowed.js';
import { testRule } from '../../../support/rule-tester.js';
import {
  BEARER,
  COOKIE,
  http,
  ITEMS_WITHOUT_ACAO,
  JSON_BODY,
  layerProbe,
  PUT_ITEM,
  refused,
  slashProbe,
  WITH_COOKIE,
} from './wire.js';

// Starlette 0.26 sends access-control-allow-credentials: true even to origins it does not allow.

testRule(originNotAllowed, {
  invalid: [
    {
      // test/fixtures/fastapi/other-port: allow_origins=["http://localhost:5173"].
      name: "a GET from :3000 to an app that lists :5173: ACAC only, and the probe's OPTIONS is refused",
      exchanges: [
        { kind: 'actual', ...ITEMS_WITHOUT_ACAO },
        { ...layerProbe(), ...refused() },
        { ...slashProbe(), ...refused() },
      ],
      summary:
        /^The server's CORS configuration does not allow the origin http:\/\/localhost:3000: the allowed origins must contain it exactly/,
      evidence:
        /^OPTIONS -> 400 Bad Request "Disallowed CORS origin": Starlette's CORSMiddleware does not list http:\/\/localhost:3000$/,
    },
    {
      name: 'the same app, a PUT: the preflight is refused 400 Disallowed CORS origin',
      page: PUT_ITEM,
      exchanges: [
        { kind: 'preflight', ...refused('content-type') },
        { ...slashProbe('PUT'), ...refused() },
      ],
      evidence:
        /"Disallowed CORS origin": Starlette's CORSMiddleware does not list http:\/\/localhost:3000\nVary: Origin$/,
    },
    {
      name: 'credentials: a GET with the session cookie gets ACAC true but no ACAO',
      page: { url: 'http://localhost:8000/me', credentials: 'include', cookie: COOKIE },
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
        { ...layerProbe(), ...refused() },
        { ...slashProbe(), ...refused() },
      ],
    },
    {
      // test/fixtures/fastapi/loopback-ip: allow_origins=["http://127.0.0.1:3000"].
      name: 'allow_origins has 127.0.0.1:3000, the page is on localhost:3000 (an Authorization preflight)',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
      exchanges: [
        { kind: 'preflight', ...refused('authorization') },
        { ...slashProbe(), ...refused() },
      ],
    },
    {
      // test/fixtures/fastapi/env-origins-spaces: " http://localhost:3000" (a space from split(",")) never
      // matches; the wire shows an unlisted origin, the source shows why (env-origins-misparsed).
      name: 'an origin from the environment with a leading space',
      page: PUT_ITEM,
      exchanges: [
        { kind: 'preflight', ...refused('content-type') },
        { ...slashProbe('PUT'), ...refused() },
      ],
    },
    {
      name: 'nginx sends a fixed ACAO for another origin: `add_header Access-Control-Allow-Origin http://localhost:5173 always;`',
      page: { url: 'http://localhost:8080/items' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 38
            Access-Control-Allow-Origin: http://localhost:5173

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
      ],
      evidence:
        /^GET -> Access-Control-Allow-Origin: http:\/\/localhost:5173 \(another port \(5173 vs 3000\)\)$/,
    },
    {
      // allow_origins=["http://localhost:3000/"] (test/fixtures/fastapi/trailing-slash): the probe's slash
      // spelling is allowed, so origin-malformed names the typo and supersedes this cause.
      name: 'allow_origins has the origin with a trailing slash',
      exchanges: [
        { kind: 'actual', ...ITEMS_WITHOUT_ACAO },
        { ...layerProbe(), ...refused() },
        {
          ...slashProbe(),
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000/
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
      ],
      reported: false,
    },
  ],
  valid: [
    {
      name: 'the listed origin (a page on :5173) is allowed',
      page: { ...PUT_ITEM, origin: 'http://localhost:5173' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:5173
            access-control-allow-headers: content-type
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
            access-control-allow-origin: http://localhost:5173
            vary: Origin

            {"id":1,"name":"Saw","price":12.0}`),
        },
      ],
    },
    {
      name: "the app allows the origin, nginx's proxy_hide_header removes the ACAO (proxy-strips-cors-headers)",
      page: { url: 'http://localhost:8080/orders' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 23
            access-control-allow-credentials: true
            vary: Origin

            [{"id":1,"item":"saw"}]`),
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

            OK`),
        },
        {
          ...slashProbe(),
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
      name: 'no CORS layer at all: no access-control-* line anywhere (no-cors-middleware)',
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 38
            content-type: application/json

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
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
      ],
    },
    {
      name: 'nginx sends the origin with a trailing slash (origin-malformed)',
      page: { url: 'http://localhost:8080/items' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 38
            Access-Control-Allow-Origin: http://localhost:3000/

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
      ],
    },
  ],
});
