// Scan tables on tiny real projects: the files are written to a temporary folder, read by the project
// reader as `scan` reads them, and the findings of one code come back with their patches.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { scanProject } from '../../src/analysis/scan.js';
import type { CauseCode, Finding } from '../../src/core/causes.js';
import { applyEdit } from '../../src/fix/edits.js';
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

function projectOf(c: SourceScan): string {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-scan-'));
  roots.push(root);
  for (const [file, text] of Object.entries(c.files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

async function findingsOf(root: string, code: CauseCode, c: SourceScan): Promise<Finding[]> {
  const report = scanProject(await readProject(root), {
    origins: c.origins ?? [],
    ...(c.request && { request: c.request }),
  });
  return report.findings.filter((f) => f.code === code);
}

/** The findings of `code` for a project made of `files`, with `fix.patch` set where a patch applies. */
export async function scanSource(code: CauseCode, c: SourceScan): Promise<Finding[]> {
  const root = projectOf(c);
  const findings = await findingsOf(root, code, c);
  await attachPatches(root, findings);
  return findings;
}

/**
 * The first finding of `code` is fixed as `--write` would (its edits applied to the files), and the
 * project is read and scanned again: the findings of `code` left, and the fixed files.
 */
export async function scanAfterFix(
  code: CauseCode,
  c: SourceScan,
): Promise<{ left: Finding[]; files: Record<string, string> }> {
  const root = projectOf(c);
  const edits = (await findingsOf(root, code, c))[0]?.fix?.edits ?? [];
  const files: Record<string, string> = {};
  for (const edit of edits) {
    const file = 'file' in edit ? edit.file : 'call' in edit ? edit.call.file : edit.statement.file;
    const text = files[file] ?? readFileSync(join(root, file), 'utf8');
    files[file] = applyEdit(text, edit);
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  return { left: await findingsOf(root, code, c), files };
}

/** The lines a patch adds (`+` lines without the header). */
export const added = (patch: string | undefined): string[] =>
  (patch ?? '')
    .split('\n')
    .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
    .map((l) => l.slice(1).trim());
