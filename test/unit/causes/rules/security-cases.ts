// Security rows: a tiny project written to a temporary folder, read and scanned as `scan` does; the same
// project answering audit probes through the server model (Starlette's CORSMiddleware, behind the nginx
// model when a configuration of the project listens on the URL's port); a finding's edits applied to a
// copy, and the attacking and trusted origins asked again; patterns checked against Python's own `re`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProject } from '../../../../src/analysis/scan.js';
import type { CauseRule } from '../../../../src/causes/types.js';
import type { AuditAnswer, AuditEvidence, AuditFinding, AuditProbe } from '../../../../src/core/audit.js';
import type { CauseCode, Finding } from '../../../../src/core/causes.js';
import { appForUrl } from '../../../../src/evidence/offline.js';
import { applyEdit } from '../../../../src/fix/edits.js';
import { fileOf } from '../../../../src/fix/patches.js';
import { readProject } from '../../../../src/project/read-project.js';
import { configsForUrl, predictThroughProxy } from '../../../../src/proxy/registry.js';
import { projectStarletteVersion } from '../../../../src/python/starlette-version.js';
import { predictAnswer } from '../../../../src/servers/stack.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

export type Files = Record<string, string>;

export function writeProject(files: Files): string {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-security-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** A FastAPI app with CORSMiddleware given these keyword arguments (Python source). */
export function fastapi(options: string, requirements = 'fastapi==0.100.0\nstarlette==0.26.1\n'): Files {
  return {
    'requirements.txt': requirements,
    'main.py': [
      'from fastapi import FastAPI',
      'from fastapi.middleware.cors import CORSMiddleware',
      '',
      'app = FastAPI()',
      '',
      'app.add_middleware(',
      '    CORSMiddleware,',
      `    ${options},`,
      ')',
      '',
      '',
      '@app.get("/items")',
      'def items():',
      '    return []',
      '',
    ].join('\n'),
  };
}

export const API = 'http://localhost:8000/items';

/** The findings of `code` that `scan --origin ...` reports for the project. */
export async function scanFor(root: string, code: CauseCode, origins: string[]): Promise<Finding[]> {
  const project = await readProject(root);
  return scanProject(project, { origins }).findings.filter((f) => f.code === code);
}

/** What the project answers to a GET (or a preflight) from `origin`, predicted offline. */
export async function answerOf(
  root: string,
  origin: string,
  options: { cookie?: boolean; url?: string; preflight?: { method: string; headers: string[] } } = {},
): Promise<{ status: number; headers: Array<[string, string]> }> {
  const url = options.url ?? API;
  const project = await readProject(root);
  const version = projectStarletteVersion(project).version;
  const headers: Array<[string, string]> = [['Origin', origin]];
  if (options.cookie ?? true) headers.push(['Cookie', 'session=test']);
  if (options.preflight) {
    headers.push(['Access-Control-Request-Method', options.preflight.method]);
    if (options.preflight.headers.length > 0)
      headers.push(['Access-Control-Request-Headers', options.preflight.headers.join(',')]);
  }
  const request = { method: options.preflight ? 'OPTIONS' : 'GET', url, headers };
  const upstreamUrl = url.replace(/:\d+\//, ':8000/');
  const app = appForUrl(project, upstreamUrl);
  if (!app) throw new Error('no app in the project');
  const appModel = (r: typeof request) =>
    predictAnswer(app, { ...r, url: r.url.replace(/:\d+\//, ':8000/') }, { starletteVersion: version });
  const proxy = configsForUrl(project.proxies, url)[0];
  const p = proxy ? predictThroughProxy(proxy, request, appModel) : appModel(request);
  if (!p.known) throw new Error(`not predicted: ${p.why}`);
  return { status: p.status, headers: p.headers };
}

const header = (lines: Array<[string, string]>, name: string): string[] =>
  lines.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

/** The origin can read the answer with the visitor's cookies (echoed with credentials allowed). */
export async function readableWithCookies(root: string, origin: string, url = API): Promise<boolean> {
  const a = await answerOf(root, origin, { url });
  return (
    header(a.headers, 'access-control-allow-origin').join() === origin &&
    header(a.headers, 'access-control-allow-credentials').join() === 'true'
  );
}

/** The origins the audit sends for these trusted origins (the forms of the audit's probes). */
export function probeOrigins(trusted: string[]): Array<{ origin: string; why: string }> {
  const out = [
    { origin: 'https://attacker.test', why: 'unrelated origin' },
    { origin: 'null', why: 'null' },
  ];
  for (const t of trusted) {
    const u = new URL(t);
    const host = u.hostname;
    const port = u.port ? `:${u.port}` : '';
    const labels = host.split('.');
    const site = labels.slice(-2).join('.');
    out.push(
      { origin: `${u.protocol}//${host}.attacker.test${port}`, why: `prefix form of ${t}` },
      { origin: `${u.protocol}//attacker${host}${port}`, why: `suffix form of ${t}` },
      { origin: `${u.protocol}//attacker-${site}${port}`, why: `suffix form of ${t}` },
      { origin: `${u.protocol}//${host.replace('.', 'x')}${port}`, why: `unescaped dot of ${t}` },
      {
        origin: `${u.protocol}//${labels.slice(0, -1).join('.')}x${labels.at(-1)}${port}`,
        why: `unescaped dot of ${t}`,
      },
      { origin: `http://${u.host}`, why: `http downgrade of ${t}` },
      { origin: `${u.protocol}//${host.slice(0, -1)}${port}`, why: `truncation of ${t}` },
      { origin: `${u.protocol}//evil.${site}${port}`, why: `sibling subdomain of ${t}` },
      { origin: `${u.protocol}//a_b.${host}${port}`, why: `deeper subdomain of ${t}` },
      { origin: 'https://attacker.vercel.app', why: 'shared hosting domain' },
      { origin: 'http://localhost:3000', why: 'localhost' },
    );
  }
  const seen = new Set<string>();
  return out.filter((p) => !trusted.includes(p.origin) && !seen.has(p.origin) && seen.add(p.origin));
}

/** The audit's evidence: each probe answered by the project's server model, with and without a cookie. */
export async function auditEvidenceOf(root: string, trusted: string[], url = API): Promise<AuditEvidence> {
  const answers: AuditAnswer[] = [];
  for (const { origin, why } of probeOrigins(trusted)) {
    for (const credentials of [false, true]) {
      const probe: AuditProbe = {
        origin,
        credentials,
        kind: 'actual',
        method: 'GET',
        requestHeaders: [],
        why,
      };
      answers.push(toAnswer(probe, await answerOf(root, origin, { cookie: credentials, url })));
    }
    const probe: AuditProbe = {
      origin,
      credentials: false,
      kind: 'preflight',
      method: 'PUT',
      requestHeaders: ['authorization'],
      why,
    };
    answers.push(
      toAnswer(
        probe,
        await answerOf(root, origin, {
          cookie: false,
          url,
          preflight: { method: 'PUT', headers: ['authorization'] },
        }),
      ),
    );
  }
  return { url, origins: trusted, answers };
}

function toAnswer(probe: AuditProbe, a: { status: number; headers: Array<[string, string]> }): AuditAnswer {
  const acao = header(a.headers, 'access-control-allow-origin');
  const methods = header(a.headers, 'access-control-allow-methods')[0];
  const allowHeaders = header(a.headers, 'access-control-allow-headers')[0];
  return {
    probe,
    status: a.status,
    ...(acao.length === 1 && { allowOrigin: acao[0] }),
    allowCredentials: header(a.headers, 'access-control-allow-credentials').join() === 'true',
    ...(methods !== undefined && { allowMethods: methods }),
    ...(allowHeaders !== undefined && { allowHeaders }),
    headers: a.headers,
    ms: 0,
  };
}

/** A rule's audit findings, stamped as the runner stamps them. */
export function auditWith(rule: CauseRule, evidence: AuditEvidence): AuditFinding[] {
  return (rule.audit?.(evidence) ?? []).map((d) => ({
    code: rule.code,
    ...d,
    severity: d.severity ?? rule.severity,
  }));
}

/** Every security code any rule finds in the audit evidence. */
export function auditCodes(rules: readonly CauseRule[], evidence: AuditEvidence): string[] {
  return rules.flatMap((r) => auditWith(r, evidence).map((f) => f.code));
}

/** A copy of the project with the finding's edits applied. */
export function fixed(root: string, files: Files, finding: Finding): string {
  const changed = { ...files };
  for (const edit of finding.fix?.edits ?? []) {
    const file = fileOf(edit);
    changed[file] = applyEdit(changed[file] ?? readFileSync(join(root, file), 'utf8'), edit);
  }
  return writeProject(changed);
}

const NGINX = '/usr/sbin/nginx';

/** `nginx -t` of the project's nginx.conf as written (undefined when nginx is not here, outside CI). */
export function nginxAccepts(root: string): boolean | undefined {
  if (!existsSync(NGINX)) {
    if (inCI) throw new Error(`${NGINX} is needed to check patched configurations`);
    return undefined;
  }
  const text = readFileSync(join(root, 'nginx.conf'), 'utf8');
  const conf = join(root, 'nginx-test.conf');
  writeFileSync(conf, `pid ${join(root, 'nginx.pid')};\nerror_log ${join(root, 'error.log')};\n${text}`);
  const run = spawnSync(NGINX, ['-t', '-q', '-p', root, '-c', conf], { encoding: 'utf8' });
  return run.status === 0;
}

const PYTHON = '/usr/bin/python3';
const inCI = process.env.CI === 'true';

/**
 * What Python's `re` says of each origin: `re.fullmatch` or `re.match` of the pattern, or nginx's unanchored
 * search (`re.search`). Undefined when Python is not here (outside CI).
 */
export function pythonSays(
  pattern: string,
  origins: string[],
  mode: 'fullmatch' | 'match' | 'search',
): boolean[] | undefined {
  if (!existsSync(PYTHON)) {
    if (inCI) throw new Error(`${PYTHON} is needed to check patterns against Python's re`);
    return undefined;
  }
  const run = spawnSync(
    PYTHON,
    [
      '-c',
      `import re, json, sys\nd = json.load(sys.stdin)\nprint(json.dumps([bool(getattr(re, d["mode"])(d["p"], o)) for o in d["o"]]))`,
    ],
    { input: JSON.stringify({ p: pattern, o: origins, mode }), encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as boolean[];
}

export interface SecurityRow {
  name: string;
  files: Files;
  /** The frontends that must keep working (`--origin`). */
  origins: string[];
  /** The URL the audit probes (default http://localhost:8000/items; nginx rows: its port). */
  url?: string;
  /** The counter-example scan must name, when it is known exactly. */
  origin?: string;
  /** The pattern, checked against Python's `re` with the counter-example. */
  pattern?: { text: string; mode: 'fullmatch' | 'match' | 'search' };
  /**
   * The server model does not answer as this project would (middleware code that writes the origin, a
   * Starlette before 0.13.1 and its re.match): no audit through the model; a pattern is checked by Python.
   */
  unmodelled?: boolean;
  /** Scan cannot see it (a case for audit only). */
  scanMisses?: boolean;
  /** Found from source only: the answers on the wire show another code (the audit's own reading). */
  scanOnly?: boolean;
  /** The finding has no patch (nothing mechanical closes it). */
  noPatch?: boolean;
}

/** A security rule's table: insecure rows found by scan and audit, fixed by the patch; safe rows silent. */
export function securityTable(
  rule: CauseRule,
  all: readonly CauseRule[],
  table: { insecure: SecurityRow[]; safe: SecurityRow[] },
): void {
  const security = all.filter((r) => r.audit);
  describe(`rule ${rule.code}`, () => {
    it('has rows of both kinds', () => {
      expect(table.insecure.length).toBeGreaterThan(0);
      expect(table.safe.length).toBeGreaterThan(0);
    });
    it.each(table.insecure.map((r) => [r.name, r] as const))('finds it: %s', async (_name, row) => {
      const root = writeProject(row.files);
      if (!row.scanMisses) {
        const [finding, ...more] = await scanFor(root, rule.code, row.origins);
        expect(finding, 'scan finds it').toBeDefined();
        expect(more).toEqual([]);
        const origin = finding?.origin as string;
        expect(origin).toBeTruthy();
        if (row.origin) expect(origin).toBe(row.origin);
        if (row.pattern) {
          const said = pythonSays(row.pattern.text, [origin, ...row.origins], row.pattern.mode);
          if (said) expect(said).toEqual([true, ...row.origins.map(() => true)]);
        }
        const said = /allow_origin_regex=r"(.*)"|escape its dots: (\S+)$/.exec(finding?.fix?.summary ?? '');
        const repaired = said?.[1] ?? said?.[2];
        if (row.pattern && repaired !== undefined) {
          // The repaired pattern, as Python reads it: the attacking origin refused, the frontends kept.
          // A middleware's test of the origin replaced by CORSMiddleware: the pattern is then fullmatched.
          const mode = /by CORSMiddleware with allow_origin_regex/.test(finding?.fix?.summary ?? '')
            ? 'fullmatch'
            : row.pattern.mode;
          const python = pythonSays(repaired, [origin, ...row.origins], mode);
          if (python) expect(python).toEqual([false, ...row.origins.map(() => true)]);
        }
        if (row.noPatch) expect(finding?.fix?.edits ?? []).toEqual([]);
        if (row.unmodelled && row.pattern && !row.noPatch) {
          expect(repaired).toBeDefined();
          // The patch applies to the source as written.
          const after = fixed(root, row.files, finding as Finding);
          if (row.files['nginx.conf'] !== undefined)
            expect(nginxAccepts(after) ?? true, 'nginx -t').toBe(true);
        }
        if (!row.unmodelled) {
          expect(await readableWithCookies(root, origin, row.url), `${origin} reads with cookies`).toBe(true);
          if (row.noPatch) expect(finding?.fix?.edits ?? []).toEqual([]);
          else {
            expect(finding?.fix?.edits?.length ?? 0, 'a patch').toBeGreaterThan(0);
            const after = fixed(root, row.files, finding as Finding);
            if (row.files['nginx.conf'] !== undefined)
              expect(nginxAccepts(after) ?? true, 'nginx -t').toBe(true);
            expect(await readableWithCookies(after, origin, row.url), `${origin} after the patch`).toBe(
              false,
            );
            for (const o of row.origins)
              expect(await readableWithCookies(after, o, row.url), `${o} after the patch`).toBe(true);
            const evidence = await auditEvidenceOf(after, row.origins, row.url);
            expect(auditCodes(security, evidence)).not.toContain(rule.code);
            if (row.pattern) {
              const text = finding?.fix?.summary ?? '';
              expect(text.length).toBeGreaterThan(0);
            }
          }
        }
      }
      if (!row.unmodelled && !row.scanOnly) {
        const evidence = await auditEvidenceOf(root, row.origins, row.url);
        const found = auditWith(rule, evidence);
        expect(
          found.map((f) => f.code),
          'audit finds it',
        ).toEqual([rule.code]);
        const proof = found[0] as AuditFinding;
        expect(proof.impact).toMatch(/\.$/);
        if (proof.credentials)
          expect(
            await readableWithCookies(root, proof.origin, row.url),
            'the audit origin reproduces it',
          ).toBe(true);
      }
    });
    it.each(table.safe.map((r) => [r.name, r] as const))('no security finding: %s', async (_name, row) => {
      const root = writeProject(row.files);
      const project = await readProject(root);
      const findings = scanProject(project, { origins: row.origins }).findings.filter((f) =>
        security.some((r) => r.code === f.code),
      );
      expect(findings.map((f) => `${f.code} ${f.origin}`)).toEqual([]);
      if (!row.unmodelled) {
        const evidence = await auditEvidenceOf(root, row.origins, row.url);
        expect(auditCodes(security, evidence)).toEqual([]);
      }
    });
  });
}

/** The URL nginx serves in the nginx rows. */
export const NGINX_API = 'http://localhost:8080/items';

/**
 * A FastAPI app without CORS on port 8000 behind nginx on 8080, whose `location /` writes
 * Access-Control-Allow-Origin as `origin` says (with credentials unless told), after the `http` lines given.
 */
export function nginx(origin: string, http: string[] = [], credentials = true): Files {
  return {
    'requirements.txt': 'fastapi==0.100.0\nstarlette==0.26.1\n',
    'main.py': [
      'from fastapi import FastAPI',
      '',
      'app = FastAPI()',
      '',
      '',
      '@app.get("/items")',
      'def items():',
      '    return []',
      '',
    ].join('\n'),
    'nginx.conf': [
      'events {}',
      'http {',
      ...http.map((l) => `    ${l}`),
      '    server {',
      '        listen 8080;',
      '        location / {',
      ...origin.split('\n').map((l) => `            ${l}`),
      '            proxy_pass http://127.0.0.1:8000;',
      ...(credentials ? ['            add_header Access-Control-Allow-Credentials true always;'] : []),
      '            add_header Vary Origin always;',
      '        }',
      '    }',
      '}',
      '',
    ].join('\n'),
  };
}

/** A `map $http_origin $cors_origin` with these entries, written back as Access-Control-Allow-Origin. */
export const nginxMap = (entries: string[], credentials = true): Files =>
  nginx(
    'add_header Access-Control-Allow-Origin $cors_origin always;',
    ['map $http_origin $cors_origin {', ...entries.map((e) => `    ${e}`), '}'],
    credentials,
  );

/** A FastAPI app whose own middleware writes the request's Origin back, with credentials, when `test` holds. */
export const echoingMiddleware = (test: string): Files => ({
  'requirements.txt': 'fastapi==0.100.0\nstarlette==0.26.1\n',
  'main.py': [
    'import re',
    '',
    'from fastapi import FastAPI, Request',
    '',
    'app = FastAPI()',
    'ALLOWED = {"https://app.example.com"}',
    '',
    '',
    '@app.middleware("http")',
    'async def allow_the_caller(request: Request, call_next):',
    '    response = await call_next(request)',
    '    origin = request.headers.get("origin", "")',
    `    if ${test}:`,
    '        response.headers["Access-Control-Allow-Origin"] = origin',
    '        response.headers["Access-Control-Allow-Credentials"] = "true"',
    '    return response',
    '',
    '',
    '@app.get("/items")',
    'def items():',
    '    return []',
    '',
  ].join('\n'),
});
