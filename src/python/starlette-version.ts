import { readdirSync, realpathSync } from 'node:fs';
import { join, posix } from 'node:path';
import { FASTAPI_RELEASES, type FastapiRelease, STARLETTE_RELEASES } from './fastapi-starlette.js';
import type { PythonProject, VersionInfo } from './types.js';
import {
  allows,
  type Clause,
  compareVersions,
  isLockFile,
  parseSpecifier,
  type Requirement,
  type Requirements,
  requirementsOf,
} from './versions.js';
import { decodeText, readSmallFile, staysInside } from './walk.js';

/** The newest Starlette release cors-doctor knows, assumed when nothing in the project names a version. */
export const NEWEST_STARLETTE: string = STARLETTE_RELEASES[STARLETTE_RELEASES.length - 1] as string;

/** The version a requirement names: `==0.26.1`, `>=0.27,<1`, `~=0.40` -> its first version number. */
export function versionOf(spec: string | undefined): string | undefined {
  return spec ? /\d+(\.\d+)*/.exec(spec)?.[0] : undefined;
}

/** Compares dotted version numbers: `versionAtLeast('0.26.1', '1.0.0')` is false. */
export const versionAtLeast = (version: string, minimum: string): boolean =>
  compareVersions(version, minimum) >= 0;

/**
 * What the version rests on, strongest first: Starlette installed in a virtualenv inside the project,
 * locked, pinned or ranged in a requirement, derived from FastAPI's requirement, or the newest assumed.
 */
export type StarletteVersionBasis = 'installed' | 'locked' | 'pinned' | 'fastapi' | 'newest';

/** The Starlette version a project resolves to, and where it was read. */
export interface ProjectStarletteVersion {
  /** `0.26.1`. */
  version: string;
  /**
   * Where it was read, or why it is assumed: `.venv/lib/python3.11/site-packages/starlette/__init__.py`,
   * `starlette==0.26.1 in requirements.txt:2`, `fastapi==0.92.0 in requirements.txt:3 (FastAPI 0.92.0
   * requires starlette>=0.25.0,<0.26.0)`.
   */
  source: string;
  /** True only when nothing in the project names a version and the newest is assumed. */
  assumed: boolean;
  basis: StarletteVersionBasis;
}

/** A package installed in a virtualenv inside the project. */
export interface InstalledPackage {
  version: string;
  /** The file it was read from, relative to the project root. */
  file: string;
}

/** What a project's files say of its Starlette and FastAPI (`readVersionEvidence`). */
export interface VersionEvidence {
  installed?: { starlette?: InstalledPackage; fastapi?: InstalledPackage };
  /** The requirement on each, with its whole specifier (a lock file's is `==version`). */
  starlette?: Requirement;
  fastapi?: Requirement;
}

/** The newest Starlette release `clauses` allow; outside the known releases, the bound they name. */
function newestStarlette(clauses: readonly Clause[]): string | undefined {
  const known = STARLETTE_RELEASES.filter((v) => allows(clauses, v)).at(-1);
  if (known) return known;
  const bound = (op: Clause['op']) => clauses.find((c) => c.op === op)?.version;
  return bound('==') ?? bound('<=') ?? bound('>=') ?? bound('>');
}

/** What FastAPI's requirement contributes: its release, the Starlette clauses, and how to say it. */
interface FastapiChoice {
  release: FastapiRelease;
  clauses: Clause[];
  label: string;
}

const NEWEST_FASTAPI = FASTAPI_RELEASES[FASTAPI_RELEASES.length - 1] as FastapiRelease;

/** The table's row for `version`: the release itself, else the newest release before it. */
function releaseFor(version: string): { release: FastapiRelease; note: string } {
  const exact = FASTAPI_RELEASES.find((r) => compareVersions(r.version, version) === 0);
  if (exact) return { release: exact, note: '' };
  if (compareVersions(version, NEWEST_FASTAPI.version) > 0) {
    return {
      release: NEWEST_FASTAPI,
      note: `; FastAPI ${version} is newer than ${NEWEST_FASTAPI.version}, the newest release known, whose requirement is assumed`,
    };
  }
  const before = FASTAPI_RELEASES.filter((r) => compareVersions(r.version, version) < 0).at(-1);
  const release = before ?? (FASTAPI_RELEASES[0] as FastapiRelease);
  return {
    release,
    note: `; FastAPI ${version} is not a release known, ${release.version}'s requirement is assumed`,
  };
}

const requires = (r: FastapiRelease) => `FastAPI ${r.version} requires starlette${r.starlette}`;
const starletteClauses = (r: FastapiRelease): Clause[] => parseSpecifier(r.starlette) ?? [];
const where = (r: VersionInfo) => `${r.source.file}:${r.source.line}`;

/**
 * The FastAPI release a project gets, as pip would pick it: the installed one, the locked or pinned one, or
 * the newest the range allows whose Starlette requirement meets `starlette` (a ranged Starlette requirement).
 */
function fastapiChoice(
  evidence: VersionEvidence,
  starlette: Clause[] | undefined,
): FastapiChoice | undefined {
  const installed = evidence.installed?.fastapi;
  if (installed) {
    const { release, note } = releaseFor(installed.version);
    return {
      release,
      clauses: starletteClauses(release),
      label: `fastapi ${installed.version} installed in ${installed.file} (${requires(release)}${note})`,
    };
  }
  const req = evidence.fastapi;
  if (!req) return undefined;
  const clauses = parseSpecifier(req.spec);
  const exact = clauses?.find((c) => c.op === '==')?.version ?? (clauses ? undefined : req.version);
  const named = isLockFile(req.source.file)
    ? `fastapi ${req.version} locked in ${where(req)}`
    : `fastapi${req.spec} in ${where(req)}`;
  if (exact !== undefined || !clauses) {
    const { release, note } = releaseFor(exact ?? req.version);
    return { release, clauses: starletteClauses(release), label: `${named} (${requires(release)}${note})` };
  }
  const candidates = FASTAPI_RELEASES.filter((r) => allows(clauses, r.version)).reverse();
  const fits = (r: FastapiRelease) =>
    !starlette || STARLETTE_RELEASES.some((v) => allows([...starletteClauses(r), ...starlette], v));
  const release = candidates.find(fits) ?? candidates[0];
  if (!release) {
    const fallback = releaseFor(req.version);
    return {
      release: fallback.release,
      clauses: starletteClauses(fallback.release),
      label: `${named} (${requires(fallback.release)}${fallback.note})`,
    };
  }
  return {
    release,
    clauses: starletteClauses(release),
    label: `${named} (the newest FastAPI it allows, ${release.version}, requires starlette${release.starlette})`,
  };
}

/**
 * The Starlette version a project runs, from what its files say, strongest first: Starlette installed in
 * the project's virtualenv; locked; pinned (a range gives the newest release it allows, with FastAPI's
 * requirement when FastAPI is named too); derived from FastAPI's installed, locked or pinned release and the
 * Starlette range that release requires; else the newest release, assumed. Pure.
 */
export function resolveStarletteVersion(evidence: VersionEvidence): ProjectStarletteVersion {
  const installed = evidence.installed?.starlette;
  if (installed)
    return { version: installed.version, source: installed.file, assumed: false, basis: 'installed' };
  const req = evidence.starlette;
  const clauses = req ? parseSpecifier(req.spec) : undefined;
  const fastapi = fastapiChoice(evidence, clauses);
  if (req) {
    const locked = isLockFile(req.source.file);
    const named = `starlette${req.spec} in ${where(req)}`;
    const exact = clauses ? clauses.find((c) => c.op === '==')?.version : req.version;
    if (exact !== undefined || !clauses) {
      const version = exact ?? req.version;
      return locked
        ? { version, source: `starlette ${version} locked in ${where(req)}`, assumed: false, basis: 'locked' }
        : { version, source: named, assumed: false, basis: 'pinned' };
    }
    const both =
      fastapi && STARLETTE_RELEASES.filter((v) => allows([...clauses, ...fastapi.clauses], v)).at(-1);
    if (fastapi && both) {
      return {
        version: both,
        source: `${named}, with ${fastapi.label}: the newest release both allow`,
        assumed: false,
        basis: 'pinned',
      };
    }
    return {
      version: newestStarlette(clauses) ?? req.version,
      source: `${named}: the newest release it allows`,
      assumed: false,
      basis: 'pinned',
    };
  }
  if (fastapi) {
    return {
      version: newestStarlette(fastapi.clauses) ?? NEWEST_STARLETTE,
      source: fastapi.label,
      assumed: false,
      basis: 'fastapi',
    };
  }
  return {
    version: NEWEST_STARLETTE,
    source: `no virtualenv, lock file or requirement names starlette or fastapi: the newest release, ${NEWEST_STARLETTE}, is assumed`,
    assumed: true,
    basis: 'newest',
  };
}

/** The Starlette version a project runs (`resolveStarletteVersion` of `readVersionEvidence`). */
export function projectStarletteVersion(
  project: Pick<PythonProject, 'root' | 'versions' | 'apps'>,
): ProjectStarletteVersion {
  // Read once per project read: a check or a proof asks many times.
  let known = resolved.get(project);
  if (!known) {
    known = resolveStarletteVersion(readVersionEvidence(project));
    resolved.set(project, known);
  }
  return known;
}

const resolved = new WeakMap<object, ProjectStarletteVersion>();

// Reading the few files the project walk does not list (I/O, bounded: no directory is walked).

/** Virtualenv folders looked for, in this order, in the project root and the folders of its apps. */
export const VENV_DIRS = ['.venv', 'venv', 'env'];
/** Requirement files the project walk does not list. */
const EXTRA_REQUIREMENT_FILES = ['pdm.lock', 'requirements.lock', 'Pipfile'];
/** At most this many folders are looked in. */
const MAX_DIRS = 16;

/**
 * Whether `rel` exists and its real path lies inside the project: versions come only from the project's own
 * files, never through a symlink out of it (`.venv -> /`, a virtualenv shared with other projects).
 */
function inside(root: string, rel: string): boolean {
  let real: string;
  try {
    real = realpathSync(root);
  } catch {
    return false;
  }
  return staysInside(real, join(root, rel));
}

function readText(root: string, rel: string): string | undefined {
  if (!inside(root, rel)) return undefined;
  const r = readSmallFile(join(root, rel));
  return r.ok ? decodeText(r.buf) : undefined;
}

function listDir(root: string, rel: string): string[] {
  if (!inside(root, rel)) return [];
  try {
    return readdirSync(join(root, rel)).sort();
  } catch {
    return [];
  }
}

const relJoin = (...parts: string[]) => parts.filter(Boolean).join('/');

/** The root, the folders of the apps and of the requirement files, and their parents, shallowest first. */
function candidateDirs(project: Pick<PythonProject, 'versions' | 'apps'>): string[] {
  const dirs = new Set<string>(['']);
  const files = [
    ...project.apps.map((a) => a.source.file),
    ...Object.values(project.versions).map((v) => v.source.file),
  ];
  for (const file of files) {
    for (let dir = posix.dirname(file); dir !== '.' && dir !== '/' && !dir.startsWith('..'); ) {
      dirs.add(dir);
      dir = posix.dirname(dir);
    }
  }
  return [...dirs]
    .sort((a, b) => (a ? a.split('/').length : 0) - (b ? b.split('/').length : 0) || (a < b ? -1 : 1))
    .slice(0, MAX_DIRS);
}

/** `starlette/__init__.py`'s `__version__`, else `starlette-<version>.dist-info/METADATA`'s `Version:`. */
function installedPackage(root: string, site: string, pkg: string): InstalledPackage | undefined {
  const init = `${site}/${pkg}/__init__.py`;
  const text = readText(root, init);
  const version = text && /^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']/m.exec(text)?.[1];
  if (version) return { version, file: init };
  const dist = listDir(root, site).find(
    (n) => n.toLowerCase().startsWith(`${pkg}-`) && n.endsWith('.dist-info'),
  );
  if (!dist) return undefined;
  const metadata = `${site}/${dist}/METADATA`;
  const declared = /^Version:\s*(\S+)/m.exec(readText(root, metadata) ?? '')?.[1];
  return declared ? { version: declared, file: metadata } : undefined;
}

/** The site-packages folders of a virtualenv: `lib/python3.*` (and PyPy's), or Windows' `Lib`. */
function sitePackages(root: string, venv: string): string[] {
  const lib = listDir(root, `${venv}/lib`)
    .filter((n) => /^(python|pypy)\d/.test(n))
    .reverse()
    .map((n) => `${venv}/lib/${n}/site-packages`);
  return [...lib, `${venv}/Lib/site-packages`];
}

/** Starlette and FastAPI in the first virtualenv found inside the project that has either. */
export function readInstalled(
  root: string,
  dirs: string[] = [''],
): { starlette?: InstalledPackage; fastapi?: InstalledPackage } | undefined {
  for (const dir of dirs) {
    for (const name of VENV_DIRS) {
      const venv = relJoin(dir, name);
      for (const site of sitePackages(root, venv)) {
        const starlette = installedPackage(root, site, 'starlette');
        const fastapi = installedPackage(root, site, 'fastapi');
        if (starlette || fastapi) return { ...(starlette && { starlette }), ...(fastapi && { fastapi }) };
      }
    }
  }
  return undefined;
}

/** A requirement the project reader found, with its whole specifier read again from its file. */
function wholeRequirement(root: string, info: VersionInfo, pkg: 'starlette' | 'fastapi'): Requirement {
  const plain = { ...info, spec: info.specifier ?? `==${info.version}` };
  if (isLockFile(info.source.file)) return plain;
  const text = readText(root, info.source.file);
  const found = text === undefined ? undefined : requirementsOf(text, info.source.file)?.[pkg];
  return found && found.source.line === info.source.line ? found : plain;
}

/**
 * What the project's files say of Starlette and FastAPI: the project reader's versions, the requirement
 * files its walk does not list (`pdm.lock`, `requirements.lock`, `Pipfile`) and a virtualenv inside the
 * project, each read directly (the walk skips virtualenvs). A lock file beats a requirement.
 */
export function readVersionEvidence(
  project: Pick<PythonProject, 'root' | 'versions' | 'apps'>,
): VersionEvidence {
  const dirs = candidateDirs(project);
  const evidence: VersionEvidence = {};
  const installed = readInstalled(project.root, dirs);
  if (installed) evidence.installed = installed;
  const extra: Requirements = {};
  for (const file of EXTRA_REQUIREMENT_FILES) {
    for (const dir of dirs) {
      const rel = relJoin(dir, file);
      const text = readText(project.root, rel);
      const found = text === undefined ? undefined : requirementsOf(text, rel);
      for (const pkg of ['starlette', 'fastapi'] as const) if (found?.[pkg]) extra[pkg] ??= found[pkg];
    }
  }
  for (const pkg of ['starlette', 'fastapi'] as const) {
    const info = project.versions[pkg];
    const read = info && wholeRequirement(project.root, info, pkg);
    const other = extra[pkg];
    const chosen =
      read && isLockFile(read.source.file)
        ? read
        : other && isLockFile(other.source.file)
          ? other
          : (read ?? other);
    if (chosen) evidence[pkg] = chosen;
  }
  return evidence;
}
