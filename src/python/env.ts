import { dirname, posix } from 'node:path';
import type { EnvFile, SourceRef } from './types.js';

export interface EnvEntry {
  name: string;
  value: string;
  source: SourceRef;
}

/** Parses a dotenv file the way python-dotenv does for the common cases. */
export function parseDotenv(text: string, file: string): EnvEntry[] {
  const out: EnvEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    const name = m[1] as string;
    let rest = m[2] as string;
    let value: string;
    const line = i + 1;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const q = rest[0] as string;
      // Multi-line quoted values are allowed.
      let body = rest.slice(1);
      let end = findClosingQuote(body, q);
      while (end < 0 && i + 1 < lines.length) {
        i++;
        body += `\n${lines[i]}`;
        end = findClosingQuote(body, q);
      }
      value = end < 0 ? body : body.slice(0, end);
      if (q === '"')
        value = value.replace(/\\([nrt"\\])/g, (_s, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else {
      const hash = rest.search(/\s#/);
      if (hash >= 0) rest = rest.slice(0, hash);
      value = rest.trim();
    }
    out.push({ name, value, source: { file, line } });
  }
  return out;
}

function findClosingQuote(s: string, q: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && q === '"') {
      i++;
      continue;
    }
    if (s[i] === q) return i;
  }
  return -1;
}

export interface ComposeEnv {
  environment: EnvEntry[];
  /** env_file paths relative to the project root, with where they were named. */
  envFiles: Array<{ rel: string; source: SourceRef }>;
}

/** Reads `environment:` and `env_file:` of every service of a docker-compose file (line-based YAML subset). */
export function parseCompose(
  text: string,
  file: string,
  interpolate: (name: string) => string | undefined,
): ComposeEnv {
  const environment: EnvEntry[] = [];
  const envFiles: Array<{ rel: string; source: SourceRef }> = [];
  const lines = text.split(/\r?\n/);
  const base = dirname(file) === '.' ? '' : dirname(file);
  const unquote = (s: string): string => {
    const t = s.trim();
    if (t.length >= 2 && t.startsWith('"') && t.endsWith('"'))
      return t.slice(1, -1).replace(/\\(["\\])/g, '$1');
    if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    return t.replace(/\s+#.*$/, '');
  };
  const subst = (s: string): string =>
    s.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
      (all, name: string, op?: string, def?: string) => {
        const v = interpolate(name);
        if (op === ':-') return v ? v : (def ?? '');
        if (op === '-') return v ?? def ?? '';
        return v ?? all;
      },
    );
  const addEnvFile = (p: string, line: number) => {
    envFiles.push({ rel: posix.normalize(base ? `${base}/${p}` : p), source: { file, line } });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const m = /^(\s*)(environment|env_file):\s*(.*)$/.exec(line);
    if (!m) continue;
    const indent = (m[1] as string).length;
    const key = m[2] as string;
    const inline = (m[3] as string).replace(/\s+#.*$/, '').trim();
    if (inline) {
      if (key === 'env_file') {
        if (inline.startsWith('[')) {
          for (const p of inline.slice(1, -1).split(',')) if (p.trim()) addEnvFile(unquote(p), i + 1);
        } else addEnvFile(unquote(inline), i + 1);
      } else if (inline.startsWith('[')) {
        for (const p of inline.slice(1, -1).split(',')) {
          const kv = unquote(p);
          const eq = kv.indexOf('=');
          if (eq > 0)
            environment.push({
              name: kv.slice(0, eq),
              value: subst(kv.slice(eq + 1)),
              source: { file, line: i + 1 },
            });
        }
      }
      continue;
    }
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] as string;
      if (!l.trim() || l.trim().startsWith('#')) continue;
      const ind = (/^\s*/.exec(l)?.[0] ?? '').length;
      if (ind <= indent) break;
      const item = l.trim();
      if (key === 'env_file') {
        const p = /^-\s*(?:path:\s*)?(.+)$/.exec(item)?.[1] ?? /^path:\s*(.+)$/.exec(item)?.[1];
        if (p) addEnvFile(unquote(p), j + 1);
        continue;
      }
      if (item.startsWith('-')) {
        const kv = unquote(item.slice(1));
        const eq = kv.indexOf('=');
        if (eq > 0)
          environment.push({
            name: kv.slice(0, eq).trim(),
            value: subst(kv.slice(eq + 1)),
            source: { file, line: j + 1 },
          });
      } else {
        const km = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*:\s*(.*)$/.exec(item);
        if (km)
          environment.push({
            name: km[1] as string,
            value: subst(unquote(km[2] as string)),
            source: { file, line: j + 1 },
          });
      }
    }
  }
  return { environment, envFiles };
}

/**
 * The `ENV` instructions of a Dockerfile's last stage (the image that runs): `ENV KEY=value KEY2="a b"` and
 * the older `ENV KEY value`. Continuation lines (`\`) are joined; each entry points at its `ENV` line.
 */
export function parseDockerfileEnv(text: string, file: string): EnvEntry[] {
  let out: EnvEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let instruction = lines[i] as string;
    while (/\\\s*$/.test(instruction) && i + 1 < lines.length) {
      instruction = `${instruction.replace(/\\\s*$/, '')} ${(lines[++i] as string).trim()}`;
    }
    const m = /^\s*(FROM|ENV)\s+(.*)$/i.exec(instruction);
    if (!m) continue;
    if ((m[1] as string).toUpperCase() === 'FROM') {
      out = [];
      continue;
    }
    const rest = (m[2] as string).trim();
    const words = dockerWords(rest);
    if (words.length > 0 && !(words[0] as string).includes('=')) {
      // ENV KEY value (the rest of the line is the value)
      const name = words[0] as string;
      out.push({ name, value: rest.slice(rest.indexOf(name) + name.length).trim(), source: { file, line } });
      continue;
    }
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq > 0) out.push({ name: w.slice(0, eq), value: w.slice(eq + 1), source: { file, line } });
    }
  }
  return out;
}

/** Splits Dockerfile words: whitespace separates, quotes group and are removed, `\` escapes. */
function dockerWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let started = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length && quote !== "'") {
      cur += s[++i];
      started = true;
    } else if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(cur);
      cur = '';
      started = false;
    } else {
      cur += c;
      started = true;
    }
  }
  if (started) words.push(cur);
  return words;
}

/** Top-level services of a compose file: name, first and last line, and the line of `environment:`. */
export function composeServices(text: string): NonNullable<EnvFile['services']> {
  const lines = text.split(/\r?\n/);
  const out: NonNullable<EnvFile['services']> = [];
  const start = lines.findIndex((l) => /^services:\s*(#.*)?$/.test(l));
  if (start < 0) return out;
  let indent: number | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i] as string;
    if (!l.trim() || l.trim().startsWith('#')) continue;
    const ind = (/^\s*/.exec(l)?.[0] ?? '').length;
    if (ind === 0) break;
    indent ??= ind;
    const last = out[out.length - 1];
    if (ind === indent) {
      const m = /^\s*["']?([\w.-]+)["']?:/.exec(l);
      if (last) last.endLine = i;
      if (m) out.push({ name: m[1] as string, line: i + 1, endLine: i + 1 });
      continue;
    }
    if (last) {
      last.endLine = i + 1;
      if (ind > indent && /^\s*environment:/.test(l) && last.environment === undefined)
        last.environment = i + 1;
    }
  }
  return out;
}

/** What one file of the project sets, for the rules: entries with their line text, the last line with text. */
export function envFileListing(
  file: string,
  kind: EnvFile['kind'],
  text: string,
  entries: EnvEntry[],
): EnvFile {
  const lines = text.split(/\r?\n/);
  let lastIndex = lines.length - 1;
  while (lastIndex >= 0 && !(lines[lastIndex] as string).trim()) lastIndex--;
  const services = kind === 'compose' ? composeServices(text) : undefined;
  const serviceAt = (line: number) => services?.find((s) => s.line <= line && line <= s.endLine)?.name;
  return {
    file,
    kind,
    entries: entries.map((e) => {
      const service = serviceAt(e.source.line);
      return {
        name: e.name,
        value: e.value,
        line: e.source.line,
        text: lines[e.source.line - 1] ?? '',
        ...(service && { service }),
      };
    }),
    ...(lastIndex >= 0 && { last: { line: lastIndex + 1, text: lines[lastIndex] as string } }),
    ...(services && { services }),
  };
}
