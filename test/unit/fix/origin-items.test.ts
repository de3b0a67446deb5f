// The origins written where the `"*"` of allow_origins is written: tiny projects read as scan reads them,
// the edit applied, the result read again (what allow_origins then holds), or no edit and why not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceEdit } from '../../../src/core/causes.js';
import { applyEdit } from '../../../src/fix/edits.js';
import { fileOf } from '../../../src/fix/patches.js';
import { replaceOriginItem } from '../../../src/fix/source-edits.js';
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
