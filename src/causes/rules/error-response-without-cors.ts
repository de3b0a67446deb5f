import {
  actualOf,
  allowOrigin,
  diagnosticOf,
  firstBlocked,
  serverSoftware,
  statusLine,
} from '../evidence.js';
import type { CauseRule } from '../types.js';

export const errorResponseWithoutCors: CauseRule = {
  code: 'error-response-without-cors',
  severity: 'error',
  title: 'The real problem is a server error whose response carries no CORS headers.',
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
      code: 'error-response-without-cors',
      severity: 'error',
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
