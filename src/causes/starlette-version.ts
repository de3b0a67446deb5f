/** The newest Starlette release cors-doctor knows, assumed when a project pins no version. */
export const NEWEST_STARLETTE = '1.3.1';

/** The version a requirement names: `==0.26.1`, `>=0.27,<1`, `~=0.40` -> its first version number. */
export function versionOf(spec: string | undefined): string | undefined {
  return spec ? /\d+(\.\d+)*/.exec(spec)?.[0] : undefined;
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
