import type { HeaderList } from './types.js';

/** HTTP whitespace that header parsers strip from both ends of a value. */
const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** A header value as a browser stores it: leading and trailing whitespace removed. */
export function normalizeHeaderValue(value: string): string {
  return value.replace(HTTP_WHITESPACE, '');
}

/** Accepts the object form of `fetch()` headers or `[name, value]` pairs. */
export function toHeaderList(headers: Record<string, string> | HeaderList | undefined): HeaderList {
  if (headers === undefined) return [];
  if (Array.isArray(headers)) return headers.map(([name, value]) => [name, String(value)]);
  return Object.entries(headers).map(([name, value]) => [name, String(value)]);
}

/** Every value of the lines named `name` (case-insensitive), normalised, in order. */
export function headerValues(list: HeaderList, name: string): string[] {
  const lower = name.toLowerCase();
  return list.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => normalizeHeaderValue(v));
}

/**
 * The Fetch standard's "get": all values of `name` joined with `, `, or null when absent.
 * This is how Chromium reads `Access-Control-Allow-Origin` too, so two lines `A` and `B` become `A, B`.
 */
export function getHeader(list: HeaderList, name: string): string | null {
  const values = headerValues(list, name);
  return values.length === 0 ? null : values.join(', ');
}

/** The first value of `name` (case-insensitive), as written; undefined when absent (Starlette's `Headers.get`). */
export function firstHeaderValue(list: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  return list.find(([n]) => n.toLowerCase() === lower)?.[1];
}

export function hasHeader(list: HeaderList, name: string): boolean {
  const lower = name.toLowerCase();
  return list.some(([n]) => n.toLowerCase() === lower);
}

/**
 * The headers of a `fetch()` call as its Headers object holds them: names lowercased, values of a
 * repeated name combined with `, `, sorted by name ("sort and combine").
 */
export function sortAndCombine(list: HeaderList): HeaderList {
  const combined = new Map<string, string>();
  for (const [name, value] of list) {
    const lower = name.toLowerCase();
    const v = normalizeHeaderValue(value);
    const previous = combined.get(lower);
    combined.set(lower, previous === undefined ? v : `${previous}, ${v}`);
  }
  return [...combined.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Any `Access-Control-*` header line. */
export const hasCorsHeaders = (headers: HeaderList): boolean =>
  headers.some(([n]) => /^access-control-/i.test(n));
