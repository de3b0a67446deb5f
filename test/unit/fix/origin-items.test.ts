// The origins written where the `"*"` of allow_origins is written: tiny projects read as scan reads them,
// the edit applied, the result read again (what allow_origins then holds), or no edit and why not.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceEdit } from '../../../src/core/causes.js';
import { applyEdit } from '../../../src/fix/edits.js';
import { fileOf } from '../../../src/fix/patches.js';
import { dropOrigin, replaceOriginItem } from '../../../src/fix/source-edits.js';
import { readProject } from '../../../src/project/read-project.js';
import { corsEntries, stringItems } from '../../../src/python/options.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const main = (origins: string) =>
  [
    'import os',
    '',
    'from fastapi import FastAPI',
    'from fastapi.middleware.cors import CORSMiddleware',
    '',
    'app = FastAPI()',
    `app.add_middleware(CORSMiddleware, allow_origins=${origins}, allow_credentials=True)`,
    '',
  ].join('\n');

/** A project written to a temporary folder, and a reader of its CORSMiddleware's allow_origins. */
function project(files: Record<string, string | undefined>) {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-origin-items-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files))
    if (text !== undefined) writeFileSync(join(root, name), text);
  const read = async () => {
    const app = (await readProject(root)).apps[0];
    const entry = app && corsEntries(app)[0];
    const option = entry?.options?.allow_origins;
    if (!entry || !option) throw new Error('no allow_origins');
    return { entry, option, items: stringItems(option).items };
  };
  /** The edits applied to the files they change (on disk); the file changed and its text. */
  const apply = (edits: SourceEdit[]) => {
    const file = fileOf(edits[0] as SourceEdit);
    const text = edits.reduce((t, e) => applyEdit(t, e), readFileSync(join(root, file), 'utf8'));
    writeFileSync(join(root, file), text);
    return { file, text };
  };
  return { read, apply };
}

/** allow_origins of the project's one CORSMiddleware, its `*` item, and the edit that writes `origins` there. */
async function edit(files: Record<string, string | undefined>, origins: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-origin-items-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files))
    if (text !== undefined) writeFileSync(join(root, name), text);
  const read = async () => {
    const project = await readProject(root);
    const option = corsEntries(project.apps[0] as never)[0]?.options?.allow_origins;
    return { option, items: stringItems(option).items };
  };
  const { option, items } = await read();
  const star = items.find((i) => i.value === '*');
  if (!option || !star) throw new Error('no "*" in allow_origins');
  const edits = replaceOriginItem(option, star.resolved, origins);
  if (!edits) return undefined;
  const file = fileOf(edits[0] as SourceEdit);
  const text = edits.reduce((t, e) => applyEdit(t, e), files[file] as string);
  writeFileSync(join(root, file), text);
  return { file, text, after: (await read()).items.map((i) => i.value) };
}

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';

describe('the trusted origins written in place of "*"', () => {
  it.each([
    {
      name: 'a literal list',
      files: { 'main.py': main('["*"]') },
      origins: [APP, ADMIN],
      line: `allow_origins=["${APP}", "${ADMIN}"]`,
      after: [APP, ADMIN],
    },
    {
      name: 'the default of a variable set nowhere, split at commas',
      files: { 'main.py': main('os.getenv("CORS_ORIGINS", "*").split(",")') },
      origins: [APP, ADMIN],
      line: `os.getenv("CORS_ORIGINS", "${APP},${ADMIN}").split(",")`,
      after: [APP, ADMIN],
    },
    {
      name: 'the default in single quotes, os.environ.get, one origin',
      files: { 'main.py': main("os.environ.get('CORS_ORIGINS', '*').split(' ')") },
      origins: [APP],
      line: `os.environ.get('CORS_ORIGINS', '${APP}').split(' ')`,
      after: [APP],
    },
  ])('$name', async ({ files, origins, line, after }) => {
    const out = await edit(files, origins);
    expect(out?.text).toContain(line);
    expect(out?.after).toEqual(after);
  });

  it('the variable set in .env: its value there', async () => {
    const out = await edit(
      {
        'main.py': main('os.getenv("CORS_ORIGINS", "http://localhost:3000").split(",")'),
        '.env': 'DEBUG=0\nCORS_ORIGINS=*\n',
      },
      [APP, ADMIN],
    );
    expect(out?.file).toBe('.env');
    expect(out?.text).toBe(`DEBUG=0\nCORS_ORIGINS=${APP},${ADMIN}\n`);
    expect(out?.after).toEqual([APP, ADMIN]);
  });

  it.each([
    {
      name: 'two origins and no split to join them for',
      files: { 'main.py': main('[os.getenv("CORS_ORIGIN", "*")]') },
    },
  ])('no edit: $name', async ({ files }) => {
    expect(await edit(files, [APP, ADMIN])).toBeUndefined();
  });
});

const settings = (origins: string[]) =>
  [
    'from fastapi import FastAPI',
    'from fastapi.middleware.cors import CORSMiddleware',
    '',
    'ORIGINS = [',
    ...origins.map((o) => `    ${o},`),
    ']',
    '',
    'app = FastAPI()',
    'app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)',
    '',
  ].join('\n');

describe('an origin taken out of allow_origins where it is written', () => {
  it.each([
    {
      name: 'a list in the call, on one line: the item taken out',
      files: { 'main.py': main(`["${APP}", "null"]`) },
      drop: 'null',
      file: 'main.py',
      line: `app.add_middleware(CORSMiddleware, allow_origins=["${APP}"], allow_credentials=True)`,
      after: [APP],
    },
    {
      name: 'a list in the call, one item a line: its line goes, the layout stays',
      files: {
        'main.py': main(`[\n        "${APP}",\n        "null",\n        "${ADMIN}",\n    ]`),
      },
      drop: 'null',
      file: 'main.py',
      line: `allow_origins=[\n        "${APP}",\n        "${ADMIN}",\n    ], allow_credentials=True)`,
      after: [APP, ADMIN],
    },
    {
      name: 'a constant, one item a line: the line goes',
      files: { 'main.py': settings([`"${APP}"`, '"null",  # sandboxed previews', `"${ADMIN}"`]) },
      drop: 'null',
      file: 'main.py',
      line: `ORIGINS = [\n    "${APP}",\n    "${ADMIN}",\n]`,
      after: [APP, ADMIN],
    },
    {
      name: 'a constant on one line, the last item',
      files: {
        'main.py': settings([]).replace('ORIGINS = [\n]', `ORIGINS = ["${APP}", "http://app.example.com"]`),
      },
      drop: 'http://app.example.com',
      file: 'main.py',
      line: `ORIGINS = ["${APP}"]`,
      after: [APP],
    },
    {
      name: 'a constant on one line, the first item',
      files: {
        'main.py': settings([]).replace('ORIGINS = [\n]', `ORIGINS = ['http://localhost:3000', '${APP}']`),
      },
      drop: 'http://localhost:3000',
      file: 'main.py',
      line: `ORIGINS = ['${APP}']`,
      after: [APP],
    },
    {
      name: '.env, split at commas, the last origin',
      files: {
        'main.py': main('os.getenv("CORS_ORIGINS", "").split(",")'),
        '.env': `CORS_ORIGINS=${APP},null\n`,
      },
      drop: 'null',
      file: '.env',
      line: `CORS_ORIGINS=${APP}`,
      after: [APP],
    },
    {
      name: '.env, quoted, the first origin',
      files: {
        'main.py': main('os.getenv("CORS_ORIGINS", "").split(",")'),
        '.env': `CORS_ORIGINS="http://localhost:3000,${APP}"\n`,
      },
      drop: 'http://localhost:3000',
      file: '.env',
      line: `CORS_ORIGINS="${APP}"`,
      after: [APP],
    },
  ])('$name', async ({ files, drop, file, line, after }) => {
    const p = project(files);
    const { entry, option, items } = await p.read();
    const edits = dropOrigin(entry, option, items, drop);
    expect(edits, 'an edit').toBeDefined();
    const out = p.apply(edits ?? []);
    expect(out.file).toBe(file);
    expect(out.text).toContain(line);
    expect((await p.read()).items.map((i) => i.value)).toEqual(after);
  });

  it('the only origin: no edit (the list would be empty)', async () => {
    const p = project({ 'main.py': main('["null"]') });
    const { entry, option, items } = await p.read();
    expect(dropOrigin(entry, option, items, 'null')).toBeUndefined();
  });
});
