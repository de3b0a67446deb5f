/**
 * Just enough of Python's lexical structure to edit source text safely: where a statement ends
 * (brackets balanced, strings and comments skipped), where a call's arguments are, and where a
 * decorated definition's body ends. Offsets are indices into the JavaScript string.
 */

/** Offset of the first character of 1-based `line`. */
export function lineStart(text: string, line: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset;
}

/** Offset just past the newline that ends the line holding `offset` (or the end of the text). */
export function lineEnd(text: string, offset: number): number {
  const next = text.indexOf('\n', offset);
  return next < 0 ? text.length : next + 1;
}

/** Skips a string literal starting at `i` (at its quote); returns the offset after it. */
function skipString(text: string, i: number): number {
  const quote = text[i] as string;
  const triple = text.startsWith(quote.repeat(3), i);
  const end = triple ? quote.repeat(3) : quote;
  let j = i + end.length;
  while (j < text.length) {
    if (text[j] === '\\') {
      j += 2;
      continue;
    }
    if (text.startsWith(end, j)) return j + end.length;
    if (!triple && text[j] === '\n') return j;
    j++;
  }
  return text.length;
}

/**
 * Walks from `from`, calling `visit` on every code character (not inside strings or comments) with
 * the bracket depth before it; stops when `visit` returns true. Returns the offset where it stopped,
 * or -1 at the end of the text.
 */
export function scanCode(
  text: string,
  from: number,
  visit: (offset: number, depth: number) => boolean,
): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '#') {
      i = text.indexOf('\n', i);
      if (i < 0) return -1;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (visit(i, depth)) return i;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    i++;
  }
  return -1;
}

/** The offset just past the last code character in `[from, to)`: comments and trailing blanks excluded. */
export function lastCodeEnd(text: string, from: number, to: number): number {
  let end = from;
  let i = from;
  while (i < to) {
    const c = text[i] as string;
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? to : nl;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      end = Math.min(i, to);
      continue;
    }
    if (!/\s/.test(c)) end = i + 1;
    i++;
  }
  return end;
}

/** `[start, end)` of the simple statement starting on `line`: up to the newline where brackets balance. */
export function statementExtent(text: string, line: number): { start: number; end: number } {
  const start = lineStart(text, line);
  const stop = scanCode(text, start, (i, depth) => text[i] === '\n' && depth === 0 && text[i - 1] !== '\\');
  return { start, end: stop < 0 ? text.length : stop + 1 };
}

const indentOf = (text: string, offset: number): number =>
  /^[ \t]*/.exec(text.slice(offset))?.[0].length ?? 0;

/**
 * `[start, end)` of the statement on `line`, or of the whole definition when the line is a decorator
 * or a `def`/`class` header: decorators, header and the indented body.
 */
export function blockExtent(text: string, line: number): { start: number; end: number } {
  const first = statementExtent(text, line);
  const head = text.slice(first.start, first.end).trimStart();
  if (!/^(@|async\s+def\b|def\b|class\b)/.test(head)) return first;
  const base = indentOf(text, first.start);
  let end = first.end;
  let sawHeader = /^(async\s+def|def|class)\b/.test(head);
  while (!sawHeader && end < text.length) {
    const next = statementExtent(text, lineNumberAt(text, end));
    sawHeader = /^(async\s+def|def|class)\b/.test(text.slice(next.start, next.end).trimStart());
    end = next.end;
  }
  while (end < text.length) {
    const next = statementExtent(text, lineNumberAt(text, end));
    const body = text.slice(next.start, next.end).trim();
    // Blank lines and comments (even at column 0) do not end a block; the next statement at the
    // definition's indentation does.
    if (body !== '' && !body.startsWith('#') && indentOf(text, next.start) <= base) break;
    end = next.end;
  }
  // Trailing blank lines belong to the gap, not to the definition.
  while (end > first.end && /\n[ \t]*\n$/.test(text.slice(0, end))) end = text.lastIndexOf('\n', end - 2) + 1;
  return { start: first.start, end };
}

/** The 1-based line of `offset`. */
export function lineNumberAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/**
 * The argument list (offsets of `(` and `)`) of the call in the statement at `line` that registers
 * `className`: `add_middleware(CLASS, ...)`, `Middleware(CLASS, ...)` or `CLASS(app, ...)`. Undefined
 * when the statement holds no such call.
 */
export function registrationCall(
  text: string,
  line: number,
  className: string,
): { open: number; close: number } | undefined {
  const { start, end } = statementExtent(text, line);
  let found: { open: number; close: number } | undefined;
  scanCode(text, start, (i) => {
    if (i >= end) return true;
    if (text[i] !== '(') return false;
    const callee = /[\w.]+$/.exec(text.slice(start, i).trimEnd())?.[0] ?? '';
    const close = scanCode(text, i, (j, depth) => text[j] === ')' && depth === 1);
    if (close < 0) return false;
    const firstArg = text.slice(i + 1, close).trimStart();
    const registers =
      callee.endsWith(className) ||
      (/(^|\.)(add_middleware|Middleware)$/.test(callee) &&
        new RegExp(`^([\\w.]*\\.)?${className}\\b`).test(firstArg));
    if (!registers) return false;
    found = { open: i, close };
    return true;
  });
  return found;
}

/** A keyword argument `name=value` at the top level of the call: the value's `[start, end)`. */
export function keywordValue(
  text: string,
  parens: { open: number; close: number },
  name: string,
): { start: number; end: number } | undefined {
  let found: number | undefined;
  scanCode(text, parens.open, (i, depth) => {
    if (i >= parens.close) return true;
    if (depth !== 1) return false;
    const before = text[i - 1] ?? '';
    if (/[\w.]/.test(before)) return false;
    const m = new RegExp(`^${name}\\s*=(?!=)\\s*`).exec(text.slice(i, parens.close));
    if (!m) return false;
    found = i + m[0].length;
    return true;
  });
  if (found === undefined) return undefined;
  const start = found;
  const stop = scanCode(text, start, (i, depth) => i >= parens.close || (depth === 0 && text[i] === ','));
  const stopAt = stop < 0 || stop > parens.close ? parens.close : stop;
  return { start, end: lastCodeEnd(text, start, stopAt) };
}
