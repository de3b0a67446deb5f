/**
 * `scan` with the frontend's request: the request is judged as a browser sends it, and a finding it does not
 * meet (a method only a route uses, a header it does not send, credentials it does not send, an origin
 * entry that is not its origin, a preflight it does not have) is a warning about other requests. Without a
 * request, the same findings stay errors. Each row is a tiny project read as `scan` reads it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanOptions } from '../../../src/analysis/scan.js';
import { scanProject } from '../../../src/analysis/scan.js';
import type { HeaderList } from '../../../src/model/types.js';
import { readProject } from '../../../src/project/read-project.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const HEAD =
  'from fastapi import FastAPI, Request\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI()\n';
const cors = (options: string) => `app.add_middleware(CORSMiddleware, ${options})\n`;
const PUT_ROUTE = '\n@app.put("/items/{item_id}")\ndef update(item_id: int):\n    return {}\n';
const AUTH_ROUTE =
  '\n@app.get("/me")\ndef me(request: Request):\n    return {"token": request.headers.get("Authorization")}\n';
const COOKIE_ROUTE =
  '\n@app.get("/me")\ndef me(request: Request):\n    return {"session": request.cookies.get("session")}\n';
const GET_ROUTE = '\n@app.get("/orders")\ndef orders():\n    return []\n';
const STARLETTE_026 = 'fastapi==0.92.0\nstarlette==0.26.1\n';
const STARLETTE_1 = 'fastapi==0.120.0\nstarlette==1.0.0\n';
const AUTH_OUTSIDE =
  `${HEAD}${cors('allow_origins=["http://localhost:3000"], allow_methods=["*"], allow_headers=["*"]')}
PUBLIC_PATHS = {"/health"}


@app.middleware("http")
async def require_token(request: Request, call_next):
    if request.url.path not in PUBLIC_PATHS:
        if not request.headers.get("Authorization"):
            return JSONResponse(status_code=401, content={"detail": "Not authenticated"})
    return await call_next(request)
${PUT_ROUTE}
@app.put("/health")
def health():
    return {}
`.replace(
    'from fastapi import FastAPI, Request',
    'from fastapi import FastAPI, Request\nfrom fastapi.responses import JSONResponse',
  );

/** nginx in front of the app on :8000, listening on :8080, with `location` written in. */
const nginx = (location: string) => `events {}
http {
  server {
    listen 127.0.0.1:8080;
    location / {
${location}      proxy_pass http://127.0.0.1:8000;
    }
  }
}
`;
const BEHIND = `${HEAD}${cors('allow_origins=["http://localhost:3000"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"]')}${GET_ROUTE}`;
const HALF_ANSWER = `      if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "http://localhost:3000";
        add_header Access-Control-Allow-Methods "GET, POST, OPTIONS";
        return 204;
      }
`;
const WHOLE_ANSWER = `      if ($request_method = OPTIONS) {
        add_header Access-Control-Allow-Origin "http://localhost:3000";
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE";
        add_header Access-Control-Allow-Headers "content-type, authorization";
        return 204;
      }
`;
const EMPTY_ANSWER = '      if ($request_method = OPTIONS) {\n        return 204;\n      }\n';

const JSON_TYPE: HeaderList = [['Content-Type', 'application/json']];
const TOKEN: HeaderList = [['Authorization', 'Bearer t0k3n']];

// Each row: the project, the frontend's request (none: the scan of the whole project), and the findings of
// the code as `code severity`.
const TABLE: Array<{
  title: string;
  files: Record<string, string>;
  origins?: string[];
  request?: ScanOptions['request'];
  code: string;
  findings: string[];
}> = [
  // method-not-allowed: Starlette's default allow_methods is GET; a route takes PUT.
  {
    title: 'default allow_methods and a PUT route, no request: the route is refused',
    files: { 'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000"]')}${PUT_ROUTE}` },
    code: 'method-not-allowed',
    findings: ['method-not-allowed error'],
  },
  {
    title: 'the same, a PUT with JSON: its preflight is refused',
    files: { 'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000"]')}${PUT_ROUTE}` },
    request: { method: 'PUT', headers: JSON_TYPE },
    code: 'method-not-allowed',
    findings: ['method-not-allowed error'],
  },
  {
    title: 'the same, a text/plain POST: no preflight, so the route is about other requests',
    files: { 'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000"]')}${PUT_ROUTE}` },
    request: { method: 'POST', headers: [['Content-Type', 'text/plain']] },
    code: 'method-not-allowed',
    findings: ['method-not-allowed warning'],
  },
  {
    title: 'allow_methods has DELETE, a route takes PUT, the request is a DELETE',
    files: {
      'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000"], allow_methods=["GET", "DELETE"]')}${PUT_ROUTE}`,
    },
    request: { method: 'DELETE', headers: [] },
    code: 'method-not-allowed',
    findings: ['method-not-allowed warning'],
  },
  // header-not-allowed: Starlette's default allow_headers; a route reads Authorization.
  {
    title: 'default allow_headers, a route reads Authorization, the request sends it',
    files: { 'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000"]')}${AUTH_ROUTE}` },
    request: { method: 'GET', headers: TOKEN },
    code: 'header-not-allowed',
    findings: ['header-not-allowed error'],
  },
  {
    title: 'the same, a simple GET: the route is about other requests',
    files: { 'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000"]')}${AUTH_ROUTE}` },
    request: { method: 'GET', headers: [] },
    code: 'header-not-allowed',
    findings: ['header-not-allowed warning'],
  },
  {
    title: 'the same, a PUT with JSON only: Content-Type is always allowed',
    files: {
      'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000"], allow_methods=["*"]')}${AUTH_ROUTE}`,
    },
    request: { method: 'PUT', headers: JSON_TYPE },
    code: 'header-not-allowed',
    findings: ['header-not-allowed warning'],
  },
  // credentials-not-allowed: a route reads a cookie, allow_credentials is not set.
  {
    title: 'a route reads a cookie, the request is sent with credentials',
    files: { 'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000"]')}${COOKIE_ROUTE}` },
    request: { method: 'GET', headers: [], credentials: 'include' },
    code: 'credentials-not-allowed',
    findings: ['credentials-not-allowed error'],
  },
  {
    title: 'the same, a request without credentials',
    files: { 'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000"]')}${COOKIE_ROUTE}` },
    request: { method: 'GET', headers: TOKEN },
    code: 'credentials-not-allowed',
    findings: ['credentials-not-allowed warning'],
  },
  // wildcard-with-credentials: "*" and allow_credentials=True.
  {
    title: 'Starlette 0.26, "*" with credentials, a credentialed request: answered *',
    files: {
      'main.py': `${HEAD}${cors('allow_origins=["*"], allow_credentials=True')}${GET_ROUTE}`,
      'requirements.txt': STARLETTE_026,
    },
    request: { method: 'GET', headers: [], credentials: 'include' },
    code: 'wildcard-with-credentials',
    findings: ['wildcard-with-credentials error'],
  },
  {
    title: 'the same, a request without credentials: * is accepted',
    files: {
      'main.py': `${HEAD}${cors('allow_origins=["*"], allow_credentials=True')}${GET_ROUTE}`,
      'requirements.txt': STARLETTE_026,
    },
    request: { method: 'GET', headers: [] },
    code: 'wildcard-with-credentials',
    findings: ['wildcard-with-credentials warning'],
  },
  {
    title: 'Starlette 1.0 echoes the origin: the credentialed request is allowed (every site is)',
    files: {
      'main.py': `${HEAD}${cors('allow_origins=["*"], allow_credentials=True')}${GET_ROUTE}`,
      'requirements.txt': STARLETTE_1,
    },
    request: { method: 'GET', headers: [], credentials: 'include' },
    code: 'wildcard-with-credentials',
    findings: ['wildcard-with-credentials warning'],
  },
  // env-origins-misparsed and origin-malformed: an entry that never matches, and the request's origin.
  {
    title: '"a, b".split(","): the request comes from the origin with the space',
    files: {
      'main.py': `import os\n${HEAD}${cors('allow_origins=os.getenv("ORIGINS", "http://localhost:5173, http://localhost:3000").split(",")')}${GET_ROUTE}`,
    },
    origins: ['http://localhost:3000'],
    request: { method: 'GET', headers: [] },
    code: 'env-origins-misparsed',
    // The info note: ORIGINS is set nowhere, the code's default is used.
    findings: ['env-origins-misparsed error', 'env-origins-misparsed info'],
  },
  {
    title: '"a, b".split(","): the request comes from the first origin, which matches',
    files: {
      'main.py': `import os\n${HEAD}${cors('allow_origins=os.getenv("ORIGINS", "http://localhost:5173, http://localhost:3000").split(",")')}${GET_ROUTE}`,
    },
    origins: ['http://localhost:5173'],
    request: { method: 'GET', headers: [] },
    code: 'env-origins-misparsed',
    findings: ['env-origins-misparsed warning', 'env-origins-misparsed info'],
  },
  {
    title: '"http://localhost:3000/" listed, the request comes from :3000',
    files: {
      'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000/", "http://localhost:5173"]')}${GET_ROUTE}`,
    },
    origins: ['http://localhost:3000'],
    request: { method: 'GET', headers: [] },
    code: 'origin-malformed',
    findings: ['origin-malformed error'],
  },
  {
    title: '"http://localhost:3000/" listed, the request comes from :5173',
    files: {
      'main.py': `${HEAD}${cors('allow_origins=["http://localhost:3000/", "http://localhost:5173"]')}${GET_ROUTE}`,
    },
    origins: ['http://localhost:5173'],
    request: { method: 'GET', headers: [] },
    code: 'origin-malformed',
    findings: ['origin-malformed warning'],
  },
  // preflight-rejected: an auth middleware outside CORSMiddleware, /health left alone.
  {
    title: 'auth outside CORS, a PUT with JSON to /items/1',
    files: { 'main.py': AUTH_OUTSIDE },
    request: { method: 'PUT', headers: JSON_TYPE, url: 'http://127.0.0.1:8000/items/1' },
    code: 'preflight-rejected',
    findings: ['preflight-rejected error'],
  },
  {
    title:
      'auth outside CORS, a simple GET without a token: no preflight, but refused too, without CORS headers',
    files: { 'main.py': AUTH_OUTSIDE },
    request: { method: 'GET', headers: [], url: 'http://127.0.0.1:8000/items/1' },
    code: 'preflight-rejected',
    findings: ['preflight-rejected error'],
  },
  {
    title: 'auth outside CORS, a simple GET to /health, which it leaves alone: no preflight to refuse',
    files: { 'main.py': AUTH_OUTSIDE },
    request: { method: 'GET', headers: [], url: 'http://127.0.0.1:8000/health' },
    code: 'preflight-rejected',
    findings: ['preflight-rejected warning'],
  },
  {
    title: 'auth outside CORS, a PUT with JSON to /health, which it leaves alone',
    files: { 'main.py': AUTH_OUTSIDE },
    request: { method: 'PUT', headers: JSON_TYPE, url: 'http://127.0.0.1:8000/health' },
    code: 'preflight-rejected',
    findings: ['preflight-rejected warning'],
  },
  // proxy-answers-preflight: nginx answers OPTIONS itself, with or without a URL (every block then).
  {
    title: "nginx's half answer, a PUT with Authorization and credentials (no URL, as the command line runs)",
    files: { 'main.py': BEHIND, 'nginx.conf': nginx(HALF_ANSWER) },
    request: { method: 'PUT', headers: [...JSON_TYPE, ...TOKEN], credentials: 'include' },
    code: 'proxy-answers-preflight',
    findings: ['proxy-answers-preflight error'],
  },
  {
    title: "nginx's half answer, no request: a warning to keep it in step",
    files: { 'main.py': BEHIND, 'nginx.conf': nginx(HALF_ANSWER) },
    code: 'proxy-answers-preflight',
    findings: ['proxy-answers-preflight warning'],
  },
  {
    title: "nginx's whole answer, a PUT with Authorization without credentials: allowed",
    files: { 'main.py': BEHIND, 'nginx.conf': nginx(WHOLE_ANSWER) },
    request: { method: 'PUT', headers: [...JSON_TYPE, ...TOKEN], url: 'http://127.0.0.1:8080/orders' },
    code: 'proxy-answers-preflight',
    findings: ['proxy-answers-preflight warning'],
  },
  {
    title: "nginx's empty 204, a simple GET never meets it",
    files: { 'main.py': BEHIND, 'nginx.conf': nginx(EMPTY_ANSWER) },
    request: { method: 'GET', headers: [], url: 'http://127.0.0.1:8080/orders' },
    code: 'proxy-answers-preflight',
    findings: ['proxy-answers-preflight warning'],
  },
  {
    title: "nginx's empty 204, a POST with JSON",
    files: { 'main.py': BEHIND, 'nginx.conf': nginx(EMPTY_ANSWER) },
    request: { method: 'POST', headers: JSON_TYPE, url: 'http://127.0.0.1:8080/orders' },
    code: 'proxy-answers-preflight',
    findings: ['proxy-answers-preflight error'],
  },
  // credentials-not-allowed in nginx: only its preflight answer lacks the credentials line.
  {
    title: "nginx's preflight answer without Access-Control-Allow-Credentials, a simple GET with credentials",
    files: { 'main.py': BEHIND, 'nginx.conf': nginx(WHOLE_ANSWER) },
    request: { method: 'GET', headers: [], credentials: 'include', url: 'http://127.0.0.1:8080/orders' },
    code: 'credentials-not-allowed',
    findings: ['credentials-not-allowed warning'],
  },
  {
    title: 'the same, a PUT with JSON and credentials meets it',
    files: { 'main.py': BEHIND, 'nginx.conf': nginx(WHOLE_ANSWER) },
    request: {
      method: 'PUT',
      headers: JSON_TYPE,
      credentials: 'include',
      url: 'http://127.0.0.1:8080/orders',
    },
    code: 'credentials-not-allowed',
    findings: ['credentials-not-allowed error'],
  },
  // proxy-headers-missing-on-errors: add_header without always, and the app's error status.
  {
    title: 'add_header without always, a GET the app answers 200',
    files: {
      'main.py': `${HEAD}${GET_ROUTE}`,
      'nginx.conf': nginx('      add_header Access-Control-Allow-Origin "http://localhost:3000";\n'),
    },
    request: { method: 'GET', headers: [], url: 'http://127.0.0.1:8080/orders' },
    code: 'proxy-headers-missing-on-errors',
    findings: ['proxy-headers-missing-on-errors warning'],
  },
  {
    title: 'add_header without always, a simple POST the app answers 405 (its route takes GET)',
    files: {
      'main.py': `${HEAD}${GET_ROUTE}`,
      'nginx.conf': nginx('      add_header Access-Control-Allow-Origin "http://localhost:3000";\n'),
    },
    request: { method: 'POST', headers: [], url: 'http://127.0.0.1:8080/orders' },
    code: 'proxy-headers-missing-on-errors',
    findings: ['proxy-headers-missing-on-errors error'],
  },
];

async function findingsOf(row: (typeof TABLE)[number]): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-scan-request-'));
  roots.push(root);
  for (const [file, text] of Object.entries(row.files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  const report = scanProject(await readProject(root), {
    origins: row.origins ?? ['http://localhost:3000'],
    ...(row.request && { request: row.request }),
  });
  return report.findings.filter((f) => f.code === row.code).map((f) => `${f.code} ${f.severity}`);
}

describe('scan judges the request given', () => {
  it.each(TABLE)('$title', async (row) => {
    expect(await findingsOf(row)).toEqual(row.findings);
  });

  it('a finding about other requests says why the request given does not meet it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cors-doctor-scan-request-'));
    roots.push(root);
    writeFileSync(
      join(root, 'main.py'),
      `${HEAD}${cors('allow_origins=["http://localhost:3000"]')}${PUT_ROUTE}`,
    );
    const report = scanProject(await readProject(root), {
      origins: ['http://localhost:3000'],
      request: { method: 'POST', headers: [['Content-Type', 'text/plain']] },
    });
    expect(report.findings.find((f) => f.code === 'method-not-allowed')?.message).toMatch(
      /Not met by the request given: POST needs no preflight, so no method is checked\.$/,
    );
  });
});
