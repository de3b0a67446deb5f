/**
 * Comments blanked out before parsing. tree-sitter-python takes time quadratic in the length of a run of
 * comment lines (thousands of commented-out lines take seconds); the reader needs no comment, so a file with
 * many of them is parsed with each comment replaced by spaces of the same length (every offset, line and
 * column stays where it was).
 */

/** Files with fewer comment lines than this are parsed as they are. */
const MANY_COMMENT_LINES = 200;

/** Offset after the string literal whose quote is at `i`. */
function skipString(text: string, i: number): number {
  const quote = text[i] as string;
  const end = text.startsWith(quote.repeat(3), i) ? quote.repeat(3) : quote;
  let j = i + end.length;
  while (j < text.length) {
    if (text[j] === '\\') j += 2;
    else if (text.startsWith(end, j)) return j + end.length;
    else if (end.length === 1 && text[j] === '\n') return j;
    else j++;
  }
  return text.length;
}

/** `text` with every comment blanked when it has many comment lines; else `text` itself. */
export function withoutManyComments(text: string): string {
  const lines = text.match(/^[ \t]*#/gm);
  if (!lines || lines.length < MANY_COMMENT_LINES) return text;
  const out: string[] = [];
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") i = skipString(text, i);
    else if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out.push(text.slice(from, i), ' '.repeat(stop - i));
      from = stop;
      i = stop;
    } else i++;
  }
  out.push(text.slice(from));
  return out.join('');
}
