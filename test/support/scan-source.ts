// Scan tables on tiny real projects: the files are written to a temporary folder, read by the project
// reader as `scan` reads them, and the findings of one code come back with their patches.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { scanProject } from '../../src/analysis/scan.js';
import type { CauseCode, Finding } from '../../src/core/causes.js';
import { attachPatches } from '../../src/fix/patches.js';
import type { CredentialsMode, HeaderList } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

export interface SourceScan {
  /** Files by path relative to the project root. */
  files: Record<string, string>;
  origins?: string[];
  request?: { method?: string; headers: HeaderList; credentials?: CredentialsMode; url?: string };
}

/** The findings of `code` for a project made of `files`, with `fix.patch` set where a patch applies. */
export async function scanSource(code: CauseCode, c: SourceScan): Promise<Finding[]> {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-scan-'));
  roots.push(root);
  for (const [file, text] of Object.entries(c.files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  const report = scanProject(await readProject(root), {
    origins: c.origins ?? [],
    ...(c.request && { request: c.request }),
  });
  await attachPatches(root, report.findings);
  return report.findings.filter((f) => f.code === code);
}

/** The lines a patch adds (`+` lines without the header). */
export const added = (patch: string | undefined): string[] =>
  (patch ?? '')
    .split('\n')
    .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
    .map((l) => l.slice(1).trim());
