/**
 * Small readings of Python source text without a parser, for finding serve calls (`uvicorn.run(...)`) in
 * any file cheaply: comments and strings blanked, call arguments split, string literals. Pure.
 */

/** The text of a Python file with comments and string contents blanked (offsets kept), for searching. */
export function codeOnly(text: string): string {
  let out = '';
  let k = 0;
  while (k < text.length) {
    const c = text[k] as string;
    if (c === '#') {
      while (k < text.length && text[k] !== '\n') out += text[k++] === '\n' ? '\n' : ' ';
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), k);
      const q = triple ? c.repeat(3) : c;
      out += q;
      k += q.length;
      while (k < text.length && !text.startsWith(q, k)) {
        if (text[k] === '\\') {
          out += '  ';
          k += 2;
          continue;
        }
        if (!triple && text[k] === '\n') break;
        out += text[k] === '\n' ? '\n' : ' ';
        k++;
      }
      if (text.startsWith(q, k)) {
        out += q;
        k += q.length;
      }
      continue;
    }
    out += c;
    k++;
  }
  return out;
}

/** The offset just after the parenthesis that closes the one at `open` (in code-only text). */
export function closeParen(code: string, open: number): number | undefined {
  let depth = 0;
  for (let k = open; k < code.length; k++) {
    const c = code[k];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return k + 1;
    }
  }
  return undefined;
}

/** Top-level arguments of a call: positional (offsets into the text) and keywords. */
export function callArguments(
  code: string,
  open: number,
  close: number,
): {
  positional: Array<{ start: number; end: number }>;
  keywords: Map<string, { start: number; end: number }>;
} {
  const positional: Array<{ start: number; end: number }> = [];
  const keywords = new Map<string, { start: number; end: number }>();
  let depth = 0;
  let argStart = open + 1;
  const push = (end: number) => {
    const raw = code.slice(argStart, end);
    const lead = raw.length - raw.trimStart().length;
    const s = argStart + lead;
    const e = argStart + raw.trimEnd().length;
    if (e <= s) return;
    const kw = /^([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(code.slice(s, e));
    if (kw) keywords.set(kw[1] as string, { start: s + kw[0].length, end: e });
    else if (!code.slice(s, e).startsWith('*')) positional.push({ start: s, end: e });
  };
  for (let k = open + 1; k < close - 1; k++) {
    const c = code[k];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      push(k);
      argStart = k + 1;
    }
  }
  push(close - 1);
  return { positional, keywords };
}

/** A string literal's value (plain, raw or byte-free: no f-strings), if the text is one. */
export function stringLiteral(text: string): string | undefined {
  const m = /^[rR]?(["'])([^"'\\\n]*)\1$/.exec(text.trim());
  return m?.[2];
}
