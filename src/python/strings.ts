import type { Node } from 'web-tree-sitter';

export type DecodedString =
  | { kind: 'str'; value: string }
  | { kind: 'bytes' }
  | { kind: 'unresolved'; reason: string };

const SIMPLE: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
};

/** One escape sequence of a string body, left to right (`\\\\` is one, so `\\\\x` is no `\\x` escape). */
const ESCAPE = /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[0-7]{1,3}|[\s\S])/g;

/** A `\\U` escape past the last code point, U+10FFFF. */
const pastUnicode = (e: string): boolean => e[0] === 'U' && Number.parseInt(e.slice(1), 16) > 0x10ffff;

/**
 * A `\\x`, `\\u` or `\\U` escape without all its hex digits, or a `\\U` past U+10FFFF: Python refuses the
 * string ("truncated \\xXX escape", "illegal Unicode character").
 */
const hasRefusedEscape = (s: string): boolean =>
  [...s.matchAll(ESCAPE)].some(
    (m) => m[1] === 'x' || m[1] === 'u' || m[1] === 'U' || pastUnicode(m[1] as string),
  );

/** Decodes Python escape sequences of a non-raw string body (an escape Python refuses is kept as written). */
export function decodeEscapes(s: string): string {
  return s.replace(ESCAPE, (all, e: string) => {
    const c = e[0] as string;
    if ((c === 'x' || c === 'u' || c === 'U') && e.length > 1 && !pastUnicode(e))
      return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    if (/[0-7]/.test(c)) return String.fromCodePoint(Number.parseInt(e, 8));
    if (c === 'N') return all;
    if (e === '\r\n'[0] || e === '\n') return '';
    return SIMPLE[e] ?? all; // unknown escapes keep the backslash, as Python does
  });
}

const REFUSED_ESCAPE: DecodedString = {
  kind: 'unresolved',
  reason: 'an escape Python refuses (a \\x, \\u or \\U without its hex digits, or past U+10FFFF)',
};

/** The value of a `string` node; `interp` evaluates f-string replacement fields. */
export function decodeStringNode(node: Node, interp: (expr: Node) => string | undefined): DecodedString {
  const text = node.text;
  const m = /^([A-Za-z]*)('''|"""|'|")/.exec(text);
  if (!m) return { kind: 'unresolved', reason: 'unrecognised string literal' };
  const prefix = (m[1] as string).toLowerCase();
  const quote = m[2] as string;
  if (prefix.includes('b')) return { kind: 'bytes' };
  const raw = prefix.includes('r');
  if (!prefix.includes('f') && !prefix.includes('t')) {
    const end =
      text.endsWith(quote) && text.length >= prefix.length + 2 * quote.length
        ? text.length - quote.length
        : text.length;
    const body = text.slice(prefix.length + quote.length, end);
    if (!raw && hasRefusedEscape(body)) return REFUSED_ESCAPE;
    return { kind: 'str', value: raw ? body : decodeEscapes(body) };
  }
  let out = '';
  for (const child of node.namedChildren) {
    if (child.type === 'string_start' || child.type === 'string_end') continue;
    if (child.type === 'string_content' || child.type === 'escape_sequence') {
      const t = child.text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      if (!raw && hasRefusedEscape(t)) return REFUSED_ESCAPE;
      out += raw ? t : decodeEscapes(t);
    } else if (child.type === 'interpolation') {
      const expr = child.childForFieldName('expression');
      if (
        !expr ||
        child.childForFieldName('format_specifier') ||
        child.childForFieldName('type_conversion')
      ) {
        return { kind: 'unresolved', reason: `f-string field ${child.text} is not evaluated` };
      }
      const v = interp(expr);
      if (v === undefined)
        return { kind: 'unresolved', reason: `f-string field ${child.text} cannot be resolved` };
      out += v;
    }
  }
  return { kind: 'str', value: out };
}
