import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPythonProject } from '../../../src/python/read-project.js';
import type { PythonProject } from '../../../src/python/types.js';
import { MAX_FILE_BYTES } from '../../../src/python/walk.js';
import { cors, PROJECTS, plain } from './helpers.js';

describe('walking the tree', () => {
  let tmp: string;
  let p: PythonProject;
  const progress: Array<[number, number]> = [];
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cors-doctor-walk-'));
    cpSync(join(PROJECTS, 'walk-edge-cases'), tmp, { recursive: true });
    symlinkSync('..', join(tmp, 'src/service/loop')); // src/service/loop -> src (a loop)
    symlinkSync('/nonexistent/target', join(tmp, 'dangling.py'));
    writeFileSync(
      join(tmp, 'src/blob.py'),
      Buffer.from([0x66, 0x72, 0x6f, 0x6d, 0x00, 0x01, 0x02, 0x46, 0x61, 0x73, 0x74, 0x41, 0x50, 0x49]),
    ); // NUL byte
    writeFileSync(
      join(tmp, 'src/huge.py'),
      `from fastapi import FastAPI\napp = FastAPI()\n${'#'.repeat(MAX_FILE_BYTES)}\n`,
    );
    p = await readPythonProject(tmp, { onProgress: (done, total) => progress.push([done, total]) });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('skips node_modules, .venv, binary and large files, survives the symlink loop', () => {
    expect(p.apps.map((a) => `${a.variable} ${a.source.file}:${a.source.line}`)).toEqual([
      'app src/service/main.py:5',
    ]);
    expect(p.stats.filesSeen).toBe(4); // blob.py, huge.py, service/__init__.py, service/main.py
    expect(p.stats.filesParsed).toBe(1);
    // node_modules, .venv, the loop, the dangling link, blob.py (binary), huge.py (> 10 MiB)
    expect(p.stats.skipped).toBe(6);
  });
  it('decodes non-UTF-8 bytes leniently', () => {
    expect(plain(cors(p.apps[0] as PythonProject['apps'][number]).options?.allow_origins)).toEqual([
      'http://café.test',
    ]);
  });
  it('reports progress up to the total', () => {
    expect(progress.at(-1)).toEqual([4, 4]);
  });
});

describe('bad roots', () => {
  it('throws a clear error for a missing root', async () => {
    await expect(readPythonProject('/nonexistent/cors-doctor-root')).rejects.toThrow(
      'Project root /nonexistent/cors-doctor-root does not exist',
    );
  });
  it('throws a clear error for a file', async () => {
    const file = join(PROJECTS, 'simple-literals/requirements.txt');
    await expect(readPythonProject(file)).rejects.toThrow(`Project root ${file} is not a directory`);
  });
  it('an empty directory has no apps', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cors-doctor-empty-'));
    try {
      const p = await readPythonProject(tmp);
      expect(p).toEqual({
        root: tmp,
        apps: [],
        versions: {},
        filesWithErrors: [],
        stats: { filesSeen: 0, filesParsed: 0, skipped: 0 },
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
  it.each([
    ['garbage', '\x01\x02)))(((:::\n'],
    [
      'unterminated string',
      'from fastapi import FastAPI\napp = FastAPI(\napp.add_middleware(CORSMiddleware, allow_origins=["x\n',
    ],
    [
      'deep nesting',
      `from fastapi import FastAPI\napp = FastAPI()\nX = ${'['.repeat(500)}${']'.repeat(500)}\napp.add_middleware(CORSMiddleware, allow_origins=X)\n`,
    ],
    [
      'self reference',
      'from fastapi import FastAPI\nA = A + B\nB = A\napp = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=A)\n',
    ],
    [
      'import cycle',
      'from fastapi import FastAPI\nfrom main import X as X\napp = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=X)\n',
    ],
  ])('never throws on %s', async (_name, source) => {
    const tmp = mkdtempSync(join(tmpdir(), 'cors-doctor-bad-'));
    try {
      writeFileSync(join(tmp, 'main.py'), source);
      const p = await readPythonProject(tmp);
      expect(p.stats.filesSeen).toBe(1);
      for (const app of p.apps) {
        const origins = app.middleware.find((m) => m.kind === 'cors')?.options?.allow_origins;
        if (origins) expect(['unresolved', 'list']).toContain(origins.value.kind);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
