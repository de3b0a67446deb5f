/**
 * One verdict: `scan` with the frontend's request (`--origin`, `-X`, `-H`, `--credentials`) and
 * `check URL --project DIR --offline` with the same request reach the same verdict and name the same cause,
 * over every fixture: the FastAPI apps of test/fixtures/fastapi and examples/ with the requests of
 * cases.ts, every broken setup of test/fixtures/broken with its cors-case.json, the nginx setups of
 * nginx.test.ts with its requests (and the PUT with Authorization the page of a logged-in user makes), and
 * the projects of test/fixtures/projects that have routes to call.
 *
 * Both run in-process through the library (`scanProject`, `checkWithSource` with `offline: true`), on the
 * same project read once.
 *
 * - `scan` blocked: an error-level finding about the request; warnings are about other requests.
 * - `check` blocked: some browser blocks the request.
 * - The same cause: an error-level code both name (`check` also names the root causes that the source
 *   findings give through correlate). When the setup's folder names its cause, that cause is among both.
 * - The URL: `scan` has none on the command line. Where a verdict depends on the path, the scheme or the
 *   port (routes, trailing-slash redirects, nginx locations, which app serves it), the scan is given check's
 *   URL, as `check --project` gives it (`ScanOptions.request.url`). The URLs are uvicorn's default
 *   `http://127.0.0.1:8000` for an app, and `http://127.0.0.1:8080` for nginx, whose `@PORT@` is filled with
 *   8080 and `@UPSTREAM@` with 8000 in a copy of the project (test/fixtures/broken/README.md).
 * - A second scan without a URL, as the command line runs it over every app, must reach the same verdict,
 *   except where the verdict depends on the URL: those rows say why (WITHOUT_URL).
 * - Where the two cannot agree for a reason the models cannot settle, the row is an exception
 *   (EXCEPTIONS) with both verdicts as they are and the reason: a change to either side makes it fail.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import { scanProject } from '../../src/analysis/scan.js';
import type { Finding } from '../../src/core/causes.js';
import { UnpredictableAnswerError } from '../../src/core/errors.js';
import type { PageFetch } from '../../src/core/page.js';
import type { CheckReport } from '../../src/core/report.js';
import { appForUrl } from '../../src/evidence/offline.js';
import type { CredentialsMode, HeaderList } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';
import type { Project } from '../../src/project/types.js';
import { FASTAPI_CASES } from '../fixtures/fastapi/cases.js';
import { runCli } from '../support/run-cli.js';

const APP_URL = 'http://127.0.0.1:8000';
const NGINX_URL = 'http://127.0.0.1:8080';

interface Request {
  path: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  credentials?: CredentialsMode;
  cookie?: string;
}

interface Row {
  title: string;
  /** The project folder (a filled copy when nginx is in front). */
  dir: string;
  page: PageFetch;
  /** The cause the setup names for this request, when it names one. */
  cause?: string;
}

const work = mkdtempSync(path.join(tmpdir(), 'cors-doctor-one-verdict-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function pageOf(base: string, origin: string, r: Request): PageFetch {
  return {
    url: `${base}${r.path}`,
    origin,
    method: r.method,
    headers: Object.entries(r.headers ?? {}) as HeaderList,
    credentials: r.credentials ?? 'same-origin',
    ...(r.body !== undefined && { body: r.body }),
    ...(r.cookie !== undefined && { cookie: r.cookie }),
  };
}

/** `template` written as `conf` in `dir`, its placeholders filled as nginx would run it in front of the app. */
function fillNginx(template: string, dir: string, conf: string): void {
  mkdirSync(path.dirname(path.join(dir, conf)), { recursive: true });
  writeFileSync(
    path.join(dir, conf),
    readFileSync(template, 'utf8')
      .replaceAll('@PORT@', new URL(NGINX_URL).port)
      .replaceAll('@UPSTREAM@', new URL(APP_URL).port)
      .replaceAll('@PREFIX@', path.join(work, 'nginx-prefix')),
  );
}

// The FastAPI apps of examples/ and test/fixtures/fastapi, with the requests of cases.ts.
const fastapiRows: Row[] = FASTAPI_CASES.map((c) => ({
  title: `${c.app}: ${c.title}`,
  dir: c.app,
  page: pageOf(APP_URL, c.origin, c.request),
  ...(c.expectedOutcome === 'blocked' && { cause: c.sourceCause ?? c.expectedCause }),
}));

// Every broken setup, with its cors-case.json; those with nginx from a copy with the placeholders filled.
const BROKEN = 'test/fixtures/broken';
const brokenRows: Row[] = readdirSync(BROKEN)
  .filter((name) => existsSync(path.join(BROKEN, name, 'cors-case.json')))
  .sort()
  .map((name) => {
    const c = JSON.parse(readFileSync(path.join(BROKEN, name, 'cors-case.json'), 'utf8')) as {
      title: string;
      origin: string;
      request: Request;
      cause: string;
      nginx?: string;
    };
    let dir = path.join(BROKEN, name);
    if (c.nginx) {
      const copy = path.join(work, 'broken', name);
      cpSync(dir, copy, { recursive: true });
      fillNginx(path.join(dir, c.nginx), copy, c.nginx);
      dir = copy;
    }
    return {
      title: `broken/${name}: ${c.title}`,
      dir,
      page: pageOf(c.nginx ? NGINX_URL : APP_URL, c.origin, c.request),
      cause: c.cause,
    };
  });

// The nginx setups of nginx.test.ts: the app as app/, the configuration as nginx.conf.
const NGINX_SETUPS = {
  'add-header-without-always': ['add-header-without-always/app', 'add-header-without-always/nginx.conf'],
  'answers-preflight': ['behind-proxy/app', 'behind-proxy/answers-preflight.conf'],
  'answers-preflight-incompletely': ['behind-proxy/app', 'behind-proxy/answers-preflight-incompletely.conf'],
  'hides-allow-origin': ['behind-proxy/app', 'behind-proxy/hides-allow-origin.conf'],
  'adds-allow-origin-too': ['behind-proxy/app', 'behind-proxy/adds-allow-origin-too.conf'],
} as const;
type NginxSetup = keyof typeof NGINX_SETUPS;
const JSON_TYPE = { 'Content-Type': 'application/json' };
const ORDER = '{"item":"saw"}';
// The requests of nginx.test.ts, with the cause it sees live (those an endpoint's own error decides are
// allowed offline, which assumes 200: no cause here).
const NGINX_REQUESTS: Array<{ setup: NginxSetup; request: Request; cause?: string }> = [
  { setup: 'add-header-without-always', request: { path: '/orders', method: 'GET' } },
  {
    setup: 'add-header-without-always',
    request: { path: '/orders', method: 'POST', headers: JSON_TYPE, body: ORDER },
  },
  { setup: 'add-header-without-always', request: { path: '/orders/7', method: 'GET' } },
  { setup: 'answers-preflight', request: { path: '/orders', method: 'GET' } },
  {
    setup: 'answers-preflight',
    request: { path: '/orders', method: 'POST', headers: JSON_TYPE, body: ORDER },
    cause: 'proxy-answers-preflight',
  },
  {
    setup: 'answers-preflight-incompletely',
    request: { path: '/orders', method: 'POST', headers: JSON_TYPE, body: ORDER },
    cause: 'proxy-answers-preflight',
  },
  {
    setup: 'answers-preflight-incompletely',
    request: { path: '/orders/7', method: 'DELETE' },
    cause: 'proxy-answers-preflight',
  },
  {
    setup: 'hides-allow-origin',
    request: { path: '/orders', method: 'GET' },
    cause: 'proxy-strips-cors-headers',
  },
  {
    setup: 'hides-allow-origin',
    request: { path: '/orders', method: 'POST', headers: JSON_TYPE, body: ORDER },
    cause: 'proxy-strips-cors-headers',
  },
  {
    setup: 'hides-allow-origin',
    request: { path: '/orders/7', method: 'GET' },
    cause: 'proxy-strips-cors-headers',
  },
  {
    setup: 'adds-allow-origin-too',
    request: { path: '/orders', method: 'GET' },
    cause: 'duplicate-cors-headers',
  },
  {
    setup: 'adds-allow-origin-too',
    request: { path: '/orders', method: 'POST', headers: JSON_TYPE, body: ORDER },
    cause: 'duplicate-cors-headers',
  },
  // The page of a logged-in user, through every setup: a PUT with a token, with and without the session
  // cookie, and a GET with the cookie.
  ...(Object.keys(NGINX_SETUPS) as NginxSetup[]).flatMap((setup) => [
    {
      setup,
      request: {
        path: '/orders/7',
        method: 'PUT',
        headers: { ...JSON_TYPE, Authorization: 'Bearer t0k3n' },
        body: ORDER,
        credentials: 'include' as const,
        cookie: 'session=abc',
      },
    },
    {
      setup,
      request: {
        path: '/orders/7',
        method: 'PUT',
        headers: { ...JSON_TYPE, Authorization: 'Bearer t0k3n' },
        body: ORDER,
      },
    },
    {
      setup,
      request: { path: '/orders', method: 'GET', credentials: 'include' as const, cookie: 'session=abc' },
    },
  ]),
];
const nginxDirs = new Map<NginxSetup, string>();
function nginxProject(setup: NginxSetup): string {
  let dir = nginxDirs.get(setup);
  if (!dir) {
    const [app, conf] = NGINX_SETUPS[setup];
    dir = path.join(work, 'nginx', setup);
    cpSync(path.join('test/fixtures/nginx', app), path.join(dir, 'app'), { recursive: true });
    fillNginx(path.join('test/fixtures/nginx', conf), dir, 'nginx.conf');
    nginxDirs.set(setup, dir);
  }
  return dir;
}
const words = (r: Request) =>
  [
    r.method,
    r.path,
    ...Object.keys(r.headers ?? {}),
    ...(r.credentials === 'include' ? ['with credentials'] : []),
  ].join(' ');
const nginxRows: Row[] = NGINX_REQUESTS.map(({ setup, request, cause }) => ({
  title: `nginx/${setup}: ${words(request)}`,
  dir: nginxProject(setup),
  page: pageOf(NGINX_URL, 'http://localhost:3000', request),
  ...(cause && { cause }),
}));

// The projects of test/fixtures/projects with routes to call. Not here: aliases, env-getenv,
// fullstack-2024-02, pydantic-v1-settings, walk-edge-cases and wrapped-app declare no route (a request
// would only meet the router's 404); they are read by the project tests.
const PROJECTS = 'test/fixtures/projects';
const TOKEN = { Authorization: 'Bearer t0k3n' };
const PROJECT_REQUESTS: Array<{ project: string; origin: string; request: Request; cause?: string }> = [
  {
    project: 'fastapi-pin-092',
    origin: 'http://localhost:3000',
    request: { path: '/me', method: 'GET', headers: TOKEN, credentials: 'include' },
    cause: 'wildcard-with-credentials',
  },
  {
    project: 'fastapi-pin-092',
    origin: 'http://localhost:3000',
    request: { path: '/orders', method: 'GET' },
  },
  {
    project: 'fullstack-template',
    origin: 'http://localhost:5173',
    request: {
      path: '/api/v1/login/access-token',
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=a&password=b',
    },
  },
  {
    project: 'fullstack-template',
    origin: 'http://localhost:5173',
    request: { path: '/api/v1/items/', method: 'GET', headers: TOKEN, credentials: 'include' },
  },
  {
    project: 'middleware-order',
    origin: 'http://localhost:5173',
    request: { path: '/ping', method: 'GET', headers: TOKEN },
    cause: 'preflight-rejected',
  },
  { project: 'middleware-order', origin: 'http://localhost:5173', request: { path: '/ping', method: 'GET' } },
  {
    project: 'pydantic-v1-union-split',
    origin: 'http://localhost:3000',
    request: { path: '/orders', method: 'GET' },
    cause: 'env-origins-misparsed',
  },
  {
    project: 'pydantic-v1-union-split',
    origin: 'http://localhost:5173',
    request: { path: '/orders', method: 'GET' },
  },
  {
    project: 'routes',
    origin: 'http://localhost:3000',
    request: {
      path: '/api/v1/items/1',
      method: 'PUT',
      headers: { ...TOKEN, 'X-API-Key': 'k', ...JSON_TYPE },
      body: '{"name":"saw"}',
    },
    cause: 'method-not-allowed',
  },
  {
    project: 'routes',
    origin: 'http://localhost:3000',
    request: { path: '/api/v1/items', method: 'GET', headers: { 'X-API-Key': 'k' } },
    cause: 'header-not-allowed',
  },
  {
    project: 'routes',
    origin: 'http://localhost:3000',
    request: { path: '/api/v1/items', method: 'GET', headers: TOKEN },
  },
  {
    project: 'simple-literals',
    origin: 'https://shop.example.com',
    request: { path: '/products', method: 'GET', headers: TOKEN, credentials: 'include' },
  },
  {
    project: 'simple-literals',
    origin: 'https://eu.shop.example.com',
    request: { path: '/products', method: 'GET', credentials: 'include' },
  },
  {
    project: 'simple-literals',
    origin: 'https://evil.example.com',
    request: { path: '/products', method: 'GET' },
    cause: 'origin-not-allowed',
  },
  {
    project: 'starlette-app',
    origin: 'https://example.org',
    request: { path: '/submit', method: 'POST', headers: JSON_TYPE, body: '{}' },
  },
  { project: 'starlette-app', origin: 'https://example.org', request: { path: '/', method: 'GET' } },
  { project: 'syntax-error', origin: 'http://localhost:3000', request: { path: '/items', method: 'GET' } },
  {
    project: 'syntax-error',
    origin: 'http://localhost:3000',
    request: { path: '/items', method: 'PUT', headers: JSON_TYPE, body: '{}' },
    cause: 'method-not-allowed',
  },
];
const projectRows: Row[] = PROJECT_REQUESTS.map(({ project, origin, request, cause }) => ({
  title: `projects/${project}: ${words(request)} from ${origin}`,
  dir: path.join(PROJECTS, project),
  page: pageOf(APP_URL, origin, request),
  ...(cause && { cause }),
}));

// Requests the tables above do not make, on which the two once disagreed: a page that forgot its token, met
// outside CORSMiddleware by the auth middleware's 401, which the wire alone cannot tell from an app
// without CORS (check names the causes the source gives).
const moreRows: Row[] = [
  {
    title: 'examples/auth-wraps-cors: GET /items without a token, refused outside CORSMiddleware',
    dir: 'examples/auth-wraps-cors',
    page: pageOf(APP_URL, 'http://localhost:3000', { path: '/items', method: 'GET' }),
    cause: 'preflight-rejected',
  },
];

const ROWS = [...fastapiRows, ...brokenRows, ...nginxRows, ...projectRows, ...moreRows];

/**
 * The requests on which the two cannot agree, each with both verdicts as they are and the reason. A change
 * on either side makes the row fail: then the exception goes, or its reason is rewritten.
 */
const EXCEPTIONS: Record<string, { scan: string; check: string; why: string }> = {
  'examples/wildcard-credentials: GET /me with credentials and a cookie: Starlette echoes the origin': {
    scan: 'blocked: wildcard-with-credentials',
    check: 'allowed',
    why: "scan has no cookie jar: it judges the credentialed request as sent before any cookie is set (a first login), which Starlette 0.26 answers Access-Control-Allow-Origin: *; with the page's session cookie it echoes the origin",
  },
  'projects/starlette-app: POST /submit Content-Type from https://example.org': {
    scan: 'blocked: preflight-rejected',
    check: 'allowed',
    why: "AuthenticationMiddleware runs outside CORSMiddleware and refuses whatever its backend refuses; the backend's code is not read, so the server model lets the preflight through (and says so), while the source shows the risk",
  },
};

/**
 * Rows whose verdict depends on the URL (the path, its scheme, the port): a scan without one, as the
 * command line runs it, cannot reach it. The verdict of that scan, and why.
 */
const WITHOUT_URL: Record<string, { scan: string; why: string }> = {
  [brokenRows.find((r) => r.title.startsWith('broken/https-redirect-actual:'))?.title ?? '']: {
    scan: 'allowed',
    why: 'the page calls http://, which only the URL says: HTTPSRedirectMiddleware inside CORSMiddleware redirects it to https://, another origin (without a URL, a warning)',
  },
  [brokenRows.find((r) => r.title.startsWith('broken/nginx-slash-redirect:'))?.title ?? '']: {
    scan: 'allowed',
    why: "nginx's 301 is for the path /api, without its trailing slash, which only the URL says",
  },
  [brokenRows.find((r) => r.title.startsWith('broken/trailing-slash-route-redirect:'))?.title ?? '']: {
    scan: 'allowed',
    why: "Starlette's 307 to /items/ is for the path /items, which only the URL says",
  },
  'examples/auth-wraps-cors: GET /health (public path, the auth middleware lets it through)': {
    scan: 'blocked: preflight-rejected',
    why: 'require_bearer_token leaves /health alone (PUBLIC_PATHS), which only the path says: without it, the GET without a token is refused outside CORSMiddleware',
  },
  'nginx/add-header-without-always: PUT /orders/7 Content-Type Authorization': {
    scan: 'allowed',
    why: 'the app answers PUT /orders/7 with 405 (its route takes GET only), which nginx passes on without its add_header lines: only the path says which route answers',
  },
};

const projects = new Map<string, Project>();
async function projectOf(dir: string): Promise<Project> {
  let project = projects.get(dir);
  if (!project) {
    project = await readProject(dir);
    projects.set(dir, project);
  }
  return project;
}

const sortedCodes = (codes: string[]) => [...new Set(codes)].sort();

function scanVerdict(findings: Finding[]): { text: string; codes: string[] } {
  const codes = sortedCodes(findings.filter((f) => f.severity === 'error').map((f) => f.code));
  return { text: codes.length > 0 ? `blocked: ${codes.join(', ')}` : 'allowed', codes };
}

function checkVerdict(report: CheckReport): { text: string; codes: string[] } {
  const blocked = Object.values(report.browsers).some((v) => v.outcome === 'blocked');
  const codes = sortedCodes(report.causes.filter((c) => c.severity === 'error').map((c) => c.code));
  return {
    text: blocked ? `blocked: ${codes.join(', ') || '(no cause named)'}` : 'allowed',
    codes: blocked ? codes : [],
  };
}

/** The scan of the row's request: with check's URL (the app serving it only), or without a URL, every app. */
function scanOf(project: Project, page: PageFetch, withUrl: boolean): Finding[] {
  const report = scanProject(project, {
    origins: [page.origin],
    request: {
      method: page.method,
      headers: page.headers,
      credentials: page.credentials,
      ...(withUrl && { url: page.url }),
    },
  });
  if (!withUrl) return report.findings;
  const served = appForUrl(project, page.url);
  const key = served && `${served.source.file}:${served.source.line}`;
  return report.findings.filter((f) => f.app === undefined || f.app === key);
}

describe('scan with a request and check --offline reach one verdict', () => {
  it('every exception and URL-dependent row names a row of the table', () => {
    const titles = ROWS.map((r) => r.title);
    expect(Object.keys(EXCEPTIONS).filter((t) => !titles.includes(t))).toEqual([]);
    expect(Object.keys(WITHOUT_URL).filter((t) => !titles.includes(t))).toEqual([]);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it.each(ROWS)('$title', async (row) => {
    const project = await projectOf(row.dir);
    const report = await checkWithSource(
      row.page,
      { browsers: ['chrome', 'firefox'], timeoutMs: 5000 },
      project,
      {
        offline: true,
      },
    );
    const check = checkVerdict(report);
    const scan = scanVerdict(scanOf(project, row.page, true));
    // The command line's scan: no URL, every app.
    const withoutUrl = scanVerdict(scanOf(project, row.page, false));
    const exception = EXCEPTIONS[row.title];
    if (exception) {
      expect({ scan: scan.text, check: check.text }).toEqual({
        scan: exception.scan,
        check: exception.check,
      });
      expect(withoutUrl.text).toBe(WITHOUT_URL[row.title]?.scan ?? exception.scan);
      return;
    }
    expectOneVerdict(scan, check, row.cause);
    const known = WITHOUT_URL[row.title];
    if (known) expect(withoutUrl.text).toBe(known.scan);
    else expectOneVerdict(withoutUrl, check, row.cause);
  });
});

/** The same verdict; when blocked, a cause both name, and the setup's own cause among them. */
function expectOneVerdict(
  scan: { text: string; codes: string[] },
  check: { text: string; codes: string[] },
  cause: string | undefined,
): void {
  const both = `scan ${scan.text}; check ${check.text}`;
  expect(scan.text.split(':')[0], both).toBe(check.text.split(':')[0]);
  if (check.codes.length === 0) return;
  expect(
    scan.codes.filter((c) => check.codes.includes(c)),
    both,
  ).not.toEqual([]);
  if (cause) {
    expect(check.codes, both).toContain(cause);
    expect(scan.codes, both).toContain(cause);
  }
}

/**
 * The app's own middleware writes Access-Control-Allow-Origin with a value the server model does not compute
 * (the Origin written back, after a test or not): `check --offline` gives no verdict (exit status 3), its
 * reason naming the middleware and the line it writes at, and `scan` with the same request names no
 * error-level finding about it (no "blocked" it cannot know).
 */
const NOT_MODELLED: Array<{ fixture: string; origin: string; request: Request; writer: string }> = [
  {
    fixture: 'custom-endswith',
    origin: 'https://app.example.com',
    request: { path: '/me', method: 'GET', credentials: 'include' },
    writer: 'allow_the_frontend (main.py:14)',
  },
  {
    fixture: 'custom-endswith',
    origin: 'https://evil.com',
    request: { path: '/me', method: 'GET', credentials: 'include' },
    writer: 'allow_the_frontend (main.py:14)',
  },
  {
    fixture: 'custom-echo',
    origin: 'https://app.example.com',
    request: { path: '/me', method: 'GET', credentials: 'include' },
    writer: 'allow_the_caller (main.py:14)',
  },
  {
    fixture: 'custom-echo-preflight',
    origin: 'https://app.example.com',
    request: { path: '/me', method: 'PUT', headers: JSON_TYPE, body: '{}', credentials: 'include' },
    writer: 'cors (main.py:16)',
  },
];

describe('hand-written Access-Control-Allow-Origin: check --offline says unknown, never blocked', () => {
  it.each(NOT_MODELLED)('audit/$fixture: $request.method $request.path from $origin', async (row) => {
    const dir = path.join('test/fixtures/audit', row.fixture);
    const project = await projectOf(dir);
    const page = pageOf(APP_URL, row.origin, row.request);
    const offline = checkWithSource(page, { browsers: ['chrome', 'firefox'], timeoutMs: 5000 }, project, {
      offline: true,
    });
    await expect(offline).rejects.toBeInstanceOf(UnpredictableAnswerError);
    await expect(offline).rejects.toThrow(`${row.writer} writes Access-Control-Allow-Origin`);
    expect(scanVerdict(scanOf(project, page, true)).text).toBe('allowed');
    expect(scanVerdict(scanOf(project, page, false)).text).toBe('allowed');
  });

  it('the command line: exit status 3, one line naming the middleware and its line', async () => {
    const run = await runCli([
      'check',
      `${APP_URL}/me`,
      '--origin',
      'https://app.example.com',
      '--credentials',
      'include',
      '--project',
      'test/fixtures/audit/custom-endswith',
      '--offline',
    ]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/allow_the_frontend \(main\.py:14\) writes Access-Control-Allow-Origin/);
    expect(run.stderr).not.toMatch(/blocked|allowed in/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
