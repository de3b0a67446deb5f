// What the fuzzed targets share: the repository's files, and what counts as a documented result.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CorsDoctorError } from '../../../src/core/errors.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every file under `dir` (relative paths), skipping what no reader looks at. */
export function filesUnder(dir: string, keep: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(abs, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== '__pycache__') walk(path);
      } else if (entry.isFile() && keep(relative(dir, path)) && statSync(path).size < 200_000) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** Throws unless `error` is a documented bad-input result. */
export function expectDocumented(
  error: unknown,
  ...documented: Array<abstract new (...args: never[]) => Error>
): void {
  // (The CLI prints a CorsDoctorError's message as one line, whatever it quotes.)
  if (error instanceof CorsDoctorError) return;
  if (documented.some((kind) => error instanceof kind)) return;
  throw error;
}
