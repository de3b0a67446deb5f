/**
 * The commands that serve an ASGI app, as written in the project's files: Dockerfile `CMD`/`ENTRYPOINT`,
 * compose `command:`, Procfile, shell scripts, Makefiles, platform files (fly.toml, app.yaml, railway,
 * render.yaml), supervisord, gunicorn configuration, pyproject scripts and Python calls (`uvicorn.run`,
 * `uvicorn.Config`, hypercorn's `serve`, `Granian`). Each names the object served as `module:attribute`;
 * `resolveServeCommands` finds the module's file and what the module binds. Pure: the caller reads files.
 */

import type { Parser } from 'web-tree-sitter';
import { parseWithin } from '../python/parser.js';
import {
  commandsInWords,
  firstWord,
  isModule,
  moduleOfPath,
  normaliseDir,
  type ServerName,
  TARGET,
} from './command-words.js';
import { type Binding, moduleBindings } from './module-bindings.js';
import { callArguments, closeParen, codeOnly, stringLiteral } from './python-text.js';

export type { Binding };
export { moduleOfPath, type ServerName };

/** One command that serves an app: where it is written and the object it names. */
export interface ServeCommand {
  /** The file it is written in, relative to the project root. */
  file: string;
  /** 1-based line where the command starts. */
  line: number;
  server: ServerName;
  /** The module imported (`app.main`), relative to `appDir` when one is given. */
  module: string;
  /** The attribute of the module served (`app`); with `factory`, the function called to make it. */
  attribute: string;
  /** The command as written, trimmed, continuation lines joined by one space. */
  text: string;
  /** `--factory` (uvicorn, granian), `main:create_app()` (gunicorn): `attribute` is a factory. */
  factory?: true;
  /** The directory the module is imported from (`--app-dir`, `--chdir`, `PYTHONPATH=`, `cd dir &&`). */
  appDir?: string;
  /**
   * The literal that names the object, as written on one line, ending with the attribute (`main:app`,
   * `--app app`, `uvicorn.run(app`): present only when it occurs once on that line, so that replacing it
   * there is unambiguous.
   */
  target?: { line: number; text: string };
  /**
   * The module's file in the project and the names it binds, in source order (`resolveServeCommands`):
   * what tells `app = CORSMiddleware(app)` from `application = CORSMiddleware(app)`.
   */
  resolved?: { file: string; bindings: Binding[] };
}

// -------------------------------------------------------------------------------------------------
// Files

const base = (relPath: string): string => relPath.slice(relPath.lastIndexOf('/') + 1);

/** Whether a file (path relative to the root, or a bare name) can hold the command that serves the app. */
export function isServeFile(relPath: string): boolean {
  const name = base(relPath);
  const lower = name.toLowerCase();
  return (
    name === 'Dockerfile' ||
    name.startsWith('Dockerfile.') ||
    name === 'Containerfile' ||
    lower.endsWith('.dockerfile') ||
    name === 'Procfile' ||
    name.startsWith('Procfile.') ||
    /^(?:docker-)?compose[\w.-]*\.ya?ml$/.test(name) ||
    lower.endsWith('.sh') ||
    ['Makefile', 'makefile', 'GNUmakefile', 'fly.toml', 'app.yaml', 'app.yml'].includes(name) ||
    ['railway.json', 'railway.toml', 'render.yaml', 'supervisord.conf', 'pyproject.toml'].includes(name) ||
    name.endsWith('.py')
  );
}

type FileKind = 'dockerfile' | 'yaml' | 'python' | 'gunicorn-conf' | 'pyproject' | 'text';

function fileKind(relPath: string): FileKind {
  const name = base(relPath);
  if (name === 'gunicorn.conf.py' || name === 'gunicorn_conf.py') return 'gunicorn-conf';
  if (name.endsWith('.py')) return 'python';
  if (name === 'Dockerfile' || name.startsWith('Dockerfile.') || name === 'Containerfile')
    return 'dockerfile';
  if (name.toLowerCase().endsWith('.dockerfile')) return 'dockerfile';
  if (/\.ya?ml$/.test(name)) return 'yaml';
  if (name === 'pyproject.toml') return 'pyproject';
  return 'text';
}

/** The commands in `text` (the file `relPath`) that serve an ASGI object. */
export function findServeCommands(relPath: string, text: string): ServeCommand[] {
  if (!isServeFile(relPath)) return [];
  const src = new Source(text.replace(/\r\n?/g, '\n'));
  const kind = fileKind(relPath);
  if (kind === 'python' || kind === 'gunicorn-conf') return pythonCommands(relPath, src, kind);
  const out: ServeCommand[] = [];
  for (const region of regions(src, kind)) {
    if (kind === 'dockerfile') {
      const first = firstWord(src.text, region.start, region.end)?.toUpperCase();
      if (first !== 'CMD' && first !== 'ENTRYPOINT') continue;
    }
    const text = src.oneLine(region.start, region.end);
    const line = src.lineAt(region.start);
    for (const { targetAt, targetText, ...found } of commandsInWords(src.text, region.start, region.end)) {
      const c: ServeCommand = { file: relPath, line, ...found, text };
      const target =
        targetAt !== undefined && targetText ? src.target(src.lineAt(targetAt), targetText) : undefined;
      if (target) c.target = target;
      out.push(c);
    }
    if (kind === 'pyproject') {
      const entry = fastapiEntrypoint(src, region, relPath, text);
      if (entry) out.push(entry);
    }
  }
  return out;
}

// -------------------------------------------------------------------------------------------------
// Modules

const dirOf = (file: string): string => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');
const joinPath = (...parts: string[]): string => parts.filter(Boolean).join('/');

/**
 * The project file a command's module is, among `files` (paths relative to the root): looked up from the
 * app directory, the command file's directory and the root, else the one file whose path ends with the
 * module's. None when no file or several files fit (then nothing is said rather than guessed).
 */
export function moduleFile(command: ServeCommand, files: readonly string[]): string | undefined {
  const set = new Set(files);
  if (command.file.endsWith('.py') && moduleOfPath(command.file) === command.module)
    return set.has(command.file) ? command.file : undefined;
  const path = command.module.replace(/\./g, '/');
  const names = [`${path}.py`, `${path}/__init__.py`];
  const dir = dirOf(command.file);
  const appDir = command.appDir && !command.appDir.startsWith('/') ? command.appDir : undefined;
  const bases = appDir ? [joinPath(dir, appDir), appDir, dir, ''] : [dir, ''];
  for (const b of bases) {
    const hit = names.map((n) => joinPath(b, n)).find((f) => set.has(f));
    if (hit) return hit;
  }
  const bySuffix = files.filter((f) => names.some((n) => f.endsWith(`/${n}`)));
  return bySuffix.length === 1 ? bySuffix[0] : undefined;
}

/**
 * The commands with their module resolved: its file among the project's Python files, and the names it
 * binds. A command whose module is no single file of the project is left as it is.
 */
export function resolveServeCommands(
  commands: readonly ServeCommand[],
  pythonFiles: ReadonlyArray<{ file: string; text: string }>,
  parser: Parser,
): ServeCommand[] {
  const files = pythonFiles.map((f) => f.file);
  const bindings = new Map<string, Binding[]>();
  return commands.map((command) => {
    const file = moduleFile(command, files);
    if (!file) return command;
    let b = bindings.get(file);
    if (!b) {
      const tree = parseWithin(parser, pythonFiles.find((f) => f.file === file)?.text ?? '');
      b = tree ? moduleBindings(tree.rootNode) : [];
      tree?.delete();
      bindings.set(file, b);
    }
    return { ...command, resolved: { file, bindings: b } };
  });
}

// -------------------------------------------------------------------------------------------------
// Text and lines

class Source {
  readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  /** 1-based line of an offset. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The text of a 1-based line, without its newline. */
  line(n: number): string {
    const start = this.lineStarts[n - 1] ?? this.text.length;
    const next = this.lineStarts[n];
    return this.text.slice(start, next === undefined ? this.text.length : next - 1);
  }

  /** A range as one line: continuation backslashes dropped, runs of white space made one space. */
  oneLine(start: number, end: number): string {
    return this.text.slice(start, end).replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
  }

  /** `literal` as a target on `line`, when it occurs exactly once there. */
  target(line: number, literal: string): { line: number; text: string } | undefined {
    const l = this.line(line);
    const at = l.indexOf(literal);
    if (at < 0 || l.indexOf(literal, at + 1) >= 0) return undefined;
    return { line, text: literal };
  }
}

const indentOf = (line: string): number => /^[ \t]*/.exec(line)?.[0].length ?? 0;

/**
 * The logical commands of a non-Python file, as ranges of the text: a line with its continuations
 * (a trailing `\`, an open `[`, an open quote), a YAML key with its block list or block scalar.
 */
function regions(src: Source, kind: FileKind): Array<{ start: number; end: number }> {
  const lines = src.text.split('\n');
  const out: Array<{ start: number; end: number }> = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    let end = i;
    let state = openState(line, { quote: '', depth: 0 });
    while (end + 1 < lines.length && end - i < 40) {
      const cur = lines[end] as string;
      if (/\\$/.test(cur) || state.quote !== '' || state.depth > 0) {
        end++;
        state = openState(lines[end] as string, state);
      } else break;
    }
    if (kind === 'yaml' && end === i) end = yamlBlockEnd(lines, i);
    const start = src.lineStarts[i] as number;
    const stop =
      src.lineStarts[end + 1] === undefined ? src.text.length : (src.lineStarts[end + 1] as number) - 1;
    out.push({ start, end: stop });
    i = end + 1;
  }
  return out;
}

/** Quotes and brackets still open at the end of `line` (quotes count only where a word starts). */
function openState(line: string, state: { quote: string; depth: number }): { quote: string; depth: number } {
  let { quote, depth } = state;
  for (let k = 0; k < line.length; k++) {
    const c = line[k] as string;
    if (quote) {
      if (c === '\\' && quote === '"') k++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '#' && (k === 0 || /\s/.test(line[k - 1] as string))) break;
    if ((c === '"' || c === "'") && (k === 0 || !/\w/.test(line[k - 1] as string))) quote = c;
    else if (c === '[' && (k === 0 || /[\s=:,[]/.test(line[k - 1] as string))) depth++;
    else if (c === ']' && depth > 0) depth--;
  }
  return { quote, depth };
}

/** The last line of a YAML key's block list of scalars or block scalar (`command:` then `- uvicorn`). */
function yamlBlockEnd(lines: string[], i: number): number {
  const line = lines[i] as string;
  const m = /^(\s*(?:-\s+)?)[\w.-]+:\s*([>|][-+0-9]*)?\s*(?:#.*)?$/.exec(line);
  if (!m) return i;
  const indent = (m[1] as string).length;
  const scalar = m[2] !== undefined;
  let end = i;
  for (let k = i + 1; k < lines.length; k++) {
    const l = lines[k] as string;
    if (l.trim() === '') continue;
    if (indentOf(l) < indent || (indentOf(l) === indent && !/^\s*-\s/.test(l))) break;
    if (!scalar) {
      // A list of plain items: `- uvicorn`, `- "main:app"` (not `- name: value` mappings).
      if (!/^\s*-\s/.test(l) || /^\s*-\s+[\w.-]+:(\s|$)/.test(l)) break;
    } else if (indentOf(l) <= indent) break;
    end = k;
  }
  return end;
}

function fastapiEntrypoint(
  src: Source,
  region: { start: number; end: number },
  file: string,
  text: string,
): ServeCommand | undefined {
  const m = /^\s*entrypoint\s*=\s*(["'])([^"']+)\1/.exec(src.text.slice(region.start, region.end));
  if (!m) return undefined;
  const before = src.text.slice(0, region.start);
  const tables = [...before.matchAll(/^\s*\[([^\]\n]+)\]\s*$/gm)];
  if (tables[tables.length - 1]?.[1]?.trim() !== 'tool.fastapi') return undefined;
  const t = TARGET.exec(m[2] as string);
  if (!t) return undefined;
  const line = src.lineAt(region.start);
  const c: ServeCommand = {
    file,
    line,
    server: 'fastapi',
    module: t[1] as string,
    attribute: t[2] as string,
    text,
  };
  const target = src.target(line, m[2] as string);
  if (target) c.target = target;
  return c;
}

// -------------------------------------------------------------------------------------------------
// Python

function pythonCommands(file: string, src: Source, kind: FileKind): ServeCommand[] {
  const text = src.text;
  const code = codeOnly(text);
  const out: ServeCommand[] = [];
  const own = moduleOfPath(file);
  if (kind === 'gunicorn-conf') {
    for (const m of code.matchAll(/^wsgi_app\s*=\s*/gm)) {
      const valueStart = (m.index as number) + m[0].length;
      const lineEnd = text.indexOf('\n', valueStart);
      const raw = text.slice(valueStart, lineEnd < 0 ? text.length : lineEnd).replace(/\s+#.*$/, '');
      const value = stringLiteral(raw);
      const t = value ? TARGET.exec(value) : null;
      if (!value || !t) continue;
      const line = src.lineAt(m.index as number);
      const c: ServeCommand = {
        file,
        line,
        server: 'gunicorn',
        module: t[1] as string,
        attribute: t[2] as string,
        text: src.line(line).trim(),
      };
      if (t[3] !== undefined) c.factory = true;
      const target = src.target(line, value);
      if (target) c.target = target;
      out.push(c);
    }
  }
  // Names the calls go by: `import uvicorn`, `from uvicorn import run`, `from hypercorn.asyncio import serve`.
  const callees: Array<{ pattern: RegExp; server: ServerName; appKeyword: string }> = [];
  const add = (callee: string, server: ServerName, appKeyword: string) =>
    callees.push({
      pattern: new RegExp(`(?<![\\w.])${callee.replace(/\./g, '\\.')}\\s*\\(`, 'g'),
      server,
      appKeyword,
    });
  // Statements start after spaces and tabs: `^\s*` would also cross lines, from every line start through a
  // long run of blank lines (a blanked string), taking time in the square of its length.
  for (const m of code.matchAll(/^[ \t]*import\s+([\w.]+)(?:\s+as\s+(\w+))?\s*$/gm)) {
    const mod = m[1] as string;
    const alias = m[2] ?? mod;
    if (mod === 'uvicorn') {
      add(`${alias}.run`, 'uvicorn', 'app');
      add(`${alias}.Config`, 'uvicorn', 'app');
    } else if (mod === 'hypercorn.asyncio' || mod === 'hypercorn.trio')
      add(`${alias}.serve`, 'hypercorn', 'app');
    else if (mod === 'granian') add(`${alias}.Granian`, 'granian', 'target');
  }
  for (const m of code.matchAll(/^[ \t]*from\s+([\w.]+)\s+import\s+\(?([\w\s,]+?)\)?\s*$/gm)) {
    const mod = m[1] as string;
    for (const item of (m[2] as string).split(',')) {
      const [name, alias] = item.trim().split(/\s+as\s+/) as [string, string | undefined];
      const local = alias ?? name;
      if (mod === 'uvicorn' && (name === 'run' || name === 'Config')) add(local, 'uvicorn', 'app');
      else if ((mod === 'hypercorn.asyncio' || mod === 'hypercorn.trio') && name === 'serve')
        add(local, 'hypercorn', 'app');
      else if ((mod === 'granian' || mod === 'granian.server') && (name === 'Granian' || name === 'Server'))
        add(local, 'granian', 'target');
    }
  }
  const seen = new Set<number>();
  for (const { pattern, server, appKeyword } of callees) {
    for (const m of code.matchAll(pattern)) {
      const at = m.index as number;
      if (seen.has(at)) continue;
      seen.add(at);
      const open = at + m[0].length - 1;
      const close = closeParen(code, open);
      if (close === undefined) continue;
      const args = callArguments(code, open, close);
      const arg = args.positional[0] ?? args.keywords.get(appKeyword);
      if (!arg) continue;
      const argText = text.slice(arg.start, arg.end);
      const line = src.lineAt(at);
      const callText = src.oneLine(at, close);
      const literal = stringLiteral(argText);
      let c: ServeCommand | undefined;
      if (literal !== undefined) {
        const t = TARGET.exec(literal);
        if (!t) continue;
        c = { file, line, server, module: t[1] as string, attribute: t[2] as string, text: callText };
        if (t[3] !== undefined) c.factory = true;
        const target = src.target(src.lineAt(arg.start), literal);
        if (target) c.target = target;
      } else if (/^[A-Za-z_]\w*$/.test(argText) && isModule(own)) {
        c = { file, line, server, module: own, attribute: argText, text: callText };
        if (src.lineAt(arg.start) === line) {
          const target = src.target(line, text.slice(at, arg.end));
          if (target) c.target = target;
        }
      }
      if (!c) continue;
      const factory = args.keywords.get('factory');
      if (factory && text.slice(factory.start, factory.end) === 'True') c.factory = true;
      const appDir = args.keywords.get('app_dir');
      const dir = appDir ? stringLiteral(text.slice(appDir.start, appDir.end)) : undefined;
      const normalised = dir !== undefined ? normaliseDir(dir) : undefined;
      if (normalised) c.appDir = normalised;
      out.push(c);
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
