/** Methods `fetch()` uppercases; every other method is sent exactly as written (`patch` stays `patch`). */
const NORMALIZED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];

/** The Fetch standard's "normalize a method". */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.includes(upper) ? upper : method;
}

/** `GET`, `HEAD` or `POST`, byte for byte (apply `normalizeMethod` first). */
export function isCorsSafelistedMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'POST';
}

/** `CONNECT`, `TRACE` and `TRACK`: `fetch()` throws a TypeError. */
export function isForbiddenMethod(method: string): boolean {
  return ['CONNECT', 'TRACE', 'TRACK'].includes(method.toUpperCase());
}
