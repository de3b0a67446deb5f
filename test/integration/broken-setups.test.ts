/**
 * Every broken setup of test/fixtures/broken without nginx in front (nginx-fixes.test.ts runs those):
 * against the live app, `check --project` names the cause with the line the fix is written on first; the module `gen-tests` writes is red; `fix --write` on a copy offers only proven
 * patches, never a backend patch for a frontend problem; the same module is then green, and the patched
 * app, started again, lets the request through.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import { fixProject } from '../../src/analysis/fix-project.js';
import type { PageFetch } from '../../src/core/page.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { BrowserName, CredentialsMode, HeaderList } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';
import { runCli } from '../support/run-cli.js';

interface BrokenCase {
  title: string;
  origin: string;
  request: {
    path: string;
    method: string;
    headers?: Record<string, string>;
    body?: string;
    credentials?: CredentialsMode;
    cookie?: string;
  };
  cause: string;
  /** Null when the fix belongs to code outside the project (the frontend's). */
  fixAt: string | null;
  fixedIn: 'backend' | 'frontend' | 'none';
  serve?: { app?: string; env?: Record<string, string> };
  nginx?: string;
}

const ROOT = 'test/fixtures/broken';
// Setups with nginx in front run in test/integration/nginx-fixes.test.ts: their configuration is written
// with the ports nginx and the app run on, checked and fixed through nginx's URL, and run again.
const SETUPS = readdirSync(ROOT)
  .filter((name) => existsSync(path.join(ROOT, name, 'cors-case.json')))
  .sort()
  .map((name) => ({
    name,
    dir: path.join(ROOT, name),
    case: JSON.parse(readFileSync(path.join(ROOT, name, 'cors-case.json'), 'utf8')) as BrokenCase,
  }))
  .filter((setup) => setup.case.nginx === undefined);

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

const BROWSERS: BrowserName[] = ['chrome', 'firefox'];
const work = await mkdtemp(path.join(tmpdir(), 'cors-doctor-broken-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** The exit status of Debian's pytest on one module. */
const pytest = (file: string): Promise<{ code: number; output: string }> =>
  new Promise((resolve) => {
    execFile(
      '/usr/bin/python3',
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', file],
      { cwd: path.dirname(file), timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          output: stdout + stderr,
        }),
    );
  });

/** `gen-tests` options for the setup's request. */
function genTestsArgs(c: BrokenCase): string[] {
  const args = ['--origin', c.origin, '-X', c.request.method];
  for (const [name, value] of Object.entries(c.request.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (c.request.body !== undefined) args.push('--data', c.request.body);
  if (c.request.credentials) args.push('--credentials', c.request.credentials);
  if (c.request.cookie) args.push('--cookie', c.request.cookie);
  return args;
}

/** Starts the setup's app from `dir`; returns the URL the page calls and how to stop. */
async function serve(dir: string, c: BrokenCase): Promise<{ base: string; stop(): Promise<void> }> {
  const app = await startUvicorn({
    appDir: dir,
    ...(c.serve?.app && { app: c.serve.app }),
    ...(c.serve?.env && { env: c.serve.env }),
    timeoutMs: 20_000,
  });
  return { base: app.url, stop: () => app.stop() };
}

function pageFor(c: BrokenCase, base: string): PageFetch {
  return {
    url: `${base}${c.request.path}`,
    origin: c.origin,
    method: c.request.method,
    headers: Object.entries(c.request.headers ?? {}) as HeaderList,
    credentials: c.request.credentials ?? 'same-origin',
    ...(c.request.body !== undefined && { body: c.request.body }),
    ...(c.request.cookie !== undefined && { cookie: c.request.cookie }),
  };
}

const outcomes = (report: { browsers: Partial<Record<BrowserName, { outcome: string }>> }) =>
  BROWSERS.map((b) => `${b}: ${report.browsers[b]?.outcome}`);

describe.skipIf(unavailable !== undefined)(
  `broken setups, named at the line of the fix and fixed by proven patches${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it.each(SETUPS)('$name', async ({ name, dir, case: c }) => {
      // The live app: blocked, and the cause's first location is where the fix is written.
      const live = await serve(dir, c);
      try {
        const page = pageFor(c, live.base);
        const report = await checkWithSource(
          page,
          { browsers: BROWSERS, timeoutMs: 10_000 },
          await readProject(dir),
        );
        expect(outcomes(report), c.title).not.toEqual(BROWSERS.map((b) => `${b}: allowed`));
        const codes = report.causes.map(
          (x) => `${x.code} @ ${x.locations.map((l) => `${l.file}:${l.line}`).join(' ')}`,
        );
        const cause = report.causes.find((x) => x.code === c.cause);
        expect(cause, codes.join('\n')).toBeDefined();
        const first = cause?.locations[0];
        if (c.fixAt !== null) expect(first && `${first.file}:${first.line}`, codes.join('\n')).toBe(c.fixAt);
      } finally {
        await live.stop();
      }

      // fix --write on a copy: proven patches only, and only in the backend when the fix belongs there.
      const copy = path.join(work, name);
      await cp(dir, copy, { recursive: true });
      // The generated pytest module: red on the broken app.
      const testFile = path.join(work, `test_${name.replaceAll('-', '_')}.py`);
      const url = `http://localhost:8000${c.request.path}`;
      const generated = await runCli([
        'gen-tests',
        url,
        '--project',
        copy,
        ...genTestsArgs(c),
        '--out',
        testFile,
      ]);
      expect(generated.code, generated.stderr).toBe(0);
      expect((await pytest(testFile)).code, 'the generated test is red before the fix').not.toBe(0);

      const { origin: _origin, ...request } = pageFor(c, 'http://localhost:8000');
      const fixed = await fixProject(copy, { request, origins: [c.origin], browsers: BROWSERS, write: true });
      const summary = JSON.stringify(
        { patches: fixed.patches.map((p) => p.code), without: fixed.withoutPatch },
        null,
        1,
      );
      if (c.fixedIn !== 'backend') {
        expect(fixed.patches, summary).toEqual([]);
        expect(
          fixed.withoutPatch.map((w) => w.code),
          summary,
        ).toContain(c.cause);
        return;
      }
      expect(fixed.written?.length ?? 0, summary).toBeGreaterThan(0);
      expect(
        fixed.after.every((v) => Object.values(v.browsers).every((o) => o === 'allowed')),
        summary,
      ).toBe(true);

      // The same generated module is green on the patched app.
      const green = await pytest(testFile);
      expect(green.code, green.output).toBe(0);

      // The patched app, running: the request goes through in every browser.
      const patched = await serve(copy, c);
      try {
        const after = await check(pageFor(c, patched.base), { browsers: BROWSERS, timeoutMs: 10_000 });
        expect(outcomes(after), `${summary}\n${after.causes.map((x) => x.summary).join('\n')}`).toEqual(
          BROWSERS.map((b) => `${b}: allowed`),
        );
      } finally {
        await patched.stop();
      }
    });
  },
);
