/**
 * Fixes written at the nginx directive, proven by the models: each row is a tiny project (an app and the
 * nginx.conf in front of it) and the page's request through nginx. `scan` must name the cause at the
 * directive where the fix is written (other places after it); the finding's edits, applied to a copy, must
 * give a configuration `nginx -t` accepts, and the same request, answered offline by the nginx model in
 * front of the app's model and judged by the browser model, must go from blocked to allowed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWithSource } from '../../../src/analysis/check-with-source.js';
import { scanProject } from '../../../src/analysis/scan.js';
import type { CauseCode, Finding } from '../../../src/core/causes.js';
import type { PageFetch } from '../../../src/core/page.js';
import { applyEdit } from '../../../src/fix/edits.js';
import { fileOf } from '../../../src/fix/patches.js';
import { nginxAvailable, nginxRejects } from '../../../src/local-servers/nginx.js';
import type { BrowserName, HeaderList } from '../../../src/model/types.js';
import { readProject } from '../../../src/project/read-project.js';

const BROWSERS: BrowserName[] = ['chrome', 'firefox'];
const ORIGIN = 'http://localhost:3000';
const JSON_BODY: HeaderList = [['Content-Type', 'application/json']];

/** A whole nginx.conf: `http` lines, then one server on 127.0.0.1:8080 with these lines. */
const conf = (server: string, http = '') =>
  `events {}\nhttp {\n${http}    server {\n        listen 127.0.0.1:8080;\n\n${server}    }\n}\n`;
const PASS = '            proxy_pass http://127.0.0.1:9000;\n';

const APP_WITHOUT_CORS = `from fastapi import Cookie, FastAPI

# CORS is written by nginx in front of this app.
app = FastAPI()


@app.get("/api/orders")
def list_orders():
    return []


@app.post("/api/orders")
def create_order():
    return {}


@app.get("/api/orders/{order_id}")
def get_order(order_id: int):
    return {}


@app.put("/api/profile")
def update_profile(session: str | None = Cookie(default=None)):
    return {}
`;

const corsApp = (options: string, routes: string) => `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()

app.add_middleware(
    CORSMiddleware,
${options})

${routes}`;

const ORDERS_ROUTES = `
@app.get("/api/orders")
def list_orders():
    return []


@app.put("/api/orders/{order_id}")
def update_order(order_id: int):
    return {}
`;

const CORS_RIGHT = corsApp(
  `    allow_origins=["http://localhost:3000"],\n    allow_credentials=True,\n    allow_methods=["*"],\n    allow_headers=["*"],\n`,
  ORDERS_ROUTES,
);

// nginx's own preflight answer, as CORS snippets write it.
const OPTIONS_ANSWER = (origin = '"http://localhost:3000"', extra = '') =>
  `            if ($request_method = OPTIONS) {\n                add_header Access-Control-Allow-Origin ${origin};\n${extra}                add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE";\n                add_header Access-Control-Allow-Headers "Content-Type, Authorization";\n                return 204;\n            }\n`;

interface Row {
  title: string;
  code: CauseCode;
  files: Record<string, string>;
  /** The page's fetch() to http://127.0.0.1:8080 + `path`, from http://localhost:3000. */
  page: Partial<PageFetch> & { path: string };
  /** The scan reads the request without its URL (`scan --origin ...`): every block is looked at. */
  withoutUrl?: true;
  /**
   * The findings of `code`, each as the text of its line (`file: text`), then its related lines: the
   * `n`-th line of the file that contains the text (first by default, `text#2` for the second).
   */
  found: Array<{ at: string; related?: string[] }>;
  /** The first finding's edits: proven (blocked before, allowed after), written only, or none. */
  fix: 'proven' | 'written' | 'none';
  /** Texts the edited file holds, and texts it no longer holds. */
  holds?: string[];
  drops?: string[];
}

const ROWS: Row[] = [
  // add_header without `always`.
  {
    title: 'always: a DELETE the app refuses (405) loses the ACAO and exposed headers nginx adds',
    code: 'proxy-headers-missing-on-errors',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        location /api/ {\n${OPTIONS_ANSWER()}            add_header Access-Control-Allow-Origin "http://localhost:3000";\n            add_header Access-Control-Expose-Headers "X-Total-Count";\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders/1', method: 'DELETE' },
    found: [{ at: 'nginx.conf: add_header Access-Control-Allow-Origin "http://localhost:3000";#2' }],
    fix: 'proven',
    holds: [
      'add_header Access-Control-Allow-Origin "http://localhost:3000" always;',
      'add_header Access-Control-Expose-Headers "X-Total-Count" always;',
    ],
  },
  {
    title: "always: a copied snippet's quoted names keep their quotes",
    code: 'proxy-headers-missing-on-errors',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        location /api/ {\n${OPTIONS_ANSWER()}            add_header 'Access-Control-Allow-Origin' 'http://localhost:3000';\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders/1', method: 'DELETE' },
    found: [{ at: "nginx.conf: add_header 'Access-Control-Allow-Origin'" }],
    fix: 'proven',
    holds: ["add_header 'Access-Control-Allow-Origin' 'http://localhost:3000' always;"],
  },
  {
    title: "always: the server's lines, inherited by two locations, are named once, at their line",
    code: 'proxy-headers-missing-on-errors',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        add_header Access-Control-Allow-Origin "http://localhost:3000";\n\n        location /api/ {\n${PASS}        }\n        location /auth/ {\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders' },
    withoutUrl: true,
    found: [{ at: 'nginx.conf: add_header Access-Control-Allow-Origin' }],
    fix: 'written',
    holds: ['add_header Access-Control-Allow-Origin "http://localhost:3000" always;'],
  },
  // add_header redeclared: the level inside has lines of its own.
  {
    title: "a location's own add_header drops the server's CORS lines from what it passes on",
    code: 'proxy-headers-missing-on-errors',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n        add_header Access-Control-Allow-Methods "GET, POST" always;\n        add_header Access-Control-Allow-Headers "Content-Type" always;\n        if ($request_method = OPTIONS) {\n            return 204;\n        }\n\n        location /api/ {\n            add_header Cache-Control "no-store";\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders', method: 'POST', headers: JSON_BODY, body: '{}' },
    found: [
      { at: 'nginx.conf: location /api/ {', related: ['nginx.conf: add_header Access-Control-Allow-Origin'] },
    ],
    fix: 'proven',
    holds: [
      '        location /api/ {\n            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n            add_header Access-Control-Allow-Methods "GET, POST" always;\n            add_header Access-Control-Allow-Headers "Content-Type" always;\n            add_header Cache-Control "no-store";',
    ],
  },
  {
    title: "the server's own add_header drops the http block's CORS lines",
    code: 'proxy-headers-missing-on-errors',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        add_header X-Frame-Options DENY;\n\n        location /api/ {\n${PASS}        }\n`,
        '    add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n',
      ),
    },
    page: { path: '/api/orders' },
    found: [{ at: 'nginx.conf: server {', related: ['nginx.conf: add_header Access-Control-Allow-Origin'] }],
    fix: 'proven',
  },
  {
    title:
      'the location writes ACAO only in its own preflight answer: the request itself comes back without it',
    code: 'proxy-headers-missing-on-errors',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(`        location /api/ {\n${OPTIONS_ANSWER()}${PASS}        }\n`),
    },
    page: { path: '/api/orders', method: 'POST', headers: JSON_BODY, body: '{}' },
    found: [
      { at: 'nginx.conf: location /api/ {', related: ['nginx.conf: add_header Access-Control-Allow-Origin'] },
    ],
    fix: 'proven',
  },
  {
    title: 'not named: the location includes a file (a CORS snippet) that is not read, beside its own header',
    code: 'proxy-headers-missing-on-errors',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'cors.conf': 'add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n',
      'nginx.conf': conf(
        `        add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n\n        location /api/ {\n            include cors.conf;\n            add_header Cache-Control "no-store";\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders' },
    found: [],
    fix: 'none',
  },
  {
    title: 'not named: every CORS line has always',
    code: 'proxy-headers-missing-on-errors',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        location /api/ {\n            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders/1' },
    found: [],
    fix: 'none',
  },
  // A missing Access-Control-Allow-Credentials where nginx writes the CORS headers.
  {
    title: "credentials, preflighted: nginx's preflight answer first, then the location's line",
    code: 'credentials-not-allowed',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        location /api/ {\n${OPTIONS_ANSWER()}            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n${PASS}        }\n`,
      ),
    },
    page: {
      path: '/api/profile',
      method: 'PUT',
      headers: JSON_BODY,
      body: '{}',
      credentials: 'include',
      cookie: 'session=abc',
    },
    found: [
      {
        at: 'nginx.conf: add_header Access-Control-Allow-Origin "http://localhost:3000";',
        related: ['nginx.conf: add_header Access-Control-Allow-Origin "http://localhost:3000" always;'],
      },
    ],
    fix: 'proven',
  },
  {
    title: "credentials, a simple GET: the location's line first",
    code: 'credentials-not-allowed',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        location /api/ {\n${OPTIONS_ANSWER()}            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders', credentials: 'include', cookie: 'session=abc' },
    found: [
      {
        at: 'nginx.conf: add_header Access-Control-Allow-Origin "http://localhost:3000" always;',
        related: ['nginx.conf: add_header Access-Control-Allow-Origin "http://localhost:3000";'],
      },
    ],
    fix: 'proven',
  },
  {
    title: 'credentials: a wrong value ("false") is replaced',
    code: 'credentials-not-allowed',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        location /api/ {\n            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n            add_header Access-Control-Allow-Credentials "false" always;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders', credentials: 'include', cookie: 'session=abc' },
    found: [{ at: 'nginx.conf: add_header Access-Control-Allow-Origin' }],
    fix: 'proven',
    holds: ['add_header Access-Control-Allow-Credentials "true" always;'],
    drops: ['"false"'],
  },
  {
    title: 'credentials behind a map allow-list of origins',
    code: 'credentials-not-allowed',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        location /api/ {\n            add_header Access-Control-Allow-Origin $cors_origin always;\n            add_header Vary Origin always;\n${PASS}        }\n`,
        '    map $http_origin $cors_origin {\n        default "";\n        "http://localhost:3000" $http_origin;\n    }\n',
      ),
    },
    page: { path: '/api/orders', credentials: 'include', cookie: 'session=abc' },
    found: [{ at: 'nginx.conf: add_header Access-Control-Allow-Origin' }],
    fix: 'proven',
  },
  {
    title:
      'credentials where nginx writes back any Origin: named, no patch (it would open the API to every site)',
    code: 'credentials-not-allowed',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        location /api/ {\n            add_header Access-Control-Allow-Origin $http_origin always;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders', credentials: 'include', cookie: 'session=abc' },
    found: [{ at: 'nginx.conf: add_header Access-Control-Allow-Origin' }],
    fix: 'none',
  },
  {
    title:
      "credentials behind nginx, the app's CORSMiddleware set for the dev server: nginx's line, not allow_credentials=True",
    code: 'credentials-not-allowed',
    files: {
      'main.py': corsApp(
        `    allow_origins=["http://localhost:5173"],\n    allow_methods=["*"],\n    allow_headers=["*"],\n`,
        ORDERS_ROUTES,
      ),
      'nginx.conf': conf(
        `        location /api/ {\n            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders', credentials: 'include', cookie: 'session=abc' },
    found: [{ at: 'nginx.conf: add_header Access-Control-Allow-Origin' }],
    fix: 'proven',
  },
  {
    title: 'not named: the credentials line may be in the included snippet',
    code: 'credentials-not-allowed',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'cors.conf': 'add_header Access-Control-Allow-Credentials "true" always;\n',
      'nginx.conf': conf(
        `        location /api/ {\n            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n            include cors.conf;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders', credentials: 'include', cookie: 'session=abc' },
    found: [],
    fix: 'none',
  },
  {
    title: 'not named: the page sends no credentials',
    code: 'credentials-not-allowed',
    files: {
      'main.py': APP_WITHOUT_CORS,
      'nginx.conf': conf(
        `        location /api/ {\n            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders' },
    found: [],
    fix: 'none',
  },
  // The trailing-slash 301 of a prefix location.
  {
    title: 'slash: location /api/ strips its prefix (proxy_pass .../), the app serves / ',
    code: 'preflight-redirected',
    files: {
      'main.py': corsApp(
        `    allow_origins=["http://localhost:3000"],\n    allow_methods=["*"],\n    allow_headers=["*"],\n`,
        '@app.post("/")\ndef graphql():\n    return {}\n',
      ),
      'nginx.conf': conf(
        '        location /api/ {\n            proxy_pass http://127.0.0.1:9000/;\n        }\n',
      ),
    },
    page: { path: '/api', method: 'POST', headers: JSON_BODY, body: '{}' },
    found: [{ at: 'nginx.conf: location /api/ {' }],
    fix: 'proven',
    holds: [
      '        location = /api {\n            proxy_pass http://127.0.0.1:9000/;\n        }\n\n        location /api/ {',
    ],
  },
  {
    title: 'slash: proxy_pass without a URI, the app declares /api/: the exact location passes /api/',
    code: 'preflight-redirected',
    files: {
      'main.py': corsApp(
        `    allow_origins=["http://localhost:3000"],\n    allow_methods=["*"],\n    allow_headers=["*"],\n`,
        '@app.post("/api/")\ndef graphql():\n    return {}\n',
      ),
      'nginx.conf': conf(`        location /api/ {\n${PASS}        }\n`),
    },
    page: { path: '/api', method: 'POST', headers: JSON_BODY, body: '{}' },
    found: [{ at: 'nginx.conf: location /api/ {' }],
    fix: 'proven',
    holds: ['location = /api {\n            proxy_pass http://127.0.0.1:9000/api/;'],
  },
  {
    title: 'slash: location /graphql/ passes to /graphql/, the app declares /graphql',
    code: 'preflight-redirected',
    files: {
      'main.py': corsApp(
        `    allow_origins=["http://localhost:3000"],\n    allow_methods=["*"],\n    allow_headers=["*"],\n`,
        '@app.post("/graphql")\ndef graphql():\n    return {}\n',
      ),
      'nginx.conf': conf(
        '        location /graphql/ {\n            proxy_pass http://127.0.0.1:9000/graphql/;\n            proxy_set_header Host $host;\n        }\n',
      ),
    },
    page: { path: '/graphql', method: 'POST', headers: JSON_BODY, body: '{}' },
    found: [{ at: 'nginx.conf: location /graphql/ {' }],
    fix: 'proven',
    holds: [
      'location = /graphql {\n            proxy_pass http://127.0.0.1:9000/graphql;\n            proxy_set_header Host $host;\n        }',
    ],
  },
  {
    title: "slash: a simple GET follows nginx's 301, which lacks the app's CORS headers",
    code: 'redirect-extra-roundtrip',
    files: {
      'main.py': corsApp(
        `    allow_origins=["http://localhost:3000"],\n    allow_methods=["*"],\n    allow_headers=["*"],\n`,
        '@app.get("/")\ndef index():\n    return {}\n',
      ),
      'nginx.conf': conf(
        '        location /api/ {\n            proxy_pass http://127.0.0.1:9000/;\n        }\n',
      ),
    },
    page: { path: '/api' },
    found: [{ at: 'nginx.conf: location /api/ {' }],
    fix: 'proven',
  },
  {
    title: 'not named: the page calls a path under the location',
    code: 'preflight-redirected',
    files: {
      'main.py': CORS_RIGHT,
      'nginx.conf': conf(`        location /api/ {\n${PASS}        }\n`),
    },
    page: { path: '/api/orders/1', method: 'PUT' },
    found: [],
    fix: 'none',
  },
  // Access-Control-Allow-Origin from nginx and from the app.
  {
    title: "duplicate: the app's CORSMiddleware allows the request, nginx's pasted CORS block goes",
    code: 'duplicate-cors-headers',
    files: {
      'main.py': CORS_RIGHT,
      'nginx.conf': conf(
        `        location /api/ {\n${OPTIONS_ANSWER('$http_origin')}            add_header Access-Control-Allow-Origin $http_origin always;\n            add_header Access-Control-Allow-Credentials "true" always;\n            add_header X-Request-Id $request_id always;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders', credentials: 'include', cookie: 'session=abc' },
    found: [
      {
        at: 'nginx.conf: add_header Access-Control-Allow-Origin $http_origin always;',
        related: ['main.py: app.add_middleware('],
      },
    ],
    fix: 'proven',
    holds: ['add_header X-Request-Id $request_id always;'],
    drops: ['Access-Control', 'if ($request_method'],
  },
  {
    title: "duplicate: the server's CORS lines, inherited by the location, go",
    code: 'duplicate-cors-headers',
    files: {
      'main.py': CORS_RIGHT,
      'nginx.conf': conf(
        `        add_header Access-Control-Allow-Origin $http_origin always;\n\n        location /api/ {\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders' },
    found: [
      { at: 'nginx.conf: add_header Access-Control-Allow-Origin', related: ['main.py: app.add_middleware('] },
    ],
    fix: 'proven',
    drops: ['Access-Control'],
  },
  {
    title:
      "duplicate: the app's CORSMiddleware allows only GET, nginx answers preflights: the app's CORSMiddleware goes",
    code: 'duplicate-cors-headers',
    files: {
      'main.py': corsApp('    allow_origins=["http://localhost:3000"],\n', ORDERS_ROUTES),
      'nginx.conf': conf(
        `        location /api/ {\n${OPTIONS_ANSWER()}            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders/1', method: 'PUT', headers: JSON_BODY, body: '{}' },
    found: [
      {
        at: 'main.py: app.add_middleware(',
        related: ['nginx.conf: add_header Access-Control-Allow-Origin "http://localhost:3000" always;'],
      },
    ],
    fix: 'proven',
    drops: ['add_middleware'],
  },
  {
    title: "not named: the app's CORSMiddleware does not answer this origin (it is set for the dev server)",
    code: 'duplicate-cors-headers',
    files: {
      'main.py': corsApp('    allow_origins=["http://localhost:5173"],\n', ORDERS_ROUTES),
      'nginx.conf': conf(
        `        location /api/ {\n            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n${PASS}        }\n`,
      ),
    },
    page: { path: '/api/orders' },
    found: [],
    fix: 'none',
  },
];

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function write(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-nginx-fix-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** `file: text` (`text#n`: its n-th line holding the text) as `file:line`. */
function lineOf(files: Record<string, string>, spec: string): string {
  const [file, rest] = spec.split(/: (.*)/s) as [string, string];
  const [text, nth] = rest.split('#') as [string, string | undefined];
  const lines = (files[file] ?? '').split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  const line = hits[Number(nth ?? 1) - 1];
  if (line === undefined) throw new Error(`no line of ${file} holds ${text}`);
  return `${file}:${line}`;
}

const pageOf = (row: Row): PageFetch => {
  const { path, ...rest } = row.page;
  return {
    url: `http://127.0.0.1:8080${path}`,
    origin: ORIGIN,
    method: 'GET',
    headers: [],
    credentials: 'same-origin',
    ...rest,
  };
};

async function offline(root: string, page: PageFetch): Promise<string[]> {
  const report = await checkWithSource(
    page,
    { browsers: BROWSERS, timeoutMs: 1000 },
    await readProject(root),
    {
      offline: true,
    },
  );
  return BROWSERS.map((b) => `${b}: ${report.browsers[b]?.outcome}`);
}

async function findingsOf(row: Row, root: string): Promise<Finding[]> {
  const page = pageOf(row);
  const scan = scanProject(await readProject(root), {
    origins: [ORIGIN],
    request: {
      method: page.method,
      headers: page.headers,
      credentials: page.credentials,
      ...(!row.withoutUrl && { url: page.url }),
    },
  });
  return scan.findings.filter((f) => f.code === row.code);
}

/** The files the finding's edits change, as they are after them. */
function edited(row: Row, finding: Finding): Record<string, string> {
  const out: Record<string, string> = {};
  for (const edit of finding.fix?.edits ?? []) {
    const file = fileOf(edit);
    out[file] = applyEdit(out[file] ?? (row.files[file] as string), edit);
  }
  return out;
}

describe('nginx fixes, named at the directive and proven by the models', () => {
  it.each(ROWS)('$code: $title', async (row) => {
    const root = write(row.files);
    const findings = await findingsOf(row, root);
    expect(
      findings.map((f) => [`${f.file}:${f.line}`, ...(f.related ?? []).map((r) => `${r.file}:${r.line}`)]),
      findings.map((f) => f.message).join('\n'),
    ).toEqual(
      row.found.map((f) => [lineOf(row.files, f.at), ...(f.related ?? []).map((r) => lineOf(row.files, r))]),
    );
    const first = findings[0];
    if (row.fix === 'none') {
      expect(first?.fix?.edits ?? []).toEqual([]);
      return;
    }
    const after = edited(row, first as Finding);
    const text = Object.values(after).join('\n');
    for (const held of row.holds ?? []) expect(text).toContain(held);
    for (const dropped of row.drops ?? []) expect(text).not.toContain(dropped);
    if (row.fix === 'written') return;
    const page = pageOf(row);
    expect(await offline(root, page)).toEqual(BROWSERS.map((b) => `${b}: blocked`));
    const fixed = write({ ...row.files, ...after });
    expect(await offline(fixed, page)).toEqual(BROWSERS.map((b) => `${b}: allowed`));
    // Fixed, nothing is left to fix for this cause.
    expect((await findingsOf(row, fixed)).filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('every configuration, before and after its fix, is valid for nginx -t', () => {
  const missing = nginxAvailable();
  if (missing && process.env.CI === 'true') throw new Error(`CI needs nginx: ${missing}`);
  it.skipIf(missing !== undefined).each(ROWS)('$code: $title', async (row) => {
    const root = write(row.files);
    const texts = [row.files['nginx.conf'] as string];
    const first = (await findingsOf(row, root))[0];
    if (first && row.fix !== 'none')
      texts.push(...Object.entries(edited(row, first)).flatMap(([f, t]) => (f === 'nginx.conf' ? [t] : [])));
    for (const [i, text] of texts.entries()) {
      const file = join(root, `check-${i}.conf`);
      writeFileSync(file, text);
      expect(nginxRejects(file, root, `pid ${root}/nginx.pid; error_log stderr;`), text).toBeUndefined();
    }
    expect(readFileSync(join(root, 'nginx.conf'), 'utf8')).toBe(row.files['nginx.conf']);
  });
});
