/**
 * Serve commands in shell-like words: a Dockerfile `CMD`, a compose `command:` (string, flow or block
 * list), a Procfile or Makefile line, a script, a TOML or JSON value. Separators (`;`, `&&`, `|`, list
 * brackets) split the words into simple commands; a phrase given to `sh -c` (or as a key's value) is
 * split again. Pure.
 */

/** The servers whose command line names an ASGI object. */
export type ServerName = 'uvicorn' | 'gunicorn' | 'hypercorn' | 'fastapi' | 'granian' | 'daphne';

/** A command found in words: the object it names, and where the literal naming it starts. */
export interface FoundCommand {
  server: ServerName;
  module: string;
  attribute: string;
  factory?: true;
  appDir?: string;
  /** Offset of the literal that names the object (`main:app`, `--app app`), and the literal. */
  targetAt?: number;
  targetText?: string;
}

const SERVERS = new Set<string>(['uvicorn', 'gunicorn', 'hypercorn', 'granian', 'daphne']);

/** `module:attribute`, optionally called (`main:create_app()`, gunicorn's factory form). */
export const TARGET = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):([A-Za-z_]\w*)(\(.*\))?$/;
/** hypercorn also takes a path: `src/main:app`, `main.py:app`. */
const PATH_TARGET = /^((?:[\w.-]+\/)*)([A-Za-z_]\w*)(?:\.py)?:([A-Za-z_]\w*)$/;

/** Options whose value comes as the next word (the value could otherwise pass for a target). */
const VALUE_OPTIONS = new Set(
  [
    '-b --bind --insecure-bind --quic-bind --header -H --host --port -p --uds --fd --env-file -e --env',
    '--log-config --log-level -c --config --root-path -k --worker-class -w --workers --threads -t',
    '--timeout --reload-dir --reload-include --reload-exclude -n --name -u --user -g --group',
    '--access-logfile --error-logfile --interface --loop --http --ws --lifespan --forwarded-allow-ips',
  ]
    .join(' ')
    .split(' '),
);
/** Options that set the directory the module is imported from. */
const DIR_OPTIONS = new Set(['--app-dir', '--chdir', '--pythonpath', '--working-dir']);

/** Words that may stand before the server in a command: runners, interpreters, instructions. */
const PREFIX_WORDS = new Set(
  [
    'cmd entrypoint exec nohup env sudo time python py poetry uv uvx pipenv pdm hatch rye pipx run',
    'run-program opentelemetry-instrument ddtrace-run newrelic-admin doppler dotenv infisical',
  ]
    .join(' ')
    .split(' '),
);

/** The module a Python file is imported as: `app/main.py` -> `app.main`, `app/__init__.py` -> `app`. */
export function moduleOfPath(path: string): string {
  let p = path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
  p = p.replace(/\/+$/, '').replace(/\.py$/, '');
  p = p.replace(/(?:^|\/)__init__$/, '');
  return p.split('/').filter(Boolean).join('.');
}

export const isModule = (m: string): boolean => /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/.test(m);

/** A directory as a command gives it, relative (`./src/` -> `src`); none for `.` or shell expansions. */
export function normaliseDir(dir: string): string | undefined {
  const d = dir.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
  if (d === '' || d === '.') return undefined;
  if (/[$`*?]/.test(d)) return undefined;
  return d;
}

/** The serve commands in `text[start, end)`. */
export function commandsInWords(text: string, start: number, end: number): FoundCommand[] {
  return scanTokens(tokenize(text, start, end));
}

/** The first word of `text[start, end)` (a Dockerfile instruction). */
export function firstWord(text: string, start: number, end: number): string | undefined {
  return words(text, start, end)[0]?.value;
}

interface Token {
  value: string;
  start: number;
  end: number;
  /** A separator: `;`, `&&`, `|`, `[`, `]`, a subshell parenthesis. */
  sep?: true;
}

/** Shell-like words of a range; a quoted phrase given to `sh -c`, a key or a list becomes its own command. */
function tokenize(text: string, start: number, end: number): Token[] {
  const raw = words(text, start, end);
  const out: Token[] = [];
  raw.forEach((t, k) => {
    const prev = raw[k - 1];
    const phrase =
      t.quoted !== undefined &&
      /\s/.test(t.value) &&
      (!prev || prev.sep || prev.value === '-c' || prev.value === '=' || /[:=]$/.test(prev.value));
    if (phrase && t.quoted !== undefined) {
      out.push({ value: ';', start: t.start, end: t.start, sep: true });
      out.push(...words(text, t.quoted, t.quoted + t.value.length));
      out.push({ value: ';', start: t.end, end: t.end, sep: true });
    } else out.push(t);
  });
  return out;
}

/** The words of `text[start, end)`. `quoted`: the offset of the content of a word that is one quoted string. */
function words(text: string, start: number, end: number): Array<Token & { quoted?: number }> {
  const out: Array<Token & { quoted?: number }> = [];
  let value = '';
  let tokStart = -1;
  let quotedAt: number | undefined;
  let quotedParts = 0;
  let plainParts = 0;
  let depth = 0;
  const flush = (at: number) => {
    if (tokStart >= 0) {
      const t: Token & { quoted?: number } = { value, start: tokStart, end: at };
      if (quotedParts === 1 && plainParts === 0 && quotedAt !== undefined) t.quoted = quotedAt;
      out.push(t);
    }
    value = '';
    tokStart = -1;
    quotedAt = undefined;
    quotedParts = 0;
    plainParts = 0;
  };
  const sep = (at: number, v: string) => {
    flush(at);
    out.push({ value: v, start: at, end: at + 1, sep: true });
  };
  for (let k = start; k < end; k++) {
    const c = text[k] as string;
    if (c === '\\' && text[k + 1] === '\n') {
      flush(k);
      k++;
      continue;
    }
    if (/\s/.test(c)) {
      flush(k);
      continue;
    }
    if (c === '#' && tokStart < 0) {
      while (k < end && text[k] !== '\n') k++;
      continue;
    }
    if ((c === '"' || c === "'") && (tokStart < 0 || !/\w/.test(text[k - 1] as string))) {
      if (tokStart < 0) tokStart = k;
      let close = k + 1;
      let content = '';
      while (close < end && text[close] !== c) {
        if (c === '"' && text[close] === '\\' && close + 1 < end) {
          content += text[close + 1];
          close += 2;
        } else content += text[close++];
      }
      if (quotedParts === 0 && plainParts === 0) quotedAt = k + 1;
      quotedParts++;
      value += content;
      k = close;
      // A comma or a closing brace after a closing quote ends the word (JSON, TOML, flow lists).
      if (text[k + 1] === ',' || text[k + 1] === '}') {
        flush(k + 1);
        k++;
      } else if (text[k + 1] === ']') flush(k + 1);
      continue;
    }
    if (c === '[' && tokStart < 0) {
      depth++;
      sep(k, '[');
      continue;
    }
    if ((c === ']' || c === ',') && depth > 0) {
      if (c === ']') depth--;
      sep(k, c);
      continue;
    }
    if (c === ';' || c === '&' || c === '|' || c === '>' || c === '<') {
      sep(k, c);
      continue;
    }
    if ((c === '(' || c === ')' || c === '{' || c === '}') && tokStart < 0) {
      sep(k, c);
      continue;
    }
    if (tokStart < 0) tokStart = k;
    plainParts++;
    value += c;
  }
  flush(end);
  return out;
}

/** The serve commands in a list of words (separators split it into simple commands). */
function scanTokens(tokens: Token[]): FoundCommand[] {
  const out: FoundCommand[] = [];
  let segStart = 0;
  let cdDir: string | undefined;
  for (let k = 0; k <= tokens.length; k++) {
    const t = tokens[k];
    if (t && !t.sep) continue;
    const seg = tokens.slice(segStart, k);
    segStart = k + 1;
    if (seg[0]?.value === 'cd' && seg[1] && seg.length === 2) {
      cdDir = normaliseDir(seg[1].value);
      continue;
    }
    const found = commandIn(seg);
    if (found) {
      if (!found.appDir && cdDir) found.appDir = cdDir;
      out.push(found);
    }
  }
  return out;
}

const serverWord = (value: string): string => {
  const v = value.replace(/^[@-]+/, '');
  const afterEq = /^[A-Za-z_][\w.-]*=(.+)$/.exec(v)?.[1] ?? v;
  return afterEq.slice(afterEq.lastIndexOf('/') + 1);
};

function isPrefix(t: Token, next: Token | undefined): boolean {
  const v = t.value;
  if (/^[A-Za-z_]\w*=/.test(v)) return true; // environment assignment, `command=` (supervisord)
  if (/:$/.test(v) || v === '=' || v === '-' || v === '--' || next?.value === '=') return true; // keys
  if (v.startsWith('-') || v.startsWith('$')) return true;
  const word = serverWord(v).toLowerCase();
  return PREFIX_WORDS.has(word) || /^python[\d.]*$/.test(word);
}

/** The serve command of one simple command (words between separators), if it is one. */
function commandIn(seg: Token[]): FoundCommand | undefined {
  let pythonPath: string | undefined;
  for (let k = 0; k < seg.length; k++) {
    const t = seg[k] as Token;
    const word = serverWord(t.value);
    const env = /^PYTHONPATH=(.+)$/.exec(t.value);
    if (env) pythonPath = normaliseDir((env[1] as string).split(':')[0] as string);
    if (SERVERS.has(word)) {
      const found = serverArgs(word as ServerName, seg.slice(k + 1));
      if (found && pythonPath && !found.appDir) found.appDir = pythonPath;
      return found;
    }
    if (word === 'fastapi' && (seg[k + 1]?.value === 'run' || seg[k + 1]?.value === 'dev'))
      return fastapiArgs(seg.slice(k + 2));
    if (!isPrefix(t, seg[k + 1])) return undefined;
  }
  return undefined;
}

function optionValue(args: Token[], k: number): { name: string; value?: string; skip: number } {
  const v = (args[k] as Token).value;
  const eq = v.indexOf('=');
  if (v.startsWith('--') && eq > 0) return { name: v.slice(0, eq), value: v.slice(eq + 1), skip: 0 };
  const next = args[k + 1]?.value;
  return next === undefined ? { name: v, skip: 0 } : { name: v, value: next, skip: 1 };
}

/** uvicorn, gunicorn, hypercorn, granian, daphne: options and the `module:attribute` target. */
function serverArgs(server: ServerName, args: Token[]): FoundCommand | undefined {
  let appDir: string | undefined;
  let pathDir: string | undefined;
  let factory = false;
  let found: FoundCommand | undefined;
  for (let k = 0; k < args.length; k++) {
    const t = args[k] as Token;
    const v = t.value;
    if (v === '--factory') {
      factory = true;
      continue;
    }
    if (v.startsWith('-')) {
      const opt = optionValue(args, k);
      if (DIR_OPTIONS.has(opt.name)) {
        if (opt.value !== undefined) appDir = normaliseDir(opt.value);
        k += opt.skip;
      } else if (VALUE_OPTIONS.has(opt.name)) k += opt.skip;
      continue;
    }
    if (found) continue; // the first target counts; options after it still apply
    const m = TARGET.exec(v);
    const p = m ? null : server === 'hypercorn' ? PATH_TARGET.exec(v) : null;
    if (m) {
      found = { server, module: m[1] as string, attribute: m[2] as string, targetAt: t.start, targetText: v };
      if (m[3] !== undefined) found.factory = true;
    } else if (p) {
      found = { server, module: p[2] as string, attribute: p[3] as string, targetAt: t.start, targetText: v };
      pathDir = normaliseDir(p[1] as string);
    }
  }
  if (!found) return undefined;
  if (factory) found.factory = true;
  const dir = pathDir ?? appDir;
  if (dir) found.appDir = dir;
  return found;
}

/** The literal of an option and its value as written (`--app app`, `--app=app`), when it is plain text. */
function optionLiteral(args: Token[], k: number, skip: number): { at: number; text: string } | undefined {
  const opt = args[k] as Token;
  const plain = (t: Token) => t.end - t.start === t.value.length;
  if (skip === 0) return plain(opt) ? { at: opt.start, text: opt.value } : undefined;
  const value = args[k + 1] as Token;
  if (!plain(opt) || !plain(value) || value.start !== opt.end + 1) return undefined;
  return { at: opt.start, text: `${opt.value} ${value.value}` };
}

/** `fastapi run [path] [--app name] [--entrypoint module:attr]`. */
function fastapiArgs(args: Token[]): FoundCommand | undefined {
  let path: string | undefined;
  let app: { name: string; literal?: { at: number; text: string } } | undefined;
  let entrypoint: Token | undefined;
  for (let k = 0; k < args.length; k++) {
    const v = (args[k] as Token).value;
    if (v.startsWith('-')) {
      const opt = optionValue(args, k);
      if (opt.name === '--app' && opt.value !== undefined)
        app = { name: opt.value, literal: optionLiteral(args, k, opt.skip) };
      else if ((opt.name === '--entrypoint' || opt.name === '-e') && opt.skip === 1) entrypoint = args[k + 1];
      if (['--app', '--entrypoint', '-e', ...VALUE_OPTIONS].includes(opt.name)) k += opt.skip;
      continue;
    }
    if (path === undefined && /^[\w./-]+$/.test(v)) path = v;
  }
  const e = entrypoint ? TARGET.exec(entrypoint.value) : null;
  if (e && entrypoint)
    return {
      server: 'fastapi',
      module: e[1] as string,
      attribute: e[2] as string,
      targetAt: entrypoint.start,
      targetText: entrypoint.value,
    };
  if (path === undefined) return undefined;
  const module = moduleOfPath(path);
  if (!isModule(module)) return undefined;
  const attribute = app?.name ?? 'app';
  if (!/^[A-Za-z_]\w*$/.test(attribute)) return undefined;
  const found: FoundCommand = { server: 'fastapi', module, attribute };
  const literal = app?.literal;
  if (literal?.text.endsWith(attribute)) {
    found.targetAt = literal.at;
    found.targetText = literal.text;
  }
  return found;
}
