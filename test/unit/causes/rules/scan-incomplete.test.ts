// scan-incomplete: tiny projects written to a temporary folder and read as `scan` reads them. Each failing
// row names where the finding sits, its severity and what it says; each passing row is a project the scan
// sees whole (what it lists without a finding is checked in `unseen`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProject } from '../../../../src/analysis/scan.js';
import { projectGaps } from '../../../../src/causes/rules/scan-incomplete.js';
import type { ScanReport } from '../../../../src/core/report.js';
import { readProject } from '../../../../src/project/read-project.js';
import { MAX_FILE_BYTES, walkTree } from '../../../../src/python/walk.js';
import { app, project } from '../../../support/python-app.js';

const CODE = 'scan-incomplete';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

interface Row {
  name: string;
  files: Record<string, string>;
  /** Links, FIFOs and the like, made after the files (`root` is the project, `outside` a folder beside it). */
  setup?(root: string, outside: string): void;
}

interface Failing extends Row {
  /** Each finding of the code (`file:line severity`), a pattern of its message and of its evidence. */
  findings: Array<{ at: string; message: RegExp; evidence?: RegExp }>;
}

interface Passing extends Row {
  /** What the report still lists as not seen. */
  unseen?: (u: ScanReport['unseen']) => void;
}

async function scan(row: Row): Promise<ScanReport> {
  const base = mkdtempSync(join(tmpdir(), 'cors-doctor-incomplete-'));
  roots.push(base);
  const root = join(base, 'project');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  for (const [rel, text] of Object.entries(row.files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  row.setup?.(root, outside);
  return scanProject(await readProject(root), { origins: [] });
}

const CORS_HEAD = 'from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n';
const APP = `${CORS_HEAD}\napp = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])\n`;
const NGINX_OK =
  'events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n';

const failing: Failing[] = [
  {
    name: 'allow_origins from a variable set nowhere in the project',
    files: {
      'main.py': `import os\n${CORS_HEAD}app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=os.environ["FRONTEND_ORIGINS"].split(","))\n`,
    },
    findings: [
      {
        at: 'main.py:5 warning',
        message:
          /^allow_origins of the CORSMiddleware at main\.py:5 could not be resolved: the scan cannot tell/,
        evidence:
          /allow_origins: os\.environ\["FRONTEND_ORIGINS"\]\.split\(","\) at main\.py:5: FRONTEND_ORIGINS is not set/,
      },
    ],
  },
  {
    name: 'allow_origins from a circular import',
    files: {
      'main.py': `${CORS_HEAD}from settings import ORIGINS\n\napp = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n    allow_origins=ORIGINS,\n)\n`,
      'settings.py': 'from other import ORIGINS\n',
      'other.py': 'from settings import ORIGINS\n',
    },
    findings: [
      {
        at: 'main.py:8 warning',
        message: /^allow_origins of the CORSMiddleware at main\.py:6 could not be resolved/,
        evidence: /allow_origins: ORIGINS at main\.py:8: circular definition/,
      },
    ],
  },
  {
    name: 'one origin of the list from a package outside the project, methods from a call',
    files: {
      'main.py': `${CORS_HEAD}from company_config import partner_origin, methods\n\napp = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com", partner_origin()], allow_methods=methods())\n`,
    },
    findings: [
      {
        at: 'main.py:6 warning',
        message: /^allow_origins, allow_methods of the CORSMiddleware at main\.py:6 could not be resolved/,
        evidence:
          /allow_origins: partner_origin\(\) at main\.py:6: [^\n]+\nallow_methods: methods\(\) at main\.py:6/,
      },
    ],
  },
  {
    name: 'a condition around the CORS registration that cannot be decided',
    files: {
      'main.py': `import sys\n${CORS_HEAD}\napp = FastAPI()\nif sys.argv[-1] == "dev":\n    app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"])\n`,
    },
    findings: [
      {
        at: 'main.py:6 warning',
        message:
          /^Whether the CORSMiddleware at main\.py:7 is added depends on `sys\.argv\[-1\] == "dev"`, which the scan could not decide: it was taken to be added\.$/,
      },
    ],
  },
  {
    name: 'an empty folder',
    files: {},
    findings: [
      {
        at: '.:1 warning',
        message:
          /^No FastAPI or Starlette app and no nginx configuration in this folder: nothing was checked\.$/,
      },
    ],
  },
  {
    name: 'Python files only, none an app',
    files: { 'lib/util.py': 'def add(a, b):\n    return a + b\n' },
    findings: [{ at: '.:1 warning', message: /nothing was checked/ }],
  },
  {
    name: 'the app behind a symlink out of the project',
    files: {},
    setup(root, outside) {
      mkdirSync(join(outside, 'api'));
      writeFileSync(join(outside, 'api/main.py'), APP);
      symlinkSync(join(outside, 'api'), join(root, 'api'));
    },
    findings: [
      {
        at: '.:1 warning',
        message: /nothing was checked/,
        evidence: /^api -> \/.*\/outside\/api: a symlink out of the project, not followed$/,
      },
    ],
  },
  {
    name: 'a dangling symlink, a symlink loop and a FIFO under Python names, a dangling .env',
    files: { 'app.py': APP },
    setup(root) {
      symlinkSync('/nonexistent/settings.py', join(root, 'settings.py'));
      symlinkSync('loop.py', join(root, 'loop.py'));
      execFileSync('mkfifo', [join(root, 'worker.py')]);
      symlinkSync('.env.production', join(root, '.env'));
      symlinkSync('/nonexistent/README.md', join(root, 'README.md')); // a name the scan does not read
    },
    findings: [
      {
        at: '.env:1 warning',
        message:
          /^4 file\(s\) the scan reads could not be read: an app, its CORS setup or the values it reads may be in them\.$/,
        evidence:
          /^\.env: a symlink to \.env\.production, which does not exist\nloop\.py: a symlink loop\nsettings\.py: a symlink to \/nonexistent\/settings\.py, which does not exist\nworker\.py: a FIFO \(named pipe\), not a regular file$/,
      },
    ],
  },
  {
    name: 'an app file over the size limit',
    files: {
      'main.py': `${APP}${`ROUTE = "/items"  # generated\n`.repeat(Math.ceil(MAX_FILE_BYTES / 29) + 1)}`,
    },
    findings: [
      { at: '.:1 warning', message: /in the files that could be read: nothing was checked/ },
      {
        at: 'main.py:1 warning',
        message: /^1 file\(s\) the scan reads could not be read/,
        evidence: /^main\.py: larger than 10 MB, the limit for one file$/,
      },
    ],
  },
  {
    name: 'an nginx configuration with a syntax error',
    files: { 'app.py': APP, 'nginx.conf': 'events {}\nhttp {\n    server {\n        listen 80\n    }\n}\n' },
    findings: [
      {
        at: 'nginx.conf:5 error',
        message:
          /^nginx\.conf has a syntax error: .*nginx -t rejects it too, and its CORS rules were not read\. nginx does not start or reload with it\.$/,
      },
    ],
  },
];

const passing: Passing[] = [
  { name: 'literal options', files: { 'main.py': APP } },
  {
    name: 'a variable set nowhere with a default in the code (the default is the value)',
    files: {
      'main.py': `import os\n${CORS_HEAD}app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=os.getenv("ORIGINS", "https://app.example.com").split(","))\n`,
    },
  },
  {
    name: 'a variable the .env sets',
    files: {
      'main.py': `import os\n${CORS_HEAD}app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=os.environ["ORIGINS"].split(","))\n`,
      '.env': 'ORIGINS=https://app.example.com\n',
    },
  },
  {
    name: 'a condition the .env decides',
    files: {
      'main.py': `import os\n${CORS_HEAD}\napp = FastAPI()\nif os.getenv("ENVIRONMENT") == "development":\n    app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"])\n`,
      '.env': 'ENVIRONMENT=development\n',
    },
  },
  {
    name: 'a Python file that is not text, beside the app (listed, Python does not run it)',
    files: { 'main.py': APP, 'blob.py': 'x = 1\n\0\0\0' },
    unseen: (u) =>
      expect(u.files).toEqual([{ file: 'blob.py', why: 'not text (a NUL byte)', notText: true }]),
  },
  {
    name: 'symlinks to / and to a folder outside, beside the app (listed, not followed)',
    files: { 'main.py': APP },
    setup(root, outside) {
      writeFileSync(join(outside, 'requirements.txt'), 'starlette==0.14.0\n');
      symlinkSync('/', join(root, 'host'));
      symlinkSync(outside, join(root, 'shared'));
    },
    unseen: (u) => {
      expect(
        u.outsideLinks.map((l) => `${l.file} -> ${l.target.replace(/.*\/outside$/, 'OUTSIDE')}`),
      ).toEqual(['host -> /', 'shared -> OUTSIDE']);
      expect(u.files).toEqual([]);
    },
  },
  {
    name: 'a symlink loop of folders, a folder linked twice inside the project',
    files: { 'app/main.py': APP },
    setup(root) {
      symlinkSync('..', join(root, 'app/up'));
      symlinkSync('app', join(root, 'current'));
    },
    unseen: (u) => expect(u).toEqual({ files: [], outsideLinks: [], bounds: [] }),
  },
  {
    name: 'an nginx configuration only (no app: nginx is what is checked)',
    files: { 'nginx.conf': NGINX_OK },
  },
];

describe(`rule ${CODE}`, () => {
  it.each(failing.map((r) => [r.name, r] as const))('names it: %s', async (_name, row) => {
    const report = await scan(row);
    const found = report.findings.filter((f) => f.code === CODE);
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(row.findings.map((f) => f.at));
    row.findings.forEach((want, i) => {
      const f = found[i];
      expect(f?.message).toMatch(want.message);
      if (want.evidence) expect(f?.evidence?.join('\n')).toMatch(want.evidence);
      expect(f?.fix?.summary).toBeTruthy();
      expect(f?.fix?.edits).toBeUndefined();
    });
  });
  it.each(passing.map((r) => [r.name, r] as const))('does not name it: %s', async (_name, row) => {
    const report = await scan(row);
    expect(report.findings.filter((f) => f.code === CODE)).toEqual([]);
    row.unseen?.(report.unseen);
  });
});

describe('the bounds of a walk', () => {
  it('a walk stops after its bound of entries and says so', () => {
    const root = mkdtempSync(join(tmpdir(), 'cors-doctor-bound-'));
    roots.push(root);
    writeFileSync(join(root, 'main.py'), APP);
    for (let d = 0; d < 3; d++) {
      mkdirSync(join(root, `data${d}`));
      for (let f = 0; f < 4; f++) writeFileSync(join(root, `data${d}/${f}.py`), 'x = 1\n');
    }
    const whole = walkTree(root);
    expect(whole.bound).toBeUndefined();
    expect(whole.pyFiles).toHaveLength(13);
    const bounded = walkTree(root, undefined, 8);
    expect(bounded.bound).toBe('the walk stopped after 8 files and folders');
    expect(bounded.pyFiles).toEqual(['main.py', 'data0/0.py', 'data0/1.py', 'data0/2.py', 'data0/3.py']);
  });
  it.each([
    'the walk stopped after 200,000 files and folders',
    'the reading stopped after 1 GB of Python files (12 more not read)',
  ])('a bound hit is a finding: %s', (bound) => {
    const found = projectGaps({
      ...project(app([])),
      unseen: { files: [], outsideLinks: [], bounds: [bound] },
    });
    expect(found.map((f) => `${f.code} ${f.severity} ${f.file}:${f.line} ${f.message}`)).toEqual([
      `scan-incomplete warning .:1 The scan stopped early: ${bound}; an app or its CORS setup may be in what it did not read.`,
    ]);
  });
});
