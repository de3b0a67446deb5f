import type { VersionInfo } from './types.js';

export type Pkg = 'starlette' | 'fastapi' | 'pydantic';
const PKGS: Pkg[] = ['starlette', 'fastapi', 'pydantic'];
export type Found = Partial<Record<Pkg, VersionInfo>>;

const norm = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** `==1.2`, `>=1.2`, `~=1.2`, `^1.2`, `1.2.*` ... -> the pinned or minimum version, and the operator. */
export function versionFromSpec(spec: string): { version: string; specifier: string } | undefined {
  const clauses = spec
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const op of ['===', '==', '~=', '>=', '^', '~', '>']) {
    for (const c of clauses) {
      if (c.startsWith(op) && !(op === '>' && c.startsWith('>='))) {
        const version = c.slice(op.length).trim().replace(/\.\*$/, '');
        if (/^\d/.test(version)) return { version, specifier: `${op}${version}` };
      }
    }
  }
  const bare = clauses[0]?.replace(/^=/, '');
  if (bare && /^\d[\w.]*$/.test(bare)) return { version: bare, specifier: `==${bare}` };
  return undefined;
}

/** requirements*.txt: `fastapi[all]==0.110.0  # comment`. */
export function fromRequirements(text: string, file: string): Found {
  const found: Found = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([<>=!~^][^;]*)?/.exec(line);
    if (!m) return;
    const pkg = norm(m[1] as string) as Pkg;
    if (!PKGS.includes(pkg) || found[pkg]) return;
    const v = m[2] ? versionFromSpec(m[2]) : undefined;
    if (v) found[pkg] = { version: v.version, specifier: v.specifier, source: { file, line: i + 1 } };
  });
  return found;
}

/** pyproject.toml: `[project] dependencies = ["fastapi>=0.100"]` and `[tool.poetry.dependencies] fastapi = "^0.100"`. */
export function fromPyproject(text: string, file: string): Found {
  const found: Found = {};
  let section = '';
  let inDeps = false;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s#.*$/, '').trim();
    const sec = /^\[+([^\]]+)\]+$/.exec(line);
    if (sec) {
      section = (sec[1] as string).trim();
      inDeps = false;
      return;
    }
    const record = (name: string, spec: string) => {
      const pkg = norm(name) as Pkg;
      if (!PKGS.includes(pkg) || found[pkg]) return;
      const v = versionFromSpec(spec);
      if (v) found[pkg] = { version: v.version, specifier: v.specifier, source: { file, line: i + 1 } };
    };
    if (
      section === 'project' ||
      section === 'project.optional-dependencies' ||
      section === 'dependency-groups'
    ) {
      const start = /^([\w-]+)\s*=\s*\[/.exec(line);
      if (start && (section !== 'project' || start[1] === 'dependencies')) inDeps = true;
      if (!inDeps) return;
      for (const m of line.matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^"';]*)/g)) {
        record(m[1] as string, m[2] as string);
      }
      if (line.replace(/"[^"]*"|'[^']*'/g, '').includes(']')) inDeps = false;
      return;
    }
    if (/^tool\.poetry(\.group\.[\w-]+)?\.(dev-)?dependencies$/.test(section)) {
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*(.+)$/.exec(line);
      if (!m) return;
      const value = m[2] as string;
      const spec = /^["']([^"']*)["']/.exec(value)?.[1] ?? /version\s*=\s*["']([^"']*)["']/.exec(value)?.[1];
      if (spec) record(m[1] as string, spec);
    }
  });
  return found;
}

/** poetry.lock and uv.lock: `[[package]]` tables with `name = "..."` and `version = "..."`. */
export function fromTomlLock(text: string, file: string): Found {
  const found: Found = {};
  const lines = text.split(/\r?\n/);
  let current: { name?: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '[[package]]') {
      current = { line: i + 1 };
      continue;
    }
    if (line.startsWith('[')) {
      current = undefined;
      continue;
    }
    if (!current) continue;
    const m = /^(name|version)\s*=\s*"([^"]*)"/.exec(line);
    if (!m) continue;
    if (m[1] === 'name') current.name = norm(m[2] as string);
    else if (current.name && PKGS.includes(current.name as Pkg) && !found[current.name as Pkg]) {
      found[current.name as Pkg] = {
        version: m[2] as string,
        specifier: `==${m[2]}`,
        source: { file, line: i + 1 },
      };
    }
  }
  return found;
}

/** Pipfile.lock (JSON): `{"default": {"fastapi": {"version": "==0.110.0"}}}`. */
export function fromPipfileLock(text: string, file: string): Found {
  const found: Found = {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return found;
  }
  const lines = text.split(/\r?\n/);
  for (const group of ['default', 'develop']) {
    const g = (data as Record<string, unknown>)?.[group];
    if (!g || typeof g !== 'object') continue;
    for (const [name, entry] of Object.entries(g as Record<string, unknown>)) {
      const pkg = norm(name) as Pkg;
      const spec = (entry as { version?: unknown })?.version;
      if (!PKGS.includes(pkg) || found[pkg] || typeof spec !== 'string') continue;
      const v = versionFromSpec(spec);
      if (!v) continue;
      const idx = lines.findIndex((l) => l.includes(`"${name}"`));
      found[pkg] = { version: v.version, specifier: v.specifier, source: { file, line: idx + 1 || 1 } };
    }
  }
  return found;
}
