/**
 * A project that pins only `fastapi==0.92.0`: `check --offline` must model the Starlette that FastAPI
 * release brings (0.25.x, from FastAPI's requirement `starlette>=0.25.0,<0.26.0`), not the newest one, and
 * agree with the same app under real uvicorn (Debian's FastAPI 0.92.0 on Starlette 0.26.1). With
 * `allow_origins=["*"]` and `allow_credentials=True`, Starlette before 1.0 answers a credentialed request
 * without a cookie with `Access-Control-Allow-Origin: *`, which browsers block; from 1.0 it echoes the origin.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import type { CheckReport } from '../../src/core/report.js';
import { appForUrl, modelTransport } from '../../src/evidence/offline.js';
import type { ProbeOptions } from '../../src/evidence/probe/probe.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { CredentialsMode, HeaderList } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';
import type { Project } from '../../src/project/types.js';
import { NEWEST_STARLETTE, projectStarletteVersion } from '../../src/python/starlette-version.js';
import { runCli } from '../support/run-cli.js';
import { PROJECTS } from '../unit/python/helpers.js';

const DIR = join(PROJECTS, 'fastapi-pin-092');
const ORIGIN = 'http://localhost:5173';
const SOURCE = 'fastapi==0.92.0 in requirements.txt:1 (FastAPI 0.92.0 requires starlette>=0.25.0,<0.26.0)';
const OPTIONS: ProbeOptions = { browsers: ['chrome', 'firefox'], timeoutMs: 5000 };

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

interface Row {
  title: string;
  path: string;
  headers: HeaderList;
  credentials: CredentialsMode;
  cookie?: string;
  outcome: 'allowed' | 'blocked';
  cause?: string;
  /** What the newest Starlette would answer: where it differs, assuming it was the bug. */
  newest: 'allowed' | 'blocked';
}

const ROWS: Row[] = [
  {
    title: 'GET /orders with credentials, no cookie yet',
    path: '/orders',
    headers: [],
    credentials: 'include',
    outcome: 'blocked',
    cause: 'wildcard-with-credentials',
    newest: 'allowed',
  },
  {
    title: 'GET /me with a Bearer token and credentials (preflight, then ACAO *)',
    path: '/me',
    headers: [['Authorization', 'Bearer t0k3n']],
    credentials: 'include',
    outcome: 'blocked',
    cause: 'wildcard-with-credentials',
    newest: 'allowed',
  },
  {
    title: 'GET /me with credentials and a session cookie: the origin is echoed',
    path: '/me',
    headers: [],
    credentials: 'include',
    cookie: 'session=1',
    outcome: 'allowed',
    newest: 'allowed',
  },
  {
    title: 'GET /orders without credentials: ACAO * is fine',
    path: '/orders',
    headers: [],
    credentials: 'same-origin',
    outcome: 'allowed',
    newest: 'allowed',
  },
];

const page = (row: Row, base: string) => ({
  url: `${base}${row.path}`,
  origin: ORIGIN,
  method: 'GET',
  headers: row.headers,
  credentials: row.credentials,
  ...(row.cookie !== undefined && { cookie: row.cookie }),
});

/** The CORS header lines of each exchange, in order: what the model must reproduce. */
const corsLines = (report: CheckReport) =>
  report.exchanges.map((x) => ({
    kind: x.kind,
    request: `${x.request.method} ${new URL(x.request.url).pathname}`,
    cors: (x.response?.headers ?? [])
      .filter(([n]) => /^(access-control-|vary$)/i.test(n))
      .map(([n, v]) => `${n.toLowerCase()}: ${v}`),
  }));

const errorCodes = (report: CheckReport) =>
  report.causes.filter((c) => c.severity === 'error').map((c) => c.code);

describe('the Starlette version of a project that pins only fastapi==0.92.0', () => {
  let project: Project;
  beforeAll(async () => {
    project = await readProject(DIR);
  });

  it('is read from the FastAPI pin, and says so', () => {
    expect(projectStarletteVersion(project)).toEqual({
      version: '0.25.0',
      source: SOURCE,
      assumed: false,
      basis: 'fastapi',
    });
  });

  it.each(ROWS)('offline: $title -> $outcome', async (row) => {
    const report = await checkWithSource(page(row, 'http://127.0.0.1:8000'), OPTIONS, project, {
      offline: true,
    });
    expect(report.offline).toMatchObject({
      starletteVersion: '0.25.0',
      versionAssumed: false,
      versionSource: SOURCE,
    });
    expect(report.project?.versionSource).toBe(SOURCE);
    expect(report.browsers.chrome?.outcome).toBe(row.outcome);
    expect(report.browsers.firefox?.outcome).toBe(row.outcome);
    if (row.cause) expect(errorCodes(report)).toContain(row.cause);
    else expect(errorCodes(report)).toEqual([]);
  });

  it.each(ROWS)('with the newest Starlette assumed instead: $title -> $newest', async (row) => {
    const url = `http://127.0.0.1:8000${row.path}`;
    const app = appForUrl(project, url);
    expect(app).toBeDefined();
    const report = await check(page(row, 'http://127.0.0.1:8000'), {
      ...OPTIONS,
      transport: modelTransport(app as NonNullable<typeof app>, { starletteVersion: NEWEST_STARLETTE }),
    });
    expect(report.browsers.chrome?.outcome).toBe(row.newest);
  });

  it('check --offline prints where the version came from, in text and JSON', async () => {
    const args = ['check', 'http://127.0.0.1:8000/orders', '--origin', ORIGIN, '--project', DIR, '--offline'];
    const json = await runCli([...args, '--credentials', 'include', '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as CheckReport;
    expect(report.offline).toMatchObject({
      starletteVersion: '0.25.0',
      versionAssumed: false,
      versionSource: SOURCE,
    });
    expect(report.causes.map((c) => c.code)).toContain('wildcard-with-credentials');
    const text = await runCli([...args, '--credentials', 'include']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('with the Starlette 0.25.0 model');
    expect(text.stdout).toContain(`Starlette 0.25.0: ${SOURCE}.`);
  });

  it('scan prints where the version came from, in text and JSON', async () => {
    const json = await runCli(['scan', DIR, '--json']);
    expect(JSON.parse(json.stdout).starletteVersion).toEqual({ version: '0.25.0', source: SOURCE });
    const text = await runCli(['scan', DIR]);
    expect(text.stdout).toContain(`Starlette 0.25.0: ${SOURCE}.`);
  });
});

describe.skipIf(unavailable !== undefined)(
  `the same app under real uvicorn${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let server: Awaited<ReturnType<typeof startUvicorn>>;
    let project: Project;
    beforeAll(async () => {
      server = await startUvicorn({ appDir: DIR, timeoutMs: 20_000 });
      project = await readProject(DIR);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('check --project (live) says where the version came from', async () => {
      const report = await checkWithSource(page(ROWS[0] as Row, server.url), OPTIONS, project);
      expect(report.offline).toBeUndefined();
      expect(report.project).toMatchObject({ starletteVersion: '0.25.0', versionSource: SOURCE });
    });

    it.each(ROWS)('live and offline agree: $title -> $outcome', async (row) => {
      const live = await check(page(row, server.url), OPTIONS);
      const offline = await checkWithSource(page(row, server.url), OPTIONS, project, { offline: true });
      expect(live.browsers.chrome?.outcome).toBe(row.outcome);
      expect(live.browsers.firefox?.outcome).toBe(row.outcome);
      expect(offline.browsers.chrome?.outcome).toBe(live.browsers.chrome?.outcome);
      expect(offline.browsers.firefox?.outcome).toBe(live.browsers.firefox?.outcome);
      expect(offline.browsers.chrome?.messages).toEqual(live.browsers.chrome?.messages);
      expect(corsLines(offline)).toEqual(corsLines(live));
      if (row.cause) {
        expect(errorCodes(live)).toContain(row.cause);
        expect(errorCodes(offline)).toContain(row.cause);
      }
    });
  },
);
