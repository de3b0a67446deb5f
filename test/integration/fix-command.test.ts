/**
 * `cors-doctor fix` through the CLI: what it prints for each kind of project, its exit statuses, the proof
 * in its JSON, and `--write` keeping the bytes of the lines it does not change.
 */
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/core/audit.js';
import type { FixReport } from '../../src/core/fix-report.js';
import { fastapiAvailable } from '../../src/local-servers/uvicorn.js';
import { answerTo, serve } from '../support/audit-server.js';
import { runCli } from '../support/run-cli.js';

const work = await mkdtemp(path.join(tmpdir(), 'cors-doctor-fix-command-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const ORIGIN = 'http://localhost:3000';
const empty = await mkdtemp(path.join(tmpdir(), 'cors-doctor-fix-empty-'));
afterAll(() => rm(empty, { recursive: true, force: true }));

async function copyOf(dir: string): Promise<string> {
  const copy = path.join(work, `${path.basename(dir)}-${Math.random().toString(36).slice(2, 8)}`);
  await cp(dir, copy, { recursive: true });
  return copy;
}

describe('fix', () => {
  it.each([
    {
      dir: 'examples/auth-wraps-cors',
      args: ['--url', 'http://localhost:8000/items', '-H', 'Authorization: Bearer t'],
      patches: ['preflight-rejected'],
    },
    {
      dir: 'examples/wildcard-credentials',
      args: ['--url', 'http://localhost:8000/me', '--credentials', 'include'],
      patches: ['wildcard-with-credentials'],
    },
    {
      dir: 'examples/missing-middleware',
      args: ['--url', 'http://localhost:8000/items', '-X', 'POST', '--json-body', '{}'],
      patches: ['no-cors-middleware'],
    },
    { dir: 'examples/correct', args: ['--url', 'http://localhost:8000/items'], patches: [] },
  ])('$dir: offers $patches, each proven', async ({ dir, args, patches }) => {
    const run = await runCli(['fix', dir, '--origin', ORIGIN, ...args, '--json']);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(report.patches.map((p) => p.code)).toEqual(patches);
    for (const patch of report.patches) {
      expect(patch.proof.opened).toEqual([]);
      expect(patch.proof.dropped).toEqual([]);
      expect(patch.proof.method).toMatch(
        /^applied in memory; every request answered by the Starlette 0\.26\.1 model/,
      );
      expect(patch.patch).toMatch(/^--- a\/main\.py\n\+\+\+ b\/main\.py\n/);
    }
    expect(report.after.map((v) => v.browsers)).toEqual([{ chrome: 'allowed', firefox: 'allowed' }]);
    // Nothing is written without --write: 1 while a patch waits, 0 when there is nothing to fix.
    expect(run.code).toBe(patches.length > 0 ? 1 : 0);
  });

  it('--write keeps a Latin-1, CRLF file byte for byte on the lines it does not change', async () => {
    const copy = await copyOf('examples/wildcard-credentials');
    const file = path.join(copy, 'main.py');
    const original = (await readFile(file, 'utf8')).replace('# Allow everything', '# Café: allow everything');
    const bytes = Buffer.from(original.replaceAll('\n', '\r\n'), 'latin1');
    await writeFile(file, bytes);
    const run = await runCli([
      'fix',
      copy,
      '--origin',
      ORIGIN,
      '--url',
      'http://localhost:8000/me',
      '--credentials',
      'include',
      '--json',
      '--write',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as FixReport;
    expect(report.written).toEqual(['main.py']);
    const after = await readFile(file);
    const expected = Buffer.from(
      original.replace('allow_origins=["*"]', `allow_origins=["${ORIGIN}"]`).replaceAll('\n', '\r\n'),
      'latin1',
    );
    expect(after.equals(expected)).toBe(true);
  });

  it.each([
    [
      'no --origin',
      ['examples/correct'],
      2,
      /fix needs the frontend origins that must work: --origin ORIGIN/,
    ],
    [
      'no such folder',
      ['/nonexistent/backend', '--origin', ORIGIN],
      2,
      /\/nonexistent\/backend: no such directory/,
    ],
    [
      'sarif',
      ['examples/correct', '--origin', ORIGIN, '--format', 'sarif'],
      2,
      /--format of fix is text, json/,
    ],
    ['a folder without an app', [empty, '--origin', ORIGIN], 3, /no FastAPI or Starlette app found/],
  ])('%s: one line and its exit status', async (_name, args, code, message) => {
    const run = await runCli(['fix', ...args]);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--write refuses a read-only file with one line and writes nothing', async () => {
    const copy = await copyOf('examples/wildcard-credentials');
    const file = path.join(copy, 'main.py');
    const before = await readFile(file);
    await chmod(file, 0o444);
    const run = await runCli([
      'fix',
      copy,
      '--origin',
      ORIGIN,
      '--url',
      'http://localhost:8000/me',
      '--credentials',
      'include',
      '--write',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('cors-doctor: fix --write: cannot write main.py: permission denied (EACCES)\n');
    expect((await readFile(file)).equals(before)).toBe(true);
  });
});

const inCI = process.env.CI === 'true';
const noServer = await fastapiAvailable();
if (noServer && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${noServer}`);

// Hand-written CORS on the real server: fix's verdict is not modelled (never "blocked"), it adds no
// CORSMiddleware in front of the middleware that writes the origin back, and the patch it writes closes
// the hole: restarted, the server answers the trusted origin and no other, and an audit finds nothing.
describe.skipIf(noServer !== undefined)('fix --write on hand-written CORS, then the real server', () => {
  it.each([
    {
      fixture: 'test/fixtures/audit/custom-endswith',
      trusted: 'https://app.example.com',
      attackers: ['https://attacker-example.com', 'http://app.example.com'],
      patches: ['origin-suffix-bypass'],
    },
  ])('$fixture', async ({ fixture, trusted, attackers, patches }) => {
    const c = JSON.parse(await readFile(path.join(fixture, 'audit-case.json'), 'utf8')) as { path: string };
    const copy = await copyOf(fixture);
    let server = await serve(copy, {});
    try {
      const url = `${server.url}${c.path}`;
      // The hole is real: the attacking origins read with cookies before the patch.
      for (const origin of attackers)
        expect((await answerTo(url, origin, true)).allowOrigin, origin).toEqual([origin]);
      const args = ['fix', copy, '--origin', trusted, '--url', url, '--credentials', 'include', '--json'];
      const report = JSON.parse((await runCli(args)).stdout) as FixReport;
      expect(report.before.map((v) => v.browsers)).toEqual([
        { chrome: 'unpredictable', firefox: 'unpredictable' },
      ]);
      expect(report.notes.join('\n')).toMatch(
        /the request from https:\/\/app\.example\.com is not modelled \(allow_the_frontend writes Access-Control-Allow-Origin/,
      );
      expect(report.patches.map((p) => p.code)).toEqual(patches);
      expect(JSON.stringify(report)).not.toContain('no-cors-middleware');
      expect(report.after.map((v) => v.browsers)).toEqual([{ chrome: 'allowed', firefox: 'allowed' }]);
      const written = await runCli([...args, '--write']);
      expect((JSON.parse(written.stdout) as FixReport).written).toEqual(['main.py']);
      await server.stop();
      server = await serve(copy, {});
      const patched = `${server.url}${c.path}`;
      expect(await answerTo(patched, trusted, true)).toEqual({
        allowOrigin: [trusted],
        allowCredentials: ['true'],
      });
      for (const origin of attackers)
        expect((await answerTo(patched, origin, true)).allowOrigin, origin).toEqual([]);
      const audit = await runCli(['audit', patched, '--origin', trusted, '--project', copy, '--json']);
      expect(audit.stderr).toBe('');
      expect((JSON.parse(audit.stdout) as AuditReport).findings).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
