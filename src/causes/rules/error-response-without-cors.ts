import { returnInsteadOfRaise, withEdits } from '../../fix/source-edits.js';
import { at, corsEntries } from '../../python/options.js';
import {
  actualOf,
  allowOrigin,
  diagnosticOf,
  firstBlocked,
  serverSoftware,
  statusLine,
} from '../evidence.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

export const errorResponseWithoutCors: CauseRule = {
  code: 'error-response-without-cors',
  severity: 'error',
  title: 'The real problem is a server error whose response carries no CORS headers.',
  scan: scanErrorResponses,
  detect(e) {
    const actual = actualOf(e);
    const response = actual?.response;
    if (
      firstBlocked(e)?.stage !== 'actual' ||
      !response ||
      response.status < 400 ||
      allowOrigin(response) !== null
    ) {
      return undefined;
    }
    if (serverSoftware(response) === 'nginx') return undefined;
    const preflight = e.exchanges.find((x) => x.kind === 'preflight');
    const options = preflight ?? diagnosticOf(e, 'OPTIONS');
    // The CORS layer exists and allows the origin (its OPTIONS answer has the origin), yet this answer lacks it.
    const corsLayerAllows = options?.response ? allowOrigin(options.response) !== null : false;
    if (!corsLayerAllows && response.status < 500) return undefined;
    const withoutOrigin = e.exchanges.find(
      (x) => x.kind === 'diagnostic' && x.request.method === actual.request.method,
    );
    const evidence = [
      ...(preflight?.response
        ? [`the preflight passed (${statusLine(preflight.response)} with CORS headers)`]
        : []),
      `${actual.request.method} ${actual.request.url} -> ${statusLine(response)} without Access-Control-Allow-Origin`,
    ];
    if (withoutOrigin?.response) {
      evidence.push(
        `the same request without Origin -> ${statusLine(withoutOrigin.response)}: the server fails whatever the origin`,
      );
    }
    const server = response.status >= 500;
    return {
      summary: server
        ? `The real problem is a server error (${response.status}): its response carries no CORS headers, so the browser reports it as a CORS failure. Fix the error; look at the server log for the traceback.`
        : `The ${response.status} error response carries no CORS headers: something outside the CORS layer produced it, so the browser hides it behind a CORS error.`,
      evidence,
      locations: [],
      fix: {
        summary: server
          ? 'Fix the exception (see the server log). In Starlette, unhandled exceptions become 500s in ServerErrorMiddleware, outside CORSMiddleware; to keep CORS headers on them, wrap the whole app: app = CORSMiddleware(app, ...).'
          : 'Produce the error inside the CORS layer (raise HTTPException in the route or a dependency), or add CORSMiddleware last so it wraps the layer that answers.',
      },
    };
  },
};

function scanErrorResponses({ app }: ScanContext): FindingDraft[] {
  const cors = corsEntries(app)[0];
  if (!cors) return [];
  // An app wrapped as app = CORSMiddleware(app, ...) has CORS outside ServerErrorMiddleware: 500s keep it.
  const serverError = app.middleware.findIndex((m) => m.kind === 'server-error');
  if (serverError >= 0 && app.middleware.indexOf(cors) < serverError) return [];
  const findings: FindingDraft[] = [];
  for (const handler of app.exceptionHandlers.filter((h) => h.key === '500' || h.key === 'Exception')) {
    findings.push({
      severity: 'warning',
      file: handler.source.file,
      line: handler.source.line,
      message: `@exception_handler(${handler.key}) runs in ServerErrorMiddleware, outside CORSMiddleware (at ${at(cors.source)}): its 500 responses carry no CORS headers, so the browser reports a CORS error instead of your JSON.`,
      fix: {
        summary:
          'Wrap the whole app so CORS applies to 500s too: app = CORSMiddleware(app, ...) at the end of the module (Starlette "global enforcement").',
      },
    });
  }
  for (const m of app.middleware) {
    // An @app.middleware function, a BaseHTTPMiddleware, or a pure ASGI class whose __call__ raises.
    if ((m.kind !== 'http-function' && m.kind !== 'other') || !m.behaviour?.raisesHttpException) continue;
    const ref = m.behaviour.raisesHttpException;
    const raises = m.behaviour.httpExceptions ?? [];
    findings.push({
      file: ref.file,
      line: ref.line,
      ...(m.source && { related: [{ file: m.source.file, line: m.source.line }] }),
      message: `${m.name} raises HTTPException inside a middleware: ExceptionMiddleware is inside it, so the exception becomes a 500 from ServerErrorMiddleware, without CORS headers, instead of the status you meant.`,
      evidence: raises.map((r) => `${r.source.file}:${r.source.line}: ${r.text.split('\n')[0]}`),
      fix: withEdits(
        `Return the response instead of raising: return JSONResponse(status_code=..., content={"detail": ...}) from ${m.name}${raises.length > 1 ? ` (${raises.length} raise statements)` : ''}. A returned response passes back through CORSMiddleware, so the page reads the real status.`,
        returnInsteadOfRaise(app, m),
      ),
    });
  }
  return findings;
}
