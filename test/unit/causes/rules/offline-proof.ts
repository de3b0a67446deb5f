// Scan rows proven by the server model: a tiny project written to a temporary folder, read as `scan` reads
// it, the finding of one cause with its place and its edits; the edits applied to a copy, and the page's
// request answered offline (server model, browser model) before and after.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { checkWithSource } from '../../../../src/analysis/check-with-source.js';
import { scanProject } from '../../../../src/analysis/scan.js';
import type { Finding, SourceEdit } from '../../../../src/core/causes.js';
import type { PageFetch } from '../../../../src/core/page.js';
import { appForUrl } from '../../../../src/evidence/offline.js';
import { applyEdit } from '../../../../src/fix/edits.js';
import { fileOf } from '../../../../src/fix/patches.js';
import type { BrowserName } from '../../../../src/model/types.js';
import { readProject } from '../../../../src/project/read-project.js';
import { predictAnswer } from '../../../../src/servers/stack.js';

const BROWSERS: BrowserName[] = ['chrome', 'firefox'];
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** The page's fetch() to `path` on http://localhost:8000, from http://localhost:5173 unless said. */
export function pageTo(path: string, over: Partial<PageFetch> = {}): PageFetch {
  return {
    url: `http://localhost:8000${path}`,
    origin: 'http://localhost:5173',
    method: 'GET',
    headers: [],
    credentials: 'same-origin',
    ...over,
  };
}

function writeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-proof-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** What each browser does with the page's request, predicted offline from the project in `root`. */
async function offline(root: string, page: PageFetch): Promise<string> {
  const report = await checkWithSource(
    page,
    { browsers: BROWSERS, timeoutMs: 1000 },
    await readProject(root),
    {
      offline: true,
    },
  );
  return BROWSERS.map((b) => `${b}: ${report.browsers[b]?.outcome}`).join(', ');
}

export interface Proof {
  /** The findings of `code`, as `file:line`. */
  at: string[];
  findings: Finding[];
  /** The files the first finding's edits change, as they are after the edits. */
  after: Record<string, string>;
  /** Offline outcomes of the page's request before and after the edits. */
  before: string;
  afterOutcome: string;
  /** The edited copy of the project. */
  afterRoot: string;
}

/** Scans the project for `code`, applies the first finding's edits to a copy, predicts before and after. */
export async function prove(code: string, files: Record<string, string>, page: PageFetch): Promise<Proof> {
  const root = writeProject(files);
  const project = await readProject(root);
  const findings = scanProject(project, {
    origins: [page.origin],
    request: { method: page.method, headers: page.headers, credentials: page.credentials },
  }).findings.filter((f) => f.code === code);
  const edits: SourceEdit[] = findings[0]?.fix?.edits ?? [];
  const changed = { ...files };
  for (const edit of edits) {
    const file = fileOf(edit);
    changed[file] = applyEdit(changed[file] ?? readFileSync(join(root, file), 'utf8'), edit);
  }
  const after = Object.fromEntries(Object.entries(changed).filter(([f, t]) => files[f] !== t));
  const afterRoot = writeProject(changed);
  return {
    at: findings.map((f) => `${f.file}:${f.line}`),
    findings,
    after,
    before: await offline(root, page),
    afterOutcome: await offline(afterRoot, page),
    afterRoot,
  };
}

export const BLOCKED = 'chrome: blocked, firefox: blocked';
export const ALLOWED = 'chrome: allowed, firefox: allowed';

/** The status the server model predicts for one request to the project in `root` (the served app). */
export async function predictedStatus(
  root: string,
  method: string,
  path: string,
  headers: Array<[string, string]> = [],
): Promise<number | string> {
  const project = await readProject(root);
  const url = `http://localhost:8000${path}`;
  const app = appForUrl(project, url);
  if (!app) return 'no app';
  const p = predictAnswer(app, { method, url, headers }, { starletteVersion: '0.26.1' });
  return p.known ? p.status : p.why;
}
