/**
 * frontend-request-invalid: the fix belongs to the page's code, and no backend change helps. Two cases,
 * each only on what the evidence shows:
 * - a method `fetch()` sends as written (`'patch'`): it upper-cases DELETE, GET, HEAD, OPTIONS, POST and PUT
 *   only, and the preflight asks for `patch`, which `PATCH` (and Starlette's `["*"]`) never covers;
 * - a URL on a loopback port nothing in the project serves, while the project's own commands serve the
 *   app on another port: the API base URL is wrong (or a dev-server proxy should carry the request).
 * It never carries a backend patch: the change is named with the code to write in the frontend.
 */
import type { PageFetch } from '../../core/page.js';
import { getHeader } from '../../model/header-list.js';
import { normalizeMethod } from '../../model/method.js';
import type { ServeCommand } from '../../project/serve-commands.js';
import { configsForUrl } from '../../proxy/registry.js';
import { corsEntries, stringItems } from '../../python/options.js';
import { firstBlocked, preflightOf, starletteRefusal, statusLine } from '../evidence.js';
import type { CauseDraft, CauseRule, CheckEvidence, FindingDraft, ScanContext } from '../types.js';
import { methodListLacks } from './method-not-allowed.js';

/** A method `fetch()` and `XMLHttpRequest` send as written, in another case than the upper-case name. */
export function unnormalisedMethod(method: string): string | undefined {
  const upper = method.toUpperCase();
  return normalizeMethod(method) === method && method !== upper ? upper : undefined;
}

const SECRET = /^(authorization|cookie|x-api-key|x-auth-token|proxy-authorization)$/i;

/** The page's fetch() as it should be written, with `method` in its place. */
export function fetchSnippet(page: PageFetch, method: string): string {
  const headers = page.headers.map(
    ([name, value]) => `    '${name}': ${SECRET.test(name) ? "'…'" : `'${value.replace(/'/g, "\\'")}'`},`,
  );
  return [
    `await fetch('${page.url}', {`,
    `  method: '${method}', // fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT`,
    ...(headers.length > 0 ? ['  headers: {', ...headers, '  },'] : []),
    ...(page.credentials !== 'same-origin' ? [`  credentials: '${page.credentials}',`] : []),
    ...(page.body !== undefined || page.headers.some(([n]) => /^content-type$/i.test(n)) ? ['  body,'] : []),
    '});',
  ].join('\n');
}

function detectLowerCaseMethod(e: CheckEvidence): CauseDraft | undefined {
  const method = e.simulation.method;
  const upper = unnormalisedMethod(method);
  const blocked = firstBlocked(e);
  const preflight = preflightOf(e)?.response;
  if (!upper || !blocked || !preflight) return undefined;
  const allowed = getHeader(preflight.headers, 'Access-Control-Allow-Methods');
  const listed = (allowed ?? '').split(/\s*,\s*/).filter(Boolean);
  const refusedByStarlette = starletteRefusal(preflight)?.has('method') === true;
  const refusedByBrowser =
    /MethodDisallowed|CORSMethodNotFound|InvalidAllowMethods|CORSInvalidAllowMethod/.test(
      blocked.reason ?? '',
    );
  // A refusal whose body a HAR did not keep: the allow-lists of the same answer show it.
  const refusedByList = preflight.status >= 400 && methodListLacks(preflight, method, e.page.credentials);
  if (!refusedByStarlette && !refusedByBrowser && !refusedByList) return undefined;
  const serverHasUpper = listed.includes(upper) || listed.includes('*');
  const evidence = [
    `fetch() sent the method as written: Access-Control-Request-Method: ${method} (only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased)`,
    `OPTIONS -> ${statusLine(preflight)}${refusedByStarlette ? ` "${preflight.bodyExcerpt.trim()}"` : ''}, Access-Control-Allow-Methods: ${allowed ?? '(absent)'}`,
    serverHasUpper
      ? `the server allows ${upper}, and methods are compared case-sensitively: ${method} is another method`
      : `the server does not allow ${upper} either: once the page sends ${upper}, allow_methods must list it (method-not-allowed)`,
  ];
  return {
    summary: `The page calls fetch() with method '${method}', which the browser sends in lower case; servers compare methods case-sensitively and list ${upper} (Starlette's allow_methods=["*"] stands for the upper-case names only). Fix it in the frontend: method: '${upper}'.`,
    evidence,
    locations: [],
    fix: {
      summary: `In the frontend's fetch() (or XMLHttpRequest.open) call, write the method in upper case: method: '${upper}'. No backend change fixes this: adding "${method}" to allow_methods would only make the server accept a spelling no other client uses.`,
      snippet: fetchSnippet(e.page, upper),
    },
  };
}

/**
 * The same in the source: the request given (`-X patch`) is refused by the methods the CORS registration
 * lists. The finding stands where the server lists them (the only place of the project involved); its fix
 * is the frontend's, with no edit.
 */
function scanLowerCaseMethod({ app, origins, request }: ScanContext): FindingDraft[] {
  const method = request?.method;
  const upper = method ? unnormalisedMethod(method) : undefined;
  const entry = corsEntries(app)[0];
  if (!method || !upper || !entry?.options) return [];
  const option = entry.options.allow_methods;
  const { shape, items } = stringItems(option);
  if (shape === 'unresolved' || items.some((i) => i.value === method)) return [];
  const listed = shape === 'absent' ? ['GET'] : items.map((i) => i.value);
  const covers = listed.includes('*') || listed.includes(upper);
  const where = option?.source ?? entry.source ?? app.source;
  const page: PageFetch = {
    url: request?.url ?? 'http://localhost:8000/...',
    origin: origins[0] ?? 'http://localhost:3000',
    method,
    headers: request?.headers ?? [],
    credentials: request?.credentials ?? 'same-origin',
  };
  return [
    {
      file: where.file,
      line: where.line,
      message: `The page sends the method '${method}' as written (fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT), and Starlette compares methods case-sensitively: allow_methods ${option ? option.expression : 'left at its default'} ${covers ? `stands for ${upper}` : `does not list ${upper} either`}, never '${method}'. The fix is in the frontend: method: '${upper}'.`,
      evidence: option ? [`allow_methods = ${option.expression}`, ...option.via] : [],
      fix: {
        summary: `In the frontend's fetch() (or XMLHttpRequest.open) call, write the method in upper case: method: '${upper}'. No backend patch: adding "${method}" to allow_methods would only make the server accept a spelling no other client uses.${covers ? '' : ` The server must list ${upper} too (method-not-allowed).`}`,
        snippet: fetchSnippet(page, upper),
      },
    },
  ];
}

// -------------------------------------------------------------------------------------------------
// The wrong port: the page calls a loopback port the project does not serve the app on.

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0']);

/** Files whose serve commands run inside a container or on a platform: their ports are not the host's. */
const HOSTED =
  /(^|\/)(Dockerfile[^/]*|Containerfile|[^/]*\.dockerfile|(docker-)?compose[^/]*\.ya?ml|Procfile[^/]*|fly\.toml|app\.ya?ml|render\.yaml|railway\.(json|toml))$/i;

/** The port a serve command run on the developer's machine listens on, when it can be told. */
export function servedPort(command: ServeCommand): number | undefined {
  if (HOSTED.test(command.file)) return undefined;
  const text = command.text;
  if (/\$\{?PORT\b|os\.environ|getenv/.test(text)) return undefined;
  const port =
    /(?:--port[= ]|\bport\s*=\s*)['"]?(\d{2,5})/.exec(text)?.[1] ??
    /(?:-b|--bind)[= ]['"]?[\w.[\]:-]*:(\d{2,5})/.exec(text)?.[1];
  if (port) return Number(port);
  // Every ASGI server cors-doctor reads listens on 8000 unless told otherwise.
  return /--uds|--fd|unix:/.test(text) ? undefined : 8000;
}

const urlPort = (url: URL): number => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

/** The first segment of the path, which a dev-server proxy forwards (`/api`). */
const prefixOf = (path: string): string => `/${path.split('/').filter(Boolean)[0] ?? 'api'}`;

/** Development proxies that carry the page's calls to the API on the same origin (no CORS at all). */
function proxySnippet(path: string, target: string): string {
  const prefix = prefixOf(path);
  return [
    `// Vite (vite.config.js): call '${prefix}/...' from the page, without a host`,
    `export default defineConfig({ server: { proxy: { '${prefix}': '${target}' } } });`,
    '',
    '// Create React App (package.json)',
    `"proxy": "${target}"`,
    '',
    '// Next.js (next.config.js)',
    `module.exports = { async rewrites() { return [{ source: '${prefix}/:path*', destination: '${target}${prefix}/:path*' }]; } };`,
  ].join('\n');
}

function scanWrongPort({ project, request }: ScanContext): FindingDraft[] {
  if (!request?.url) return [];
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return [];
  }
  if (!LOOPBACK.has(url.hostname)) return [];
  const called = urlPort(url);
  const served = (project.serveCommands ?? []).flatMap((c) => {
    const port = servedPort(c);
    return port === undefined ? [] : [{ command: c, port }];
  });
  if (served.length === 0 || served.some((s) => s.port === called)) return [];
  if (configsForUrl(project.proxies, request.url).length > 0) return [];
  const first = served[0] as { command: ServeCommand; port: number };
  const target = `${url.protocol}//${url.hostname}:${first.port}`;
  return [
    {
      file: first.command.file,
      line: first.command.line,
      message: `The page calls ${request.url}, on port ${called}, but the project serves the app on port ${first.port} (${first.command.file}:${first.command.line}: ${first.command.text}) and nothing in it listens on ${called}: the frontend's API base URL has the wrong port. Browsers report the refused connection as a CORS or network error.`,
      evidence: served.map((s) => `${s.command.file}:${s.command.line}: ${s.command.text} (port ${s.port})`),
      fix: {
        summary: `In the frontend, point the API base URL at ${target} (where it is set: an environment file such as VITE_API_URL=${target}, or the fetch() call). Or, in development, let the dev server proxy the calls to ${target}, so the page calls its own origin and CORS is not involved: Vite server: { proxy: { '${prefixOf(url.pathname)}': '${target}' } }, Create React App "proxy": "${target}" in package.json, Next.js a rewrite of ${prefixOf(url.pathname)}/:path*.`,
        snippet: proxySnippet(url.pathname, target),
      },
    },
  ];
}

export const frontendRequestInvalid: CauseRule = {
  code: 'frontend-request-invalid',
  severity: 'error',
  title: 'The fix belongs to the frontend: the request as the page makes it cannot work.',
  // A lower-case method is refused by the method check: the frontend names the change, not the backend.
  supersedes: ['method-not-allowed'],
  detect: detectLowerCaseMethod,
  scan: (context) => [...scanLowerCaseMethod(context), ...scanWrongPort(context)],
};
