/**
 * Turns the findings' edits into unified diffs against the files on disk, and (only when asked)
 * writes the fixed files. The I/O edge of `src/fix`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Finding, SourceEdit } from '../causes/types.js';
import { applyEdit, EditDoesNotApply, unifiedDiff } from './edits.js';

const fileOf = (edit: SourceEdit): string =>
  edit.kind === 'replace-text'
    ? edit.file
    : edit.kind === 'set-keyword'
      ? edit.call.file
      : edit.kind === 'move-after'
        ? edit.statement.file
        : edit.statement.file;

/** A file of the project, refusing paths that leave it. */
function inside(root: string, file: string): string {
  const full = path.resolve(root, file);
  const rel = path.relative(root, full);
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new EditDoesNotApply(`${file} is outside the project`);
  return full;
}

/** `text` with every edit applied in order. */
function applyAll(text: string, edits: SourceEdit[]): string {
  return edits.reduce((t, e) => applyEdit(t, e), text);
}

/**
 * Sets `fix.patch` on every finding whose edits apply to the current files, and removes the internal
 * `fix.edits` from each finding (what stays is the JSON contract). Returns the edits per finding, for
 * `writeFixes`.
 */
export async function attachPatches(root: string, findings: Finding[]): Promise<Map<Finding, SourceEdit[]>> {
  const texts = new Map<string, string>();
  const read = async (file: string) => {
    if (!texts.has(file)) texts.set(file, await readFile(inside(root, file), 'utf8'));
    return texts.get(file) as string;
  };
  const kept = new Map<Finding, SourceEdit[]>();
  for (const finding of findings) {
    const edits = finding.fix?.edits;
    if (!finding.fix || !edits || edits.length === 0) continue;
    delete finding.fix.edits;
    const files = [...new Set(edits.map(fileOf))];
    if (files.length !== 1) continue;
    const file = files[0] as string;
    try {
      const before = await read(file);
      const patch = await unifiedDiff(file, before, applyAll(before, edits));
      if (patch === '') continue;
      finding.fix.patch = patch;
      kept.set(finding, edits);
    } catch (error) {
      if (!(error instanceof EditDoesNotApply) && (error as NodeJS.ErrnoException).code === undefined)
        throw error;
    }
  }
  return kept;
}

export interface WriteResult {
  /** Files written, relative to the root. */
  written: string[];
  /** Findings whose fix was applied. */
  applied: Finding[];
  /** Findings whose fix no longer applied after an earlier fix to the same lines. */
  skipped: Finding[];
}

const lineOf = (edit: SourceEdit): number =>
  edit.kind === 'replace-text'
    ? edit.line
    : edit.kind === 'set-keyword'
      ? edit.call.line
      : edit.statement.line;

/**
 * Applies the fixes to the files. Edits go bottom-up (an edit never moves the lines of the ones still to
 * come; a move goes after the other edits of its line), identical edits are applied once, and a finding
 * whose edit no longer fits is skipped.
 */
export async function writeFixes(root: string, fixes: Map<Finding, SourceEdit[]>): Promise<WriteResult> {
  const byKey = new Map<string, { edit: SourceEdit; findings: Finding[] }>();
  for (const [finding, edits] of fixes) {
    for (const edit of edits) {
      const key = JSON.stringify(edit);
      const entry = byKey.get(key) ?? { edit, findings: [] };
      entry.findings.push(finding);
      byKey.set(key, entry);
    }
  }
  const ordered = [...byKey.values()].sort(
    (a, b) =>
      fileOf(a.edit).localeCompare(fileOf(b.edit)) ||
      lineOf(b.edit) - lineOf(a.edit) ||
      Number(a.edit.kind === 'move-after') - Number(b.edit.kind === 'move-after'),
  );
  const texts = new Map<string, { before: string; now: string }>();
  const failed = new Set<Finding>();
  for (const { edit, findings } of ordered) {
    const file = fileOf(edit);
    if (!texts.has(file)) {
      const text = await readFile(inside(root, file), 'utf8');
      texts.set(file, { before: text, now: text });
    }
    const state = texts.get(file) as { before: string; now: string };
    try {
      state.now = applyEdit(state.now, edit);
    } catch (error) {
      if (!(error instanceof EditDoesNotApply)) throw error;
      for (const f of findings) failed.add(f);
    }
  }
  const written: string[] = [];
  for (const [file, { before, now }] of texts) {
    if (before === now) continue;
    await writeFile(inside(root, file), now);
    written.push(file);
  }
  const all = [...fixes.keys()];
  return { written, applied: all.filter((f) => !failed.has(f)), skipped: all.filter((f) => failed.has(f)) };
}
