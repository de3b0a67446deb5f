/**
 * Small readings of Python source text without a parser: comments and strings blanked, call arguments
 * split, string literals, and a module's bindings (`application = CORSMiddleware(app, ...)`,
 * `from app.main import app`). Pure.
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

/** A name bound by a statement of a module, as far as a serve command's target needs it. */
export interface Binding {
  name: string;
  /** 1-based line where the statement starts. */
  line: number;
  /** The statement is at the top level of the module (not indented: not in a function, class or block). */
  topLevel: boolean;
  /**
   * `call`: `name = Callee(...)`, with the callee as written and the arguments that are plain names;
   * `alias`: `name = other`; `import`: `from module import name`, `import name`; `other`: anything else.
   */
  kind: 'call' | 'alias' | 'import' | 'other';
  callee?: string;
  /** Arguments that are plain names: positional in order, then keyword ones as `keyword=name`. */
  arguments?: string[];
  /** For `alias`, the name assigned. */
  value?: string;
}

/** The statements of a module that bind names, in source order: assignments and imports. */
export function bindingsOf(text: string): Binding[] {
  const code = codeOnly(text);
  const out: Binding[] = [];
  let depth = 0;
  let continued = false;
  let line = 1;
  let offset = 0;
  while (offset <= code.length) {
    const next = code.indexOf('\n', offset);
    const end = next < 0 ? code.length : next;
    if (depth === 0 && !continued) out.push(...statementBindings(text, code, offset, line));
    for (let k = offset; k < end; k++) {
      const c = code[k];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    }
    continued = code[end - 1] === '\\';
    if (next < 0) break;
    offset = next + 1;
    line++;
  }
  return out;
}

const NAME = /^[A-Za-z_]\w*$/;

/** The names bound by the statement that starts at `offset` (the start of line `line`). */
function statementBindings(text: string, code: string, offset: number, line: number): Binding[] {
  const rest = code.slice(offset);
  const indent = /^[ \t]*/.exec(rest)?.[0] ?? '';
  const topLevel = indent === '';
  const from = /^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)/.exec(rest);
  const plainImport = /^[ \t]*import[ \t]+([^\n]*)/.exec(rest);
  const imported = from?.[1] ?? plainImport?.[1];
  if (imported !== undefined) {
    return imported
      .replace(/[()\\]/g, ' ')
      .split(',')
      .flatMap((item) => {
        const parts = item.trim().split(/\s+as\s+/);
        const name = (parts[1] ?? (from ? parts[0] : parts[0]?.split('.')[0]))?.trim();
        return name && NAME.test(name) ? [{ name, line, topLevel, kind: 'import' as const }] : [];
      });
  }
  const m = /^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)[ \t]*/.exec(rest);
  if (!m) return [];
  const name = m[1] as string;
  const valueAt = offset + m[0].length;
  const call = /^([A-Za-z_][\w.]*)[ \t]*\(/.exec(code.slice(valueAt));
  if (call) {
    const open = valueAt + call[0].length - 1;
    const close = closeParen(code, open);
    if (close !== undefined && /^[ \t]*(?:\n|$)/.test(code.slice(close))) {
      const args = callArguments(code, open, close);
      const plain = (a: { start: number; end: number }) => NAME.test(text.slice(a.start, a.end));
      const names = [
        ...args.positional.filter(plain).map((a) => text.slice(a.start, a.end)),
        ...[...args.keywords]
          .filter(([, v]) => plain(v))
          .map(([k, v]) => `${k}=${text.slice(v.start, v.end)}`),
      ];
      return [{ name, line, topLevel, kind: 'call', callee: call[1] as string, arguments: names }];
    }
  }
  const alias = /^([A-Za-z_]\w*)[ \t]*(?:\n|$)/.exec(code.slice(valueAt));
  if (alias) return [{ name, line, topLevel, kind: 'alias', value: alias[1] as string }];
  return [{ name, line, topLevel, kind: 'other' }];
}
