import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import {
  actualOf,
  diagnosticOf,
  firstBlocked,
  hasCorsHeaders,
  preflightOf,
  statusLine,
} from '../evidence.js';
import type { CauseRule } from '../types.js';

/** Statuses a server without any CORS layer gives an OPTIONS request. */
const NO_CORS_OPTIONS_STATUSES = [200, 204, 405];

export const noCorsMiddleware: CauseRule = {
  code: 'no-cors-middleware',
  severity: 'error',
  title: 'The backend sends no CORS headers at all.',
  detect(e) {
    if (!firstBlocked(e)) return undefined;
    const answered = e.exchanges.filter((x) => x.response);
    if (answered.length === 0 || answered.some((x) => x.response && hasCorsHeaders(x.response.headers)))
      return undefined;
    const options = preflightOf(e) ?? diagnosticOf(e, 'OPTIONS');
    if (!options?.response || !NO_CORS_OPTIONS_STATUSES.includes(options.response.status)) return undefined;
    const evidence = [
      `OPTIONS ${options.request.url} -> ${statusLine(options.response)} with no Access-Control-Allow-* header${
        options.response.status === 405 ? ' (405: the router answered the preflight, no CORS layer did)' : ''
      }`,
    ];
    const actual = actualOf(e);
    if (actual?.response) {
      evidence.push(
        `${actual.request.method} -> ${statusLine(actual.response)} with no Access-Control-Allow-Origin`,
      );
    }
    return {
      code: 'no-cors-middleware',
      severity: 'error',
      summary:
        'The server has no CORS layer: no response carries Access-Control-Allow-Origin, so every browser blocks the page from reading it. curl and Postman work because they do not enforce CORS.',
      evidence,
      locations: [],
      fix: {
        summary:
          'Add CORSMiddleware for the page origin (in FastAPI: app.add_middleware(CORSMiddleware, ...)).',
        snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method }),
      },
    };
  },
};
