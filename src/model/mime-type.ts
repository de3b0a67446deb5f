import { isHttpToken } from './http-token.js';

const LEADING_TRAILING_HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * The essence (`type/subtype`, lowercased) of a MIME type, per MIME Sniffing's "parse a MIME type",
 * or null when it does not parse. Parameters never make parsing fail, so they are not looked at.
 */
export function mimeTypeEssence(input: string): string | null {
  const value = input.replace(LEADING_TRAILING_HTTP_WS, '');
  const slash = value.indexOf('/');
  if (slash === -1) return null;
  const type = value.slice(0, slash);
  if (!isHttpToken(type)) return null;
  const semicolon = value.indexOf(';', slash + 1);
  const rawSubtype = value.slice(slash + 1, semicolon === -1 ? undefined : semicolon);
  const subtype = rawSubtype.replace(/[\t\n\r ]+$/, '');
  if (!isHttpToken(subtype)) return null;
  return `${type.toLowerCase()}/${subtype.toLowerCase()}`;
}
