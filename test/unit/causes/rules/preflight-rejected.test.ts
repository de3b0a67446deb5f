import { describe, expect, it } from 'vitest';
import { preflightRejected } from '../../../../src/causes/rules/preflight-rejected.js';
import { appForUrl } from '../../../../src/evidence/offline.js';
import { readProject } from '../../../../src/project/read-project.js';
import { predictAnswer } from '../../../../src/servers/stack.js';
import { type RuleCase, testRule } from '../../../support/rule-tester.js';
import { ALLOWED, BLOCKED, pageTo, predictedStatus, prove } from './offline-proof.js';
import { BEARER, http, JSON_BODY, NOT_AUTHENTICATED, nginxPage, slashProbe } from './wire.js';

const PUT_ITEM = {
  url: 'http://localhost:8000/items/1',
  method: 'PUT',
  ...JSON_BODY,
  body: '{"name":"Saw","price":12}',
};
const PUT_VIA_NGINX = { ...PUT_ITEM, url: 'http://localhost:8080/items/1' };

// examples/auth-wraps-cors: `@app.middleware("http")` registered after CORSMiddleware refuses requests without
// a Bearer token, preflights included.

testRule(preflightRejected, {
  invalid: [
    {
      name: 'an auth middleware outside CORSMiddleware answers the Authorization preflight 401',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
      exchanges: [{ kind: 'preflight', ...NOT_AUTHENTICATED }],
      summary: /got 401: it was answered by an authentication layer that runs before CORS/,
      evidence:
        /^OPTIONS http:\/\/localhost:8000\/me -> 401 Unauthorized "\{\\"detail\\":\\"Not authenticated\\"\}"\nthe answer carries no CORS headers/,
    },
    {
      name: 'TrustedHostMiddleware outside CORSMiddleware answers the preflight 400 Invalid host header',
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
      summary: /got 400: it was answered by a 400 outside the CORS layer \(TrustedHostMiddleware/,
      evidence: /-> 400 Bad Request "Invalid host header"/,
    },
    {
      name: 'nginx `auth_basic` in front of the app answers the preflight 401',
      page: PUT_VIA_NGINX,
      exchanges: [
        {
          kind: 'preflight',
          ...http(
            `
            HTTP/1.1 401 Unauthorized
            Server: nginx/1.22.1
            Content-Type: text/html
            Content-Length: 581
            WWW-Authenticate: Basic realm="Inventory API"`,
            nginxPage('401 Authorization Required'),
          ),
        },
      ],
      summary: /got 401/,
      evidence: /-> 401 Unauthorized "<html>.*401 Authorization Required/,
    },
    {
      name: 'nginx `limit_except GET POST PUT DELETE { deny all; }` answers the preflight 403',
      page: PUT_VIA_NGINX,
      exchanges: [
        {
          kind: 'preflight',
          ...http(
            `
            HTTP/1.1 403 Forbidden
            Server: nginx/1.22.1
            Content-Type: text/html
            Content-Length: 555`,
            nginxPage('403 Forbidden'),
          ),
        },
      ],
      summary: /got 403: it was answered by an authorization layer, WAF or IP filter/,
    },
  ],
  valid: [
    {
      name: "Starlette's own refusal, 400 Disallowed CORS method (method-not-allowed)",
      page: PUT_ITEM,
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
      name: "Starlette's own refusal, 400 Disallowed CORS origin (origin-not-allowed)",
      page: PUT_ITEM,
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-headers: content-type
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS origin`),
        },
        {
          ...slashProbe('PUT'),
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
      name: "no CORS layer: the router's 405 (no-cors-middleware)",
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
    },
    {
      name: 'fixed: the auth middleware lets preflights through to CORSMiddleware',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
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
            access-control-allow-origin: http://localhost:3000
            access-control-allow-headers: authorization
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 43
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            {"email":"dev@example.com","token":"t0k3n"}`),
        },
      ],
    },
  ],
});

// Not named yet by any rule: nginx does CORS (`add_header Access-Control-* ... always;`, no OPTIONS block) for an
// app without CORS, so the app's router answers the preflight 405 and nginx adds its lines. Browsers block it
// ("It does not have HTTP ok status"). This rule leaves every 405 to no-cors-middleware, which wants no
// access-control-* line at all, so nothing is reported. docs/causes/preflight-rejected.md counts "a proxy
// route that does not accept OPTIONS (404, 403, 405)" among this cause's sources.
const NGINX_CORS_ROUTER_405: RuleCase = {
  name: "nginx adds its CORS lines with `always` to the app router's 405 for OPTIONS",
  page: PUT_VIA_NGINX,
  exchanges: [
    {
      kind: 'preflight',
      ...http(`
        HTTP/1.1 405 Method Not Allowed
        Server: nginx/1.22.1
        Content-Type: application/json
        Content-Length: 31
        allow: PUT
        Access-Control-Allow-Origin: http://localhost:3000
        Access-Control-Allow-Methods: GET, POST, PUT, DELETE
        Access-Control-Allow-Headers: Content-Type, Authorization

        {"detail":"Method Not Allowed"}`),
    },
  ],
};
it.todo(`rule preflight-rejected names it: ${NGINX_CORS_ROUTER_405.name}`);

// -------------------------------------------------------------------------------------------------
// Scan: the auth layer outside CORSMiddleware, named where the fix is written, each patch proven offline
// (the page's request blocked before, allowed after) and the auth check kept for every other request.

const IMPORTS = `from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse
`;
const CORS_ARGS = 'allow_origins=["http://localhost:5173"], allow_methods=["*"], allow_headers=["*"]';
const AUTH_CLASS = `

class TokenAuth(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        return await call_next(request)
`;
const AUTH_FUNCTION = `

@app.middleware("http")
async def require_token(request: Request, call_next):
    if "authorization" not in request.headers:
        return JSONResponse(status_code=401, content={"detail": "Not authenticated"})
    return await call_next(request)
`;
const ROUTE = `

@app.get("/orders")
def orders():
    return []
`;
const BEARER_PAGE = pageTo('/orders', { headers: [['Authorization', 'Bearer t0k3n']] });

interface ScanRow {
  name: string;
  files: Record<string, string>;
  page?: ReturnType<typeof pageTo>;
  /** Where the finding (and its fix) is, then the related places. */
  at: string;
  related?: string[];
  /** Text the patched file holds. */
  patched: RegExp;
  /** The check stays for requests that are not preflights: the status of an OPTIONS without Access-Control-Request-Method and a GET without a token. */
  kept?: { file: string };
}

const lineOf = (text: string, needle: string, from = 0): number =>
  text.split('\n').findIndex((l, i) => i >= from && l.includes(needle)) + 1;

const LIST_MAIN = `${IMPORTS}${AUTH_CLASS}

app = FastAPI(
    middleware=[
        Middleware(TokenAuth),
        Middleware(CORSMiddleware, ${CORS_ARGS}),
    ]
)
${ROUTE}`;
const ONE_LINE_MAIN = `${IMPORTS}${AUTH_CLASS}

app = FastAPI(middleware=[Middleware(TokenAuth), Middleware(CORSMiddleware, ${CORS_ARGS})])
${ROUTE}`;
const MOVE_MAIN = `${IMPORTS}
app = FastAPI()
app.add_middleware(CORSMiddleware, ${CORS_ARGS})
${AUTH_FUNCTION}${ROUTE}`;
const MIXED_MAIN = `${IMPORTS}
app = FastAPI(middleware=[Middleware(CORSMiddleware, ${CORS_ARGS})])
${AUTH_FUNCTION}${ROUTE}`;
const HELPER_MAIN = `${IMPORTS}
app = FastAPI()


def setup_cors(application):
    application.add_middleware(CORSMiddleware, ${CORS_ARGS})


setup_cors(app)
${AUTH_FUNCTION}${ROUTE}`;
const DOCSTRING_AUTH = `from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse


class ApiKeyAuth(BaseHTTPMiddleware):
    async def dispatch(self, req, nxt):
        """Every request needs X-API-Key."""
        if req.headers.get("x-api-key") != "k":
            return JSONResponse({"detail": "Forbidden"}, status_code=403)
        return await nxt(req)
`;
const DOCSTRING_MAIN = `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

from auth import ApiKeyAuth

app = FastAPI(middleware=[Middleware(CORSMiddleware, ${CORS_ARGS})])
app.add_middleware(ApiKeyAuth)
${ROUTE}`;
const ASGI_MAIN = `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse


class Gate:
    def __init__(self, app):
        self.inner = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        if scope["type"] == "http" and b"authorization" not in headers:
            await PlainTextResponse("no", status_code=401)(scope, receive, send)
            return
        await self.inner(scope, receive, send)


app = FastAPI()
app.add_middleware(CORSMiddleware, ${CORS_ARGS})
${ROUTE}

app = Gate(app)
`;
const RAISE_MAIN = `from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, ${CORS_ARGS})


@app.middleware("http")
async def require_token(request: Request, call_next):
    if request.headers.get("authorization") is None:
        raise HTTPException(status_code=401)
    return await call_next(request)
${ROUTE}`;

const ASGI_ADDED = `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse


class Gate:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and b"authorization" not in dict(scope["headers"]):
            return await PlainTextResponse("no", status_code=401)(scope, receive, send)
        await self.app(scope, receive, send)


app = FastAPI()
app.add_middleware(CORSMiddleware, ${CORS_ARGS})
app.add_middleware(Gate)
${ROUTE}`;

const SCAN_ROWS: ScanRow[] = [
  {
    name: 'middleware=[...] lists the auth middleware first: CORS is moved to the front of the list',
    files: { 'main.py': LIST_MAIN },
    at: `main.py:${lineOf(LIST_MAIN, 'Middleware(CORSMiddleware')}`,
    related: [`main.py:${lineOf(LIST_MAIN, 'Middleware(TokenAuth)')}`],
    patched: /middleware=\[\n {8}Middleware\(CORSMiddleware, [^\n]*\),\n {8}Middleware\(TokenAuth\),\n {4}\]/,
    kept: { file: 'main.py' },
  },
  {
    name: 'the same list on one line',
    files: { 'main.py': ONE_LINE_MAIN },
    at: `main.py:${lineOf(ONE_LINE_MAIN, 'Middleware(CORSMiddleware')}`,
    patched: /middleware=\[Middleware\(CORSMiddleware, [^\n]*\), Middleware\(TokenAuth\)\]\)/,
  },
  {
    name: 'add_middleware(CORSMiddleware) above an @app.middleware("http") auth: the CORS call moves below it',
    files: { 'main.py': MOVE_MAIN },
    at: `main.py:${lineOf(MOVE_MAIN, 'add_middleware(CORSMiddleware')}`,
    related: [`main.py:${lineOf(MOVE_MAIN, '@app.middleware')}`],
    patched: /return await call_next\(request\)\n\n\napp\.add_middleware\(CORSMiddleware/,
    kept: { file: 'main.py' },
  },
  {
    name: 'a pure ASGI class added with add_middleware after CORS: the CORS call moves below it',
    files: { 'main.py': ASGI_ADDED },
    at: `main.py:${lineOf(ASGI_ADDED, 'add_middleware(CORSMiddleware')}`,
    related: [`main.py:${lineOf(ASGI_ADDED, 'add_middleware(Gate)')}`],
    patched: /app\.add_middleware\(Gate\)\n+app\.add_middleware\(CORSMiddleware/,
  },
  {
    name: 'HTTPException raised by an auth outside CORS (a 500 on the preflight): the CORS call moves below it',
    files: { 'main.py': RAISE_MAIN },
    at: `main.py:${lineOf(RAISE_MAIN, 'add_middleware(CORSMiddleware')}`,
    patched: /return await call_next\(request\)\n\n\napp\.add_middleware\(CORSMiddleware/,
  },
  {
    name: 'CORS in the constructor list, the auth added with @app.middleware: preflights let through in the function',
    files: { 'main.py': MIXED_MAIN },
    at: `main.py:${lineOf(MIXED_MAIN, 'if "authorization" not in')}`,
    related: [
      `main.py:${lineOf(MIXED_MAIN, '@app.middleware')}`,
      `main.py:${lineOf(MIXED_MAIN, 'Middleware(CORSMiddleware')}`,
    ],
    patched:
      / {4}# CORS preflights never carry credentials: let them through to CORSMiddleware\.\n {4}if request\.method == "OPTIONS" and "access-control-request-method" in request\.headers:\n {8}return await call_next\(request\)\n {4}if "authorization" not in/,
    kept: { file: 'main.py' },
  },
  {
    name: 'CORS added inside a helper function: it cannot move, the auth function lets preflights through',
    files: { 'main.py': HELPER_MAIN },
    at: `main.py:${lineOf(HELPER_MAIN, 'if "authorization" not in')}`,
    patched: /if request\.method == "OPTIONS" and "access-control-request-method" in request\.headers:/,
  },
  {
    name: 'a BaseHTTPMiddleware in another module, with a docstring and its own parameter names',
    files: { 'main.py': DOCSTRING_MAIN, 'auth.py': DOCSTRING_AUTH },
    page: pageTo('/orders', { headers: [['X-API-Key', 'k']] }),
    at: `auth.py:${lineOf(DOCSTRING_AUTH, 'if req.headers.get')}`,
    related: [`main.py:${lineOf(DOCSTRING_MAIN, 'add_middleware(ApiKeyAuth)')}`, 'main.py:7'],
    patched:
      /"""Every request needs X-API-Key\."""\n {8}# CORS preflights[^\n]*\n {8}if req\.method == "OPTIONS" and "access-control-request-method" in req\.headers:\n {12}return await nxt\(req\)\n/,
  },
  {
    name: 'a pure ASGI class wrapping the served app object: preflights let through at the top of __call__',
    files: { 'main.py': ASGI_MAIN },
    at: `main.py:${lineOf(ASGI_MAIN, 'headers = dict(')}`,
    related: [
      `main.py:${lineOf(ASGI_MAIN, 'app = Gate(app)')}`,
      `main.py:${lineOf(ASGI_MAIN, 'add_middleware')}`,
    ],
    patched:
      /and b"access-control-request-method" in dict\(scope\["headers"\]\)\n {8}\):\n {12}return await self\.inner\(scope, receive, send\)\n {8}headers = dict/,
    kept: { file: 'main.py' },
  },
];

describe('rule preflight-rejected: scan, each fix proven by the server model', () => {
  it.each(SCAN_ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const proof = await prove('preflight-rejected', row.files, row.page ?? BEARER_PAGE);
    expect(proof.at).toEqual([row.at]);
    if (row.related)
      expect(proof.findings[0]?.related?.map((r) => `${r.file}:${r.line}`)).toEqual(row.related);
    expect(Object.values(proof.after).join('\n')).toMatch(row.patched);
    expect(proof.before).toBe(BLOCKED);
    expect(proof.afterOutcome).toBe(ALLOWED);
    if (row.kept) {
      // Auth is intact: a request without a token, and an OPTIONS that is not a preflight, are refused.
      expect(await predictedStatus(proof.afterRoot, 'GET', '/orders')).toBe(401);
    }
  });

  it('names nothing when CORS is already outside the auth layer, or the auth lets OPTIONS through', async () => {
    const outside = `${IMPORTS}
app = FastAPI()
${AUTH_FUNCTION}
app.add_middleware(CORSMiddleware, ${CORS_ARGS})
${ROUTE}`;
    const skips = MOVE_MAIN.replace(
      '    if "authorization" not in request.headers:',
      '    if request.method == "OPTIONS":\n        return await call_next(request)\n    if "authorization" not in request.headers:',
    );
    // add_middleware(CORSMiddleware) wraps every middleware of the constructor's list, the auth included.
    const listInside = `${IMPORTS}${AUTH_CLASS}

app = FastAPI(middleware=[Middleware(TokenAuth)])
app.add_middleware(CORSMiddleware, ${CORS_ARGS})
${ROUTE}`;
    for (const main of [outside, skips, listInside]) {
      const proof = await prove('preflight-rejected', { 'main.py': main }, BEARER_PAGE);
      expect(proof.at).toEqual([]);
      expect(proof.before).toBe(ALLOWED);
    }
  });

  it('keeps the check for OPTIONS requests that are not preflights after the pass-through', async () => {
    const proof = await prove('preflight-rejected', { 'main.py': MIXED_MAIN }, BEARER_PAGE);
    const project = await readProject(proof.afterRoot);
    const app = appForUrl(project, 'http://localhost:8000/orders');
    const plainOptions = app
      ? predictAnswer(
          app,
          {
            method: 'OPTIONS',
            url: 'http://localhost:8000/orders',
            headers: [['Origin', 'http://localhost:5173']],
          },
          { starletteVersion: '0.26.1' },
        )
      : undefined;
    expect(plainOptions?.known && plainOptions.status).toBe(401);
  });
});
