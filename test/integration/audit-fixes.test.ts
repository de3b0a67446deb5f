/**
 * `audit --project` patches, end to end on real servers: each row is a fixture of test/fixtures/audit/ or,
 * for a fix written outside main.py (a `.env` line), of test/fixtures/audit-fixes/: a FastAPI app under
 * uvicorn, behind a real nginx for the nginx rows. The audit runs live with the project; every finding must
 * come with a patch the server model proved (or, for a row that says so, with the reason no patch is proven
 * and a snippet of the change, which the row then makes by hand). The patches are applied to a copy one at a
 * time, the real server is restarted on the copy and audited again, until no finding is left; the trusted
 * origins are then still allowed with cookies and every attacking origin of the first audit is refused.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/core/audit.js';
import { nginxAvailable } from '../../src/local-servers/nginx.js';
import { fastapiAvailable } from '../../src/local-servers/uvicorn.js';
import { answerTo, deployed, serve, template } from '../support/audit-server.js';
import { runCli } from '../support/run-cli.js';

const inCI = process.env.CI === 'true';
const unavailable = (await fastapiAvailable()) ?? nginxAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and nginx: ${unavailable}`);

const FIXTURES = 'test/fixtures/audit';
const OWN_FIXTURES = 'test/fixtures/audit-fixes';

interface AuditCase {
  origins: string[];
  path: string;
  nginx?: string;
  app?: string;
  expected: Array<{ code: string; origin?: string; credentials: boolean }>;
}

interface Row {
  /** A folder of test/fixtures/audit/ (or of test/fixtures/audit-fixes/ with `own`). */
  fixture: string;
  /** A fixture of this table only: its fix is written outside main.py. */
  own?: boolean;
  /** The file the patch changes, when not the app's main.py or nginx's configuration. */
  patches?: string;
  /** What the first patch must change (a line it adds, or one it removes), when the row is about it. */
  adds?: RegExp;
  /** Origins beside --origin the patched server still serves (the frontend's own deploy previews). */
  keeps?: string[];
  /** No patch can be proven: what the finding says instead. */
  noPatch?: RegExp;
  /** The change its snippet shows, made by hand to main.py. */
  byHand?: (text: string) => string;
  /** Also read the text and SARIF reports of the first audit. */
  formats?: boolean;
}

const ROWS: Row[] = [
  {
    fixture: 'custom-echo',
    adds: /^\+ {4}allow_origins=\["https:\/\/app\.example\.com"\],$/m,
    formats: true,
  },
  { fixture: 'custom-echo-class', adds: /^\+ {4}allow_methods=\["GET", "POST", "PUT", "DELETE"\],$/m },
  {
    fixture: 'custom-endswith',
    adds: /^\+ {4}allow_origin_regex=r"https:\/\/\(\[a-z0-9-\]\+\\\.\)\*example\\\.com",$/m,
  },
  { fixture: 'custom-re-match', adds: /^\+ {4}allow_origins=\["https:\/\/app\.example\.com"\],$/m },
  { fixture: 'custom-host-endswith' },
  { fixture: 'custom-compiled-match', adds: /^\+ {4}allow_origins=\["https:\/\/app\.example\.com"\],$/m },
  {
    fixture: 'custom-echo-preflight',
    adds: /^\+ {4}allow_methods=\["GET", "POST", "PUT", "DELETE", "OPTIONS"\],$/m,
  },
  { fixture: 'custom-echo-direct', adds: /^\+ {4}expose_headers=\["X-Total-Count"\],$/m },
  {
    fixture: 'custom-echo-logged',
    noPatch: /No patch: stamp_and_allow does more than write CORS headers/,
    byHand: (text) =>
      text
        .replace('app = FastAPI()\n', 'app = FastAPI()\nTRUSTED_ORIGINS = {"https://app.example.com"}\n')
        .replace('    if origin:\n', '    if origin in TRUSTED_ORIGINS:\n'),
  },
  { fixture: 'hosting-platform', adds: /^\+ {4}allow_origin_regex=r"https:\/\/myapp\\\.vercel\\\.app",$/m },
  {
    fixture: 'hosting-platform-netlify',
    adds: /^\+ {4}allow_origin_regex=r"https:\/\/\(deploy-preview-\[0-9\]\+--\)\?myapp\\\.netlify\\\.app",$/m,
    keeps: ['https://deploy-preview-42--myapp.netlify.app'],
  },
  {
    fixture: 'hosting-platform-alternation',
    adds: /^\+ {4}allow_origin_regex=r"https:\/\/app\\\.example\\\.com",$/m,
  },
  {
    fixture: 'nginx-reflect',
    adds: /^\+ {8}"https:\/\/app\.example\.com" \$http_origin;$/m,
    formats: true,
  },
  { fixture: 'nginx-map-default-echo', adds: /^\+ {8}default "";$/m },
  { fixture: 'nginx-map-unanchored', adds: /^\+ {8}"~\^\(https:\/\/app\\\.example\\\.com\|/m },
  { fixture: 'null-trusted', adds: /^\+ {4}allow_origins=\["https:\/\/app\.example\.com"\],$/m },
  {
    fixture: 'null-trusted-env',
    own: true,
    patches: '.env',
    adds: /^\+CORS_ORIGINS=https:\/\/app\.example\.com$/m,
  },
  {
    fixture: 'http-trusted-settings',
    adds: /^- {4}"http:\/\/app\.example\.com", {2}# the old site, before TLS$/m,
  },
  {
    fixture: 'list-several-holes',
    adds: /^ {9}"https:\/\/app\.example\.com",\n- {8}"null",\n {9}"http:\/\/app\.example\.com",$/m,
  },
  { fixture: 'http-trusted', adds: /^\+ {4}allow_origins=\["https:\/\/app\.example\.com"\],$/m },
  { fixture: 'wildcard-credentials', adds: /https:\/\/app\.example\.com/ },
  {
    fixture: 'env-split-wildcard',
    adds: /^\+ {4}allow_origins=os\.getenv\("CORS_ORIGINS", "https:\/\/app\.example\.com"\)\.split\(","\),$/m,
  },
  {
    fixture: 'env-file-wildcard',
    own: true,
    patches: '.env',
    adds: /^\+CORS_ORIGINS=https:\/\/app\.example\.com$/m,
  },
  { fixture: 'string-origins', adds: /^\+ {4}allow_origins=\["https:\/\/app\.example\.com"/m },
  // Patterns people write: each finding's patch (the same pattern, repaired once) closes every hole.
  { fixture: 'regex-prefix' },
  { fixture: 'regex-suffix' },
  { fixture: 'regex-suffix-and-dot' },
  {
    fixture: 'regex-suffix-host-class',
    adds: /^\+ {4}allow_origin_regex=r"https:\/\/\(\[a-z0-9-\]\+\\\.\)\+example\\\.com",$/m,
    keeps: ['https://www.example.com'],
  },
  { fixture: 'regex-unescaped-dot' },
  { fixture: 'regex-dot-any-subdomain' },
  { fixture: 'regex-dot-before-site' },
  { fixture: 'regex-dot-last' },
  { fixture: 'www-optional-http' },
  { fixture: 'platform-beside-own-domain' },
  { fixture: 'nginx-map-no-always' },
  // The map is in a file conf.d/*.conf brings in: the patch is written there, proven with the files included.
  { fixture: 'nginx-map-other-file', patches: 'conf.d/00-maps.conf', adds: /^\+ {4}default "";$/m },
  { fixture: 'dev-origin', adds: /^\+ {4}allow_origins=\["https:\/\/app\.example\.com"\],$/m },
  { fixture: 'localhost-any-port', adds: /^-\s+allow_origin_regex=r"http:\/\/localhost\.\*",$/m },
  { fixture: 'nginx-if-unescaped-dot', adds: /^\+.*\^https:\/\/\(\.\+\\\.\)\?example\\\.com\$/m },
  { fixture: 'custom-echo-null-list', adds: /^\+ {4}allow_origins=\["https:\/\/app\.example\.com"\],$/m },
  {
    fixture: 'platform-project-prefix',
    adds: /^\+ {4}allow_origin_regex=r"https:\/\/myapp\\\.vercel\\\.app",$/m,
  },
];

const work = mkdtempSync(join(tmpdir(), 'cors-doctor-audit-fixes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const auditArgs = (url: string, c: AuditCase, project: string, format = ['--json']) => [
  'audit',
  url,
  ...c.origins.flatMap((o) => ['--origin', o]),
  '--project',
  project,
  ...format,
];

describe.skipIf(unavailable !== undefined)(
  'audit --project: each patch closes the hole on the real server',
  () => {
    it.each(ROWS)('$fixture', async (row) => {
      const fixture = join(row.own ? OWN_FIXTURES : FIXTURES, row.fixture);
      const c = JSON.parse(readFileSync(join(fixture, 'audit-case.json'), 'utf8')) as AuditCase;
      const source = row.patches ?? c.nginx ?? 'main.py';
      // The copy the patches are applied to (nginx's configuration kept as a template).
      const copy = mkdtempSync(join(work, `${row.fixture}-`));
      cpSync(fixture, copy, { recursive: true });
      const attackers = new Set<string>();
      let first: AuditReport | undefined;
      for (let round = 0; ; round++) {
        const server = await serve(copy, c);
        try {
          const url = `${server.url}${c.path}`;
          const project = c.nginx ? deployed(copy, c.nginx, server, work) : copy;
          const run = await runCli(auditArgs(url, c, project));
          expect(run.stderr).toBe('');
          const report = JSON.parse(run.stdout) as AuditReport;
          if (round === 0) {
            first = report;
            expect([...new Set(report.findings.map((f) => f.code))].sort()).toEqual(
              [...new Set(c.expected.map((e) => e.code))].sort(),
            );
            for (const f of report.findings) {
              attackers.add(f.origin);
              // Where the fix is written comes first.
              expect(f.locations[0]?.file, `${f.code} at its place in the source`).toBe(source);
            }
            if (row.noPatch) {
              for (const f of report.findings) {
                expect(f.fix?.patch, f.code).toBeUndefined();
                expect(f.fix?.summary).toMatch(row.noPatch);
                expect(f.fix?.snippet).toContain('if origin in TRUSTED_ORIGINS:');
              }
              // The change the snippet shows, made by hand: then audited again like a patch.
              const main = join(copy, 'main.py');
              writeFileSync(main, (row.byHand as (text: string) => string)(readFileSync(main, 'utf8')));
              continue;
            }
            for (const f of report.findings) {
              expect(f.fix?.patch, `${f.code} comes with a patch`).toMatch(new RegExp(`^--- a/${source}\n`));
              expect(f.evidence.some((e) => e.startsWith('patch proven by the server model'))).toBe(true);
            }
            if (row.adds) expect(report.findings[0]?.fix?.patch).toMatch(row.adds);
            if (row.formats) {
              const text = await runCli(auditArgs(url, c, project, []));
              expect(text.stdout).toContain(`    --- a/${source}`);
              expect(text.stdout).toContain('patch proven by the server model');
              const sarif = JSON.parse(
                (await runCli(auditArgs(url, c, project, ['--format', 'sarif']))).stdout,
              );
              const result = sarif.runs[0].results[0];
              expect(result.message.text).toContain(`Fix: ${report.findings[0]?.fix?.summary}`);
              expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe(source);
            }
          }
          if (report.findings.length === 0) {
            // Closed: the trusted origins still read with cookies, the attacking ones no longer.
            for (const origin of [...c.origins, ...(row.keeps ?? [])])
              expect(await answerTo(url, origin, true)).toEqual({
                allowOrigin: [origin],
                allowCredentials: ['true'],
              });
            for (const origin of attackers)
              expect((await answerTo(url, origin, true)).allowOrigin, origin).toEqual([]);
            break;
          }
          // One patch at a time, as a person would apply them; never more rounds than first findings.
          expect(round).toBeLessThan(first?.findings.length ?? 0);
          const patch = report.findings.find((f) => f.fix?.patch)?.fix?.patch;
          expect(patch, 'each finding left has a patch').toBeDefined();
          const applied = spawnSync('patch', ['-p1', '-s'], { cwd: project, input: patch, encoding: 'utf8' });
          expect(applied.status, applied.stderr).toBe(0);
          // The patched nginx files turned back into templates (the configuration, or a file it includes).
          if (c.nginx)
            for (const file of new Set([c.nginx, source].filter((f) => f.endsWith('.conf'))))
              writeFileSync(join(copy, file), template(readFileSync(join(project, file), 'utf8'), server));
        } finally {
          await server.stop();
        }
      }
    });
  },
);
