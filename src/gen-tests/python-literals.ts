// Python source text for values: string literals, header lists, comments.
import type { HeaderList } from '../model/types.js';

/** A Python string literal (JSON's escapes are Python's too). */
export function pyString(value: string): string {
  return JSON.stringify(value);
}

/** `None` or a string literal. */
export function pyOptional(value: string | undefined): string {
  return value === undefined ? 'None' : pyString(value);
}

/** A list of `(name, value)` tuples, one per line at `indent`. */
export function pyHeaders(headers: HeaderList, indent: string): string {
  if (headers.length === 0) return '[]';
  const lines = headers.map(([name, value]) => `${indent}    (${pyString(name)}, ${pyString(value)}),`);
  return `[\n${lines.join('\n')}\n${indent}]`;
}

/** A list of string literals on one line. */
export function pyStrings(values: string[]): string {
  return `[${values.map(pyString).join(', ')}]`;
}

/** `text` as `#` comment lines of at most `width` characters (no line break survives inside). */
export function pyComment(text: string, indent = '', width = 100): string[] {
  const words = text
    .replace(/[\r\n]+/g, ' ')
    .split(/ +/)
    .filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && indent.length + 2 + line.length + 1 + word.length > width) {
      lines.push(`${indent}# ${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(`${indent}# ${line}`);
  return lines;
}
