import { describe, expect, it } from 'vitest';
import { noCorsMiddleware } from '../../../../src/causes/rules/no-cors-middleware.js';
import { testRule } from '../../../support/rule-tester.js';
import { scanFor, writeProject } from './security-cases.js';
import {
  BEARER,
  COOKIE,
  http,
  JSON_BODY,
  layerProbe,
  NOT_AUTHENTICATED,
  PUT_ITEM,
  slashProbe,
  WITH_COOKIE,
  withoutOrigin,
} from './wire.js';

// examples/missing-middleware: FastAPI without CORSMiddleware. The router answers OPTIONS 405 with the route's
// methods in `allow`, and every other request normally, without any access-control-* line.
const ROUTER_405 = http(`
  HTTP/1.1 405 Method Not Allowed
  server: uvicorn
  allow: GET
  content-length: 31
  content-type: application/json

  {"detail":"Method Not Allowed"}`);

testRule(noCorsMiddleware, {
  invalid: [
    {
      // A HAR: the page's PUT to the same server, its preflight answered by the router (DevTools keeps no
      // preflight body), is the question check's own diagnostic preflight asks.
      name: "a simple GET: 200 without ACAO, and the page's other preflight got the router's 405",
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
          kind: 'diagnostic',
          method: 'OPTIONS',
          url: 'http://localhost:8000/items/1',
          requestHeaders: [
            ['Origin', 'http://localhost:3000'],
            ['Access-Control-Request-Method', 'PUT'],
            ['Access-Control-Request-Headers', 'content-type'],
          ],
          ...http(
            `
            HTTP/1.1 405 Method Not Allowed
            server: uvicorn
            allow: PUT
            content-length: 31
            content-type: application/json`,
            '',
          ),
        },
      ],
      evidence:
        /^OPTIONS http:\/\/localhost:8000\/items\/1 -> 405 Method Not Allowed with no Access-Control-Allow-\* header/,
    },
    {
      name: "a simple GET: 200 without ACAO, and the probe's OPTIONS gets the router's 405",
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
        { ...layerProbe(), ...ROUTER_405 },
      ],
      summary: /^The server has no CORS layer: no response carries Access-Control-Allow-Origin/,
      evidence:
        /OPTIONS http:\/\/localhost:8000\/items -> 405 Method Not Allowed with no Access-Control-Allow-\* header \(405: the router answered the preflight, no CORS layer did\)\nGET -> 200 OK with no Access-Control-Allow-Origin/,
    },
    {
      name: 'a PUT with JSON: the preflight gets 405 `allow: PUT` from the router',
      page: PUT_ITEM,
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
      evidence: /^OPTIONS http:\/\/localhost:8000\/items\/1 -> 405 Method Not Allowed/,
    },
    {
      name: "the route's own 401 carries no CORS line either (not error-response-without-cors: there is no CORS layer)",
      page: { url: 'http://localhost:8000/me' },
      exchanges: [
        { kind: 'actual', ...NOT_AUTHENTICATED },
        { ...layerProbe(), ...ROUTER_405 },
        { ...withoutOrigin(), ...NOT_AUTHENTICATED },
      ],
      evidence: /GET -> 401 Unauthorized with no Access-Control-Allow-Origin/,
    },
    {
      name: 'credentials: a GET with the session cookie',
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

            {"email":"dev@example.com"}`),
        },
        { ...layerProbe(), ...ROUTER_405 },
      ],
    },
    {
      name: 'through a plain nginx proxy_pass (nginx adds nothing, the app sends nothing)',
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
      // nginx's `if ($request_method = OPTIONS) { return 204; }` hides whether the app has a CORS layer: the
      // 204 carries nothing. proxy-answers-preflight explains it and supersedes this rule.
      name: 'nginx answers the preflight with an empty 204',
      page: { url: 'http://localhost:8080/orders', method: 'POST', ...JSON_BODY, body: '{"item":"saw"}' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            Server: nginx/1.22.1`),
        },
      ],
      reported: false,
    },
  ],
  valid: [
    {
      name: 'Starlette refuses the origin: ACAC on the GET, 400 Disallowed CORS origin (origin-not-allowed)',
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 38
            content-type: application/json
            access-control-allow-credentials: true

            [{"id":1,"name":"Hammer","price":9.5}]`),
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
    {
      name: 'an auth middleware outside CORSMiddleware answers the preflight 401 (preflight-rejected)',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
      exchanges: [{ kind: 'preflight', ...NOT_AUTHENTICATED }],
    },
    {
      name: 'TrustedHostMiddleware outside CORSMiddleware answers the preflight 400 (preflight-rejected)',
      page: PUT_ITEM,
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            content-length: 19
            content-type: text/plain; charset=utf-8

            Invalid host header`),
        },
      ],
    },
    {
      name: 'HTTPSRedirectMiddleware outside CORSMiddleware answers the preflight 307 (preflight-redirected)',
      page: PUT_ITEM,
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            server: uvicorn
            content-length: 0
            location: https://localhost:8000/items/1`),
        },
      ],
    },
    {
      name: 'fixed: CORSMiddleware for http://localhost:3000 (examples/correct)',
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 38
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
      ],
    },
  ],
});

/** A FastAPI app whose only middleware writes these response header lines (Python statements). */
const handWritten = (lines: string[]) => ({
  'requirements.txt': 'fastapi==0.100.0\nstarlette==0.26.1\n',
  'main.py': [
    'from fastapi import FastAPI, Request',
    '',
    'app = FastAPI()',
    '',
    '',
    '@app.middleware("http")',
    'async def allow_the_frontend(request: Request, call_next):',
    '    response = await call_next(request)',
    '    origin = request.headers.get("origin")',
    ...lines.map((l) => `    ${l}`),
    '    return response',
    '',
    '',
    '@app.get("/me")',
    'def me():',
    '    return {}',
    '',
  ].join('\n'),
});

// Scan: hand-written CORS is CORS. CORSMiddleware added in front of a middleware that writes
// Access-Control-Allow-Origin would leave its header in place (and what it lets in), so no patch adds one.
describe('scan no-cors-middleware', () => {
  it.each([
    {
      name: 'a middleware that writes the origin back when it ends in example.com',
      lines: [
        'if origin and origin.endswith("example.com"):',
        '    response.headers["Access-Control-Allow-Origin"] = origin',
        '    response.headers["Access-Control-Allow-Credentials"] = "true"',
      ],
      severity: 'info',
      message: /its middleware allow_the_frontend writes Access-Control-Allow-Origin itself \(main\.py:11\)/,
    },
    {
      name: 'a middleware that writes one literal origin',
      lines: ['response.headers["Access-Control-Allow-Origin"] = "https://app.example.com"'],
      severity: 'info',
      message: /writes Access-Control-Allow-Origin itself \(main\.py:10\)/,
    },
    {
      name: 'a middleware that writes other headers only: no CORS at all',
      lines: ['response.headers["X-Frame-Options"] = "DENY"'],
      severity: 'error',
      message: /no CORSMiddleware: browsers block every cross-origin request/,
      patched: true,
    },
  ])('$name', async ({ lines, severity, message, patched }) => {
    const root = writeProject(handWritten(lines));
    const [finding, ...more] = await scanFor(root, 'no-cors-middleware', ['https://app.example.com']);
    expect(more).toEqual([]);
    expect(finding?.severity).toBe(severity);
    expect(finding?.message).toMatch(message);
    expect((finding?.fix?.edits ?? []).length > 0).toBe(patched === true);
  });
});
