import type { SourceEdit, SourceLocation } from '../../core/causes.js';
import type { Exchange } from '../../core/exchange.js';
import { getHeader } from '../../model/header-list.js';
import { normalizeMethod } from '../../model/method.js';
import { isMixedContent } from '../../model/mixed-content.js';
import { isRedirectStatus } from '../../model/request.js';
import type { Project } from '../../project/types.js';
import { asNginx, type Directive, type NginxConfigFile } from '../../proxy/nginx/config.js';
import { inForce, portOf } from '../../proxy/nginx/cors.js';
import { children, matchLocation, NotModelled, serverFor } from '../../proxy/nginx/locate.js';
import { configsForUrl, type ProxyConfig } from '../../proxy/registry.js';
import { at, corsEntries, outsideOf } from '../../python/options.js';
import type { PythonApp, RouteInfo } from '../../python/types.js';
import { matchRoute } from '../../servers/stack.js';
import { allowOrigin, firstBlocked, statusLine } from '../evidence.js';
import type { CauseRule, CheckEvidence, FindingDraft, ScanContext } from '../types.js';

// ------------------------------------------------------------------------------------------------
// On the wire: an actual request answered with a redirect whose Location is another origin.

/** A redirect of the actual request to another origin, and what the browser then sent and got. */
export interface CrossOriginRedirect {
  /** The actual request answered with the redirect. */
  exchange: Exchange;
  from: URL;
  to: URL;
  /** The request the browser sent next (on the new origin), when it was sent. */
  next?: Exchange;
  /** The preflight the browser sent before it, if any. */
  nextPreflight?: Exchange;
}

const hopOf = (x: Exchange): number => x.hop ?? 0;

/** Every redirect of the actual request (not of a preflight) whose Location is another origin. */
export function crossOriginRedirects(e: CheckEvidence): CrossOriginRedirect[] {
  return e.exchanges.flatMap((x): CrossOriginRedirect[] => {
    const location = x.response ? getHeader(x.response.headers, 'Location') : null;
    if (x.kind !== 'actual' || !x.response || !isRedirectStatus(x.response.status) || location === null)
      return [];
    let from: URL;
    let to: URL;
    try {
      from = new URL(x.request.url);
      to = new URL(location, x.request.url);
    } catch {
      return [];
    }
    if (from.origin === to.origin) return [];
    const hop = (kind: Exchange['kind']) =>
      e.exchanges.find((n) => n.kind === kind && hopOf(n) === hopOf(x) + 1);
    const next = hop('actual');
    const nextPreflight = hop('preflight');
    return [{ exchange: x, from, to, ...(next && { next }), ...(nextPreflight && { nextPreflight }) }];
  });
}

/** The request `x` went to another origin after a redirect (and is the browser's next step there). */
export const afterRedirectToOtherOrigin = (e: CheckEvidence, x: Exchange): boolean =>
  crossOriginRedirects(e).some((r) => r.next === x || r.nextPreflight === x);

/** How two origins differ, in the words of a redirect (`the port is lost`, `http -> https`). */
export function originChange(from: URL, to: URL): string {
  if (from.protocol !== to.protocol) {
    const port = from.port !== to.port ? `, port ${from.port || 'default'} -> ${to.port || 'default'}` : '';
    return `the scheme changes (${from.protocol.slice(0, -1)} -> ${to.protocol.slice(0, -1)}${port})`;
  }
  if (from.hostname !== to.hostname) return `another host (${from.host} -> ${to.host})`;
  if (to.port === '')
    return `the port is lost (${from.port} -> the default port of ${to.protocol.slice(0, -1)})`;
  return `another port (${from.port || 'default'} -> ${to.port || 'default'})`;
}

/** Only a trailing slash differs between the two paths (`/items` and `/items/`). */
export const isSlashRedirect = (from: URL, to: URL): boolean =>
  from.pathname !== '/' && (to.pathname === `${from.pathname}/` || `${to.pathname}/` === from.pathname);

/** The http -> https redirect of the same URL (HTTPSRedirectMiddleware, a proxy's `return 301 https://`). */
export const isHttpsUpgrade = (from: URL, to: URL): boolean =>
  from.protocol === 'http:' && to.protocol === 'https:' && from.hostname === to.hostname;

const sentAuthorization = (x: Exchange | undefined): boolean =>
  !!x && getHeader(x.request.headers, 'Authorization') !== null;

/** The page sends Authorization, and the request after the redirect went without it. */
export const droppedAuthorization = (e: CheckEvidence, r: CrossOriginRedirect): boolean =>
  getHeader(e.page.headers, 'Authorization') !== null &&
  sentAuthorization(r.exchange) &&
  !!r.next &&
  !sentAuthorization(r.next);

/** What the browser met on the other origin, one evidence line each. */
export function afterTheHop(e: CheckEvidence, r: CrossOriginRedirect): string[] {
  const followed = r.next !== undefined || r.nextPreflight !== undefined;
  const lines = [
    `the browser ${followed ? 'follows' : 'would follow'} it with Origin: null (a redirect to another origin taints the origin)${
      getHeader(e.page.headers, 'Authorization') !== null
        ? ', and without Authorization (removed on a redirect to another origin: Fetch standard, Chrome, Firefox)'
        : ''
    }`,
  ];
  if (stopsAtRedirect(r))
    lines.unshift('the redirect carries no Access-Control-Allow-Origin: the browser stops at it');
  if (isMixedContent(e.page.origin, r.to.href))
    lines.push(
      `the page is https and ${r.to.origin} is plain http: browsers block that hop as mixed content`,
    );
  if (r.nextPreflight?.error)
    lines.push(`OPTIONS ${r.nextPreflight.request.url}: ${r.nextPreflight.error.message}`);
  const next = r.next;
  if (next?.error) lines.push(`${next.request.method} ${next.request.url}: ${next.error.message}`);
  else if (next?.response) {
    const acao = getHeader(next.response.headers, 'Access-Control-Allow-Origin');
    lines.push(
      `${next.request.method} ${next.request.url} -> ${statusLine(next.response)}, ${
        acao === null ? 'no Access-Control-Allow-Origin' : `Access-Control-Allow-Origin: ${acao}`
      }`,
    );
  }
  return lines;
}

/** The words of a login page's path or host: `/login`, `/sign-in`, `/oauth2/authorize`, `sso.`, `ServiceLogin`. */
const LOGIN_WORDS = new Set([
  'login',
  'logon',
  'signin',
  'auth',
  'authorize',
  'authenticate',
  'sso',
  'oauth',
  'oauth2',
  'saml',
  'cas',
]);

/** The words of a path or host: split at punctuation and camel case, `sign-in` and `log_in` joined again. */
function wordsOf(text: string): string[] {
  const words = text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return [...words, ...words.slice(1).map((w, i) => `${words[i]}${w}`)];
}

/**
 * The redirect goes to a login page: its path holds login, signin, auth, authorize, sso, oauth2, ... as a word
 * (Keycloak's `/protocol/openid-connect/auth`, Okta's `/oauth2/default/v1/authorize`, `/u/login`), or its
 * host's first label is one (`login.example.com`). An API that answers an unauthenticated request so treats
 * it as a page navigation.
 */
export function isLoginRedirect(to: URL): boolean {
  return [...wordsOf(to.pathname), ...wordsOf(to.hostname.split('.')[0] ?? '')].some((w) =>
    LOGIN_WORDS.has(w),
  );
}

/** What to change, by the kind of redirect. */
export function redirectFixSummary(r: CrossOriginRedirect): string {
  if (isLoginRedirect(r.to)) {
    const login = `${r.to.origin}${r.to.pathname}`;
    return `Do not call the login page from fetch(): it is a page for the user, and the redirect to it is how the server answers a page navigation without a session. Make the API answer API requests it cannot authenticate with 401 Unauthorized instead of redirecting (the authentication layer's answer for API paths or for requests that do not accept text/html: in Spring Security an AuthenticationEntryPoint returning 401, in Django/Flask/Express a 401 from the API's auth check instead of the login redirect), with CORS headers on that 401; and let the page send the user to the login page itself when it gets a 401 (window.location.assign('${login}'), with the page to come back to).`;
  }
  if (isHttpsUpgrade(r.from, r.to) && r.from.pathname === r.to.pathname) {
    return `Call ${r.to.origin} (https://) from the page: every http:// request is redirected there, the actual request included, so moving CORSMiddleware changes nothing. Behind a proxy that terminates TLS, the app sees http:// on every request: let the proxy redirect and remove HTTPSRedirectMiddleware, or make uvicorn trust X-Forwarded-Proto (--proxy-headers --forwarded-allow-ips).`;
  }
  if (isSlashRedirect(r.from, r.to)) {
    return `Call ${r.to.pathname} (the route's exact path) from the page, or declare the route as ${r.from.pathname}: the redirect then disappears. Its Location is built from the Host header and scheme the app receives; a proxy that passes Host without the port (nginx \`proxy_set_header Host $host;\`, use $http_host) or a TLS proxy the app does not trust for X-Forwarded-Proto sends the browser to another origin.`;
  }
  return `Call the final URL (${r.to.href}) from the page, or make the server answer without redirecting to another origin.`;
}

/** The redirect itself fails the CORS check, so the browser never goes to the other origin. */
const stopsAtRedirect = (r: CrossOriginRedirect): boolean =>
  !r.next && !r.nextPreflight && allowOrigin(r.exchange.response) === null;

/** What went wrong on the other origin, in a few words. */
function consequence(e: CheckEvidence, r: CrossOriginRedirect): string {
  if (stopsAtRedirect(r))
    return 'the redirect itself carries no Access-Control-Allow-Origin, so the browser stops there';
  const failed = r.nextPreflight?.error ?? r.next?.error;
  if (failed) return `nothing answers there (${failed.code}), and the browser reports a network error`;
  if (isMixedContent(e.page.origin, r.to.href))
    return 'an https page may not go on over plain http, so the browser blocks it as mixed content';
  if (firstBlocked(e)) return 'the browser goes on with Origin: null, which the answer there does not allow';
  return 'the browser goes on without Authorization';
}

/** Did the cross-origin hop cost the request: blocked, unreachable, mixed content, or Authorization lost? */
function hopHurts(e: CheckEvidence, r: CrossOriginRedirect): boolean {
  return (
    firstBlocked(e) !== undefined ||
    !!r.next?.error ||
    !!r.nextPreflight?.error ||
    isMixedContent(e.page.origin, r.to.href) ||
    droppedAuthorization(e, r)
  );
}

export const redirectToOtherOrigin: CauseRule = {
  code: 'redirect-to-other-origin',
  severity: 'error',
  title:
    'The actual request is redirected to another origin: Origin becomes null, and the new origin must allow it.',
  // The redirect's other symptoms: Origin null refused, the hop without credentials headers, the round trip.
  supersedes: ['origin-not-allowed', 'credentials-not-allowed', 'redirect-extra-roundtrip'],
  explainedBy: ['redirect-to-other-origin', 'redirect-drops-authorization', 'preflight-redirected'],
  scan: scanRedirectToOtherOrigin,
  detect(e) {
    const r = crossOriginRedirects(e).find((c) => hopHurts(e, c));
    if (!r) return undefined;
    const response = r.exchange.response;
    return {
      summary: `The request is redirected to another origin (${r.from.origin} -> ${r.to.origin}: ${originChange(r.from, r.to)}): ${consequence(e, r)}.`,
      evidence: [
        `${r.exchange.request.method} ${r.from.href} -> ${response ? statusLine(response) : ''}, Location: ${r.to.href}`,
        ...(isSlashRedirect(r.from, r.to)
          ? [
              'a trailing-slash redirect: the route is declared with the other spelling, and the Location is built from the Host and scheme the app receives',
            ]
          : []),
        ...(isHttpsUpgrade(r.from, r.to)
          ? ['http -> https: HTTPSRedirectMiddleware or a proxy redirects every http:// request']
          : []),
        ...afterTheHop(e, r),
      ],
      locations: [],
      fix: { summary: redirectFixSummary(r) },
    };
  },
};

// ------------------------------------------------------------------------------------------------
// In the source: where the app's own redirects come from, and where the browser lands.

/** The route Starlette's router redirects the request to: declared with the other trailing slash. */
export interface SlashRedirect {
  route: RouteInfo;
  /** The path the page calls. */
  from: string;
  /** The path the route is declared with. */
  to: string;
}

/** The trailing-slash redirect the app's router answers a request to `url` with, if it does. */
export function slashRedirectOf(app: PythonApp, url: URL, method: string): SlashRedirect | undefined {
  const path = url.pathname;
  if (!app.redirectSlashes || path === '/') return undefined;
  if (
    app.mounts.some(
      (m) => m.path === '' || m.path === '/' || path.startsWith(`${m.path.replace(/\/$/, '')}/`),
    )
  )
    return undefined;
  const own = matchRoute(app.routes, path, normalizeMethod(method));
  if (own.full || own.partial) return undefined;
  const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
  const match = matchRoute(app.routes, other, normalizeMethod(method));
  const route = match.full ?? match.partial;
  return route ? { route, from: path, to: other } : undefined;
}

/**
 * The edit that declares the route with the path the page calls: its last segment written with (or
 * without) the trailing slash, on the route's decorator line.
 */
export function routePathEdit(redirect: SlashRedirect): SourceEdit[] | undefined {
  const declared = redirect.route.path;
  const segment = /(\/[^/]+)\/?$/.exec(declared)?.[1];
  if (!segment) return undefined;
  const withSlash = declared.endsWith('/');
  return [
    {
      kind: 'replace-text',
      file: redirect.route.source.file,
      line: redirect.route.source.line,
      from: withSlash ? `${segment}/` : segment,
      to: withSlash ? segment : `${segment}/`,
    },
  ];
}

/** Where the browser lands after a redirect the app builds from the request, and why. */
export interface Landing {
  origin: string;
  /** How the app came to that Host and scheme, one line each. */
  because: string[];
  /** The proxy line that decides it, when a proxy is in front. */
  at?: SourceLocation;
  /** The origin is inferred from how such apps are deployed, not read from a configuration. */
  inferred?: boolean;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * uvicorn trusts X-Forwarded-Proto from more than 127.0.0.1 (`--forwarded-allow-ips` in a serve command,
 * `FORWARDED_ALLOW_IPS` in the environment the project gives it), or serves TLS itself.
 */
function servedBehindTrust(project: Project): { trusts: boolean; tls: boolean } {
  const texts = (project.serveCommands ?? []).map((c) => c.text);
  const environment = (project.environment ?? []).some((f) =>
    f.entries.some((entry) => entry.name === 'FORWARDED_ALLOW_IPS'),
  );
  return {
    trusts: environment || texts.some((t) => /--forwarded-allow-ips|forwarded_allow_ips/.test(t)),
    tls: texts.some((t) => /--ssl-certfile|ssl_certfile|--certfile/.test(t)),
  };
}

/** The value of an nginx `proxy_set_header` value for this request, or undefined with a variable not known. */
function nginxValue(value: string, url: URL, upstreamHost: string): string | undefined {
  const vars: Record<string, string> = {
    host: url.hostname,
    http_host: url.host,
    server_port: String(portOf(url)),
    proxy_host: upstreamHost,
    scheme: url.protocol.slice(0, -1),
  };
  let unknown = false;
  const text = value.replace(/\$\{?(\w+)\}?/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) unknown = true;
    return v ?? '';
  });
  return unknown ? undefined : text;
}

/** What nginx's `proxy_redirect` (default: on) makes of the app's Location: the origin, and the line that decides. */
function nginxRedirected(
  location: string,
  url: URL,
  pass: string,
  prefix: string,
  lines: Directive[],
): { origin: string; line?: Directive } | undefined {
  const off = lines.find((d) => d.args[0] === 'off');
  const rules: Array<[string | undefined, string | undefined, Directive | undefined]> =
    lines.length === 0 || lines.some((d) => d.args[0] === 'default')
      ? [[/^\w+:\/\/[^/]+$/.test(pass) ? `${pass}${prefix}` : pass, prefix, undefined]]
      : lines.filter((d) => d.args[0] !== 'off' && d.args.length >= 2).map((d) => [d.args[0], d.args[1], d]);
  for (const [from, to, line] of rules) {
    if (from && to !== undefined && location.startsWith(from)) {
      // A replacement without a scheme and host gets nginx's own (the Host it received, its port).
      const origin = originOf(to + location.slice(from.length), url.origin);
      return origin ? { origin, ...(line && { line }) } : undefined;
    }
  }
  return {
    origin: originOf(location) ?? location.replace(/^(\w+:\/\/[^/]*).*$/, '$1'),
    ...(off && { line: off }),
  };
}

/** A value a template fills in when the file is rendered: `@PORT@`, `${PORT}`, `$PORT`. */
const PLACEHOLDER = /@\w+@|\$\{\w+\}|\$\w+/;

/** The origin of a URL, or undefined when it does not parse (a template's placeholder in it). */
function originOf(text: string, base?: string): string | undefined {
  if (PLACEHOLDER.test(text)) return undefined;
  try {
    return new URL(text, base).origin;
  } catch {
    return undefined;
  }
}

/** The `listen` addresses of a configuration, wherever they are written. */
const listens = (directives: Directive[]): string[] =>
  directives.flatMap((d) => [...(d.name === 'listen' ? [d.args[0] ?? ''] : []), ...listens(d.block ?? [])]);

/**
 * The nginx configuration in front of `url`: one that listens on its port, else one whose every port is a
 * template's placeholder (`listen ${PORT};`), which may be any.
 */
function nginxInFront(project: Project, url: URL): NginxConfigFile | undefined {
  const first = (configs: ProxyConfig[]) => configs.map(asNginx).find((c) => c !== undefined);
  const templated = project.proxies.filter((c) => {
    const ports = listens(asNginx(c)?.directives ?? []);
    return !c.syntaxError && ports.length > 0 && ports.every((p) => PLACEHOLDER.test(p));
  });
  return first(configsForUrl(project.proxies, url.href)) ?? first(templated);
}

/** Where an app's Location (built from the Host and scheme it receives) sends the browser, through nginx. */
function nginxLanding(project: Project, url: URL, path: string): Landing | undefined {
  const config = nginxInFront(project, url);
  if (!config) return undefined;
  const top = config.directives;
  const server = serverFor(top, portOf(url));
  if (!server) return undefined;
  let location: Directive | undefined;
  try {
    location = matchLocation(server.directive, url.pathname);
  } catch (error) {
    if (error instanceof NotModelled) return undefined;
    throw error;
  }
  const pass = children(location, 'proxy_pass')[0];
  const raw = pass?.args[0];
  const target = /^(https?:)\/\/([^/]+)/.exec(raw ?? '');
  if (!location || !pass || !raw || !target) return undefined;
  // The upstream as written (its port may be a placeholder): its scheme, `host:port`, and host name.
  const upstream = {
    protocol: target[1] as string,
    host: target[2] as string,
    hostname: (target[2] as string).replace(/:[^:\]]*$/, ''),
  };
  const context = { directive: location, outer: [...server.outer, server.directive] };
  const headers = inForce(context, top, 'proxy_set_header');
  const hostLine = headers.find((d) => d.args[0]?.toLowerCase() === 'host');
  const host = hostLine ? nginxValue(hostLine.args[1] ?? '', url, upstream.host) : upstream.host;
  if (host === undefined) return undefined;
  const protoLine = headers.find((d) => d.args[0]?.toLowerCase() === 'x-forwarded-proto');
  const proto = protoLine ? nginxValue(protoLine.args[1] ?? '', url, upstream.host) : undefined;
  const trusted = LOOPBACK.includes(upstream.hostname) || servedBehindTrust(project).trusts;
  const scheme = proto && trusted ? `${proto}:` : upstream.protocol;
  const built = `${scheme}//${host}`;
  const prefix = location.args.length === 1 ? (location.args[0] as string) : '/';
  const redirected = nginxRedirected(
    `${built}${path}`,
    url,
    raw,
    prefix,
    inForce(context, top, 'proxy_redirect'),
  );
  if (!redirected) return undefined;
  const { origin, line: redirectLine } = redirected;
  const builtOrigin = originOf(built) ?? built;
  const because = [
    hostLine
      ? `nginx passes \`proxy_set_header ${hostLine.args.join(' ')};\` (${config.file}:${hostLine.line}): the app gets Host: ${host}`
      : `nginx passes the upstream's Host (${upstream.host}, from proxy_pass at ${config.file}:${pass.line})`,
    !protoLine
      ? `the app sees ${scheme}// (nginx passes no X-Forwarded-Proto)`
      : trusted
        ? `the app sees ${scheme}// (X-Forwarded-Proto at ${config.file}:${protoLine.line}, which uvicorn trusts from ${upstream.hostname})`
        : `the app sees ${scheme}// (X-Forwarded-Proto at ${config.file}:${protoLine.line} comes from an address uvicorn does not trust by default: --forwarded-allow-ips)`,
    origin !== builtOrigin
      ? `nginx's proxy_redirect${redirectLine ? ` (${config.file}:${redirectLine.line})` : ''} rewrites ${builtOrigin} to ${origin}`
      : redirectLine
        ? `\`${redirectLine.name} ${redirectLine.args.join(' ')};\` (${config.file}:${redirectLine.line}): nginx passes the app's Location on as it is`
        : `nginx's proxy_redirect leaves ${builtOrigin} as it is (it rewrites only the proxy_pass address)`,
  ];
  const decisive = !hostLine && origin === builtOrigin ? redirectLine : undefined;
  return { origin, because, at: { file: config.file, line: (decisive ?? hostLine ?? pass).line } };
}

/** Where the browser lands when the app redirects a request to `url` to `path` (a Location it builds). */
export function landingOf(project: Project, url: URL, path: string): Landing {
  const proxied = nginxLanding(project, url, path);
  if (proxied) return proxied;
  if (url.protocol === 'https:') {
    const { trusts, tls } = servedBehindTrust(project);
    if (!trusts && !tls) {
      return {
        origin: `http://${url.host}`,
        because: [
          `https:// is served by a proxy or platform in front of uvicorn, which trusts X-Forwarded-Proto only from 127.0.0.1 by default (no --forwarded-allow-ips in the serve commands): the app sees http:// and writes it into the Location`,
        ],
        inferred: true,
      };
    }
  }
  return { origin: url.origin, because: ['the app builds the Location from the Host the browser sent'] };
}

/** The page's request as a scan knows it: its URL and method, when a check names them. */
function requestOf(context: ScanContext): { url: URL; method: string } | undefined {
  const raw = context.request?.url;
  if (!raw) return undefined;
  try {
    return { url: new URL(raw), method: context.request?.method ?? 'GET' };
  } catch {
    return undefined;
  }
}

const sendsAuthorization = (context: ScanContext): boolean =>
  (context.request?.headers ?? []).some(([n]) => n.toLowerCase() === 'authorization');

/**
 * The trailing-slash redirect of the page's request, where it lands and the finding it makes: for
 * `redirect-to-other-origin` and `redirect-drops-authorization` when it lands on another origin, for
 * `redirect-extra-roundtrip` when it stays on the page's URL's origin.
 */
export function slashRedirectFinding(
  context: ScanContext,
  want: 'other-origin' | 'same-origin',
): FindingDraft | undefined {
  const request = requestOf(context);
  if (!request) return undefined;
  const redirect = slashRedirectOf(context.app, request.url, request.method);
  if (!redirect) return undefined;
  const landing = landingOf(context.project, request.url, redirect.to);
  const crossOrigin = landing.origin !== request.url.origin;
  if (crossOrigin !== (want === 'other-origin')) return undefined;
  const location = `${landing.origin}${redirect.to}${request.url.search}`;
  const route = redirect.route;
  const declared = `the route is declared as "${route.path}" (${at(route.source)})`;
  const edits = routePathEdit(redirect);
  const sendsAuth = sendsAuthorization(context);
  const message = crossOrigin
    ? `${request.url.pathname} has no route: ${declared}, so Starlette's router answers 307 with Location ${location}, another origin than ${request.url.origin}${
        originOf(location) ? ` (${originChange(request.url, new URL(location))})` : ''
      }. The browser follows it with Origin: null${
        sendsAuth ? ' and without Authorization: a route that requires it answers 401' : ''
      }.`
    : `${request.url.pathname} has no route: ${declared}, so Starlette's router answers 307 with Location ${location}: every request pays a second round trip (and a second preflight), and works only while each hop carries CORS headers.`;
  return {
    file: route.source.file,
    line: route.source.line,
    ...(landing.at && { related: [landing.at] }),
    ...(crossOrigin && landing.inferred && { severity: 'warning' as const }),
    message,
    evidence: landing.because,
    fix: {
      summary: `Declare the route as "${redirect.from}" (the path the page calls; under a router prefix, \`@router.get("${redirect.from.endsWith('/') ? '/' : ''}")\` for the prefix itself), or call ${redirect.to} from the page: the request is then answered without a redirect.`,
      ...(edits && { edits }),
    },
  };
}

/** HTTPSRedirectMiddleware inside CORSMiddleware: the preflight passes, the actual request goes to https. */
function httpsRedirectFindings(context: ScanContext): FindingDraft[] {
  const { app } = context;
  const cors = corsEntries(app)[0];
  const request = requestOf(context);
  if (!cors || request?.url.protocol === 'https:') return [];
  const outside = outsideOf(app, cors);
  return app.middleware
    .filter((m) => m.kind === 'https-redirect' && m.source && !outside.includes(m))
    .map((m) => ({
      file: m.source?.file ?? app.source.file,
      line: m.source?.line ?? app.source.line,
      ...(!request && { severity: 'warning' as const }),
      message: `HTTPSRedirectMiddleware answers every http:// request with 307 to https:// (CORSMiddleware at ${at(cors.source)} lets the preflight through first): ${
        request ? `${request.url.href}` : 'a page that calls http://'
      } is redirected to another origin, and the browser follows with Origin: null.`,
      fix: {
        summary:
          'Call the https:// URL from the page (a frontend change; no backend patch: the middleware is there to require https). Behind a proxy that terminates TLS, the app sees http:// on every request: let the proxy redirect and remove HTTPSRedirectMiddleware, or make uvicorn trust X-Forwarded-Proto (--proxy-headers --forwarded-allow-ips).',
      },
    }));
}

function scanRedirectToOtherOrigin(context: ScanContext): FindingDraft[] {
  const slash = sendsAuthorization(context) ? undefined : slashRedirectFinding(context, 'other-origin');
  return [...httpsRedirectFindings(context), ...(slash ? [slash] : [])];
}
