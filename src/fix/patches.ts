/**
 * Turns the findings' edits into unified diffs against the files on disk (`fix` proves and writes them:
 * src/analysis/fix-project.ts). A change is offered only when the changed file still parses as Python, and
 * never outside the project (symlinks included).
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Finding, SourceEdit } from '../core/causes.js';
import { getPythonParser, parseWithin } from '../python/parser.js';
import { applyEdit, EditDoesNotApply, unifiedDiff } from './edits.js';

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
    const isClean = (text: string): boolean => {
      const tree = parseWithin(parser, text);
      const clean = tree ? !tree.rootNode.hasError : false;
      tree?.delete();
      return clean;
    };
    const wasClean = isClean(before);
    if (wasClean && !isClean(after)) throw new EditDoesNotApply(`the change would not parse as Python`);
  }
  return after;
}

/** The single file a finding's edits change, when they change exactly one. */
export function singleFile(edits: SourceEdit[]): string | undefined {
  const files = [...new Set(edits.map(fileOf))];
  return files.length === 1 ? files[0] : undefined;
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
