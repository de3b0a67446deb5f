// Reading what the user typed: a request URL, a page origin, a method, header lines, a timeout. Input that
// fetch() itself refuses (credentials in the URL, CONNECT, a header value with a line break) is refused here
// the same way. Bad input throws BadInputError with one line that says what is wrong and how to write it,
// and never repeats a secret: URL credentials are masked and header values are never echoed.
import { isForbiddenMethod, normalizeMethod } from '../model/method.js';
import type { HeaderList } from '../model/types.js';
import { BadInputError } from './errors.js';

/** `localhost:3000` or `api.example.com/x`: a host (and port) written without a scheme. */
const SCHEMELESS = /^(localhost|[\w-]+(\.[\w-]+)+|\d+\.\d+\.\d+\.\d+)(:\d+)?(\/|$)/i;

/** An HTTP token (RFC 9110): what a method and a header name are made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TOKEN_CHARACTERS = "letters, digits and !#$%&'*+-.^_`|~";

/** User information before the host (`user:pw@`, `token@`), with or without a scheme in front. */
const USERINFO = /^((?:[A-Za-z][A-Za-z0-9+.-]*:)?\/*)([^/?#@\s]*)@/;

/**
 * The text with the credentials of its URL masked: `http://user:***@host/x`. A user name alone is masked
 * whole (`http://***@host/x`): it is often a token.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(USERINFO, (_match, head: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${head}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : '***'}@`;
  });
}

/** fetch() throws for a URL with a user name or a password. */
function credentialsInUrl(value: string, what: 'URL' | 'origin'): BadInputError {
  return new BadInputError(
    what === 'URL'
      ? `fetch() throws a TypeError for a URL with credentials (${maskUrlCredentials(value)}): send them in a header instead, e.g. -H 'Authorization: Basic …'`
      : `fetch() throws a TypeError for a URL with credentials, and an origin never has any (${maskUrlCredentials(value)}): give scheme, host and port only`,
  );
}

/** The value has user information before its host. */
const hasUserinfo = (value: string): boolean => /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?[^/?#@\s]+@/.test(value);

/** An absolute http(s) URL, or a one-line error saying what is wrong. */
export function parseRequestUrl(value: string): string {
  if (hasUserinfo(value)) throw credentialsInUrl(value, 'URL');
  if (SCHEMELESS.test(value)) {
    throw new BadInputError(
      `the URL ${JSON.stringify(value)} has no scheme: write http://${value} (or https://)`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const shown = maskUrlCredentials(value);
    const hint = /^[\w.-]+(:\d+)?(\/|$)/.test(value) ? ` (did you mean http://${shown}?)` : '';
    throw new BadInputError(
      `not a valid URL: ${JSON.stringify(shown)}${hint}; give an absolute URL like http://localhost:8000/items`,
    );
  }
  if (url.username || url.password) throw credentialsInUrl(value, 'URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadInputError(
      `unsupported URL scheme ${url.protocol} in ${maskUrlCredentials(value)}: CORS applies to http:// and https:// URLs`,
    );
  }
  return url.href;
}

/** Why a parsed origin differs from what the browser sends, and what it sends instead. */
function originDifference(value: string, url: URL): string {
  const sent = url.origin;
  if (value.toLowerCase() === sent.toLowerCase()) {
    return `the origin ${JSON.stringify(value)} has upper case; browsers send the scheme and host in lower case: use ${sent}`;
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    return `an origin is scheme, host and port only: ${JSON.stringify(value)} has a path; use ${sent}`;
  }
  if (/\/$/.test(value) && value.slice(0, -1).toLowerCase() === sent.toLowerCase()) {
    return `an origin is scheme, host and port only: ${JSON.stringify(value)} has a trailing slash; use ${sent}`;
  }
  const port = /:(\d+)\/?$/.exec(value)?.[1];
  if (port !== undefined && url.port === '') {
    return `the origin ${JSON.stringify(value)} writes out the default port; browsers leave :${port} out of ${url.protocol}// origins: use ${sent}`;
  }
  return `an origin is scheme, host and port only: ${JSON.stringify(value)} has other characters; browsers send ${sent}`;
}

/**
 * A page origin (scheme://host[:port], exactly as the browser serialises it), or a one-line error saying
 * how to write it. Another spelling of the same origin (upper case, a trailing slash, the default port) is
 * refused with the spelling the browser sends, so that what the user sees is what goes on the wire and into
 * an allow-list.
 */
export function parseOrigin(value: string): string {
  if (value === 'null') return value;
  if (value.toLowerCase() === 'null') {
    throw new BadInputError(
      `the opaque origin is sent as null, in lower case: use --origin null, not ${JSON.stringify(value)}`,
    );
  }
  if (hasUserinfo(value)) throw credentialsInUrl(value, 'origin');
  if (SCHEMELESS.test(value)) {
    throw new BadInputError(
      `the origin ${JSON.stringify(value)} has no scheme: write http://${value.replace(/\/.*$/, '').toLowerCase()} (or https://)`,
    );
  }
  const bare = value.replace(/^[a-z][a-z0-9+.-]*:\/*/i, '').replace(/^\/+/, '');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadInputError(
      `not a valid origin: ${JSON.stringify(value)}; write it with its scheme, like http://${bare.toLowerCase()}`,
    );
  }
  if (url.username || url.password) throw credentialsInUrl(value, 'origin');
  if (!/^https?:$/.test(url.protocol) || !/^https?:\/\/[^/]/i.test(value)) {
    throw new BadInputError(
      `not a valid origin: ${JSON.stringify(value)}; write it with its scheme, like http://${bare.toLowerCase()}`,
    );
  }
  if (value !== url.origin) throw new BadInputError(originDifference(value, url));
  return value;
}

/**
 * The method as fetch() sends it (`get` becomes `GET`; `patch` stays `patch`), or the TypeError fetch()
 * throws: a method that is no token, or CONNECT, TRACE and TRACK in any case.
 */
export function parseMethod(value: string): string {
  if (!TOKEN.test(value)) {
    throw new BadInputError(
      `fetch() throws a TypeError for the method ${JSON.stringify(value)}: a method is a token (${TOKEN_CHARACTERS})`,
    );
  }
  if (isForbiddenMethod(value)) {
    throw new BadInputError(
      `fetch() throws a TypeError for the method ${value}: browsers never send CONNECT, TRACE or TRACK`,
    );
  }
  return normalizeMethod(value);
}

/** `U+20AC`. */
const codePoint = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The first word of a header line when it reads like a header name followed by more text (letters and
 * hyphens only: a word with digits, or a word alone, may be the secret itself and is never shown).
 */
function leadingName(line: string): string | undefined {
  return /^[ \t]*([A-Za-z][A-Za-z-]{0,39})(?=[\s=;,])/.exec(line)?.[1];
}

/** What is wrong with a header value fetch() or Node's HTTP client refuses, or undefined when it can be sent. */
function valueProblem(name: string, value: string): string | undefined {
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code === 0x0a || code === 0x0d) {
      return `fetch() throws a TypeError for the value of ${name}: it holds a line break (CR or LF); give each header its own -H`;
    }
    if (code === 0) return `fetch() throws a TypeError for the value of ${name}: it holds a NUL character`;
    if (code > 0xff) {
      return `fetch() throws a TypeError for the value of ${name}: it holds ${codePoint(code)}, a character above U+00FF, and header values are bytes; percent-encode it, or send it in the body`;
    }
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
      return `cannot send the value of ${name}: it holds the control character ${codePoint(code)}; fetch() accepts it, but Node's HTTP client refuses to send it`;
    }
  }
  return undefined;
}

/**
 * `Name: value` as curl takes it, checked as fetch()'s Headers checks it: the name a token, the value without
 * CR, LF or NUL and made of bytes (U+0000 to U+00FF), leading and trailing white space (tab, space, CR, LF)
 * trimmed as fetch() trims it. Errors name the header, never its value.
 */
export function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon < 0) {
    const name = leadingName(line);
    throw new BadInputError(
      name
        ? `not a header: -H "${name} …" has no colon after the name; write it as -H '${name}: …'`
        : `not a header: a -H has no colon (its text is not shown: it may hold a secret); write it as 'Name: value', e.g. -H 'Authorization: Bearer …'`,
    );
  }
  const name = line.slice(0, colon).replace(/^[ \t]+|[ \t]+$/g, '');
  if (name === '') {
    throw new BadInputError(
      `not a header: a -H has no name before its colon; write it as 'Name: value', e.g. -H 'Authorization: Bearer …'`,
    );
  }
  if (!TOKEN.test(name)) {
    const first = leadingName(name);
    throw new BadInputError(
      /\s/.test(name)
        ? `fetch() throws a TypeError for the header name ${first ? `"${first} …"` : 'given'}: a name is a token, with no spaces (${TOKEN_CHARACTERS}); write it as -H '${first ?? 'Name'}: …'`
        : `fetch() throws a TypeError for the header name ${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)}: a name is a token (${TOKEN_CHARACTERS})`,
    );
  }
  const value = line.slice(colon + 1).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  const problem = valueProblem(name, value);
  if (problem) throw new BadInputError(problem);
  return [name, value];
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
