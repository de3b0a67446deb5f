/**
 * The nginx server model: what an nginx configuration answers to one request, in front of the app's
 * model. It follows nginx's own order: the server's rewrite directives, the location (exact, then the
 * longest prefix unless a regex matches), the location's rewrite directives (`set`, `if`, `return`,
 * `break`, in order), `auth_basic`, then `proxy_pass` to the app; on the way back, `proxy_hide_header`
 * and the `add_header` lines in force (only on 200/201/204/206/301/302/303/304/307/308 without `always`;
 * never with an empty value). An `if` of a location that holds makes its block the configuration the
 * request is served with (the last one that holds): its own `add_header` lines replace the location's,
 * which it inherits when it has none. Pure: no I/O.
 *
 * What it does not model makes the answer unknown, with the reason: `rewrite`, `auth_request`, nested
 * locations, variables it cannot evaluate.
 */
import { getHeader } from '../../model/header-list.js';
import type { HeaderList } from '../../model/types.js';
import type { Prediction } from '../../servers/stack.js';
import type { ServerRequest } from '../../servers/types.js';
import type { Upstream } from '../types.js';
import { type Directive, directiveText, type NginxConfigFile } from './config.js';
import {
  addedHeaders,
  type BlockInContext,
  blocks,
  hiddenHeaders,
  inForce,
  portOf,
  unreadInclude,
} from './cors.js';
import {
  children,
  locationPath,
  matchLocation,
  NotModelled,
  pcre,
  serverFor,
  slashRedirect,
} from './locate.js';
import { type ProxyRedirectContext, rewriteLocation } from './redirect.js';

/** Statuses nginx adds `add_header` lines to without `always`. */
const ADD_HEADER_STATUSES = new Set([200, 201, 204, 206, 301, 302, 303, 304, 307, 308]);

/** Predicts what nginx answers to `request`, passing it to `upstream` where the configuration does. */
export function predictThroughNginx(
  config: NginxConfigFile,
  request: ServerRequest,
  upstream: Upstream,
): Prediction {
  const path: string[] = [];
  try {
    return walk(config, request, upstream, path);
  } catch (error) {
    if (!(error instanceof NotModelled)) throw error;
    return { known: false, why: `nginx (${config.file}): ${error.message}`, assumptions: [], path };
  }
}

function walk(
  config: NginxConfigFile,
  request: ServerRequest,
  upstream: Upstream,
  path: string[],
): Prediction {
  const url = new URL(request.url);
  // The directives nginx runs: the includes of the project's files written in at their place.
  const top = config.served ?? config.directives;
  for (const r of config.includes ?? [])
    path.push(
      `include ${r.pattern} at ${r.file}:${r.line} reads ${r.files.join(', ')}${r.mapped ? ` (${r.mapped})` : ''}`,
    );
  const http = top.find((d) => d.name === 'http');
  const found = serverFor(top, portOf(url));
  if (!found) throw new NotModelled('no server block');
  const { directive: server, outer } = found;
  // The variables `set` assigns, as the rewrite directives run (a regex `if` that holds sets $1...$9).
  const assigned = new Map<string, string>();
  const vars = variables(request, top, http, assigned);
  path.push(`nginx server at ${writtenAt(config, server)}`);
  notIncluded(found, top);

  // The server's rewrite phase, then the location's.
  const serverAnswer = rewritePhase(found, top, vars, assigned, config, path, 'server').answer;
  if (serverAnswer) return serverAnswer;
  // The location's regex may set the captures: those of the server's ifs are not known to last.
  for (const key of [...assigned.keys()]) if (/^\d$/.test(key)) assigned.delete(key);
  // A location named with a trailing slash that passes to an app redirects its name without the slash
  // (301), with the add_header lines of that location.
  const slashed = slashRedirect(server, url.pathname);
  if (slashed) {
    path.push(`${directiveText(slashed)} at ${writtenAt(config, slashed)}: nginx adds the slash`);
    const answer = ownAnswer(
      301,
      '',
      { directive: slashed, outer: [...outer, server] },
      top,
      vars,
      `nginx redirects ${url.pathname} to ${url.pathname}/ (the location at ${writtenAt(config, slashed)} ends with a slash)`,
      path,
    );
    answer.headers.push(['Location', `${url.protocol}//${url.host}${url.pathname}/${url.search}`]);
    return answer;
  }
  const location = matchLocation(server, url.pathname);
  if (!location)
    throw new NotModelled(`no location of the server at line ${server.line} matches ${url.pathname}`);
  path.push(`${directiveText(location)} at ${writtenAt(config, location)}`);
  const inLocation: BlockInContext = { directive: location, outer: [...outer, server] };
  if (children(location, 'location').length > 0) throw new NotModelled('nested locations are not modelled');
  notIncluded(inLocation, top);
  const rewritten = rewritePhase(inLocation, top, vars, assigned, config, path, 'location');
  if (rewritten.answer) return rewritten.answer;
  // The configuration the request is served with: the location's, or that of the last if that held.
  const at = rewritten.at;

  // Access phase.
  if (inForce(at, top, 'auth_request').length > 0) throw new NotModelled('auth_request is not modelled');
  const basic = inForce(at, top, 'auth_basic')[0];
  if (basic && basic.args[0] !== 'off') {
    path.push(`auth_basic at ${writtenAt(config, basic)}`);
    return ownAnswer(
      401,
      '',
      at,
      top,
      vars,
      `nginx answers 401: auth_basic at ${writtenAt(config, basic)}`,
      path,
    );
  }

  const pass = children(at.directive, 'proxy_pass')[0] ?? children(location, 'proxy_pass')[0];
  if (!pass) throw new NotModelled(`${directiveText(location)} neither returns nor passes to the app`);
  const raw = pass.args[0] ?? '';
  if (raw.includes('$'))
    throw new NotModelled(`proxy_pass with variables (line ${pass.line}) is not modelled`);
  let target: URL;
  try {
    target = new URL(raw);
  } catch {
    throw new NotModelled(`proxy_pass ${raw} (line ${pass.line}) is not a URL`);
  }
  // The part the location matched: its name, for a prefix, `^~` or `=` location (a regex location cannot
  // have a URI in its proxy_pass: nginx -t refuses it).
  const prefix = locationPath(location)?.path;
  // proxy_pass with a URI (even "/") replaces the part of the path the location matched; without, the
  // request's path goes on unchanged.
  const uriPart = raw.replace(/^\w+:\/\/[^/]+/, '');
  const upstreamPath =
    uriPart !== '' && prefix !== undefined && url.pathname.startsWith(prefix)
      ? `${uriPart}${url.pathname.slice(prefix.length)}`
      : url.pathname;
  const hostSetting = inForce(at, top, 'proxy_set_header').find((d) => d.args[0]?.toLowerCase() === 'host');
  const host = hostSetting ? substitute(hostSetting.args[1] ?? '', vars) : target.host;
  const upstreamRequest: ServerRequest = {
    method: request.method,
    url: `${url.protocol}//${host}${upstreamPath}${url.search}`,
    headers: request.headers.filter(([n]) => n.toLowerCase() !== 'host'),
  };
  path.push(`proxy_pass ${pass.args[0]} at ${writtenAt(config, pass)}`);
  const app = upstream(upstreamRequest);
  if (!app.known) return { ...app, path: [...path, ...app.path] };
  const hidden = new Set(hiddenHeaders(at, top).map((d) => (d.args[0] ?? '').toLowerCase()));
  const redirect: ProxyRedirectContext = {
    at,
    top,
    proxyPass: raw,
    locationName: prefix,
    requestUrl: url,
    substitute: (value) => substitute(value, vars),
  };
  const headers: HeaderList = [
    ['Server', 'nginx'],
    ...app.headers
      .filter(([n]) => !hidden.has(n.toLowerCase()) && n.toLowerCase() !== 'server')
      .map(([n, v]): [string, string] =>
        n.toLowerCase() === 'location' ? [n, rewriteLocation(v, redirect)] : [n, v],
      ),
    ...added(at, top, vars, app.status),
  ];
  return { ...app, headers, path: [...path, ...app.path] };
}

/** Where a directive is written: its file (an included one, or the configuration's) and line. */
const writtenAt = (config: NginxConfigFile, d: Directive): string => `${d.file ?? config.file}:${d.line}`;

/** The block reads no other file (`include cors.conf;`): what that file writes is not modelled. */
function notIncluded(at: BlockInContext, top: Directive[]): void {
  const include = unreadInclude(at, top);
  if (include)
    throw new NotModelled(
      `include ${include.args[0] ?? ''} (line ${include.line}) is not read, so its directives are not modelled`,
    );
}

/** What a block's rewrite directives come to: nginx's own answer, or the configuration the request goes on with. */
interface Rewritten {
  answer?: Prediction;
  at: BlockInContext;
}

/**
 * A block's rewrite directives, in order, as nginx's rewrite module runs them: `set` assigns a variable,
 * `return` answers, `break` stops them, and an `if` that holds runs its own and, in a location, makes
 * its block the configuration the request is served with. At server level, an `if` that holds without
 * returning is followed only when it does nothing but `set` (the location found next replaces its block).
 */
function rewritePhase(
  block: BlockInContext,
  top: Directive[],
  vars: Variables,
  assigned: Map<string, string>,
  config: NginxConfigFile,
  path: string[],
  level: 'server' | 'location',
): Rewritten {
  let at = block;
  for (const d of block.directive.block ?? []) {
    if (d.name === 'return') return { answer: returned(d, at, top, vars, config, path), at };
    if (d.name === 'rewrite') throw new NotModelled(`rewrite at line ${d.line} is not modelled`);
    if (d.name === 'set') assign(d, vars, assigned, config, path);
    if (d.name === 'break') return { at };
    if (d.name !== 'if' || !condition(d, vars, assigned)) continue;
    path.push(`${directiveText(d)} at ${writtenAt(config, d)} holds`);
    const inner: BlockInContext = { directive: d, outer: [...block.outer, block.directive] };
    if (level === 'server') {
      const other = (d.block ?? []).find((c) => !['set', 'return', 'break'].includes(c.name));
      if (other)
        throw new NotModelled(
          `${directiveText(d)} at line ${d.line} holds and does not return (${other.name} at line ${other.line} is not modelled)`,
        );
    } else at = inner;
    for (const c of d.block ?? []) {
      if (c.name === 'return') return { answer: returned(c, inner, top, vars, config, path), at };
      if (c.name === 'rewrite' || c.name === 'if')
        throw new NotModelled(`${c.name} at line ${c.line} is not modelled`);
      if (c.name === 'set') assign(c, vars, assigned, config, path);
      if (c.name === 'break') return { at };
    }
  }
  return { at };
}

/** `set $name value`: the value with its variables as they are now. */
function assign(
  d: Directive,
  vars: Variables,
  assigned: Map<string, string>,
  config: NginxConfigFile,
  path: string[],
): void {
  const name = /^\$(\w+)$/.exec(d.args[0] ?? '')?.[1];
  if (!name || d.args.length !== 2)
    throw new NotModelled(`${directiveText(d)} at line ${d.line} is not modelled`);
  const value = substitute(d.args[1] ?? '', vars);
  assigned.set(name, value);
  path.push(`set $${name} at ${writtenAt(config, d)}: ${JSON.stringify(value)}`);
}

function returned(
  d: Directive,
  at: BlockInContext,
  top: Directive[],
  vars: Variables,
  config: NginxConfigFile,
  path: string[],
): Prediction {
  // nginx takes a code of digits up to 999 (`nginx -t` refuses -1, 1000, 0x10).
  const code = d.args[0] ?? '';
  if (!/^\d{1,3}$/.test(code)) throw new NotModelled(`return ${d.args.join(' ')} is not modelled`);
  const status = Number(code);
  if (status >= 300 && status < 400) {
    const location = substitute(d.args[1] ?? '', vars);
    const answer = ownAnswer(
      status,
      '',
      at,
      top,
      vars,
      `nginx redirects: return at ${writtenAt(config, d)}`,
      path,
    );
    if (answer.known) answer.headers.push(['Location', location]);
    return answer;
  }
  return ownAnswer(
    status,
    substitute(d.args[1] ?? '', vars),
    at,
    top,
    vars,
    `nginx answers itself: return ${status} at ${writtenAt(config, d)}`,
    path,
  );
}

function ownAnswer(
  status: number,
  body: string,
  at: BlockInContext,
  top: Directive[],
  vars: Variables,
  explanation: string,
  path: string[],
): Prediction & { known: true } {
  return {
    known: true,
    status,
    headers: [['Server', 'nginx'], ...added(at, top, vars, status)],
    body,
    answeredBy: 'nginx',
    explanation,
    statusAssumed: false,
    assumptions: [],
    path: [...path],
  };
}

/** The `add_header` lines in force, for this status, with their values (empty values are not sent). */
function added(at: BlockInContext, top: Directive[], vars: Variables, status: number): HeaderList {
  return addedHeaders(at, top)
    .filter((h) => h.always || ADD_HEADER_STATUSES.has(status))
    .map((h) => [h.name, addedValue(h.name, h.value, vars)] as [string, string])
    .filter(([, value]) => value !== '');
}

/**
 * An added header's value. A variable the model does not know ($request_id, $upstream_addr, ...) makes a
 * CORS header's value unknown; in any other header it is kept as written, which no browser check reads.
 */
function addedValue(name: string, value: string, vars: Variables): string {
  try {
    return substitute(value, vars);
  } catch (error) {
    if (!(error instanceof NotModelled) || /^(access-control-|vary$)/i.test(name)) throw error;
    return value;
  }
}

type Variables = (name: string) => string;

/**
 * nginx variables of the request, those a `map` defines, and those `set` assigned so far (`assigned`); a
 * variable that a `set` elsewhere declares but none assigned on this request's way is empty.
 */
function variables(
  request: ServerRequest,
  top: Directive[],
  http: Directive | undefined,
  assigned: Map<string, string>,
): Variables {
  const url = new URL(request.url);
  const maps = [...top, ...(http?.block ?? [])].filter((d) => d.name === 'map');
  const declared = new Set(
    blocks(top).flatMap(({ directive }) =>
      (directive.block ?? []).flatMap((d) => (d.name === 'set' ? [(d.args[0] ?? '').slice(1)] : [])),
    ),
  );
  const lookup = (name: string): string => {
    const value = assigned.get(name);
    if (value !== undefined) return value;
    // The browser always sends Host; the page's request lists it only when it sets it.
    if (name === 'http_host') return getHeader(request.headers, 'Host') ?? url.host;
    if (name.startsWith('http_')) {
      const header = name.slice(5).replace(/_/g, '-');
      return getHeader(request.headers, header) ?? '';
    }
    if (name.startsWith('cookie_')) {
      const cookies = getHeader(request.headers, 'Cookie') ?? '';
      const wanted = name.slice(7);
      const found = cookies.split(/;\s*/).find((c) => c.split('=')[0] === wanted);
      return found ? found.slice(wanted.length + 1) : '';
    }
    switch (name) {
      case 'request_method':
        return request.method;
      case 'scheme':
        return url.protocol.slice(0, -1);
      case 'host':
        return (getHeader(request.headers, 'Host') ?? url.host).replace(/:\d+$/, '');
      case 'server_port':
        return url.port || (url.protocol === 'https:' ? '443' : '80');
      case 'uri':
        return url.pathname;
      case 'request_uri':
        return `${url.pathname}${url.search}`;
      case 'args':
        return url.search.slice(1);
    }
    const map = maps.find((m) => m.args[1] === `$${name}`);
    if (!map && declared.has(name)) return '';
    if (!map) throw new NotModelled(`the variable $${name} is not modelled`);
    const source = substitute(map.args[0] ?? '', lookup);
    let fallback = '';
    for (const entry of map.block ?? []) {
      const key = entry.name;
      const value = entry.args[0] ?? '';
      if (key === 'default') fallback = value;
      else if (key === 'hostnames' || key === 'volatile' || key === 'include')
        throw new NotModelled(`map ${key} is not modelled`);
      else if (
        key.startsWith('~*')
          ? pcre(key.slice(2), true).test(source)
          : key.startsWith('~')
            ? pcre(key.slice(1), false).test(source)
            : key === source
      )
        return substitute(value, lookup);
    }
    return substitute(fallback, lookup);
  };
  return lookup;
}

/** A value with its `$name` and `${name}` variables replaced. */
function substitute(value: string, vars: Variables): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, plain: string | undefined) =>
    vars((braced ?? plain) as string),
  );
}

/** An `if` condition: `$var`, `!$var`, `$var = text`, `$var != text`, `$var ~ re`, `~*`, `!~`, `!~*`. */
function condition(d: Directive, vars: Variables, assigned: Map<string, string>): boolean {
  const args = [...d.args];
  if (args[0]) args[0] = args[0].replace(/^\(/, '');
  const last = args.length - 1;
  if (args[last]?.endsWith(')')) args[last] = (args[last] as string).slice(0, -1);
  const words = args.filter((a, i) => a !== '' || i > 0);
  const [left, op, right = ''] = words;
  if (!left) throw new NotModelled(`${directiveText(d)} is not modelled`);
  if (op === undefined) {
    if (left.startsWith('!')) return substitute(left.slice(1), vars) === '';
    return !['', '0'].includes(substitute(left, vars));
  }
  const value = substitute(left, vars);
  // A regex that matches sets the captures $1...$9 for the directives after it.
  const matches = (caseless: boolean): boolean => {
    const m = pcre(right, caseless).exec(value);
    if (!m) return false;
    for (let i = 1; i <= 9; i++) {
      if (i < m.length) assigned.set(String(i), m[i] ?? '');
      else assigned.delete(String(i));
    }
    return true;
  };
  switch (op) {
    case '=':
      return value === substitute(right, vars);
    case '!=':
      return value !== substitute(right, vars);
    case '~':
      return matches(false);
    case '~*':
      return matches(true);
    case '!~':
      return !pcre(right, false).test(value);
    case '!~*':
      return !pcre(right, true).test(value);
  }
  throw new NotModelled(`${directiveText(d)} is not modelled`);
}
