/**
 * nginx configuration as a tree of directives, with the line of each. Lexing follows nginx's own rules:
 * whitespace separates arguments, `#` starts a comment, quotes ('...' or "...", with backslash escapes)
 * keep `;`, `{` and `}` literal, and `${name}` is a variable, not a block.
 */

import type { ProxyConfig } from '../types.js';
import type { ReadInclude } from './include.js';

export interface Directive {
  name: string;
  /** Arguments, unquoted. */
  args: string[];
  line: number;
  /** The directives of its block (`server { ... }`, `location / { ... }`, `if (...) { ... }`). */
  block?: Directive[];
  /** Written in another file than the configuration's own: that file (an include read in its place). */
  file?: string;
}

/** An nginx configuration file of the project, parsed (or why it could not be). */
export interface NginxConfigFile extends ProxyConfig {
  proxy: 'nginx';
  /** The file's own directives, as written. */
  directives: Directive[];
  /** The directives nginx runs, when includes of the project's files are written in (`include.ts`). */
  served?: Directive[];
  /** The includes read, in order. */
  includes?: ReadInclude[];
  /** The main configuration that includes this file: it is served as part of that one (`served`). */
  includedBy?: string;
}

/** The configuration as nginx's, when it is one. */
export const asNginx = (config: ProxyConfig): NginxConfigFile | undefined =>
  config.proxy === 'nginx' ? (config as NginxConfigFile) : undefined;

export class NginxSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`${reason} on line ${line}`);
    this.name = 'NginxSyntaxError';
  }
}

/** A token and where it is: `[start, end)` offsets into the source. */
type Token = { text: string; line: number; quoted: boolean; start: number; end: number };

function* tokens(source: string): Generator<Token> {
  let i = 0;
  let line = 1;
  const n = source.length;
  while (i < n) {
    const c = source[i] as string;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === ';' || c === '{' || c === '}') {
      yield { text: c, line, quoted: false, start: i, end: i + 1 };
      i++;
      continue;
    }
    const start = line;
    const from = i;
    if (c === '"' || c === "'") {
      let text = '';
      i++;
      while (i < n && source[i] !== c) {
        if (source[i] === '\\' && i + 1 < n) {
          const next = source[i + 1] as string;
          // nginx keeps the backslash except before the quote itself and another backslash.
          text += next === c || next === '\\' ? next : `\\${next}`;
          i += 2;
          continue;
        }
        if (source[i] === '\n') line++;
        text += source[i];
        i++;
      }
      if (i >= n) throw new NginxSyntaxError('unexpected end of file, expecting a closing quote', start);
      i++;
      // As in nginx, a ")" right after a quoted argument closes an if condition and is not an argument.
      if (source[i] === ')') i++;
      yield { text, line: start, quoted: true, start: from, end: i };
      continue;
    }
    let text = '';
    while (i < n) {
      const d = source[i] as string;
      if (d === ' ' || d === '\t' || d === '\r' || d === '\n' || d === ';' || d === '}') break;
      if (d === '{') {
        // `${name}` is a variable inside an argument.
        if (!text.endsWith('$')) break;
        const close = source.indexOf('}', i);
        if (close === -1)
          throw new NginxSyntaxError('unexpected end of file, expecting "}" to close a variable name', line);
        text += source.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      if (d === '\\' && i + 1 < n) {
        text += source.slice(i, i + 2);
        i += 2;
        continue;
      }
      text += d;
      i++;
    }
    yield { text, line: start, quoted: false, start: from, end: i };
  }
}

/**
 * Where a directive is written: `[start, end)` from its name to its `;` (a block: to its `}`), and for a
 * block the offsets of its `{` and `}`. `depth` is 0 at the top of the file.
 */
export interface DirectiveSpan {
  name: string;
  args: string[];
  line: number;
  start: number;
  end: number;
  open?: number;
  close?: number;
  depth: number;
}

/** Parses a configuration file; throws NginxSyntaxError with the line, as `nginx -t` reports it. */
export function parseNginxConfig(source: string): Directive[] {
  return parse(source).root;
}

/** Every directive of a configuration file with where it is written, in source order. */
export function directiveSpans(source: string): DirectiveSpan[] {
  return parse(source).spans;
}

function parse(source: string): { root: Directive[]; spans: DirectiveSpan[] } {
  const root: Directive[] = [];
  const stack: Directive[][] = [root];
  const spans: DirectiveSpan[] = [];
  const open: DirectiveSpan[] = [];
  let current: Directive | undefined;
  let currentStart = 0;
  const spanOf = (d: Directive, end: number): DirectiveSpan => ({
    name: d.name,
    args: d.args,
    line: d.line,
    start: currentStart,
    end,
    depth: stack.length - 1,
  });
  for (const token of tokens(source)) {
    const level = stack[stack.length - 1] as Directive[];
    if (!token.quoted && token.text === ';') {
      if (!current) throw new NginxSyntaxError('unexpected ";"', token.line);
      level.push(current);
      spans.push(spanOf(current, token.end));
      current = undefined;
    } else if (!token.quoted && token.text === '{') {
      if (!current) throw new NginxSyntaxError('unexpected "{"', token.line);
      current.block = [];
      level.push(current);
      const span = { ...spanOf(current, token.end), open: token.start };
      spans.push(span);
      open.push(span);
      stack.push(current.block);
      current = undefined;
    } else if (!token.quoted && token.text === '}') {
      if (current)
        throw new NginxSyntaxError(
          `unexpected "}" (is the ";" after "${[current.name, ...current.args].join(' ')}" missing?)`,
          token.line,
        );
      if (stack.length === 1) throw new NginxSyntaxError('unexpected "}"', token.line);
      stack.pop();
      const span = open.pop() as DirectiveSpan;
      span.close = token.start;
      span.end = token.end;
    } else if (!current) {
      current = { name: token.text, args: [], line: token.line };
      currentStart = token.start;
    } else {
      current.args.push(token.text);
    }
  }
  if (current)
    throw new NginxSyntaxError('unexpected end of file, expecting ";" or "}"', source.split('\n').length);
  // nginx counts the line after the last newline as the end of the file.
  if (stack.length > 1)
    throw new NginxSyntaxError('unexpected end of file, expecting "}"', source.split('\n').length);
  return { root, spans };
}

/** Does this text look like nginx configuration (for `*.conf` files of other names)? */
export function looksLikeNginx(source: string): boolean {
  return (
    // The `{` on the head's line or the next: a head read on across any number of lines made every line
    // that starts with one of these words (ntp.conf's `server ...`) read on to the end of the file.
    (/^[ \t]*(server|location|upstream|http)\b[^;{\n]*\n?[ \t]*\{/m.test(source) &&
      /\b(proxy_pass|add_header|listen)\b/.test(source)) ||
    // A file of maps only (conf.d/00-maps.conf, included at the http level): `map $http_origin $x {`.
    /^[ \t]*map[ \t]+\$\{?http_\w+\}?[ \t]+\$\w+[ \t]*\n?[ \t]*\{/m.test(source) ||
    // A snippet of CORS headers, included in a location (snippets/cors.conf).
    /^[ \t]*add_header[ \t]+["']?Access-Control-[\w-]+["']?[ \t]+[^\n]*;/im.test(source)
  );
}

/** A directive's head as it would be written: `location /api/`, `if ($http_authorization = "")`. */
export function directiveText(d: Directive): string {
  const args = d.args.map((a) => (a === '' || /[\s;{}]/.test(a) ? `"${a}"` : a));
  if (d.name !== 'if') return [d.name, ...args].join(' ');
  const condition = args.join(' ').replace(/^\(/, '').replace(/\)$/, '');
  return `if (${condition})`;
}
