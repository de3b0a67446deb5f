/**
 * `cors-doctor audit` against real servers: each fixture of test/fixtures/audit/ is a tiny FastAPI app
 * (under uvicorn), some behind a real nginx, with an `audit-case.json` naming the trusted origins and the
 * findings expected (none for the safe ones). Every finding is then proven again by sending its attacking
 * origin (with a cookie when the finding says credentials), and `scan` names the same codes from the
 * fixture's source; with `--project`, every patch offered is applied to a copy of the app, which then
 * refuses the attacking origin and still serves the trusted ones.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { SECURITY_CODES } from '../../src/audit/project.js';
import type { AuditReport } from '../../src/core/audit.js';
import type { CauseCode } from '../../src/core/causes.js';
import { nginxAvailable } from '../../src/local-servers/nginx.js';
import { fastapiAvailable, freePort } from '../../src/local-servers/uvicorn.js';
import { answerTo, deployed, includedFiles, serve, template } from '../support/audit-server.js';
import { runCli } from '../support/run-cli.js';

const inCI = process.env.CI === 'true';
const unavailable = (await fastapiAvailable()) ?? nginxAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and nginx: ${unavailable}`);

const FIXTURES = 'test/fixtures/audit';

interface AuditCase {
  name: string;
  description: string;
  origins: string[];
  path: string;
  /** An nginx configuration template in front of the app (`@PORT@`, `@UPSTREAM@`). */
  nginx?: string;
  /** The app's folder, when not the fixture's own. */
  app?: string;
  /** The file the findings are written at, when not the app's main.py or nginx's configuration. */
  source?: string;
  expected: Array<{ code: string; origin?: string; credentials: boolean }>;
  /** With `--project`, each finding comes with a patch (proven by the server model). */
  patched?: boolean;
  /** Where `scan` names other security codes than the audit does from the same source: which, and why. */
  scan?: { codes: string[]; why: string };
}

const CASES: AuditCase[] = readdirSync(FIXTURES)
  .sort()
  .map((name) => ({ name, ...JSON.parse(readFileSync(join(FIXTURES, name, 'audit-case.json'), 'utf8')) }));

const work = mkdtempSync(join(tmpdir(), 'cors-doctor-audit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The finding is proven by a preflight: its reproducing command is one. */
const byPreflight = (f: { reproduce?: string }) => f.reproduce?.includes('-X OPTIONS') === true;

const auditArgs = (url: string, c: AuditCase) => [
  'audit',
  url,
  ...c.origins.flatMap((o) => ['--origin', o]),
  '--json',
];

/** The security codes `scan` names from the fixture's source, as a sorted set. */
async function scannedCodes(dir: string, c: AuditCase): Promise<string[]> {
  const run = await runCli(['scan', dir, ...c.origins.flatMap((o) => ['--origin', o]), '--json']);
  const findings = (JSON.parse(run.stdout) as { findings: Array<{ code: CauseCode }> }).findings;
  return [...new Set(findings.map((f) => f.code).filter((code) => SECURITY_CODES.includes(code)))].sort();
}

describe.skipIf(unavailable !== undefined)('audit against real FastAPI apps and nginx', () => {
  // Live and from source: the audit's codes are the expected ones, and scan names the same codes from the
  // fixture's source (or the case says which it names instead, and why).
  it.each(CASES)('$name: $description', async (c) => {
    const dir = join(FIXTURES, c.name);
    const server = await serve(dir, c);
    try {
      const url = `${server.url}${c.path}`;
      const run = await runCli(auditArgs(url, c));
      const report = JSON.parse(run.stdout) as AuditReport;
      const codes = [...new Set(report.findings.map((f) => f.code))].sort();
      expect(codes).toEqual([...new Set(c.expected.map((e) => e.code))].sort());
      if (c.scan) expect(c.scan.why).not.toBe('');
      expect(await scannedCodes(dir, c), 'scan names the codes audit names').toEqual(c.scan?.codes ?? codes);
      for (const e of c.expected) {
        const finding = report.findings.find((f) => f.code === e.code);
        expect(finding?.credentials).toBe(e.credentials);
        if (e.origin) expect(finding?.origin).toBe(e.origin);
      }
      const serious = report.findings.some((f) => f.severity !== 'info');
      expect(run.code).toBe(serious ? 1 : 0);
      expect(report.probes.length).toBeLessThanOrEqual(40);
      // The trusted origins were tried, with and without a cookie.
      for (const origin of c.origins)
        expect(
          report.probes
            .filter((p) => p.origin === origin && p.kind === 'actual')
            .map((p) => p.credentials)
            .sort(),
        ).toEqual([false, true]);
      // Each finding is reproduced by sending its origin again.
      for (const f of report.findings) {
        const again = await answerTo(url, f.origin, f.credentials, byPreflight(f));
        expect(again.allowOrigin, `${f.code} from ${f.origin}`).toEqual([f.origin]);
        if (f.credentials) expect(again.allowCredentials).toEqual(['true']);
        expect(f.reproduce).toContain(f.origin);
      }
    } finally {
      await server.stop();
    }
  });

  // With --project: each finding at its place in the source, and each patch offered closes the hole on the
  // real server while the trusted origins keep working.
  it.each(CASES.filter((c) => c.expected.length > 0))(
    '$name with --project: findings at their lines, patches proven on the real server',
    async (c) => {
      const dir = join(FIXTURES, c.name);
      const server = await serve(dir, c);
      const source = c.source ?? c.nginx ?? 'main.py';
      // The project as deployed: nginx's configuration with its placeholders filled in.
      const project = c.nginx ? deployed(dir, c.nginx, server, work) : dir;
      let report: AuditReport;
      try {
        const run = await runCli([...auditArgs(`${server.url}${c.path}`, c), '--project', project]);
        expect(run.stderr).toBe('');
        report = JSON.parse(run.stdout) as AuditReport;
      } finally {
        await server.stop();
      }
      expect(report.findings.length).toBeGreaterThan(0);
      for (const f of report.findings) {
        // A code the case says scan cannot see from source has no place in it: the audit says so.
        if (c.scan && !c.scan.codes.includes(f.code)) {
          expect(f.locations).toEqual([]);
          expect(f.evidence).toContain('source: no finding in the project explains it');
          continue;
        }
        expect(f.locations.length, `${f.code} has a place in the source`).toBeGreaterThan(0);
        for (const l of f.locations) expect(l.file).toBe(source);
        if (c.patched)
          expect(f.fix?.patch, `${f.code} comes with a patch`).toMatch(new RegExp(`^--- a/${source}\n`));
      }
      for (const f of report.findings.filter((x) => x.fix?.patch)) {
        const copy = join(work, `${c.name}-${f.code}`);
        cpSync(project, copy, { recursive: true });
        const applied = spawnSync('patch', ['-p1', '-s'], {
          cwd: copy,
          input: f.fix?.patch,
          encoding: 'utf8',
        });
        expect(applied.status, applied.stderr).toBe(0);
        // The configuration and the files it includes turned back into templates.
        if (c.nginx)
          for (const file of [c.nginx, ...includedFiles(copy, c.nginx).flatMap((i) => i.files)])
            writeFileSync(join(copy, file), template(readFileSync(join(copy, file), 'utf8'), server));
        const patched = await serve(copy, c);
        try {
          const url = `${patched.url}${c.path}`;
          expect((await answerTo(url, f.origin, f.credentials, byPreflight(f))).allowOrigin).toEqual([]);
          for (const origin of c.origins)
            expect((await answerTo(url, origin, true, byPreflight(f))).allowOrigin).toEqual([origin]);
        } finally {
          await patched.stop();
        }
      }
    },
  );

  it('text, SARIF, a small budget and a slow rate, on one insecure app', async () => {
    const c = CASES.find((x) => x.name === 'regex-suffix') as AuditCase;
    const dir = join(FIXTURES, c.name);
    const server = await serve(dir, c);
    try {
      const url = `${server.url}${c.path}`;
      const text = await runCli(['audit', url, '--origin', 'https://app.example.com']);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(
        'origin-suffix-bypass (error)  from https://attacker-example.com with cookies',
      );
      expect(text.stdout).toMatch(/Reproduce: curl .*'Origin: https:\/\/attacker-example\.com'/);
      expect(text.stdout).toMatch(/1 finding\(s\), 1 of severity error or warning\.\n$/);

      const sarif = await runCli([
        'audit',
        url,
        '--origin',
        'https://app.example.com',
        '--project',
        dir,
        '--format',
        'sarif',
      ]);
      const run = JSON.parse(sarif.stdout).runs[0];
      expect(run.results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['origin-suffix-bypass']);
      expect(run.results[0].locations[0].physicalLocation).toEqual({
        artifactLocation: { uri: 'main.py', uriBaseId: 'SRCROOT' },
        region: { startLine: 9 },
      });
      expect(run.results[0].message.text).toContain(
        'attacking origin https://attacker-example.com, with cookies',
      );

      const small = await runCli([
        'audit',
        url,
        '--origin',
        'https://app.example.com',
        '--max-probes',
        '8',
        '--json',
      ]);
      const report = JSON.parse(small.stdout) as AuditReport;
      expect(report.probes).toHaveLength(8);
      expect(report.notes.some((n) => /not tried: --max-probes 8 was reached/.test(n))).toBe(true);

      // --rate 5: seven probes take more than a second (five in the first, two after it).
      const started = performance.now();
      const slow = await runCli([
        'audit',
        url,
        '--origin',
        'https://app.example.com',
        '--max-probes',
        '7',
        '--rate',
        '5',
        '--json',
      ]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
      expect((JSON.parse(slow.stdout) as AuditReport).probes).toHaveLength(7);
    } finally {
      await server.stop();
    }
  });

  it('nothing answers, with --json: the probe that failed in the report, one line on stderr, exit 3', async () => {
    const port = await freePort();
    const run = await runCli([
      'audit',
      `http://127.0.0.1:${port}/me`,
      '--origin',
      'https://app.example.com',
      '--json',
    ]);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.probes.map((p) => p.status)).toEqual([0]);
    expect(report.findings).toEqual([]);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a port nothing listens on: one line on stderr, exit 3', async () => {
    const port = await freePort();
    const run = await runCli(['audit', `http://127.0.0.1:${port}/me`, '--origin', 'https://app.example.com']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      `cors-doctor: nothing answered the audit of http://127.0.0.1:${port}/me: connection refused by 127.0.0.1:${port}: is the server running and listening on that port?`,
    ]);
  });
});

describe('audit: bad usage', () => {
  it.each([
    { args: [], line: /--origin/ },
    { args: ['--origin', 'https://app.example.com/'], line: /trailing slash/ },
    { args: ['--origin', 'https://app.example.com', '--max-probes', '0'], line: /--max-probes/ },
    { args: ['--origin', 'https://app.example.com', '--rate', 'fast'], line: /--rate/ },
    { args: ['--origin', 'https://app.example.com', '--format', 'xml'], line: /--format of audit/ },
  ])('$args: exit 2 with one line', async ({ args, line }) => {
    const run = await runCli(['audit', 'http://127.0.0.1:9/me', ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(line);
  });
});
