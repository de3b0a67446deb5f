// `scan` never says "no problem" when it could not look, and its walk stays inside the project. Each row is
// a real folder built in a temporary directory and scanned through the CLI: the exit status, the lines the
// text output must hold, and never "No CORS problem found." where something was not seen. Where a real
// tool can say what the scan could not see, it is asked: Python imports the app (or fails to), nginx -t
// rejects the configuration.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nginxAvailable, nginxRejects } from '../../src/local-servers/nginx.js';
import { fastapiAvailable, PYTHON } from '../../src/local-servers/uvicorn.js';
import { runCli } from '../support/run-cli.js';

const inCI = process.env.CI === 'true';
const noFastapi = await fastapiAvailable();
const noNginx = nginxAvailable();
if (inCI && (noFastapi || noNginx)) throw new Error(`CI needs FastAPI and nginx: ${noFastapi ?? noNginx}`);

const base = mkdtempSync(join(tmpdir(), 'cors-doctor-honesty-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const ALL_CLEAR = 'No CORS problem found.';
const CORS_HEAD = 'from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n';
const APP = `${CORS_HEAD}\napp = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])\n`;

interface Row {
  name: string;
  files?: Record<string, string>;
  /** Links, FIFOs, folders outside: made after the files (`outside` is a folder beside the project). */
  setup?(root: string, outside: string): void;
  /** The exit status of `scan DIR`. */
  status: 0 | 1 | 3;
  /** Patterns each of which a line of the text output must match. */
  lines: RegExp[];
  /** The JSON report, checked further. */
  json?(report: ScanJson): void;
  /** What a real tool says of the same folder (Python importing the app, nginx -t). */
  truth?(root: string): void;
}

interface ScanJson {
  findings: Array<{ code: string; severity: string; file: string; line: number }>;
  starletteVersion: { version: string; source: string };
  stats: { filesSeen: number; filesParsed: number };
  unseen: {
    files: Array<{ file: string; why: string }>;
    outsideLinks: Array<{ file: string; target: string }>;
  };
}

let n = 0;
function build(row: Row): string {
  const dir = join(base, String(++n));
  const root = join(dir, 'project');
  const outside = join(dir, 'outside');
  mkdirSync(root, { recursive: true });
  mkdirSync(outside);
  for (const [rel, text] of Object.entries(row.files ?? {})) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  row.setup?.(root, outside);
  return root;
}

/** Python imports `main` in `root` (with the project's environment only): its error line, or the value printed. */
function pythonImport(root: string, print: string): { ok: boolean; out: string } {
  const run = spawnSync(PYTHON, ['-c', `import main\nprint(${print})`], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeout: 60_000,
  });
  const out = run.status === 0 ? run.stdout.trim() : (run.stderr.trim().split('\n').at(-1) ?? '');
  return { ok: run.status === 0, out };
}

/** The Python expression for an option of the app's first middleware (`options` before Starlette 0.35, then `kwargs`). */
const OPTIONS_OF_FIRST_MIDDLEWARE = (name: string) =>
  `(lambda m: getattr(m, "kwargs", None) or m.options)(main.app.user_middleware[0])[${JSON.stringify(name)}]`;

const needs = (what: string | undefined) => {
  if (what) throw new Error(`not available here: ${what}`);
};

/** 2 MB of generated constants, then the app and its CORS setup on the last lines. */
const BIG_APP = `${CORS_HEAD}${Array.from({ length: 32_000 }, (_, i) => `ROUTE_${String(i).padStart(6, '0')} = "/api/v1/resource/${i}/items/detail"  # generated\n`).join('')}app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000/"])\n`;

const ROWS: Row[] = [
  {
    name: 'an empty folder',
    status: 3,
    lines: [
      /^No FastAPI or Starlette app found\.$/,
      /^\/.*\/project scan-incomplete No FastAPI or Starlette app and no nginx configuration in this folder: nothing was checked\.$/,
      /^0 error\(s\), 1 warning\(s\)\. The scan is incomplete \(scan-incomplete\)/,
    ],
  },
  {
    name: 'only files that cannot be read: a dangling symlink, a symlink loop, a FIFO, a folder named like a file',
    setup(root) {
      symlinkSync('/nonexistent/main.py', join(root, 'main.py'));
      symlinkSync('api.py', join(root, 'api.py'));
      execFileSync('mkfifo', [join(root, 'server.py')]); // opening it would wait for a writer: never opened
      mkdirSync(join(root, 'app.py'));
    },
    status: 3,
    lines: [
      /^No FastAPI or Starlette app found\.$/,
      /^api\.py:1 scan-incomplete 3 file\(s\) the scan reads could not be read: an app, its CORS setup or the values it reads may be in them\.$/,
      /^ {2}• api\.py: a symlink loop$/,
      /^ {2}• main\.py: a symlink to \/nonexistent\/main\.py, which does not exist$/,
      /^ {2}• server\.py: a FIFO \(named pipe\), not a regular file$/,
      /scan-incomplete No FastAPI or Starlette app and no nginx configuration in the files that could be read: nothing was checked\.$/,
    ],
    truth(root) {
      expect(pythonImport(root, '1')).toEqual({ ok: false, out: expect.stringMatching(/Error/) });
    },
  },
  {
    name: 'a 2 MB app file with its CORS setup at the end: parsed',
    files: { 'main.py': BIG_APP },
    status: 1,
    lines: [
      /1 of 1 files parsed$/,
      /^main\.py:32004 origin-malformed allow_origins contains "http:\/\/localhost:3000\/"/,
      /^1 error\(s\), 0 warning\(s\)\.$/,
    ],
    truth(root) {
      needs(noFastapi);
      expect(pythonImport(root, OPTIONS_OF_FIRST_MIDDLEWARE('allow_origins'))).toEqual({
        ok: true,
        out: "['http://localhost:3000/']",
      });
    },
  },
  {
    name: 'an app file over 10 MB: named, with the limit',
    files: { 'main.py': `${APP}${'ROUTE = "/items"  # generated\n'.repeat(380_000)}` },
    status: 3,
    lines: [
      /^main\.py:1 scan-incomplete 1 file\(s\) the scan reads could not be read/,
      /^ {2}• main\.py: larger than 10 MB, the limit for one file$/,
    ],
  },
  {
    name: 'allow_origins from an environment variable set nowhere in the project',
    files: {
      'main.py': `import os\n${CORS_HEAD}app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=os.environ["FRONTEND_ORIGINS"].split(","))\n`,
    },
    status: 3,
    lines: [
      /^main\.py:5 scan-incomplete allow_origins of the CORSMiddleware at main\.py:5 could not be resolved: the scan cannot tell what this app answers, so it cannot say its CORS setup works\.$/,
      /^ {2}• allow_origins: os\.environ\["FRONTEND_ORIGINS"\]\.split\(","\) at main\.py:5: FRONTEND_ORIGINS is not set in any \.env or compose file/,
      /^0 error\(s\), 1 warning\(s\)\. The scan is incomplete/,
    ],
    truth(root) {
      needs(noFastapi);
      expect(pythonImport(root, '1')).toEqual({ ok: false, out: "KeyError: 'FRONTEND_ORIGINS'" });
    },
  },
  {
    name: 'allow_origins from a circular import',
    files: {
      'main.py': `${CORS_HEAD}from settings import ORIGINS\n\napp = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=ORIGINS)\n`,
      'settings.py': 'from other import ORIGINS\n',
      'other.py': 'from settings import ORIGINS\n',
    },
    status: 3,
    lines: [
      /^main\.py:6 scan-incomplete allow_origins of the CORSMiddleware at main\.py:6 could not be resolved/,
      /^ {2}• allow_origins: ORIGINS at main\.py:6: circular definition$/,
    ],
    truth(root) {
      needs(noFastapi);
      expect(pythonImport(root, '1')).toEqual({
        ok: false,
        out: expect.stringMatching(/^ImportError: .*circular import/),
      });
    },
  },
  {
    name: 'an nginx configuration with a syntax error (the closing brace of http missing)',
    files: {
      'main.py': APP,
      'nginx.conf':
        'events {}\nhttp {\n    server {\n        listen 8080;\n        location / {\n            add_header Access-Control-Allow-Origin https://app.example.com always;\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n',
    },
    status: 1,
    lines: [
      /^nginx configuration read: nginx\.conf$/,
      /^nginx\.conf:10 scan-incomplete nginx\.conf has a syntax error: unexpected end of file, expecting "}"; nginx -t rejects it too, and its CORS rules were not read\. nginx does not start or reload with it\.$/,
      /^1 error\(s\), 0 warning\(s\)\. The scan is incomplete/,
    ],
    json(report) {
      expect(report.findings.map((f) => `${f.code} ${f.severity} ${f.file}:${f.line}`)).toEqual([
        'scan-incomplete error nginx.conf:10',
      ]);
    },
    truth(root) {
      needs(noNginx);
      const prefix = mkdtempSync(join(base, 'nginx-'));
      expect(nginxRejects(join(root, 'nginx.conf'), prefix, 'pid nginx.pid; error_log stderr;')).toMatch(
        /unexpected end of file, expecting "}" in .*\/nginx\.conf:10$/,
      );
    },
  },
  {
    name: 'a symlink to / and a symlink to a folder outside, beside a sound app: not followed, listed',
    files: { 'main.py': APP },
    setup(root, outside) {
      writeFileSync(join(outside, 'requirements.txt'), 'starlette==0.14.0\n');
      writeFileSync(
        join(outside, 'app.py'),
        `${CORS_HEAD}app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000/"])\n`,
      );
      symlinkSync('/', join(root, 'host'));
      symlinkSync(outside, join(root, 'shared'));
    },
    status: 0,
    lines: [
      /^Starlette [\d.]+: no virtualenv, lock file or requirement names starlette or fastapi/,
      /^Not followed \(symlinks out of the project\): host -> \/; shared -> \/.*\/outside$/,
      /^No CORS problem found in what was read \(2 not read or not followed: listed above\)\.$/,
    ],
    json(report) {
      expect(report.stats.filesSeen).toBe(1);
      expect(report.findings).toEqual([]);
    },
  },
  {
    name: 'a virtualenv symlinked out of the project: its Starlette is not the version read',
    files: { 'main.py': APP, 'requirements.txt': 'starlette==0.27.0\n' },
    setup(root, outside) {
      const site = join(outside, 'venv/lib/python3.11/site-packages/starlette');
      mkdirSync(site, { recursive: true });
      writeFileSync(join(site, '__init__.py'), '__version__ = "0.14.0"\n');
      symlinkSync(join(outside, 'venv'), join(root, '.venv'));
    },
    status: 0,
    lines: [/^Starlette 0\.27\.0: starlette==0\.27\.0 in requirements\.txt:1/, /^No CORS problem found\.$/],
  },
  {
    name: 'a virtualenv inside the project is still read',
    files: {
      'main.py': APP,
      'requirements.txt': 'starlette==0.27.0\n',
      '.venv/lib/python3.11/site-packages/starlette/__init__.py': '__version__ = "0.28.0"\n',
    },
    status: 0,
    lines: [/^Starlette 0\.28\.0: \.venv\/lib\/python3\.11\/site-packages\/starlette\/__init__\.py/],
  },
  {
    name: 'a .env symlinked out of the project: not read, so the variable is not known',
    files: {
      'main.py': `import os\n${CORS_HEAD}app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=os.environ["ORIGINS"].split(","))\n`,
    },
    setup(root, outside) {
      writeFileSync(join(outside, 'shared.env'), 'ORIGINS=https://app.example.com\n');
      symlinkSync(join(outside, 'shared.env'), join(root, '.env'));
    },
    status: 3,
    lines: [
      /^Not followed \(symlinks out of the project\): \.env -> \/.*\/outside\/shared\.env$/,
      /^main\.py:5 scan-incomplete allow_origins of the CORSMiddleware at main\.py:5 could not be resolved/,
    ],
  },
  {
    name: 'symlink loops inside the project: walked once',
    files: { 'app/main.py': APP },
    setup(root) {
      symlinkSync('..', join(root, 'app/up'));
      symlinkSync('.', join(root, 'self'));
    },
    status: 0,
    lines: [/1 of 1 files parsed$/, /^No CORS problem found\.$/],
  },
  {
    name: 'a sound app, everything seen',
    files: { 'main.py': APP, 'requirements.txt': 'fastapi==0.110.0\n' },
    status: 0,
    lines: [/^No CORS problem found\.$/],
    json(report) {
      expect(report.unseen).toEqual({ files: [], outsideLinks: [], bounds: [] });
    },
  },
];

describe('scan says what it could not see', () => {
  it.each(ROWS.map((row) => [row.name, row] as const))(
    '%s',
    async (_name, row) => {
      const root = build(row);
      const text = await runCli(['scan', root]);
      expect(text.stderr).toBe('');
      const lines = text.stdout.split('\n');
      for (const line of row.lines)
        expect(
          lines.some((l) => line.test(l)),
          `${line}\n${text.stdout}`,
        ).toBe(true);
      if (row.status !== 0 || text.stdout.includes('Not followed') || text.stdout.includes('Not read'))
        expect(text.stdout).not.toContain(ALL_CLEAR);
      expect(text.code).toBe(row.status);
      const json = await runCli(['scan', root, '--json']);
      expect(json.code).toBe(row.status);
      const report = JSON.parse(json.stdout) as ScanJson;
      if (row.status === 3)
        expect(report.findings.map((f) => `${f.code} ${f.severity}`)).toContain('scan-incomplete warning');
      row.json?.(report);
      row.truth?.(root);
    },
    60_000,
  );
});
