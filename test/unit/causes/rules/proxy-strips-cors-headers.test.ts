import { proxyStripsCorsHeaders } from '../../../../src/causes/rules/proxy-strips-cors-headers.js';
import { testRule } from '../../../support/rule-tester.js';
import { COOKIE, http, JSON_BODY, layerProbe, ORDERS, slashProbe, WITH_COOKIE } from './wire.js';

// nginx (`proxy_hide_header Access-Control-Allow-Origin;`, test/fixtures/nginx/behind-proxy/hides-allow-origin.conf)
// in front of a FastAPI app whose CORSMiddleware allows http://localhost:3000; the near misses pass a plain
// `proxy_pass` in front of apps that send no ACAO of their own.

// Starlette's answer to an allowed preflight, through nginx, without its Access-Control-Allow-Origin.
const ALLOWED_BUT_HIDDEN = http(`
  HTTP/1.1 200 OK
  Server: nginx/1.22.1
  Content-Type: text/plain; charset=utf-8
  Content-Length: 2
  vary: Origin
  access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
  access-control-max-age: 600
  access-control-allow-credentials: true

  OK`);

// Starlette refusing an origin it does not list (the trailing-slash spelling, or another origin), through nginx.
const REFUSED = http(`
  HTTP/1.1 400 Bad Request
  Server: nginx/1.22.1
  Content-Type: text/plain; charset=utf-8
  Content-Length: 22
  vary: Origin
  access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
  access-control-max-age: 600
  access-control-allow-credentials: true

  Disallowed CORS origin`);

const ORDERS_LIST = http(`
  HTTP/1.1 200 OK
  Server: nginx/1.22.1
  Content-Type: application/json
  Content-Length: 23
  access-control-allow-credentials: true
  vary: Origin

  [{"id":1,"item":"saw"}]`);

testRule(proxyStripsCorsHeaders, {
  invalid: [
    {
      name: "a GET: the app's Vary: Origin arrives, its ACAO does not",
      page: { url: ORDERS },
      exchanges: [
        { kind: 'actual', ...ORDERS_LIST },
        { ...layerProbe(), ...ALLOWED_BUT_HIDDEN },
        { ...slashProbe(), ...REFUSED },
      ],
      summary:
        /^The app allows http:\/\/localhost:3000, but the answer reaches the browser through nginx without Access-Control-Allow-Origin/,
      evidence:
        /GET -> 200 OK via nginx: access-control-allow-credentials: true; vary: Origin, but no Access-Control-Allow-Origin/,
    },
    {
      name: 'a JSON POST: Starlette allowed the preflight (200 OK with methods), nginx hid its ACAO',
      page: { url: ORDERS, method: 'POST', ...JSON_BODY, body: '{"item":"saw"}' },
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
        { ...slashProbe('POST'), ...REFUSED },
      ],
      evidence:
        /OPTIONS -> 200 OK via nginx: vary: Origin; access-control-allow-methods: .*, but no Access-Control-Allow-Origin/,
    },
    {
      name: "the app's 404 (HTTPException inside CORSMiddleware) loses its ACAO on the way",
      page: { url: `${ORDERS}/7` },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 404 Not Found
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 22
            access-control-allow-credentials: true
            vary: Origin

            {"detail":"Not Found"}`),
        },
        { ...layerProbe(), ...ALLOWED_BUT_HIDDEN },
        { ...slashProbe(), ...REFUSED },
      ],
      evidence: /GET -> 404 Not Found via nginx: .*vary: Origin, but no Access-Control-Allow-Origin/,
    },
    {
      name: 'credentials: a GET with the session cookie loses its ACAO the same way',
      page: { url: ORDERS, credentials: 'include', cookie: COOKIE },
      exchanges: [
        { kind: 'actual', requestHeaders: WITH_COOKIE, ...ORDERS_LIST },
        { ...layerProbe(), ...ALLOWED_BUT_HIDDEN },
        { ...slashProbe(), ...REFUSED },
      ],
    },
  ],
  valid: [
    {
      name: 'the same nginx in front of an app with no CORS layer: nothing was stripped (no-cors-middleware)',
      page: { url: 'http://localhost:8080/items' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 38

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
        {
          ...layerProbe(),
          ...http(`
            HTTP/1.1 405 Method Not Allowed
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 31
            allow: GET

            {"detail":"Method Not Allowed"}`),
        },
      ],
    },
    {
      name: 'a disallowed origin through nginx: ACAC alone, no Vary: Origin (origin-not-allowed)',
      page: { url: 'http://localhost:8080/items' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 38
            access-control-allow-credentials: true

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
        { ...layerProbe(), ...REFUSED },
        { ...slashProbe(), ...REFUSED },
      ],
    },
    {
      name: 'a refused preflight through nginx has Vary: Origin but is 400 Disallowed CORS origin, not 200 OK',
      page: {
        url: 'http://localhost:8080/items/1',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"name":"Saw","price":12}',
      },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 22
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-headers: content-type

            Disallowed CORS origin`),
        },
        { ...slashProbe('PUT'), ...REFUSED },
      ],
    },
    {
      name: 'fixed: a plain proxy_pass lets the ACAO through',
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
  ],
});
