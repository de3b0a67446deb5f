import type { PythonProject } from '../python/types.js';

/** The newest Starlette release cors-doctor knows, assumed when a project pins no version. */
export const NEWEST_STARLETTE = '1.3.1';

/** The version a requirement names: `==0.26.1`, `>=0.27,<1`, `~=0.40` -> its first version number. */
export function versionOf(spec: string | undefined): string | undefined {
  return spec ? /\d+(\.\d+)*/.exec(spec)?.[0] : undefined;
}

/** The Starlette version a project resolves to: pinned or locked, else the newest (assumed). */
export interface ProjectStarletteVersion {
  /** `0.26.1`. */
  version: string;
  /** Where it was read (`requirements.txt:2`), or why it is assumed. */
  source: string;
  assumed: boolean;
}

export function projectStarletteVersion(project: PythonProject): ProjectStarletteVersion {
  const pinned = project.versions.starlette;
  const version = versionOf(pinned?.version);
  return version !== undefined && pinned
    ? { version, source: `${pinned.source.file}:${pinned.source.line}`, assumed: false }
    : { version: NEWEST_STARLETTE, source: 'not pinned: the newest is assumed', assumed: true };
}

/** Compares dotted version numbers: `versionAtLeast('0.26.1', '1.0.0')` is false. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}
