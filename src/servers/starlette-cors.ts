/**
 * Starlette's `CORSMiddleware` as a pure function: what it answers to a preflight, and which header
 * lines it writes onto the inner app's response. Reproduces `starlette/middleware/cors.py` of 0.15.0
 * to 1.3.1, including what it does with values of the wrong type (a `str` where a list belongs makes
 * `in` a substring test and `join` a join over characters), because that is what real apps get from
 * an environment variable.
 */

import { firstHeaderValue } from '../model/header-list.js';
import type { HeaderList } from '../model/types.js';
import { versionAtLeast } from '../python/starlette-version.js';
import type { StarletteCorsConfig } from './types.js';

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
const SAFELISTED_HEADERS = ['Accept', 'Accept-Language', 'Content-Language', 'Content-Type'];

/** A list option as Python sees it: a list of strings, or a `str` (an iterable of characters). */
type PyStrings = string[] | string;

/** Python's `item in container` for a list or a str. */
const pyIn = (container: PyStrings, item: string): boolean =>
  typeof container === 'string' ? container.includes(item) : container.includes(item);

/** Python's `iter(container)`: a str iterates over its characters. */
const pyItems = (container: PyStrings): string[] =>
  typeof container === 'string' ? [...container] : container;

/** Python's `sorted()` of strings: by code point. */
const pySorted = (items: Iterable<string>): string[] =>
  [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The behaviour switches of a Starlette version. */
export interface StarletteCorsVersion {
  /** >= 1.0.0: the origin is echoed on every response when `*` and credentials are combined. */
  explicitOriginWithCredentials: boolean;
  /** >= 0.51.0: `allow_private_network` exists and a private-network preflight fails by default. */
  privateNetwork: boolean;
}

export function corsVersionFlags(version: string): StarletteCorsVersion {
  return {
    explicitOriginWithCredentials: versionAtLeast(version, '1.0.0'),
    privateNetwork: versionAtLeast(version, '0.51.0'),
  };
}

/** What `CORSMiddleware.__init__` computes once. */
export interface CompiledCors {
  config: StarletteCorsConfig;
  version: StarletteCorsVersion;
  allowAllOrigins: boolean;
  allowAllHeaders: boolean;
  preflightExplicitAllowOrigin: boolean;
  allowMethods: PyStrings;
  /** Lower-cased names checked against `Access-Control-Request-Headers`. */
  allowHeaders: string[];
  simpleHeaders: HeaderList;
  preflightHeaders: HeaderList;
  originRegex: RegExp | undefined;
}

/**
 * `CORSMiddleware.__init__`. Throws when the configuration makes Starlette itself fail (for example
 * `allow_origins=None`: `TypeError: argument of type 'NoneType' is not iterable`).
 */
export function compileCors(config: StarletteCorsConfig, version: StarletteCorsVersion): CompiledCors {
  if (config.allow_origins === null) {
    throw new TypeError("argument of type 'NoneType' is not iterable (allow_origins=None)");
  }
  const allowMethods: PyStrings = pyIn(config.allow_methods, '*') ? ALL_METHODS : config.allow_methods;
  const allowAllOrigins = pyIn(config.allow_origins, '*');
  const allowAllHeaders = pyIn(config.allow_headers, '*');
  const preflightExplicitAllowOrigin = !allowAllOrigins || config.allow_credentials;

  const simpleHeaders: HeaderList = [];
  if (allowAllOrigins) simpleHeaders.push(['Access-Control-Allow-Origin', '*']);
  if (config.allow_credentials) simpleHeaders.push(['Access-Control-Allow-Credentials', 'true']);
  const expose = pyItems(config.expose_headers);
  if (expose.length > 0) simpleHeaders.push(['Access-Control-Expose-Headers', expose.join(', ')]);

  const preflightHeaders: HeaderList = [];
  if (preflightExplicitAllowOrigin) preflightHeaders.push(['Vary', 'Origin']);
  else preflightHeaders.push(['Access-Control-Allow-Origin', '*']);
  preflightHeaders.push(['Access-Control-Allow-Methods', pyItems(allowMethods).join(', ')]);
  preflightHeaders.push(['Access-Control-Max-Age', String(config.max_age)]);
  const allowHeaders = pySorted(new Set([...SAFELISTED_HEADERS, ...pyItems(config.allow_headers)]));
  if (allowHeaders.length > 0 && !allowAllHeaders) {
    preflightHeaders.push(['Access-Control-Allow-Headers', allowHeaders.join(', ')]);
  }
  if (config.allow_credentials) preflightHeaders.push(['Access-Control-Allow-Credentials', 'true']);

  return {
    config,
    version,
    allowAllOrigins,
    allowAllHeaders,
    preflightExplicitAllowOrigin,
    allowMethods,
    allowHeaders: allowHeaders.map((h) => h.toLowerCase()),
    simpleHeaders,
    preflightHeaders,
    originRegex: compileOriginRegex(config.allow_origin_regex),
  };
}

/** Thrown when a Python regular expression has no faithful JavaScript reading. */
export class UntranslatableRegex extends Error {}

/**
 * Python `re.compile(pattern).fullmatch` as a JavaScript RegExp: named groups `(?P<n>...)` and
 * `(?P=n)`, a leading `(?i)` flag, and `\A`/`\Z` are translated; anything JavaScript would read
 * differently (other inline flags, possessive or atomic groups) is refused rather than guessed.
 */
export function pythonFullmatch(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    if (!/^i+$/.test(inline[1] as string))
      throw new UntranslatableRegex(`inline flags (?${inline[1]}) are not modelled`);
    flags = 'i';
    source = source.slice(inline[0].length);
  }
  if (/\(\?[aiLmsux-]+[:)]|\(\?>|[*+?}]\+/.test(source)) {
    throw new UntranslatableRegex('inline flags, atomic groups or possessive quantifiers are not modelled');
  }
  source = source
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  try {
    const regex = new RegExp(`^(?:${source})$`, flags);
    // V8 compiles a pattern when it first runs: one too large to compile throws there, not above.
    regex.test('');
    return regex;
  } catch (error) {
    throw new UntranslatableRegex((error as Error).message);
  }
}

function compileOriginRegex(pattern: string | null): RegExp | undefined {
  return pattern === null ? undefined : pythonFullmatch(pattern);
}

/**
 * Which test of `CORSMiddleware.is_allowed_origin` lets `origin` in, in Starlette's order: `"*"` in
 * allow_origins, a full match of allow_origin_regex, then `origin in allow_origins` (a substring test when
 * allow_origins is a string). Undefined when none does.
 */
export function allowedOriginBy(
  allowOrigins: PyStrings,
  originRegex: RegExp | undefined,
  origin: string,
): 'wildcard' | 'regex' | 'list' | undefined {
  if (pyIn(allowOrigins, '*')) return 'wildcard';
  if (originRegex?.test(origin)) return 'regex';
  return pyIn(allowOrigins, origin) ? 'list' : undefined;
}

/** `CORSMiddleware.is_allowed_origin`. */
export const isAllowedOrigin = (cors: CompiledCors, origin: string): boolean =>
  allowedOriginBy(cors.config.allow_origins as PyStrings, cors.originRegex, origin) !== undefined;

/** A request `CORSMiddleware` answers itself: it has an Origin, is OPTIONS and carries ACRM. */
export function isStarlettePreflight(method: string, headers: HeaderList): boolean {
  return (
    firstHeaderValue(headers, 'origin') !== undefined &&
    method === 'OPTIONS' &&
    firstHeaderValue(headers, 'access-control-request-method') !== undefined
  );
}

export interface CorsPreflightAnswer {
  status: 200 | 400;
  body: string;
  headers: HeaderList;
  /** Starlette's failure names, in its order: origin, method, headers, private-network. */
  failures: string[];
}

/** `CORSMiddleware.preflight_response`: the header lines as the middleware writes them (lower-cased). */
export function corsPreflightAnswer(cors: CompiledCors, requestHeaders: HeaderList): CorsPreflightAnswer {
  const origin = firstHeaderValue(requestHeaders, 'origin') ?? '';
  const requestedMethod = firstHeaderValue(requestHeaders, 'access-control-request-method') ?? '';
  const requestedHeaders = firstHeaderValue(requestHeaders, 'access-control-request-headers');
  const headers = new Map<string, string>(cors.preflightHeaders.map(([n, v]) => [n, v]));
  const failures: string[] = [];
  if (isAllowedOrigin(cors, origin)) {
    if (cors.preflightExplicitAllowOrigin) headers.set('Access-Control-Allow-Origin', origin);
  } else {
    failures.push('origin');
  }
  if (!pyIn(cors.allowMethods, requestedMethod)) failures.push('method');
  if (cors.allowAllHeaders && requestedHeaders !== undefined) {
    headers.set('Access-Control-Allow-Headers', requestedHeaders);
  } else if (requestedHeaders !== undefined) {
    for (const header of requestedHeaders.split(',').map((h) => h.toLowerCase())) {
      if (!cors.allowHeaders.includes(header.trim())) {
        failures.push('headers');
        break;
      }
    }
  }
  if (
    cors.version.privateNetwork &&
    firstHeaderValue(requestHeaders, 'access-control-request-private-network')
  ) {
    if (cors.config.allow_private_network) headers.set('Access-Control-Allow-Private-Network', 'true');
    else failures.push('private-network');
  }
  const lines: HeaderList = [...headers].map(([n, v]) => [n.toLowerCase(), v]);
  return failures.length > 0
    ? { status: 400, body: `Disallowed CORS ${failures.join(', ')}`, headers: lines, failures }
    : { status: 200, body: 'OK', headers: lines, failures };
}

/** Starlette's `MutableHeaders.__setitem__`: replaces the first line of that name, drops the others. */
export function setHeader(lines: HeaderList, name: string, value: string): HeaderList {
  const key = name.toLowerCase();
  const out: HeaderList = [];
  let done = false;
  for (const [n, v] of lines) {
    if (n.toLowerCase() !== key) out.push([n, v]);
    else if (!done) {
      out.push([key, value]);
      done = true;
    }
  }
  if (!done) out.push([key, value]);
  return out;
}

/** `MutableHeaders.add_vary_header`. */
function addVary(lines: HeaderList, vary: string): HeaderList {
  const existing = firstHeaderValue(lines, 'vary');
  return setHeader(lines, 'vary', existing !== undefined ? `${existing}, ${vary}` : vary);
}

/**
 * `CORSMiddleware.simple_response`'s `send` wrapper: the inner app's response header lines with the
 * CORS lines written onto them, for a request with an Origin that is not a preflight.
 */
export function corsSimpleHeaders(
  cors: CompiledCors,
  requestHeaders: HeaderList,
  responseHeaders: HeaderList,
): HeaderList {
  let lines = responseHeaders;
  for (const [n, v] of cors.simpleHeaders) lines = setHeader(lines, n, v);
  const origin = firstHeaderValue(requestHeaders, 'origin') ?? '';
  const echoForWildcard = cors.version.explicitOriginWithCredentials
    ? cors.config.allow_credentials
    : firstHeaderValue(requestHeaders, 'cookie') !== undefined;
  if ((cors.allowAllOrigins && echoForWildcard) || (!cors.allowAllOrigins && isAllowedOrigin(cors, origin))) {
    lines = setHeader(lines, 'Access-Control-Allow-Origin', origin);
    lines = addVary(lines, 'Origin');
  }
  return lines;
}
