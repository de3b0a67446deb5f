// Reading what the user typed: a request URL, a page origin, header lines, a timeout. Bad input throws
// BadInputError with one line that says what is wrong and how to write it.
import type { HeaderList } from '../model/types.js';
import { BadInputError } from './errors.js';

/** `localhost:3000` or `api.example.com/x`: a host (and port) written without a scheme. */
const SCHEMELESS = /^(localhost|[\w-]+(\.[\w-]+)+|\d+\.\d+\.\d+\.\d+)(:\d+)?(\/|$)/i;

/** An absolute http(s) URL, or a one-line error saying what is wrong. */
export function parseRequestUrl(value: string): string {
  if (SCHEMELESS.test(value)) {
    throw new BadInputError(
      `the URL ${JSON.stringify(value)} has no scheme: write http://${value} (or https://)`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const hint = /^[\w.-]+(:\d+)?(\/|$)/.test(value) ? ` (did you mean http://${value}?)` : '';
    throw new BadInputError(
      `not a valid URL: ${JSON.stringify(value)}${hint}; give an absolute URL like http://localhost:8000/items`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadInputError(
      `unsupported URL scheme ${url.protocol} in ${value}: CORS applies to http:// and https:// URLs`,
    );
  }
  return url.href;
}

/** A page origin (scheme://host[:port]), or a one-line error saying how to write it. */
export function parseOrigin(value: string): string {
  if (value === 'null') return value;
  if (SCHEMELESS.test(value)) {
    throw new BadInputError(
      `the origin ${JSON.stringify(value)} has no scheme: write http://${value.replace(/\/.*$/, '')} (or https://)`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadInputError(
      `not a valid origin: ${JSON.stringify(value)}; write it with its scheme, like http://${value.replace(/^\/+/, '')}`,
    );
  }
  if (!/^https?:$/.test(url.protocol) || /^https?:\/\/[^/]/.test(value) === false) {
    throw new BadInputError(
      `not a valid origin: ${JSON.stringify(value)}; write it with its scheme, like http://${value.replace(/^[a-z]+:\/*/, '')}`,
    );
  }
  if (value !== url.origin) {
    throw new BadInputError(
      `an origin is scheme, host and port only: ${JSON.stringify(value)} has ${url.pathname !== '/' || url.search ? 'a path' : 'a trailing slash or other characters'}; use ${url.origin}`,
    );
  }
  return value;
}

/** `Name: value` as curl takes it. */
export function parseHeader(value: string): [string, string] {
  const colon = value.indexOf(':');
  const name = colon > 0 ? value.slice(0, colon).trim() : '';
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    throw new BadInputError(
      `not a header: ${JSON.stringify(value)}; write it as 'Name: value', e.g. -H 'Authorization: Bearer …'`,
    );
  }
  return [name, value.slice(colon + 1).trim()];
}

export function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1 || ms > 600_000) {
    throw new BadInputError(
      `--timeout takes milliseconds between 1 and 600000, not ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

export function collectHeaders(values: string[]): HeaderList {
  return values.map(parseHeader);
}
