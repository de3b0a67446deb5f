/**
 * Fetch's "parse a single range header value" with allowWhitespace = false.
 * Returns [start, end] (either may be null) or null on failure.
 */
export function parseSingleRange(value: string): [number | null, number | null] | null {
  const match = /^bytes=([0-9]*)-([0-9]*)$/.exec(value);
  if (match === null) return null;
  const start = match[1] === '' ? null : Number(match[1]);
  const end = match[2] === '' ? null : Number(match[2]);
  if (start === null && end === null) return null;
  if (start !== null && end !== null && start > end) return null;
  return [start, end];
}
