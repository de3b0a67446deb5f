import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastapiAvailable, startUvicorn, type UvicornServer } from '../../src/local-servers/uvicorn.js';

/**
 * The command users run: bin/cors-doctor.cjs and the bundled dist/cli (built by `npm run build`, which the
 * test command runs first). Every other CLI test runs the sources in-process; these rows prove the bundle
 * itself, as a separate process, on the bundled examples and a live uvicorn.
 */
const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/cors-doctor.cjs');
const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

it('the bundle is built (run npm run build)', () => {
  expect(existsSync(join(ROOT, 'dist/cli/main.cjs'))).toBe(true);
});

describe('the bundled CLI, offline', () => {
  it.each([
    {
      title: '--version prints the package version',
      args: ['--version'],
      status: 0,
      expect: (out: string) =>
        expect(out.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version),
    },
    {
      title: 'simulate: a JSON scenario',
      args: ['simulate', '--json', 'examples/scenarios/no-cors-middleware.json'],
      status: 1,
      expect: (out: string) => expect(JSON.stringify(json(out))).toContain('"outcome":"blocked"'),
    },
    {
      title: 'scan: the Python parser loads from the bundle',
      args: ['scan', 'examples/wildcard-credentials', '--origin', 'http://localhost:3000', '--json'],
      status: 1,
      expect: (out: string) => expect(out).toContain('"code": "wildcard-with-credentials"'),
    },
    {
      title: 'check --offline: the source join and the server model from the bundle',
      args: [
        'check',
        'http://127.0.0.1:8000/items',
        '--origin',
        'http://localhost:3000',
        '-X',
        'PUT',
        '--json-body',
        '{}',
        '--project',
        'examples/missing-middleware',
        '--offline',
        '--json',
      ],
      status: 1,
      expect: (out: string) => expect(out).toContain('"code": "no-cors-middleware"'),
    },
    {
      title: 'bad input: one line, exit 2',
      args: ['check', 'localhost:8000/items'],
      status: 2,
      expect: (_out: string, err = '') => expect(err.trim()).toMatch(/^cors-doctor: .*has no scheme/),
    },
  ])('$title', ({ args, status, expect: check }) => {
    const result = run(args);
    expect(result.status, result.stderr).toBe(status);
    check(result.stdout, result.stderr);
  });
});

describe.skipIf(unavailable !== undefined)('the bundled CLI against live uvicorn', () => {
  const servers: Record<string, UvicornServer> = {};
  beforeAll(async () => {
    for (const app of ['correct', 'missing-middleware']) {
      servers[app] = await startUvicorn({ appDir: join(ROOT, 'examples', app), timeoutMs: 20_000 });
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  });

  it.each([
    { app: 'correct', status: 0, outcome: 'allowed', cause: undefined },
    { app: 'missing-middleware', status: 1, outcome: 'blocked', cause: 'no-cors-middleware' },
  ])('check, $app: $outcome', ({ app, status, outcome, cause }) => {
    const url = `${servers[app]?.url}/items/1`;
    const result = run([
      'check',
      url,
      '--origin',
      'http://localhost:3000',
      '-X',
      'PUT',
      '--json-body',
      '{}',
      '--json',
    ]);
    expect(result.status, result.stderr).toBe(status);
    const report = json(result.stdout) as {
      browsers: Record<string, { outcome: string }>;
      causes: Array<{ code: string }>;
    };
    expect(Object.values(report.browsers).map((b) => b.outcome)).toEqual([outcome, outcome]);
    if (cause) expect(report.causes.map((c) => c.code)).toContain(cause);
  });
});
