/**
 * The fix, proven: for each broken FastAPI app, `scan --write` patches a copy of the project, then the
 * patched app runs under uvicorn and every browser request of test/fixtures/fastapi/cases.ts for that app
 * is allowed by the browser model on the real answers. The original files are never touched.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { scanProject } from '../../src/analysis/scan.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { HeaderList } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';
import { FASTAPI_CASES } from '../fixtures/fastapi/cases.js';
import { runCli } from '../support/run-cli.js';

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

const FIXED_BY_PATCH = [
  'examples/missing-middleware',
  'examples/auth-wraps-cors',
  'examples/wildcard-credentials',
  'test/fixtures/fastapi/credentials-not-allowed',
  'test/fixtures/fastapi/default-methods',
  'test/fixtures/fastapi/headers-not-allowed',
  'test/fixtures/fastapi/loopback-ip',
  'test/fixtures/fastapi/other-port',
  'test/fixtures/fastapi/trailing-slash',
];

const work = await mkdtemp(path.join(tmpdir(), 'cors-doctor-fix-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** `scan --write` options that describe what the app's frontend does (its cases). */
function scanArgs(app: string): string[] {
  const cases = FASTAPI_CASES.filter((c) => c.app === app);
  const args: string[] = [];
  for (const origin of new Set(cases.map((c) => c.origin))) args.push('--origin', origin);
  const headers = new Set(cases.flatMap((c) => Object.keys(c.request.headers ?? {})));
  for (const name of headers) args.push('-H', `${name}: x`);
  if (cases.some((c) => c.request.credentials === 'include')) args.push('--credentials', 'include');
  return args;
}

describe.skipIf(unavailable !== undefined)(
  `scan --write fixes real FastAPI apps${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it.each(FIXED_BY_PATCH)('%s', async (app) => {
      const copy = path.join(work, app.replaceAll('/', '_'));
      await cp(app, copy, { recursive: true });
      const original = await readFile(path.join(app, 'main.py'), 'utf8');

      const written = await runCli(['scan', copy, ...scanArgs(app), '--write']);
      expect(written.stderr).toMatch(/applied [1-9]\d* fix\(es\), wrote 1 file\(s\): main\.py/);
      expect(await readFile(path.join(app, 'main.py'), 'utf8')).toBe(original);

      // The source is clean now...
      const rescan = scanProject(await readProject(copy), {
        origins: [...new Set(FASTAPI_CASES.filter((c) => c.app === app).map((c) => c.origin))],
      });
      expect(
        rescan.findings.filter((f) => f.severity === 'error').map((f) => `${f.code}: ${f.message}`),
      ).toEqual([]);

      // ...and the running app lets every request of its frontend through.
      const server = await startUvicorn({ appDir: copy, timeoutMs: 20_000 });
      try {
        for (const c of FASTAPI_CASES.filter((x) => x.app === app)) {
          const report = await check(
            {
              url: `${server.url}${c.request.path}`,
              origin: c.origin,
              method: c.request.method,
              headers: Object.entries(c.request.headers ?? {}) as HeaderList,
              credentials: c.request.credentials ?? 'same-origin',
              ...(c.request.body !== undefined && { body: c.request.body }),
              ...(c.request.cookie !== undefined && { cookie: c.request.cookie }),
            },
            { browsers: ['chrome', 'firefox'], timeoutMs: 5000 },
          );
          expect({
            title: c.title,
            chrome: report.browsers.chrome?.outcome,
            firefox: report.browsers.firefox?.outcome,
          }).toEqual({
            title: c.title,
            chrome: 'allowed',
            firefox: 'allowed',
          });
        }
      } finally {
        await server.stop();
      }
    });
  },
);
