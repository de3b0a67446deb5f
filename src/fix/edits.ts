/**
 * Applies `SourceEdit`s to Python source text (nginx configuration: nginx-edits.ts), and writes the
 * result as a unified diff. Pure: the caller reads and writes files.
 */
import type { SourceEdit } from '../core/causes.js';
import { EditDoesNotApply } from './edit-error.js';
import { applyNginxEdit } from './nginx-edits.js';
import { addImports, afterLastImport, insertBefore, moveItemBefore, removeItem } from './python-edits.js';
import {
  blockExtent,
  keywordValue,
  lastCodeEnd,
  lineEnd,
  lineNumberAt,
  lineStart,
  registrationCall,
  statementExtent,
} from './python-text.js';

export { EditDoesNotApply };

const indentAt = (text: string, offset: number): string => /^[ \t]*/.exec(text.slice(offset))?.[0] ?? '';

/** `text` with `edit` applied (all edits of one finding touch one file). */
export function applyEdit(text: string, edit: SourceEdit): string {
  switch (edit.kind) {
    case 'replace-text': {
      const { start, end } = statementExtent(text, edit.line);
      const at = text.indexOf(edit.from, start);
      if (at < 0 || at >= Math.max(end, lineEnd(text, start))) {
        throw new EditDoesNotApply(`${edit.from} is not on line ${edit.line}`);
      }
      return text.slice(0, at) + edit.to + text.slice(at + edit.from.length);
    }
    case 'set-keyword': {
      const parens = registrationCall(text, edit.call.line, 'CORSMiddleware');
      if (!parens) throw new EditDoesNotApply(`no CORSMiddleware registration on line ${edit.call.line}`);
      const value = keywordValue(text, parens, edit.keyword);
      if (value) return text.slice(0, value.start) + edit.value + text.slice(value.end);
      return addKeyword(text, parens, `${edit.keyword}=${edit.value}`);
    }
    case 'move-after': {
      const moved = statementExtent(text, edit.statement.line);
      const target = blockExtent(text, edit.after.line);
      // Only between top-level statements: inside an `if` or a function the order is the code's own logic.
      if (indentAt(text, moved.start) !== '' || indentAt(text, target.start) !== '') {
        throw new EditDoesNotApply('the registrations are not both at the top level of the module');
      }
      if (target.start < moved.end && moved.start < target.end)
        throw new EditDoesNotApply('overlapping statements');
      const statement = text.slice(moved.start, moved.end);
      // Take one blank line that followed the moved statement with it.
      const removeEnd = /^[ \t]*\n/.test(text.slice(moved.end)) ? lineEnd(text, moved.end) : moved.end;
      // PEP 8: two blank lines after a top-level definition, one after a plain statement.
      const afterDefinition = target.end !== statementExtent(text, edit.after.line).end;
      const block = `${afterDefinition ? '\n\n' : '\n'}${statement.endsWith('\n') ? statement : `${statement}\n`}`;
      if (target.end <= moved.start) {
        return (
          text.slice(0, target.end) + block + text.slice(target.end, moved.start) + text.slice(removeEnd)
        );
      }
      return text.slice(0, moved.start) + text.slice(removeEnd, target.end) + block + text.slice(target.end);
    }
    case 'insert-after': {
      const { end } = blockExtent(text, edit.statement.line);
      const indent = indentAt(text, lineStart(text, edit.statement.line));
      const code = edit.code.map((l) => (l === '' ? '' : indent + l)).join('\n');
      let out = `${text.slice(0, end)}${code}\n${text.slice(end)}`;
      const missing = edit.imports.filter((i) => !new RegExp(`^${escapeRegExp(i)}\\s*$`, 'm').test(out));
      if (missing.length > 0) {
        const at = afterLastImport(out);
        out = `${out.slice(0, at)}${missing.join('\n')}\n${out.slice(at)}`;
      }
      return out;
    }
    case 'remove-statement': {
      const { start, end } = statementExtent(text, edit.statement.line);
      if (indentAt(text, start) !== '') throw new EditDoesNotApply('the statement is not at the top level');
      // With a blank line on each side, one of them goes too.
      const blankAround = /(^|\n)[ \t]*\n$/.test(text.slice(0, start)) && /^[ \t]*\n/.test(text.slice(end));
      return text.slice(0, start) + text.slice(blankAround ? lineEnd(text, end) : end);
    }
    case 'nginx-directive': {
      const out = applyNginxEdit(text, edit);
      if ('error' in out) throw new EditDoesNotApply(out.error);
      return out.text;
    }
    case 'replace-definition': {
      const start = lineStart(text, edit.statement.line);
      const head = text.slice(start, lineEnd(text, start)).trimStart();
      if (head.trim() === '') throw new EditDoesNotApply(`no statement on line ${edit.statement.line}`);
      const { end } = blockExtent(text, edit.statement.line);
      // Nothing instead: the definition goes with the blank lines after it.
      if (edit.code.length === 0)
        return addImports(text.slice(0, start) + text.slice(end).replace(/^([ \t]*\n)+/, ''), edit.imports);
      const indent = indentAt(text, start);
      const code = edit.code.map((l) => (l === '' ? '' : indent + l)).join('\n');
      return addImports(`${text.slice(0, start)}${code}\n${text.slice(end)}`, edit.imports);
    }
    case 'insert-before':
      return insertBefore(text, edit);
    case 'move-item-before':
      return moveItemBefore(text, edit);
    case 'remove-item':
      return removeItem(text, edit);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Adds `kwarg` as the last argument, in the call's own style (one line, or one argument per line). */
function addKeyword(text: string, parens: { open: number; close: number }, kwarg: string): string {
  const inside = text.slice(parens.open + 1, parens.close);
  if (inside.includes('\n')) {
    const closeLine = lineStart(text, lineNumberAt(text, parens.close));
    const argIndent = /\n([ \t]+)\S/.exec(inside)?.[1] ?? '    ';
    // The comma goes after the last argument's code, before any comment that follows it.
    const last = lastCodeEnd(text, parens.open, closeLine);
    const comma = text[last - 1] === ',' || last === parens.open + 1 ? '' : ',';
    const head = `${text.slice(0, last)}${comma}${text.slice(last, closeLine)}`;
    const sep = head.endsWith('\n') ? '' : '\n';
    return `${head}${sep}${argIndent}${kwarg},\n${text.slice(closeLine)}`;
  }
  const trimmed = inside.trimEnd();
  const sep = trimmed === '' ? '' : trimmed.endsWith(',') ? ' ' : ', ';
  return `${text.slice(0, parens.open + 1)}${trimmed}${sep}${kwarg}${text.slice(parens.close)}`;
}

/** A unified diff of one file (`a/FILE` -> `b/FILE`), or '' when nothing changed. */
export async function unifiedDiff(file: string, before: string, after: string): Promise<string> {
  if (before === after) return '';
  const { createTwoFilesPatch } = await import('diff');
  const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, {
    context: 3,
  });
  return patch
    .split('\n')
    .filter((line) => !/^=+$/.test(line))
    .map((line) => (/^(---|\+\+\+) /.test(line) ? line.replace(/\t.*$/, '') : line))
    .join('\n');
}
