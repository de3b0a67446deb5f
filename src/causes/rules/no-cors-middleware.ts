import type { Exchange } from '../../core/exchange.js';
import { addCorsMiddleware } from '../../fix/source-edits.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { asNginx } from '../../proxy/nginx/config.js';
import { addsAllowOrigin } from '../../proxy/nginx/cors.js';
import { corsEntries } from '../../python/options.js';
import type { PythonApp } from '../../python/types.js';
import {
  actualOf,
  diagnosticOf,
  firstBlocked,
  hasCorsHeaders,
  preflightOf,
  statusLine,
} from '../evidence.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

/** Statuses a server without any CORS layer gives an OPTIONS request. */
const NO_CORS_OPTIONS_STATUSES = [200, 204, 405];

export const noCorsMiddleware: CauseRule = {
  code: 'no-cors-middleware',
  severity: 'error',
  title: 'The backend sends no CORS headers at all.',
  // A proxy meant to do CORS can send none: a location's own add_header lines drop the server's.
  explainedBy: [
    'no-cors-middleware',
    'served-app-not-configured',
    'proxy-headers-missing-on-errors',
    'cors-config-not-applied',
  ],
  scan: scanNoCorsMiddleware,
  detect(e) {
    // A proxy that answers the preflight itself is proxy-answers-preflight, which supersedes this rule.
    if (!firstBlocked(e)) return undefined;
    const answered = e.exchanges.filter((x) => x.response);
    if (answered.length === 0 || answered.some((x) => x.response && hasCorsHeaders(x.response.headers)))
      return undefined;
    // The preflight, else one that asks the server directly (check's own, or the page's other preflights to
    // the same server that a HAR recorded) answered as a server without a CORS layer answers it.
    const options =
      preflightOf(e) ??
      e.exchanges.find(
        (x) =>
          x.kind === 'diagnostic' &&
          x.recorded !== undefined &&
          x.request.method === 'OPTIONS' &&
          NO_CORS_OPTIONS_STATUSES.includes(x.response?.status ?? 0),
      ) ??
      diagnosticOf(e, 'OPTIONS');
    if (!options?.response || !NO_CORS_OPTIONS_STATUSES.includes(options.response.status)) return undefined;
    const entry = (x: Exchange) => (x.recorded ? `entry ${x.recorded.entry}: ` : '');
    const other =
      options.kind === 'diagnostic' && options.recorded
        ? ` (another request of the page to ${new URL(e.page.url).origin})`
        : '';
    const evidence = [
      `${entry(options)}OPTIONS ${options.request.url}${other} -> ${statusLine(options.response)} with no Access-Control-Allow-* header${
        options.response.status === 405 ? ' (405: the router answered the preflight, no CORS layer did)' : ''
      }`,
    ];
    const actual = actualOf(e);
    if (actual?.response) {
      evidence.push(
        `${entry(actual)}${actual.request.method}${actual.recorded ? ` ${actual.request.url}` : ''} -> ${statusLine(actual.response)} with no Access-Control-Allow-Origin`,
      );
    }
    return {
      summary:
        'The server has no CORS layer: no response carries Access-Control-Allow-Origin, so every browser blocks the page from reading it. curl and Postman work because they do not enforce CORS.',
      evidence,
      locations: [],
      fix: {
        summary:
          'Add CORSMiddleware for the page origin (in FastAPI: app.add_middleware(CORSMiddleware, ...)).',
        snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method, answered: e.exchanges }),
      },
    };
  },
};

/** The first place where the app's own middleware writes Access-Control-Allow-Origin, when one does. */
function writesAllowOrigin(app: PythonApp): { name: string; file: string; line: number } | undefined {
  for (const m of app.middleware) {
    const w = m.behaviour?.writesHeaders?.find((h) => /^access-control-allow-origin$/i.test(h.name));
    if (w) return { name: m.name, file: w.source.file, line: w.source.line };
  }
  return undefined;
}

function scanNoCorsMiddleware({ project, app, origins, request }: ScanContext): FindingDraft[] {
  if (app.middleware.some((m) => m.kind === 'cors') || app.routes.length === 0) return [];
  // A proxy in front of the app may do CORS for it: then the app needs none (and must not add a second).
  for (const config of project.proxies.flatMap((c) => asNginx(c) ?? [])) {
    const added = addsAllowOrigin(config.directives);
    if (added)
      return [
        {
          severity: 'info',
          file: app.source.file,
          line: app.source.line,
          message: `This app has no CORSMiddleware; nginx adds the CORS headers (${config.file}:${added.line}: add_header Access-Control-Allow-Origin ${added.value}${added.always ? ' always' : ''}), so requests must reach the app through nginx.`,
        },
      ];
  }
  // Hand-written CORS is CORS: middleware of the app that writes Access-Control-Allow-Origin itself. A
  // CORSMiddleware added in front of it would not take its header away (Starlette leaves the inner
  // answer's Access-Control-Allow-Origin in place), so whatever it lets in would stay in.
  const handWritten = writesAllowOrigin(app);
  if (handWritten)
    return [
      {
        severity: 'info',
        file: handWritten.file,
        line: handWritten.line,
        message: `This app has no CORSMiddleware; its middleware ${handWritten.name} writes Access-Control-Allow-Origin itself (${handWritten.file}:${handWritten.line}), so its own code decides which origins are allowed.`,
      },
    ];
  const mountedWithCors = app.mounts.filter((m) =>
    project.apps.some((a) => a.variable === m.target && corsEntries(a).length > 0),
  );
  const edits = addCorsMiddleware(
    app,
    origins,
    request?.credentials === 'include' || app.routes.some((r) => r.readsCookies.length > 0),
  );
  // The fix is written after the last middleware registration (or the app's creation): that line first.
  const after = edits[0]?.kind === 'insert-after' ? edits[0].statement.line : app.source.line;
  return [
    {
      file: app.source.file,
      line: after,
      ...(after !== app.source.line && { related: [{ file: app.source.file, line: app.source.line }] }),
      message:
        mountedWithCors.length > 0
          ? `This app has ${app.routes.length} route(s) but no CORSMiddleware; only the mounted app at ${mountedWithCors.map((m) => m.path).join(', ')} has one, so these routes (and the redirect to the mount) send no CORS headers.`
          : `This ${app.framework === 'fastapi' ? 'FastAPI' : 'Starlette'} app has ${app.routes.length} route(s) and no CORSMiddleware: browsers block every cross-origin request to it (preflights get 405).`,
      fix: {
        summary:
          'Add CORSMiddleware with the frontend origins: app.add_middleware(CORSMiddleware, allow_origins=[...], ...), after every other add_middleware call.',
        edits,
      },
    },
  ];
}
