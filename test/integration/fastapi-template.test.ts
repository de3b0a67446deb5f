/**
 * Projects in the shape of the FastAPI full-stack template (backend/app/core/config.py, backend/app/main.py,
 * the `.env` one folder above backend/): origins from a settings field filled from `.env`, a property joining
 * them with FRONTEND_HOST, comma lists split by a before-validator, pydantic URL types. `scan` names the cause
 * at the line the fix is written on; `check --project --offline` agrees; where Debian's pydantic can run the
 * app (pydantic 1.10: the template's older settings), the live app served from backend/ agrees too.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import { runCli } from '../support/run-cli.js';

const ROOT = 'test/fixtures/fastapi';
const REQUEST = ['-X', 'POST', '-H', 'Content-Type: application/json', '--credentials', 'include'];

interface Row {
  name: string;
  project: string;
  origin: string;
  /** `code file:line` of each finding, in order; empty: no problem. */
  findings: string[];
  /** The line the offered patch writes (`+` lines of its diff), when one is offered. */
  patched?: string;
  /** The file the patch writes; `.env` unless said. */
  patchedFile?: string;
  /** The browsers' outcome offline (and live, when the app runs under Debian's pydantic). */
  outcome: 'allowed' | 'blocked';
  /** The first cause of the check and its first location. */
  cause?: string;
  live?: boolean;
}

const ROWS: Row[] = [
  {
    name: 'current template, the frontend of FRONTEND_HOST: allowed',
    project: 'template-current',
    origin: 'http://localhost:5173',
    findings: [],
    outcome: 'allowed',
  },
  {
    name: 'current template, a frontend missing from BACKEND_CORS_ORIGINS: the .env line',
    project: 'template-current',
    origin: 'http://localhost:3000',
    findings: ['origin-not-allowed .env:13'],
    patched:
      'BACKEND_CORS_ORIGINS="http://localhost,http://localhost:5173,https://localhost,http://localhost:3000"',
    outcome: 'blocked',
    cause: 'origin-not-allowed .env:13',
  },
  {
    name: 'pydantic v2 AnyUrl without the strip: every origin gets a "/", stripped where the URLs become strings',
    project: 'template-v2-no-strip',
    origin: 'http://localhost:5173',
    findings: ['env-origins-misparsed backend/app/main.py:11', 'origin-not-allowed backend/app/main.py:11'],
    patched: '        allow_origins=[str(origin).rstrip("/") for origin in settings.BACKEND_CORS_ORIGINS],',
    patchedFile: 'backend/app/main.py',
    outcome: 'blocked',
    cause: 'origin-malformed backend/app/main.py:11',
  },
  {
    name: 'older template (pydantic 1.10, JSON list in .env), a listed frontend: allowed',
    project: 'template-v1',
    origin: 'http://localhost:3000',
    findings: [],
    outcome: 'allowed',
    live: true,
  },
  {
    name: 'older template, the frontend missing from the JSON list: the .env line',
    project: 'template-v1',
    origin: 'http://localhost:5173',
    findings: ['origin-not-allowed .env:4'],
    patched:
      'BACKEND_CORS_ORIGINS=["http://localhost", "http://localhost:3000", "https://localhost", "http://localhost:5173"]',
    outcome: 'blocked',
    cause: 'origin-not-allowed .env:4',
    live: true,
  },
];

interface JsonFinding {
  code: string;
  file: string;
  line: number;
  fix?: { patch?: string };
}
interface JsonCheck {
  browsers: Record<string, { outcome: string }>;
  causes: Array<{ code: string; locations: Array<{ file: string; line: number }> }>;
}

async function scan(project: string, origin: string): Promise<JsonFinding[]> {
  const out = await runCli(['scan', project, '--origin', origin, ...REQUEST, '--format', 'json']);
  expect(out.stderr).toBe('');
  return (JSON.parse(out.stdout) as { findings: JsonFinding[] }).findings;
}

async function checkProject(url: string, project: string, origin: string, offline: boolean) {
  const out = await runCli([
    'check',
    url,
    '--origin',
    origin,
    ...REQUEST,
    '--project',
    project,
    ...(offline ? ['--offline'] : []),
    '--format',
    'json',
  ]);
  const report = JSON.parse(out.stdout) as JsonCheck;
  const outcomes = [...new Set(Object.values(report.browsers).map((b) => b.outcome))];
  const first = report.causes[0];
  const loc = first?.locations[0];
  return { outcomes, cause: first && `${first.code} ${loc?.file}:${loc?.line}` };
}

const added = (patch: string | undefined) =>
  (patch ?? '')
    .split('\n')
    .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
    .map((l) => l.slice(1));

const work = await mkdtemp(path.join(tmpdir(), 'cors-doctor-template-'));
afterAll(() => rm(work, { recursive: true, force: true }));

describe('the full-stack template: scan and the offline check', () => {
  it.each(ROWS)('$name', async (row) => {
    const project = path.join(ROOT, row.project);
    const findings = await scan(project, row.origin);
    expect(findings.map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(row.findings);
    const patches = findings.flatMap((f) => (f.fix?.patch ? [f.fix.patch] : []));
    expect(patches.flatMap(added)).toEqual(row.patched ? [row.patched] : []);

    const offline = await checkProject('http://localhost:8000/api/v1/items/', project, row.origin, true);
    expect(offline.outcomes).toEqual([row.outcome]);
    if (row.cause) expect(offline.cause).toBe(row.cause);

    // The patch written on a copy: the offline check then lets the request through.
    if (row.patched) {
      const copy = path.join(work, `${row.project}-${row.origin.replace(/\W/g, '')}`);
      await cp(project, copy, { recursive: true });
      const written = await runCli(['scan', copy, '--origin', row.origin, ...REQUEST, '--write']);
      expect(written.code, written.stderr).not.toBe(2);
      expect(await readFile(path.join(copy, row.patchedFile ?? '.env'), 'utf8')).toContain(row.patched);
      const after = await checkProject('http://localhost:8000/api/v1/items/', copy, row.origin, true);
      expect(after.outcomes).toEqual(['allowed']);
    }
  });
});

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  `the older template served from backend/ under uvicorn${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it.each(ROWS.filter((r) => r.live))('$name: live and offline agree', async (row) => {
      const project = path.join(ROOT, row.project);
      // As the template runs it: from backend/, so settings read ../.env.
      const app = await startUvicorn({
        appDir: path.join(project, 'backend'),
        app: 'app.main:app',
        timeoutMs: 20_000,
      });
      try {
        const url = `${app.url}/api/v1/items/`;
        const live = await checkProject(url, project, row.origin, false);
        const offline = await checkProject(url, project, row.origin, true);
        expect(live.outcomes).toEqual([row.outcome]);
        expect(live).toEqual(offline);
        if (row.cause) expect(live.cause).toBe(row.cause);
      } finally {
        await app.stop();
      }
      if (!row.patched) return;
      // The patched copy, served the same way: the request goes through.
      const copy = path.join(work, `live-${row.project}-${row.origin.replace(/\W/g, '')}`);
      await cp(project, copy, { recursive: true });
      await runCli(['scan', copy, '--origin', row.origin, ...REQUEST, '--write']);
      const patched = await startUvicorn({
        appDir: path.join(copy, 'backend'),
        app: 'app.main:app',
        timeoutMs: 20_000,
      });
      try {
        const after = await checkProject(`${patched.url}/api/v1/items/`, copy, row.origin, false);
        expect(after).toEqual({ outcomes: ['allowed'], cause: undefined });
      } finally {
        await patched.stop();
      }
    });
  },
);
