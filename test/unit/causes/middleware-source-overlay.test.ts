// Middleware code is read as the project reader read it: a change held in the reader's overlay (what
// `fix` proves before writing) moves the lines, and the findings and their edits follow the changed text.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProject } from '../../../src/analysis/scan.js';
import { applyEdit } from '../../../src/fix/edits.js';
import { readProject } from '../../../src/project/read-project.js';

const root = mkdtempSync(join(tmpdir(), 'cors-doctor-overlay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MAIN = [
  'from fastapi import FastAPI, Request',
  '',
  'app = FastAPI()',
  '',
  '',
  '@app.middleware("http")',
  'async def allow_the_frontend(request: Request, call_next):',
  '    response = await call_next(request)',
  '    origin = request.headers.get("origin")',
  '    if origin and origin.endswith("example.com"):',
  '        response.headers["Access-Control-Allow-Origin"] = origin',
  '        response.headers["Access-Control-Allow-Credentials"] = "true"',
  '    return response',
  '',
  '',
  '@app.get("/me")',
  'def me():',
  '    return {}',
  '',
].join('\n');

writeFileSync(join(root, 'requirements.txt'), 'fastapi==0.100.0\nstarlette==0.26.1\n');
writeFileSync(join(root, 'main.py'), MAIN);

describe('middleware code read through the overlay', () => {
  it.each([
    { name: 'as on disk', text: MAIN, line: 10 },
    { name: 'three lines added above it in memory', text: `# one\n# two\n# three\n${MAIN}`, line: 13 },
  ])('$name: the finding at the test of the origin, its edits apply to that text', async ({ text, line }) => {
    const overlay = new Map([['main.py', text]]);
    const project = await readProject(root, { overlay });
    const [finding] = scanProject(project, { origins: ['https://app.example.com'] }).findings.filter(
      (f) => f.code === 'origin-suffix-bypass',
    );
    expect(finding?.line).toBe(line);
    const edits = finding?.fix?.edits ?? [];
    expect(edits.length, finding?.fix?.summary).toBeGreaterThan(0);
    const after = edits.reduce((t, e) => applyEdit(t, e), text);
    expect(after).not.toContain('async def allow_the_frontend');
    expect(after).toContain('CORSMiddleware');
  });
});
