/**
 * Which block of an nginx configuration takes a request, as nginx decides it (pure): the server by its
 * `listen` port, the location by nginx's rules (`=` exact, the longest prefix, final with `^~`, else the
 * first regex), and the 301 nginx answers instead when the path is a prefix location's name without its
 * trailing slash.
 */
import type { Directive } from './config.js';
import { type BlockInContext, listensOn, passesToApp } from './cors.js';

/** Something the model does not follow (a regex JavaScript cannot read, ...): the answer is unknown. */
export class NotModelled extends Error {}

export const children = (d: Directive | undefined, name: string): Directive[] =>
  (d?.block ?? []).filter((c) => c.name === name);

/** The server that takes requests on `port` (the first server when none listens on it), with its `http`. */
export function serverFor(top: Directive[], port: number): BlockInContext | undefined {
  const http = top.find((d) => d.name === 'http');
  const servers = [...children(http, 'server'), ...top.filter((d) => d.name === 'server')];
  const server = servers.find((s) => listensOn(s.block ?? [], port)) ?? servers[0];
  return server ? { directive: server, outer: http ? [http] : [] } : undefined;
}

/** An nginx (PCRE) regular expression as JavaScript's; one JavaScript cannot read is not modelled. */
export function pcre(pattern: string, caseless: boolean): RegExp {
  try {
    const regex = new RegExp(pattern, caseless ? 'i' : '');
    // V8 compiles a pattern when it first runs: one too large to compile throws there, not above.
    regex.test('');
    return regex;
  } catch {
    throw new NotModelled(`the regular expression ${JSON.stringify(pattern)} is not modelled`);
  }
}

/** The path a location names (`/api/` of `location /api/`, `location ^~ /api/`, `location = /api/`). */
export function locationPath(loc: Directive): { path: string; modifier: '' | '=' | '^~' } | undefined {
  const [a, b] = loc.args;
  if (loc.args.length === 1 && a !== undefined) return { path: a, modifier: '' };
  if ((a === '=' || a === '^~') && b !== undefined) return { path: b, modifier: a };
  return undefined;
}

/** nginx's location choice: `=` exact, else the longest prefix (final with `^~`), else the first regex. */
export function matchLocation(server: Directive, uri: string): Directive | undefined {
  let longest: Directive | undefined;
  let longestLength = -1;
  const regexes: Directive[] = [];
  for (const loc of children(server, 'location')) {
    const [a] = loc.args;
    if (a === '~' || a === '~*') {
      regexes.push(loc);
      continue;
    }
    const named = locationPath(loc);
    if (!named) continue;
    if (named.modifier === '=') {
      if (named.path === uri) return loc;
      continue;
    }
    if (uri.startsWith(named.path) && named.path.length > longestLength) {
      longest = loc;
      longestLength = named.path.length;
    }
  }
  if (longest?.args[0] === '^~') return longest;
  for (const loc of regexes) {
    if (pcre(loc.args[1] ?? '', loc.args[0] === '~*').test(uri)) return loc;
  }
  return longest;
}

/**
 * The location whose name is `uri` with a trailing slash, when nginx answers `uri` with a 301 to it: a
 * location (prefix, `^~` or `=`) named `/api/` that passes requests to an app (`proxy_pass` and its
 * cousins set nginx's auto redirect), and no location named `/api` itself. nginx decides this before any
 * regex location, and answers with the `add_header` lines of that location.
 */
export function slashRedirect(server: Directive, uri: string): Directive | undefined {
  const locations = children(server, 'location');
  if (locations.some((l) => locationPath(l)?.path === uri)) return undefined;
  return locations.find((l) => locationPath(l)?.path === `${uri}/` && passesToApp(l));
}

/** The blocks that take a request to `url`: the location, and the `if` blocks inside it. */
export function blocksServing(top: Directive[], url: string): BlockInContext[] {
  const parsed = new URL(url);
  const server = serverFor(top, Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)));
  if (!server) return [];
  const redirecting = slashRedirect(server.directive, parsed.pathname);
  let location: Directive | undefined;
  try {
    location = redirecting ?? matchLocation(server.directive, parsed.pathname);
  } catch (error) {
    if (error instanceof NotModelled) return [];
    throw error;
  }
  if (!location) return [];
  const at: BlockInContext = { directive: location, outer: [...server.outer, server.directive] };
  const ifs = children(location, 'if').map((d) => ({
    directive: d,
    outer: [...at.outer, location as Directive],
  }));
  return [at, ...ifs];
}
