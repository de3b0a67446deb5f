import type { VersionInfo } from './types.js';

export type Pkg = 'starlette' | 'fastapi' | 'pydantic';
const PKGS: Pkg[] = ['starlette', 'fastapi', 'pydantic'];
export type Found = Partial<Record<Pkg, VersionInfo>>;

/** A requirement with its whole specifier: `fastapi>=0.110.0,<0.120` keeps `>=0.110.0,<0.120`. */
export interface Requirement extends VersionInfo {
  /** Every clause as written, normalised (`>=0.110.0,<0.120`, `^0.95.0`, `==0.92.0`). */
  spec: string;
}
export type Requirements = Partial<Record<Pkg, Requirement>>;

/** `fastapi-slim` installs the same `fastapi` package. */
const ALIASES: Record<string, Pkg> = { 'fastapi-slim': 'fastapi' };

const norm = (name: string): string => {
  const n = name.toLowerCase().replace(/[-_.]+/g, '-');
  return ALIASES[n] ?? n;
};

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

/** `>= 0.27 , < 0.28` -> `>=0.27,<0.28`; Poetry's space-separated clauses keep one space. */
const normalSpec = (spec: string): string =>
  spec
    .trim()
    .replace(/([<>=!~^]+)\s+(?=\d)/g, '$1')
    .replace(/\s*,\s*/g, ',')
    .replace(/\s+/g, ' ');

function requirement(name: string, spec: string, file: string, line: number): [Pkg, Requirement] | undefined {
  const pkg = norm(name) as Pkg;
  if (!PKGS.includes(pkg)) return undefined;
  const v = versionFromSpec(spec);
  if (!v) return undefined;
  return [
    pkg,
    { version: v.version, specifier: v.specifier, source: { file, line }, spec: normalSpec(spec) },
  ];
}

/** The first requirement of each package wins. */
function collect(): { found: Requirements; add(entry: [Pkg, Requirement] | undefined): void } {
  const found: Requirements = {};
  return {
    found,
    add(entry) {
      if (entry && !found[entry[0]]) found[entry[0]] = entry[1];
    },
  };
}

/** Drops the whole specifier: the `VersionInfo` the project reader keeps. */
const infoOnly = (found: Requirements): Found =>
  Object.fromEntries(Object.entries(found).map(([k, { spec: _spec, ...info }]) => [k, info])) as Found;

/**
 * requirements*.txt, `pip freeze` output, pip-compile and uv output: `fastapi[all]==0.110.0  # comment`,
 * `starlette==0.26.1 \` continued by `--hash=sha256:...` lines, `fastapi==0.92.0 ; python_version >= "3.8"`.
 */
export function requirementsOfTxt(text: string, file: string): Requirements {
  const { found, add } = collect();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw
      .replace(/(^|\s)#.*$/, '')
      .replace(/\s+(--\S.*|\\)$/, '')
      .trim();
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([<>=!~^][^;]*)?/.exec(line);
    if (m?.[2]) add(requirement(m[1] as string, m[2].replace(/\s+--\S.*$/, ''), file, i + 1));
  });
  return found;
}

/**
 * pyproject.toml (`[project] dependencies = ["fastapi>=0.100"]`, dependency groups, and
 * `[tool.poetry.dependencies] fastapi = "^0.100"`) and a Pipfile (`[packages] fastapi = "==0.92.0"`).
 */
export function requirementsOfPyproject(text: string, file: string): Requirements {
  const { found, add } = collect();
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
    if (
      section === 'project' ||
      section === 'project.optional-dependencies' ||
      section === 'dependency-groups'
    ) {
      const start = /^([\w-]+)\s*=\s*\[/.exec(line);
      if (start && (section !== 'project' || start[1] === 'dependencies')) inDeps = true;
      if (!inDeps) return;
      for (const m of line.matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^"';]*)/g)) {
        add(requirement(m[1] as string, m[2] as string, file, i + 1));
      }
      if (line.replace(/"[^"]*"|'[^']*'/g, '').includes(']')) inDeps = false;
      return;
    }
    if (
      /^tool\.poetry(\.group\.[\w-]+)?\.(dev-)?dependencies$/.test(section) ||
      section === 'packages' ||
      section === 'dev-packages'
    ) {
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*(.+)$/.exec(line);
      if (!m) return;
      const value = m[2] as string;
      const spec = /^["']([^"']*)["']/.exec(value)?.[1] ?? /version\s*=\s*["']([^"']*)["']/.exec(value)?.[1];
      if (spec) add(requirement(m[1] as string, spec, file, i + 1));
    }
  });
  return found;
}

/** poetry.lock, uv.lock and pdm.lock: `[[package]]` tables with `name = "..."` and `version = "..."`. */
export function requirementsOfTomlLock(text: string, file: string): Requirements {
  const { found, add } = collect();
  const lines = text.split(/\r?\n/);
  let current: { name?: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '[[package]]') {
      current = {};
      continue;
    }
    if (line.startsWith('[')) {
      current = undefined;
      continue;
    }
    if (!current) continue;
    const m = /^(name|version)\s*=\s*"([^"]*)"/.exec(line);
    if (!m) continue;
    if (m[1] === 'name') current.name = m[2] as string;
    else if (current.name) add(requirement(current.name, `==${m[2]}`, file, i + 1));
  }
  return found;
}

/** Pipfile.lock (JSON): `{"default": {"fastapi": {"version": "==0.110.0"}}}`. */
export function requirementsOfPipfileLock(text: string, file: string): Requirements {
  const { found, add } = collect();
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
      const spec = (entry as { version?: unknown })?.version;
      if (typeof spec !== 'string') continue;
      const idx = lines.findIndex((l) => l.includes(`"${name}"`));
      add(requirement(name, spec, file, idx + 1 || 1));
    }
  }
  return found;
}

/** Files whose versions are exact, resolved by a tool: a lock file. */
export const isLockFile = (file: string): boolean => /(^|\/)([^/]*\.lock)$/.test(file);

/** The requirements of a file, read by its name; undefined for a file of no known kind. */
export function requirementsOf(text: string, file: string): Requirements | undefined {
  const name = file.slice(file.lastIndexOf('/') + 1);
  if (name === 'Pipfile.lock') return requirementsOfPipfileLock(text, file);
  if (name === 'poetry.lock' || name === 'uv.lock' || name === 'pdm.lock') {
    return requirementsOfTomlLock(text, file);
  }
  if (/^requirements.*\.(txt|in|lock)$/.test(name)) return requirementsOfTxt(text, file);
  if (name === 'pyproject.toml' || name === 'Pipfile') return requirementsOfPyproject(text, file);
  return undefined;
}

/** requirements*.txt: `fastapi[all]==0.110.0  # comment`. */
export const fromRequirements = (text: string, file: string): Found =>
  infoOnly(requirementsOfTxt(text, file));
/** pyproject.toml: `[project] dependencies = ["fastapi>=0.100"]` and `[tool.poetry.dependencies] fastapi = "^0.100"`. */
export const fromPyproject = (text: string, file: string): Found =>
  infoOnly(requirementsOfPyproject(text, file));
/** poetry.lock and uv.lock: `[[package]]` tables with `name = "..."` and `version = "..."`. */
export const fromTomlLock = (text: string, file: string): Found =>
  infoOnly(requirementsOfTomlLock(text, file));
/** Pipfile.lock (JSON): `{"default": {"fastapi": {"version": "==0.110.0"}}}`. */
export const fromPipfileLock = (text: string, file: string): Found =>
  infoOnly(requirementsOfPipfileLock(text, file));

// Versions and specifiers, as pip and Poetry compare them.

/** One clause of a specifier, reduced to a comparison. */
export interface Clause {
  op: '==' | '!=' | '>=' | '>' | '<=' | '<';
  version: string;
}

/** `0.26.1` -> [0, 26, 1]; a pre-release (`1.0.0rc1`) is -1 after its release numbers, a post-release +1. */
function parts(version: string): number[] {
  const v = version.trim().replace(/^v/i, '').replace(/\+.*$/, '');
  const release = (/^\d+(\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);
  const rest = v.slice(release.join('.').length).toLowerCase();
  if (/^[.-]?post/.test(rest)) return [...release, 0, 0, 0, 1];
  if (/^[.-]?(a|b|c|rc|alpha|beta|pre|dev)/.test(rest)) return [...release, 0, 0, 0, -1];
  return release;
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b` (`0.9` < `0.10`). */
export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `[0, 95, 1]` bumped at index 1 -> `0.96`. */
const bump = (release: number[], at: number): string =>
  [...release.slice(0, at), (release[at] ?? 0) + 1].join('.');

/**
 * A specifier as clauses: PEP 440 (`==`, `!=`, `>=`, `>`, `<=`, `<`, `~=`, `===`, `==0.95.*`) and Poetry
 * (`^0.95.0`, `~0.95`, a bare `0.95.0`, `*`). Undefined when a clause is not understood (`||`, a URL).
 */
export function parseSpecifier(spec: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  for (const token of normalSpec(spec)
    .split(/[,\s]+/)
    .filter(Boolean)) {
    const m = /^(===|==|!=|~=|>=|<=|>|<|\^|~|=)?(\d+(?:\.\d+)*)([\w.+-]*?)(\.\*)?$/.exec(token);
    if (token === '*') continue;
    if (!m) return undefined;
    const op = m[1] ?? '==';
    const version = `${m[2]}${m[3] ?? ''}`;
    const release = (m[2] as string).split('.').map(Number);
    if (m[4]) {
      if (op === '==' || op === '=') {
        clauses.push({ op: '>=', version }, { op: '<', version: bump(release, release.length - 1) });
      } else if (op !== '!=') return undefined;
      continue;
    }
    switch (op) {
      case '===':
      case '==':
      case '=':
        clauses.push({ op: '==', version });
        break;
      case '~=':
        if (release.length < 2) return undefined;
        clauses.push({ op: '>=', version }, { op: '<', version: bump(release, release.length - 2) });
        break;
      case '^': {
        const first = release.findIndex((n) => n !== 0);
        clauses.push(
          { op: '>=', version },
          { op: '<', version: bump(release, first === -1 ? release.length - 1 : first) },
        );
        break;
      }
      case '~':
        clauses.push({ op: '>=', version }, { op: '<', version: bump(release, release.length > 1 ? 1 : 0) });
        break;
      default:
        clauses.push({ op: op as Clause['op'], version });
    }
  }
  return clauses;
}

const HOLDS: Record<Clause['op'], (d: number) => boolean> = {
  '==': (d) => d === 0,
  '!=': (d) => d !== 0,
  '>=': (d) => d >= 0,
  '>': (d) => d > 0,
  '<=': (d) => d <= 0,
  '<': (d) => d < 0,
};

/** Whether `version` meets every clause. */
export const allows = (clauses: readonly Clause[], version: string): boolean =>
  clauses.every(({ op, version: bound }) => HOLDS[op](compareVersions(version, bound)));
