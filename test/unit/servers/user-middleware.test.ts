// The server model on user middleware read from source: pure ASGI classes that answer an error themselves,
// path tests that pick the guarded paths or the exempt ones, pass-throughs for preflights only, header
// checks written with bytes names. Each row: an app written to a temporary folder, one request, the status
// and the layer that answers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appForUrl } from '../../../src/evidence/offline.js';
import { readProject } from '../../../src/project/read-project.js';
import { predictAnswer } from '../../../src/servers/stack.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function answer(main: string, method: string, path: string, headers: Array<[string, string]> = []) {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-stack-'));
  roots.push(root);
  writeFileSync(join(root, 'main.py'), main);
  const url = `http://localhost:8000${path}`;
  const app = appForUrl(await readProject(root), url);
  if (!app) throw new Error('no app');
  const p = predictAnswer(
    app,
    { method, url, headers: [['Origin', 'http://localhost:5173'], ...headers] },
    { starletteVersion: '0.26.1' },
  );
  // The endpoint's place is left out: `200 /api/items`.
  return p.known ? `${p.status} ${p.answeredBy.replace(/ \(main\.py:\d+\)$/, '')}` : `unknown: ${p.why}`;
}

const HEAD = `from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse

app = FastAPI()
`;
const CORS = `
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"], allow_headers=["*"])
`;
const ROUTES = `

@app.get("/api/items")
def items():
    return []


@app.get("/public/status")
def status():
    return {}
`;
const PREFLIGHT: Array<[string, string]> = [['Access-Control-Request-Method', 'GET']];

const ASGI_JSON = `${HEAD}

class KeyGate:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and b"x-api-key" not in dict(scope["headers"]):
            await JSONResponse({"detail": "no key"}, status_code=401)(scope, receive, send)
            return
        await self.app(scope, receive, send)

${CORS}
app.add_middleware(KeyGate)
${ROUTES}`;
const ASGI_RAW = `${HEAD}${CORS}${ROUTES}

class Deny:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and not dict(scope["headers"]).get(b"authorization"):
            await send({"type": "http.response.start", "status": 403, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


app = Deny(app)
`;
const GUARDED = `${HEAD}${CORS}

@app.middleware("http")
async def api_only(request: Request, call_next):
    if request.url.path.startswith("/api/"):
        if "authorization" not in request.headers:
            raise HTTPException(status_code=401)
    return await call_next(request)
${ROUTES}`;
const EXEMPT = `${HEAD}${CORS}

@app.middleware("http")
async def all_but_public(request: Request, call_next):
    if not request.url.path.startswith("/public"):
        if "authorization" not in request.headers:
            return JSONResponse(status_code=401, content={})
    return await call_next(request)
${ROUTES}`;
const PREFLIGHTS_ONLY = `${HEAD}${CORS}

@app.middleware("http")
async def auth(request: Request, call_next):
    if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
        return await call_next(request)
    if "authorization" not in request.headers:
        return JSONResponse(status_code=401, content={})
    return await call_next(request)
${ROUTES}`;

describe('server model: user middleware read from source', () => {
  it.each([
    [
      'a pure ASGI class answers 401 to the preflight itself',
      ASGI_JSON,
      'OPTIONS',
      '/api/items',
      PREFLIGHT,
      '401 KeyGate',
    ],
    [
      'the same class lets a request with X-API-Key (a bytes name) through',
      ASGI_JSON,
      'GET',
      '/api/items',
      [['X-API-Key', 'k']],
      '200 /api/items',
    ],
    [
      'a raw ASGI send of status 403 from a wrapper of the served app',
      ASGI_RAW,
      'OPTIONS',
      '/api/items',
      PREFLIGHT,
      '403 Deny',
    ],
    [
      'a guarded prefix: HTTPException on /api/ becomes a 500',
      GUARDED,
      'GET',
      '/api/items',
      [],
      '500 ServerErrorMiddleware',
    ],
    ['a guarded prefix: other paths pass', GUARDED, 'GET', '/public/status', [], '200 /public/status'],
    ['a negated prefix test: /public is exempt', EXEMPT, 'GET', '/public/status', [], '200 /public/status'],
    [
      'a negated prefix test: everything else is refused, preflights included',
      EXEMPT,
      'OPTIONS',
      '/api/items',
      PREFLIGHT,
      '401 all_but_public',
    ],
    [
      'a pass-through for preflights: the preflight reaches CORSMiddleware',
      PREFLIGHTS_ONLY,
      'OPTIONS',
      '/api/items',
      PREFLIGHT,
      '200 CORSMiddleware',
    ],
    [
      'a pass-through for preflights: an OPTIONS without Access-Control-Request-Method is refused',
      PREFLIGHTS_ONLY,
      'OPTIONS',
      '/api/items',
      [],
      '401 auth',
    ],
  ] as Array<[string, string, string, string, Array<[string, string]>, string]>)(
    '%s',
    async (_name, main, method, path, headers, expected) => {
      expect(await answer(main, method, path, headers)).toBe(expected);
    },
  );
});
