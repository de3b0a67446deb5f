import { closeSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, statSync } from 'node:fs';
import { sep } from 'node:path';

/** Directories never entered (dependencies, virtualenvs, VCS data, build output). */
export const SKIPPED_DIRS = new Set([
  'node_modules',
  '.venv',
  'venv',
  'site-packages',
  '.git',
  '__pycache__',
  'dist',
  'build',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.hg',
  '.svn',
]);

/** Files larger than this are not read (the scan names each one it skips). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** A walk lists at most this many entries (files and folders); real projects stay far below it. */
export const MAX_WALK_ENTRIES = 200_000;
/** The files of one project read, in all, at most this many bytes; real projects stay far below it. */
export const MAX_READ_BYTES = 1024 * 1024 * 1024;

/** Non-Python files the reader looks at. */
export type ConfigFileKind =
  | 'env'
  | 'compose'
  | 'requirements'
  | 'pyproject'
  | 'poetry.lock'
  | 'uv.lock'
  | 'Pipfile.lock'
  /** A file the caller asked for (`walkTree`'s `wantsOther`): proxy configuration, serve commands. */
  | 'other';

export interface WalkResult {
  /** Python files, paths relative to the root with `/` separators, in walk order. */
  pyFiles: string[];
  configFiles: Array<{ rel: string; kind: ConfigFileKind }>;
  /** Directories or entries skipped (ignored directory names, symlink loops, unreadable entries). */
  skipped: number;
  /**
   * Entries the reader would read that cannot be read, with why: a dangling symlink or a symlink loop under
   * a name it reads, a FIFO or socket under such a name, a folder that cannot be listed.
   */
  unreadable: Array<{ rel: string; why: string }>;
  /** Symlinks whose target lies outside the root: not followed. */
  outside: Array<{ rel: string; target: string }>;
  /** Set when the walk stopped at MAX_WALK_ENTRIES: what was past it is not listed. */
  bound?: string;
}

/** Whether the real path `real` is `rootReal` or lies below it. */
export function isInside(rootReal: string, real: string): boolean {
  return real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

/** Whether `abs` exists and its real path (symlinks resolved) lies inside the root whose real path is `rootReal`. */
export function staysInside(rootReal: string, abs: string): boolean {
  try {
    // Most paths asked about do not exist (a .env looked for in each folder up to the root): a stat that
    // answers without an exception first.
    if (statSync(abs, { throwIfNoEntry: false }) === undefined) return false;
    return isInside(rootReal, realpathSync(abs));
  } catch {
    return false;
  }
}

/** Why a symlink cannot be followed: it points nowhere, or in a loop. */
function brokenLink(abs: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'a symlink loop';
  let target = '';
  try {
    target = readlinkSync(abs);
  } catch {}
  return code === 'ENOENT'
    ? `a symlink to ${target}, which does not exist`
    : `a symlink that cannot be followed (${code})`;
}

/** What a directory entry that is neither a file nor a folder is. */
function special(st: { isFIFO(): boolean; isSocket(): boolean }): string {
  return st.isFIFO()
    ? 'a FIFO (named pipe), not a regular file'
    : st.isSocket()
      ? 'a socket, not a regular file'
      : 'a device, not a regular file';
}

export function configKind(name: string): ConfigFileKind | undefined {
  if (name === '.env' || name.startsWith('.env.')) return 'env';
  if (/^(docker-)?compose([.-][\w.-]*)?\.ya?ml$/.test(name)) return 'compose';
  if (/^requirements.*\.(txt|in)$/.test(name)) return 'requirements';
  if (name === 'pyproject.toml') return 'pyproject';
  if (name === 'poetry.lock' || name === 'uv.lock' || name === 'Pipfile.lock') return name;
  return undefined;
}

/**
 * Walks the tree below `root` (an existing directory), following symlinks once per real directory and
 * never out of the root (such links are listed in `outside`), up to `maxEntries` entries. Files
 * `wantsOther` accepts by name are listed too, for the caller (kind `other`).
 */
export function walkTree(
  root: string,
  wantsOther: (name: string) => boolean = () => false,
  maxEntries = MAX_WALK_ENTRIES,
): WalkResult {
  const pyFiles: string[] = [];
  const configFiles: Array<{ rel: string; kind: ConfigFileKind }> = [];
  let skipped = 0;
  const unreadable: WalkResult['unreadable'] = [];
  const outside: WalkResult['outside'] = [];
  let bound: string | undefined;
  let seen = 0;
  const reads = (name: string) => name.endsWith('.py') || configKind(name) !== undefined || wantsOther(name);
  const visited = new Set<string>();
  const rootReal = realpathSync(root);
  visited.add(rootReal);
  const stack: Array<{ abs: string; rel: string; real: string }> = [{ abs: root, rel: '', real: rootReal }];
  walk: while (stack.length > 0) {
    const dir = stack.pop() as { abs: string; rel: string; real: string };
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir.abs, { withFileTypes: true });
    } catch (error) {
      skipped++;
      const code = (error as NodeJS.ErrnoException).code;
      unreadable.push({ rel: dir.rel || '.', why: `a folder that cannot be listed (${code})` });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: Array<{ abs: string; rel: string; real: string }> = [];
    for (const entry of entries) {
      if (++seen > maxEntries) {
        bound = `the walk stopped after ${maxEntries.toLocaleString('en-US')} files and folders`;
        break walk;
      }
      const name = entry.name;
      // The folder's path is already normal: a plain concatenation (path.join costs as much as the rest).
      const abs = `${dir.abs}${dir.abs.endsWith(sep) ? '' : sep}${name}`;
      const rel = dir.rel ? `${dir.rel}/${name}` : name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let real = `${dir.real}/${name}`;
      let fileType: { isFIFO(): boolean; isSocket(): boolean } = entry;
      if (entry.isSymbolicLink()) {
        try {
          const st = statSync(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
          fileType = st;
        } catch (error) {
          skipped++; // dangling link or a loop of links
          if (reads(name)) unreadable.push({ rel, why: brokenLink(abs, error) });
          continue;
        }
        if (!(isDir && (SKIPPED_DIRS.has(name) || name.endsWith('.egg-info')))) {
          try {
            real = realpathSync(abs);
          } catch (error) {
            skipped++;
            if (reads(name)) unreadable.push({ rel, why: brokenLink(abs, error) });
            continue;
          }
          if (!isInside(rootReal, real)) {
            skipped++; // never out of the project: a link to / would walk the whole machine
            outside.push({ rel, target: real });
            continue;
          }
        }
      }
      if (isDir) {
        if (SKIPPED_DIRS.has(name) || name.endsWith('.egg-info')) {
          skipped++;
          continue;
        }
        if (visited.has(real)) {
          skipped++; // symlink loop or a second path to a directory already read
          continue;
        }
        visited.add(real);
        subdirs.push({ abs, rel, real });
      } else if (isFile) {
        if (name.endsWith('.py') || name.endsWith('.pyi')) {
          if (name.endsWith('.py')) pyFiles.push(rel);
          if (wantsOther(name)) configFiles.push({ rel, kind: 'other' });
        } else {
          const kind = configKind(name);
          if (kind) configFiles.push({ rel, kind });
          if (wantsOther(name)) configFiles.push({ rel, kind: 'other' });
        }
      } else if (reads(name)) {
        skipped++; // never opened: reading a FIFO waits for a writer
        unreadable.push({ rel, why: special(fileType) });
      }
    }
    // Depth-first, alphabetical: push in reverse.
    for (let i = subdirs.length - 1; i >= 0; i--)
      stack.push(subdirs[i] as { abs: string; rel: string; real: string });
  }
  return { pyFiles, configFiles, skipped, unreadable, outside, ...(bound && { bound }) };
}

let scratch: Buffer | undefined;

/**
 * Reads a file unless it is larger than MAX_FILE_BYTES or binary (contains a NUL byte).
 * The returned buffer is a view of a shared scratch buffer: decode or copy it before the next call.
 */
export function readSmallFile(
  abs: string,
): { ok: true; buf: Buffer } | { ok: false; reason: 'large' | 'binary' | 'unreadable' } {
  scratch ??= Buffer.allocUnsafe(MAX_FILE_BYTES + 1);
  let fd: number;
  try {
    fd = openSync(abs, 'r');
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  try {
    // No fstat: read up to one byte more than the limit and look at what came back.
    let off = 0;
    for (;;) {
      const n = readSync(fd, scratch, off, scratch.length - off, null);
      if (n <= 0) break;
      off += n;
      if (off >= scratch.length) break;
    }
    if (off > MAX_FILE_BYTES) return { ok: false, reason: 'large' };
    const data = scratch.subarray(0, off);
    // A UTF-16 text file (a byte order mark first, as Windows editors and PowerShell write them) is read
    // as the UTF-8 it stands for; any other NUL byte means a binary file.
    const utf16 = utf16Text(data);
    if (utf16 !== undefined) return { ok: true, buf: Buffer.from(utf16, 'utf8') };
    if (data.indexOf(0) !== -1) return { ok: false, reason: 'binary' };
    return { ok: true, buf: data };
  } catch {
    return { ok: false, reason: 'unreadable' };
  } finally {
    closeSync(fd);
  }
}

/** The text of UTF-16 bytes that start with a byte order mark, else undefined. */
function utf16Text(data: Buffer): string | undefined {
  if (data.length < 2 || data.length % 2 !== 0) return undefined;
  if (data[0] === 0xff && data[1] === 0xfe) return data.subarray(2).toString('utf16le');
  if (data[0] === 0xfe && data[1] === 0xff) return Buffer.from(data.subarray(2)).swap16().toString('utf16le');
  return undefined;
}

/** Lenient UTF-8 decoding (invalid sequences become U+FFFD); a BOM is dropped. */
export function decodeText(buf: Buffer): string {
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
