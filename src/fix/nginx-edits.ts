/**
 * Edits of nginx configuration at the directive level (`nginx-directive` edits): replace, remove or insert
 * directives beside a directive or as the first lines of its block, at the indentation the file uses and
 * with its line endings. The lines around are kept byte for byte. Pure: the caller reads and writes files.
 */
import type { NginxChange, SourceEdit } from '../core/causes.js';
import type { Directive } from '../proxy/nginx/config.js';
import { type DirectiveSpan, directiveSpans, NginxSyntaxError } from '../proxy/nginx/config.js';

export type NginxEdit = Extract<SourceEdit, { kind: 'nginx-directive' }>;

/** An nginx edit of the directive `d` of `file` (its name and line). */
export function nginxEdit(
  file: string,
  d: Pick<Directive, 'name' | 'line'>,
  change: NginxChange,
  lines: string[] = [],
): NginxEdit {
  return { kind: 'nginx-directive', statement: { file, line: d.line }, directive: d.name, change, lines };
}

/**
 * The edits of one fix in the order they apply: from the last line up, so that the line of each edit is
 * still right when it applies (inserting or removing lines only moves the lines below).
 */
export const bottomUp = (edits: NginxEdit[]): NginxEdit[] =>
  [...edits].sort((a, b) => b.statement.line - a.statement.line);

/** An nginx argument as it must be written: quoted unless it is one plain word or a variable. */
export function nginxArg(value: string): string {
  if (/^[\w$.:/*,+-]+$/.test(value) && !value.includes('{')) return value;
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** `add_header NAME "VALUE" [always];`: the value quoted unless it is a number or one variable. */
export const addHeaderLine = (name: string, value: string, always: boolean): string =>
  `add_header ${name} ${/^(\d+|\$\w+)$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`}${always ? ' always' : ''};`;

const lineStartAt = (text: string, offset: number): number => text.lastIndexOf('\n', offset - 1) + 1;

function lineEndAt(text: string, offset: number): number {
  const next = text.indexOf('\n', offset);
  return next < 0 ? text.length : next + 1;
}

const indentAt = (text: string, offset: number): string =>
  /^[ \t]*/.exec(text.slice(lineStartAt(text, offset)))?.[0] ?? '';

/** Only blanks (and a comment) from `from` to the end of its line. */
const restOfLineIsFree = (text: string, from: number): boolean =>
  /^[ \t]*(#[^\n]*)?(\r?\n|$)/.test(text.slice(from));

/** Only blanks from the start of the line to `offset`. */
const startOfLineIsFree = (text: string, offset: number): boolean =>
  /^[ \t]*$/.test(text.slice(lineStartAt(text, offset), offset));

/** The file's indentation step: the first block whose first directive is on a line of its own. */
function indentUnit(text: string, spans: DirectiveSpan[]): string {
  for (const block of spans) {
    if (block.open === undefined) continue;
    const child = spans.find((s) => s.depth === block.depth + 1 && s.start > (block.open as number));
    if (!child || !startOfLineIsFree(text, child.start)) continue;
    const outer = indentAt(text, block.start);
    const inner = indentAt(text, child.start);
    if (inner.length > outer.length && inner.startsWith(outer)) return inner.slice(outer.length);
  }
  return '    ';
}

/** `lines` at `indent`, each four leading spaces one `unit`, joined by `eol`. */
function render(lines: string[], indent: string, unit: string, eol: string): string {
  return lines
    .map((line) => {
      if (line.trim() === '') return '';
      const levels = Math.floor((/^ */.exec(line)?.[0].length ?? 0) / 4);
      return `${indent}${unit.repeat(levels)}${line.trimStart()}`;
    })
    .join(eol);
}

/** The text with `edit` applied, or why it cannot be (the file changed, or it is written unusually). */
export function applyNginxEdit(text: string, edit: NginxEdit): { text: string } | { error: string } {
  let spans: DirectiveSpan[];
  try {
    spans = directiveSpans(text);
  } catch (error) {
    if (error instanceof NginxSyntaxError) return { error: `${edit.statement.file} does not parse as nginx` };
    throw error;
  }
  const target = spans.find((s) => s.line === edit.statement.line && s.name === edit.directive);
  if (!target) return { error: `no ${edit.directive} directive on line ${edit.statement.line}` };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const unit = indentUnit(text, spans);
  const indent = indentAt(text, target.start);
  const out = changed(text, target, edit, { eol, unit, indent }, spans);
  if (typeof out !== 'string') return out;
  try {
    directiveSpans(out);
  } catch (error) {
    if (error instanceof NginxSyntaxError) return { error: 'the change would not parse as nginx' };
    throw error;
  }
  return { text: out };
}

function changed(
  text: string,
  target: DirectiveSpan,
  edit: NginxEdit,
  style: { eol: string; unit: string; indent: string },
  spans: DirectiveSpan[],
): string | { error: string } {
  const { eol, unit, indent } = style;
  const block = (at: number, lines: string[], blockIndent: string) =>
    `${text.slice(0, at)}${render(lines, blockIndent, unit, eol)}${eol}${text.slice(at)}`;
  switch (edit.change) {
    case 'replace': {
      const end = target.open === undefined ? target.end : target.open;
      const head = text.slice(target.start, end);
      const kept = head.length - head.trimEnd().length;
      const written = render(edit.lines, indent, unit, eol).slice(indent.length);
      return text.slice(0, target.start) + written + text.slice(end - kept);
    }
    case 'append': {
      if (target.open !== undefined) return { error: `${edit.directive} on line ${target.line} is a block` };
      const before = text.slice(0, target.end - 1);
      const head = before.trimEnd();
      return `${head} ${edit.lines[0] ?? ''}${before.slice(head.length)}${text.slice(target.end - 1)}`;
    }
    case 'remove': {
      if (startOfLineIsFree(text, target.start) && restOfLineIsFree(text, target.end)) {
        return text.slice(0, lineStartAt(text, target.start)) + text.slice(lineEndAt(text, target.end));
      }
      const after = /^[ \t]*/.exec(text.slice(target.end))?.[0].length ?? 0;
      return text.slice(0, target.start) + text.slice(target.end + after);
    }
    case 'insert-after': {
      if (!restOfLineIsFree(text, target.end))
        return { error: `another directive follows ${edit.directive} on line ${target.line}` };
      const at = lineEndAt(text, target.end);
      if (at === text.length && !text.endsWith('\n'))
        return `${text}${eol}${render(edit.lines, indent, unit, eol)}`;
      return block(at, edit.lines, indent);
    }
    case 'insert-before': {
      if (!startOfLineIsFree(text, target.start))
        return { error: `${edit.directive} on line ${target.line} does not start its line` };
      return block(lineStartAt(text, target.start), edit.lines, indent);
    }
    case 'copy-before': {
      if (target.open === undefined || target.close === undefined)
        return { error: `${edit.directive} on line ${target.line} is not a block` };
      if (!startOfLineIsFree(text, target.start) || !restOfLineIsFree(text, target.end))
        return { error: `${edit.directive} on line ${target.line} shares its lines with other directives` };
      const [head, pass] = edit.lines;
      if (!head) return { error: 'no head for the copy' };
      let body = text.slice(target.open, target.close);
      if (pass !== undefined) {
        // The proxy_pass lines of the block itself (not of blocks inside it), last first.
        const passes = spans.filter(
          (s) =>
            s.name === 'proxy_pass' &&
            s.depth === target.depth + 1 &&
            s.start > (target.open as number) &&
            s.end < (target.close as number),
        );
        for (const p of passes.reverse())
          body = body.slice(0, p.start - target.open) + pass.trim() + body.slice(p.end - target.open);
      }
      const copy = `${indent}${head.trim()} ${body}${text.slice(target.close, lineEndAt(text, target.end))}`;
      const at = lineStartAt(text, target.start);
      // Blocks written apart by a blank line stay so.
      const apart = /\n[ \t]*\r?\n$/.test(text.slice(0, at)) ? eol : '';
      return `${text.slice(0, at)}${copy}${copy.endsWith('\n') ? '' : eol}${apart}${text.slice(at)}`;
    }
    case 'insert-into': {
      if (target.open === undefined)
        return { error: `${edit.directive} on line ${target.line} is not a block` };
      if (!restOfLineIsFree(text, target.open + 1))
        return { error: `the block of ${edit.directive} on line ${target.line} goes on after its "{"` };
      const first = spans.find((s) => s.depth === target.depth + 1 && s.start > (target.open as number));
      const inner =
        first && first.start < (target.close as number) && startOfLineIsFree(text, first.start)
          ? indentAt(text, first.start)
          : indent + unit;
      return block(lineEndAt(text, target.open), edit.lines, inner);
    }
  }
}
