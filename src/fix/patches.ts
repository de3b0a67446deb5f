/**
 * Turns the findings' edits into unified diffs against the files on disk, and (only when asked)
 * writes the fixed files. The I/O edge of `src/fix`. A fix is offered or written only when the
 * changed file still parses as Python, and never outside the project (symlinks included).
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Finding, SourceEdit } from '../core/causes.js';
import { getPythonParser } from '../python/parser.js';
import { applyEdit, EditDoesNotApply, unifiedDiff } from './edits.js';
import { decodeSource, encodeChange, WriteRefused, writeSourceAtomically } from './file-text.js';

export const fileOf = (edit: SourceEdit): string =>
  edit.kind === 'replace-text'
    ? edit.file
    : edit.kind === 'set-keyword'
      ? edit.call.file
      : edit.statement.file;

/** The real path of a project file, refusing paths (and symlinks) that lead out of the project. */
export async function inside(root: string, file: string): Promise<string> {
  const realRoot = await realpath(root);
  const full = await realpath(path.resolve(root, file));
  const rel = path.relative(realRoot, full);
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new EditDoesNotApply(`${file} leads outside the project`);
  return full;
}

/** The file after the edits, or an EditDoesNotApply when they do not fit or break the Python syntax. */
export async function edited(file: string, before: string, edits: SourceEdit[]): Promise<string> {
  const after = edits.reduce((t, e) => applyEdit(t, e), before);
  if (file.endsWith('.py') && after !== before) {
    const parser = await getPythonParser();
    const wasClean = !parser.parse(before)?.rootNode.hasError;
    const tree = parser.parse(after);
    const isClean = tree ? !tree.rootNode.hasError : false;
    tree?.delete();
    if (wasClean && !isClean) throw new EditDoesNotApply(`the change would not parse as Python`);
  }
  return after;
}

/** The single file a finding's edits change, when they change exactly one. */
export function singleFile(edits: SourceEdit[]): string | undefined {
  const files = [...new Set(edits.map(fileOf))];
  return files.length === 1 ? files[0] : undefined;
}

/** The findings that come with edits, and those edits (the findings are not changed). */
export function editsOf(findings: Finding[]): Map<Finding, SourceEdit[]> {
  const out = new Map<Finding, SourceEdit[]>();
  for (const f of findings) if (f.fix?.edits && f.fix.edits.length > 0) out.set(f, f.fix.edits);
  return out;
}

/**
 * Sets `fix.patch` on every finding whose edits apply to the current files and leave them valid
 * Python, and removes the internal `fix.edits` from each finding (what stays is the JSON contract).
 */
export async function attachPatches(root: string, findings: Finding[]): Promise<void> {
  const texts = new Map<string, string>();
  for (const finding of findings) {
    const edits = finding.fix?.edits;
    if (!finding.fix || !edits) continue;
    delete finding.fix.edits;
    const file = singleFile(edits);
    if (!file) continue;
    try {
      if (!texts.has(file)) texts.set(file, await readFile(await inside(root, file), 'utf8'));
      const before = texts.get(file) as string;
      const patch = await unifiedDiff(file, before, await edited(file, before, edits));
      if (patch !== '') finding.fix.patch = patch;
    } catch (error) {
      if (!(error instanceof EditDoesNotApply) && (error as NodeJS.ErrnoException).code === undefined)
        throw error;
    }
  }
}

export interface WriteResult {
  /** Files written, relative to the root. */
  written: string[];
  /** Fixes applied, as `code at file:line`. */
  applied: string[];
  /** Fixes that could not be applied, with why. */
  skipped: string[];
}

/** At most this many rounds of fix, then scan again. */
const MAX_ROUNDS = 25;

/**
 * Applies fixes one at a time: `plan` scans the project as it is now and returns the findings with
 * their edits; the first fix not yet tried is applied and written, and the project is scanned again
 * (so every edit works on current line numbers). Stops when no untried fix is left.
 */
export async function writeFixes(
  root: string,
  plan: () => Promise<Map<Finding, SourceEdit[]>>,
): Promise<WriteResult> {
  const written = new Set<string>();
  const applied: string[] = [];
  const skipped: string[] = [];
  const tried = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = [...(await plan())].find(([f]) => !tried.has(`${f.code}: ${f.message}`));
    if (!next) break;
    const [finding, edits] = next;
    tried.add(`${finding.code}: ${finding.message}`);
    const label = `${finding.code} at ${finding.file}:${finding.line}`;
    const file = singleFile(edits);
    if (!file) {
      skipped.push(`${label} (its change spans several files)`);
      continue;
    }
    try {
      const real = await inside(root, file);
      const source = decodeSource(await readFile(real));
      const after = await edited(file, source.text, edits);
      if (after === source.text) continue;
      // Only the changed lines are written anew: the file keeps its encoding, line endings and BOM.
      await writeSourceAtomically(real, source.bytes, encodeChange(source, after));
      written.add(file);
      applied.push(label);
    } catch (error) {
      if (!(error instanceof EditDoesNotApply) && !(error instanceof WriteRefused)) throw error;
      skipped.push(`${label} (${error.message})`);
    }
  }
  return { written: [...written], applied, skipped };
}
