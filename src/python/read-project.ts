import { realpathSync, statSync } from 'node:fs';
import { join, posix, resolve, sep } from 'node:path';
import { findApps } from './apps.js';
import { type EnvEntry, envFileListing, parseCompose, parseDockerfileEnv, parseDotenv } from './env.js';
import { type EnvHit, type EnvProvider, Evaluator } from './evaluate.js';
import { type ModuleInfo, ProjectIndex } from './modules.js';
import { getPythonParser } from './parser.js';
import type { EnvFile, PythonApp, PythonProject, UnseenFiles, VersionInfo } from './types.js';
import { type Found, fromPipfileLock, fromPyproject, fromRequirements, fromTomlLock } from './versions.js';
import { decodeText, MAX_FILE_BYTES, MAX_READ_BYTES, readSmallFile, staysInside, walkTree } from './walk.js';

export interface ReadProjectOptions {
  /** Called while files are read (`done` of `total` Python files). */
  onProgress?(done: number, total: number): void;
  /** Files to read as text besides the app's (by name): `PythonProject.otherFiles`. */
  otherFiles?(name: string): boolean;
  /**
   * Texts that stand in for files of the project (relative path -> text): the project as it would be
   * after a change, read without writing anything.
   */
  overlay?: ReadonlyMap<string, string>;
}

/**
 * Files that can define or configure an app. Everything else (settings modules, constants, routers)
 * is parsed only when one of these imports it.
 */
const CANDIDATE =
  /(?:FastAPI|Starlette)\s*[(),]|import[^\n]*\b(?:FastAPI|Starlette)\b|add_middleware|CORSMiddleware|include_router|\.middleware\(|\.mount\(/;
/** Modules that import the app object and register routes or middleware on it. */
const IMPORTS_APP = /^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+[^\n]*\bapp\b/m;
const NEEDLES = ['FastAPI', 'Starlette', 'iddleware', 'include_router', '.mount('].map((n) => Buffer.from(n));
const AT = Buffer.from('@');
const APP = Buffer.from('app');
const DECORATES =
  /@\w+\.(?:get|post|put|patch|delete|options|head|api_route|route|middleware|exception_handler)\(/;

/** Reads a FastAPI/Starlette project: apps, middleware stacks, resolved CORS options, routes, versions. */
export async function readPythonProject(root: string, opts: ReadProjectOptions = {}): Promise<PythonProject> {
  const absRoot = resolve(root);
  let st: import('node:fs').Stats;
  try {
    st = statSync(absRoot);
  } catch {
    throw new Error(`Project root ${absRoot} does not exist`);
  }
  if (!st.isDirectory()) throw new Error(`Project root ${absRoot} is not a directory`);

  // Start loading the parser (WebAssembly, compiled off the main thread) while the files are read.
  const parserLoading = getPythonParser();
  parserLoading.catch(() => undefined);
  const walk = walkTree(absRoot, opts.otherFiles);
  const overlay = opts.overlay;
  // `listed`: a path of the walk's listing, already normal, joined to the root by a plain concatenation
  // (path.join costs more than reading a small file's prefilter).
  const readRel = (rel: string, listed = false): ReturnType<typeof readSmallFile> => {
    const text = overlay?.get(rel);
    if (text !== undefined) return { ok: true, buf: Buffer.from(text) };
    return readSmallFile(listed ? `${absRoot}${sep}${rel}` : join(absRoot, rel));
  };
  let skipped = walk.skipped;
  // What could not be seen, so that the scan says so instead of "no problem".
  const unseen: UnseenFiles = {
    files: walk.unreadable.map((u) => ({ file: u.rel, why: u.why })),
    outsideLinks: walk.outside.map((o) => ({ file: o.rel, target: o.target })),
    bounds: walk.bound ? [walk.bound] : [],
  };
  const notRead = (rel: string, reason: 'large' | 'binary' | 'unreadable') =>
    unseen.files.some((f) => f.file === rel) ||
    unseen.files.push(
      reason === 'large'
        ? {
            file: rel,
            why: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB, the limit for one file`,
          }
        : reason === 'binary'
          ? { file: rel, why: 'not text (a NUL byte)', notText: true }
          : { file: rel, why: 'could not be opened or read' },
    );
  let bytesRead = 0;
  let pastBound = 0;
  const total = walk.pyFiles.length;
  const texts = new Map<string, string>();
  const unreadable = new Set<string>();
  const candidates: string[] = [];
  const importers: string[] = [];
  const step = Math.max(1, Math.floor(total / 100));
  for (let i = 0; i < total; i++) {
    const rel = walk.pyFiles[i] as string;
    const r = bytesRead > MAX_READ_BYTES ? ({ ok: false, reason: 'bound' } as const) : readRel(rel, true);
    if (!r.ok) {
      skipped++;
      unreadable.add(rel);
      if (r.reason === 'bound') pastBound++;
      else notRead(rel, r.reason);
    } else {
      const buf = r.buf;
      bytesRead += buf.length;
      // Native byte searches first (no string is made for most files), the precise patterns after.
      let isCandidate = false;
      let isImporter = false;
      if (NEEDLES.some((n) => buf.indexOf(n) !== -1)) {
        isCandidate = CANDIDATE.test(buf.toString('latin1'));
      }
      if (!isCandidate && buf.indexOf(AT) !== -1 && buf.indexOf(APP) !== -1) {
        const ascii = buf.toString('latin1');
        isImporter = IMPORTS_APP.test(ascii) && DECORATES.test(ascii);
      }
      if (isCandidate || isImporter) {
        texts.set(rel, decodeText(buf));
        (isCandidate ? candidates : importers).push(rel);
      }
    }
    if (opts.onProgress && ((i + 1) % step === 0 || i + 1 === total)) opts.onProgress(i + 1, total);
  }
  if (total === 0) opts.onProgress?.(0, 0);
  if (pastBound > 0)
    unseen.bounds.push(
      `the reading stopped after ${MAX_READ_BYTES / 1024 / 1024 / 1024} GB of Python files (${pastBound} more not read)`,
    );

  const configText = new Map<string, string | null>();
  const listed = new Set(walk.configFiles.map((f) => f.rel));
  const rootReal = realpathSync(absRoot);
  const readConfig = (rel: string): string | undefined => {
    const cached = configText.get(rel);
    if (cached !== undefined) return cached ?? undefined;
    // The walk lists only files inside the project; any other path (an env_file, a .env looked up) is read
    // only when it stays inside too.
    const inside =
      !rel.startsWith('..') &&
      (listed.has(rel) || overlay?.has(rel) === true || staysInside(rootReal, join(absRoot, rel)));
    const r = inside ? readRel(rel) : ({ ok: false } as const);
    if (!r.ok && 'reason' in r && listed.has(rel)) notRead(rel, r.reason);
    const text = r.ok ? decodeText(r.buf) : null;
    configText.set(rel, text);
    return text ?? undefined;
  };

  const versions = readVersions(walk.configFiles, readConfig);
  const otherFiles = walk.configFiles.flatMap((f) => {
    const text = f.kind === 'other' ? readConfig(f.rel) : undefined;
    return text === undefined ? [] : [{ file: f.rel, text }];
  });
  const project: PythonProject = {
    root: absRoot,
    apps: [],
    versions,
    filesWithErrors: [],
    ...(opts.otherFiles && { otherFiles, pythonFiles: walk.pyFiles }),
    stats: { filesSeen: total, filesParsed: 0, skipped },
  };
  const seenAll = () => unseen.files.length + unseen.outsideLinks.length + unseen.bounds.length === 0;
  if (candidates.length === 0) {
    if (!seenAll()) project.unseen = unseen;
    return project;
  }

  const parser = await parserLoading;
  const pySet = new Set(walk.pyFiles);
  const index = new ProjectIndex(
    pySet,
    (rel) => {
      const t = texts.get(rel);
      if (t !== undefined) return t;
      if (unreadable.has(rel) || !pySet.has(rel)) return undefined;
      const r = readRel(rel, true);
      if (!r.ok) return undefined;
      return decodeText(r.buf);
    },
    parser,
  );
  const packages = new Set(
    walk.pyFiles.filter((f) => posix.basename(f) === '__init__.py').map((f) => posix.dirname(f)),
  );
  const env = new ProjectEnv(walk.configFiles, readConfig, packages);
  project.environment = env.listing();
  const ev = new Evaluator(index, env);

  const apps: PythonApp[] = [];
  try {
    const candidateModules = candidates
      .map((rel) => index.getModule(rel))
      .filter((m): m is ModuleInfo => !!m);
    const importerModules = importers.map((rel) => index.getModule(rel)).filter((m): m is ModuleInfo => !!m);
    const importersOf = index.importersByFile([...candidateModules, ...importerModules]);
    for (const mod of candidateModules) {
      try {
        apps.push(...findApps(ev, mod, importersOf.get(mod.rel) ?? []));
      } catch (err) {
        // Never throw on bad input: note it like a syntax problem and keep going. The call stack overflows
        // on code nested far deeper than Python itself compiles.
        const why = (err as Error).message;
        index.errors.push({
          file: mod.rel,
          line: 1,
          message: `could not be read: ${err instanceof RangeError && /call stack/.test(why) ? 'nested too deeply' : why}`,
        });
      }
    }
  } finally {
    // The apps are plain data: the syntax trees can go.
    index.release();
  }
  project.apps = apps;
  project.filesWithErrors = [...index.errors];
  project.stats.filesParsed = index.parsedCount;
  if (!seenAll()) project.unseen = unseen;
  return project;
}

function readVersions(
  configFiles: Array<{ rel: string; kind: string }>,
  read: (rel: string) => string | undefined,
): PythonProject['versions'] {
  const rank: Record<string, number> = {
    'poetry.lock': 0,
    'uv.lock': 0,
    'Pipfile.lock': 0,
    requirements: 1,
    pyproject: 2,
  };
  const files = configFiles
    .filter((f) => f.kind in rank)
    .sort((a, b) => {
      const da = a.rel.split('/').length;
      const db = b.rel.split('/').length;
      return (rank[a.kind] as number) - (rank[b.kind] as number) || da - db || (a.rel < b.rel ? -1 : 1);
    });
  const out: PythonProject['versions'] = {};
  for (const f of files) {
    const text = read(f.rel);
    if (text === undefined) continue;
    let found: Found;
    if (f.kind === 'requirements') found = fromRequirements(text, f.rel);
    else if (f.kind === 'pyproject') found = fromPyproject(text, f.rel);
    else if (f.kind === 'Pipfile.lock') found = fromPipfileLock(text, f.rel);
    else found = fromTomlLock(text, f.rel);
    for (const [k, v] of Object.entries(found) as Array<[keyof typeof out, VersionInfo]>) out[k] ??= v;
  }
  return out;
}

/** A container build file (`Dockerfile`, `Dockerfile.prod`, `api.dockerfile`, `Containerfile`). */
const isDockerfile = (rel: string): boolean =>
  /(^|\/)(Dockerfile([.-][\w.-]*)?|Containerfile|[\w.-]+\.dockerfile)$/i.test(rel);

/** The environment as the project's own files define it. */
class ProjectEnv implements EnvProvider {
  private readonly dotenvCache = new Map<string, EnvEntry[] | null>();
  private composeEnv?: {
    environment: Array<EnvEntry & { label: string }>;
    envFiles: Array<{ rel: string; label: string }>;
  };

  constructor(
    private readonly configFiles: Array<{ rel: string; kind: string }>,
    private readonly read: (rel: string) => string | undefined,
    /** Directories holding an `__init__.py`. */
    private readonly packages: ReadonlySet<string> = new Set(),
  ) {}

  /**
   * The directory the app is started from as its imports say (`uvicorn app.main:app` from the folder above
   * the top package): the working directory a relative env_file is read from.
   */
  private importRoot(dir: string): string {
    let d = dir;
    while (d && this.packages.has(d)) d = posix.dirname(d) === '.' ? '' : posix.dirname(d);
    return d;
  }

  private dotenvFile(rel: string): EnvEntry[] | undefined {
    const cached = this.dotenvCache.get(rel);
    if (cached !== undefined) return cached ?? undefined;
    const text = this.read(rel);
    const entries = text === undefined ? null : parseDotenv(text, rel);
    this.dotenvCache.set(rel, entries);
    return entries ?? undefined;
  }

  private compose() {
    if (this.composeEnv) return this.composeEnv;
    const out: NonNullable<ProjectEnv['composeEnv']> = { environment: [], envFiles: [] };
    const files = this.configFiles
      .filter((f) => f.kind === 'compose')
      .sort((a, b) => a.rel.split('/').length - b.rel.split('/').length || (a.rel < b.rel ? -1 : 1));
    for (const f of files) {
      const text = this.read(f.rel);
      if (text === undefined) continue;
      const dir = posix.dirname(f.rel) === '.' ? '' : posix.dirname(f.rel);
      const interp = (name: string) =>
        this.dotenvFile(dir ? `${dir}/.env` : '.env')?.find((e) => e.name === name)?.value;
      const c = parseCompose(text, f.rel, interp);
      for (const e of c.environment)
        out.environment.push({
          ...e,
          label: `${f.rel} environment ${e.name} at ${e.source.file}:${e.source.line}`,
        });
      for (const e of c.envFiles) out.envFiles.push({ rel: e.rel, label: `${f.rel} env_file ${e.rel}` });
    }
    this.composeEnv = out;
    return out;
  }

  /** The project's Dockerfiles with their folders, listed once. */
  private dockerfileList?: Array<{ rel: string; dir: string }>;
  /** The `ENV` entries of each Dockerfile read (null: unreadable). */
  private readonly dockerfileEnv = new Map<string, EnvEntry[] | null>();

  /** Dockerfiles in `dir` or a directory above it, nearest first, with their `ENV` entries. */
  private dockerfiles(dir: string): Array<{ rel: string; entries: EnvEntry[] }> {
    this.dockerfileList ??= this.configFiles
      .filter((f) => f.kind === 'other' && isDockerfile(f.rel))
      .map((f) => ({ rel: f.rel, dir: posix.dirname(f.rel) === '.' ? '' : posix.dirname(f.rel) }));
    const out: Array<{ rel: string; entries: EnvEntry[] }> = [];
    for (const f of this.dockerfileList) {
      if (f.dir !== '' && dir !== f.dir && !dir.startsWith(`${f.dir}/`)) continue;
      let entries = this.dockerfileEnv.get(f.rel);
      if (entries === undefined) {
        const text = this.read(f.rel);
        entries = text === undefined ? null : parseDockerfileEnv(text, f.rel);
        this.dockerfileEnv.set(f.rel, entries);
      }
      if (entries) out.push({ rel: f.rel, entries });
    }
    return out.sort((a, b) => b.rel.split('/').length - a.rel.split('/').length);
  }

  /** Every file that sets variables: `.env` files, compose services, Dockerfiles. */
  listing(): EnvFile[] {
    const out: EnvFile[] = [];
    for (const f of this.configFiles) {
      const text =
        f.kind === 'env' || f.kind === 'compose' || isDockerfile(f.rel) ? this.read(f.rel) : undefined;
      if (text === undefined) continue;
      if (f.kind === 'env') out.push(envFileListing(f.rel, 'dotenv', text, this.dotenvFile(f.rel) ?? []));
      else if (f.kind === 'compose') {
        const dir = posix.dirname(f.rel) === '.' ? '' : posix.dirname(f.rel);
        const interp = (name: string) =>
          this.dotenvFile(dir ? `${dir}/.env` : '.env')?.find((e) => e.name === name)?.value;
        out.push(envFileListing(f.rel, 'compose', text, parseCompose(text, f.rel, interp).environment));
      } else if (f.kind === 'other')
        out.push(envFileListing(f.rel, 'dockerfile', text, parseDockerfileEnv(text, f.rel)));
    }
    return out;
  }

  private find(entries: EnvEntry[] | undefined, name: string, ci: boolean): EnvEntry | undefined {
    if (!entries) return undefined;
    const n = ci ? name.toLowerCase() : name;
    let hit: EnvEntry | undefined;
    for (const e of entries) if ((ci ? e.name.toLowerCase() : e.name) === n) hit = e; // the last one wins
    return hit;
  }

  process(name: string, mod: ModuleInfo, ci: boolean, nearbyDotenv = true): EnvHit | undefined {
    const c = this.compose();
    const fromCompose = this.find(c.environment, name, ci) as (EnvEntry & { label: string }) | undefined;
    if (fromCompose)
      return { value: fromCompose.value, source: fromCompose.source, label: fromCompose.label };
    for (const f of c.envFiles) {
      const e = this.find(this.dotenvFile(f.rel), name, ci);
      if (e)
        return {
          value: e.value,
          source: e.source,
          label: `${e.source.file} ${e.name} at ${e.source.file}:${e.source.line} (${f.label})`,
        };
    }
    // The image's `ENV` (a Dockerfile next to the app or above it): under compose's values, over .env files.
    for (const f of this.dockerfiles(mod.dir)) {
      const e = this.find(f.entries, name, ci);
      if (e)
        return {
          value: e.value,
          source: e.source,
          label: `${f.rel} ENV ${e.name} at ${e.source.file}:${e.source.line}`,
        };
    }
    if (!nearbyDotenv) return undefined;
    // A .env next to the app or in a directory above it, up to the root.
    let dir = mod.dir;
    for (;;) {
      const rel = dir ? `${dir}/.env` : '.env';
      const e = this.find(this.dotenvFile(rel), name, ci);
      if (e)
        return {
          value: e.value,
          source: e.source,
          label: `.env ${e.name} at ${e.source.file}:${e.source.line}`,
        };
      if (!dir) return undefined;
      dir = posix.dirname(dir) === '.' ? '' : posix.dirname(dir);
    }
  }

  dotenv(file: string, name: string, mod: ModuleInfo, ci: boolean): EnvHit | undefined {
    // pydantic reads a relative env_file from the working directory: the import root's, when it is there.
    const root = this.importRoot(mod.dir);
    const fromRoot = posix.normalize(root ? `${root}/${file}` : file);
    const rootEntries =
      root !== mod.dir && !fromRoot.startsWith('..') && !posix.isAbsolute(fromRoot)
        ? this.dotenvFile(fromRoot)
        : undefined;
    if (rootEntries) {
      const e = this.find(rootEntries, name, ci);
      return e
        ? {
            value: e.value,
            source: e.source,
            label: `env_file ${fromRoot} ${e.name} at ${e.source.file}:${e.source.line}`,
          }
        : undefined;
    }
    let dir = mod.dir;
    for (;;) {
      const rel = posix.normalize(dir ? `${dir}/${file}` : file);
      if (!rel.startsWith('..') && !posix.isAbsolute(rel)) {
        const entries = this.dotenvFile(rel);
        if (entries) {
          const e = this.find(entries, name, ci);
          return e
            ? {
                value: e.value,
                source: e.source,
                label: `env_file ${rel} ${e.name} at ${e.source.file}:${e.source.line}`,
              }
            : undefined;
        }
      }
      if (!dir) return undefined;
      dir = posix.dirname(dir) === '.' ? '' : posix.dirname(dir);
    }
  }
}
