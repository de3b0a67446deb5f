import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  MiddlewareEntry,
  PythonApp,
  PythonProject,
  PyValue,
  ResolvedValue,
} from '../../../src/python/types.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const PROJECTS = join(REPO, 'test/fixtures/projects');

/** 1-based line of the first line of `file` (in `dir`) that contains `needle`. */
export function lineIn(dir: string, file: string, needle: string, nth = 1): number {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if ((lines[i] as string).includes(needle) && ++seen === nth) return i + 1;
  }
  throw new Error(`${needle} not found in ${file}`);
}

/** A plain JS view of a value; unresolved parts become `{ unresolved: reason }`. */
export function plain(v: PyValue | ResolvedValue | undefined): unknown {
  if (v === undefined) return undefined;
  const p = 'kind' in v ? v : v.value;
  switch (p.kind) {
    case 'list':
    case 'tuple':
    case 'set':
      return p.items.map((i) => plain(i));
    case 'none':
      return null;
    case 'unresolved':
      return { unresolved: p.reason };
    default:
      return p.value;
  }
}

/** `Name kind/registration file:line` per layer, outermost first. */
export function stack(app: PythonApp): string[] {
  return app.middleware.map(
    (m: MiddlewareEntry) =>
      `${m.name} ${m.kind}/${m.registration}${m.source ? ` ${m.source.file}:${m.source.line}` : ''}`,
  );
}

export function appNamed(project: PythonProject, variable: string): PythonApp {
  const app = project.apps.find((a) => a.variable === variable);
  if (!app) throw new Error(`no app ${variable} in ${project.apps.map((a) => a.variable).join(', ')}`);
  return app;
}

export function cors(app: PythonApp, n = 0): MiddlewareEntry {
  const entry = app.middleware.filter((m) => m.kind === 'cors')[n];
  if (!entry) throw new Error('no CORS entry');
  return entry;
}
