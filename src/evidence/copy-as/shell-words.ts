// The words of a command line as the shell hands them to curl: bash (with its $'…' ANSI-C quoting) for
// "Copy as cURL (bash)" / "Copy as cURL (POSIX)", and cmd.exe followed by the C runtime's argument splitting
// for "Copy as cURL (cmd)" / "Copy as cURL (Windows)". Pure: text in, words out; unbalanced quotes throw.
import { BadInputError } from '../../core/errors.js';

/** The text after `$'`, up to its closing quote, with bash's ANSI-C escapes read. */
function ansiC(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === "'") return { value, end: i + 1 };
    if (ch !== '\\') {
      value += ch;
      i++;
      continue;
    }
    const next = text[i + 1] ?? '';
    i += 2;
    const simple: Record<string, string> = {
      n: '\n',
      r: '\r',
      t: '\t',
      a: '\x07',
      b: '\b',
      e: '\x1b',
      E: '\x1b',
      f: '\f',
      v: '\v',
      '\\': '\\',
      "'": "'",
      '"': '"',
      '?': '?',
    };
    if (next in simple) {
      value += simple[next];
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const max = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = /^[0-9A-Fa-f]+/.exec(text.slice(i, i + max))?.[0] ?? '';
      if (hex === '') value += `\\${next}`;
      else value += String.fromCodePoint(Number.parseInt(hex, 16));
      i += hex.length;
    } else if (/[0-7]/.test(next)) {
      const octal = next + (/^[0-7]{0,2}/.exec(text.slice(i, i + 2))?.[0] ?? '');
      value += String.fromCharCode(Number.parseInt(octal, 8) & 0xff);
      i += octal.length - 1;
    } else if (next === 'c' && i < text.length) {
      value += String.fromCharCode((text.charCodeAt(i) ?? 0) & 0x1f);
      i++;
    } else {
      value += `\\${next}`;
    }
  }
  throw new BadInputError("the curl command has a $'…' string that is never closed: copy the whole command");
}

/**
 * The words of a bash command line: single quotes, $'…', double quotes (with \\ \" \$ \` escapes),
 * backslash escapes and line continuations. Unquoted `;`, `&` and `|` end the command: the words after one
 * are returned as `rest` (DevTools' "Copy all as cURL" joins commands with ` ;`).
 */
export function bashWords(text: string): { words: string[]; rest: string } {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const push = (s: string) => {
    word = (word ?? '') + s;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (ch === '\\') {
      const next = text[i + 1];
      if (next === '\n') i += 2;
      else if (next === undefined) i++;
      else {
        push(next);
        i += 2;
      }
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0)
        throw new BadInputError(
          "the curl command has a '…' string that is never closed: copy the whole command",
        );
      push(text.slice(i + 1, end));
      i = end + 1;
    } else if (ch === '$' && text[i + 1] === "'") {
      const { value, end } = ansiC(text, i + 2);
      push(value);
      i = end;
    } else if (ch === '"') {
      let value = '';
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && /[\\"$`\n]/.test(text[j + 1] ?? '')) {
          if (text[j + 1] !== '\n') value += text[j + 1];
          j += 2;
        } else {
          value += text[j];
          j++;
        }
      }
      if (j >= text.length)
        throw new BadInputError(
          'the curl command has a "…" string that is never closed: copy the whole command',
        );
      push(value);
      i = j + 1;
    } else if (ch === ';' || ch === '&' || ch === '|') {
      if (word !== undefined) words.push(word);
      return { words, rest: text.slice(i + 1) };
    } else if (ch === '#' && word === undefined) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else {
      push(ch);
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return { words, rest: '' };
}

/**
 * What cmd.exe passes on: `^x` is x taken literally, `^` before a line break joins the next line (whose first
 * character is then literal), text between unescaped double quotes is kept as it is. An unescaped `&` ends
 * the command (DevTools' "Copy all as cURL (cmd)" joins commands with ` &`): the text after it is `rest`.
 */
function cmdLine(text: string): { line: string; rest: string } {
  let line = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      line += ch;
      if (ch === '"') quoted = false;
      i++;
    } else if (ch === '^') {
      if (text[i + 1] === '\n') {
        // The line break is dropped and the first character of the next line is taken as it is.
        i += 2;
        if (i < text.length) {
          line += text[i] === '"' ? '\0' : text[i];
          i++;
        }
      } else if (i + 1 < text.length) {
        // An escaped quote is literal to cmd but still a quote to the C runtime: marked, restored below.
        line += text[i + 1] === '"' ? '\0' : text[i + 1];
        i += 2;
      } else i++;
    } else if (ch === '"') {
      quoted = true;
      line += ch;
      i++;
    } else if (ch === '&') {
      return { line, rest: text.slice(i + 1) };
    } else if (ch === '\n') {
      // An unescaped line break ends the command.
      return { line, rest: text.slice(i + 1) };
    } else {
      line += ch;
      i++;
    }
  }
  return { line, rest: '' };
}

/**
 * The words of a Windows command line: cmd.exe's ^ escapes and line continuations, then the argument
 * splitting of the C runtime (double quotes group words, `\"` is a quote), with `\\` read as one backslash:
 * DevTools doubles every backslash of a value, and the value it wrote is the one the browser sent.
 */
export function cmdWords(text: string): { words: string[]; rest: string } {
  const { line: raw, rest } = cmdLine(text);
  const line = raw.replace(/\0/g, '"');
  const words: string[] = [];
  let word: string | undefined;
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === '\\') {
      // DevTools doubles each backslash and writes a quote as \": read back as it was written.
      const next = line[i + 1];
      word = (word ?? '') + (next === '\\' || next === '"' ? next : '\\');
      i += next === '\\' || next === '"' ? 2 : 1;
    } else if (ch === '"') {
      word = word ?? '';
      // Inside quotes, "" is a literal quote (the C runtime since 2008).
      if (quoted && line[i + 1] === '"') {
        word += '"';
        i += 2;
      } else {
        quoted = !quoted;
        i++;
      }
    } else if (!quoted && (ch === ' ' || ch === '\t' || ch === '\n')) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else {
      word = (word ?? '') + ch;
      i++;
    }
  }
  if (quoted)
    throw new BadInputError('the curl command has a "…" string that is never closed: copy the whole command');
  if (word !== undefined) words.push(word);
  return { words, rest };
}
