/**
 * The Starlette/FastAPI server model: walks an app's middleware stack (outermost first, as the
 * project reader builds it) with one request and predicts the status and header lines the app
 * answers, which layer answered, and why. Pure: no I/O.
 *
 * What the model cannot see is stated, never guessed: an endpoint's own status is assumed (2xx, or
 * an unhandled exception when asked), a middleware whose code cannot be read is assumed to pass the
 * request on, and a configuration that cannot be resolved makes the answer unknown.
 */

import type { MiddlewareEntry, PythonApp } from '../python/types.js';
import { corsMiddleware } from './layers/cors.js';
import { httpsRedirectMiddleware } from './layers/https-redirect.js';
import { router } from './layers/router.js';
import { serverErrorMiddleware } from './layers/server-error.js';
import { trustedHostMiddleware } from './layers/trusted-host.js';
import type { Layer, Outcome, RequestContext } from './layers/types.js';
import { httpFunctionMiddleware, unmodelledMiddleware } from './layers/user-middleware.js';
import { corsVersionFlags } from './starlette-cors.js';
import type { PredictedAnswer, ServerRequest } from './types.js';

export { matchRoute, routeMatchesPath } from './layers/router.js';

export interface PredictOptions {
  /** The Starlette version whose CORSMiddleware answers (`0.26.1`). */
  starletteVersion: string;
  /** What the matched endpoint does: return normally (default) or raise an unhandled exception. */
  endpoint?: 'returns' | 'raises';
  /** The status a normal endpoint answers (default 200). */
  endpointStatus?: number;
}

export type Prediction =
  | (PredictedAnswer & {
      known: true;
      /** The status is an assumption about code the model does not run (the endpoint's own status). */
      statusAssumed: boolean;
      /** What the prediction takes for granted, one line each. */
      assumptions: string[];
      /** The layers the request passed, outermost first. */
      path: string[];
    })
  | { known: false; why: string; assumptions: string[]; path: string[] };

/** Passes the request on untouched: layers the model has nothing to say about. */
const passOn: Layer = (_entry, _context, next) => next();

/** The layer each kind of stack entry is (an unknown kind is user code the model does not read). */
const LAYERS: Record<MiddlewareEntry['kind'], Layer> = {
  'server-error': serverErrorMiddleware,
  'trusted-host': trustedHostMiddleware,
  'https-redirect': httpsRedirectMiddleware,
  'http-function': httpFunctionMiddleware,
  authentication: unmodelledMiddleware,
  other: unmodelledMiddleware,
  gzip: passOn,
  session: passOn,
  cors: corsMiddleware,
  // ExceptionMiddleware: the router writes its 404 and 405 as the default handlers answer them; custom
  // handlers are not modelled.
  exception: passOn,
  router,
};

/** Why a gated registration is left out: the condition and the values the project gives it. */
function gateSkipped(entry: MiddlewareEntry): string {
  const gate = entry.gate as NonNullable<MiddlewareEntry['gate']>;
  const at = entry.source ? ` at ${entry.source.file}:${entry.source.line}` : '';
  const values = gate.env.map(
    (e) =>
      `${e.source.name}=${e.value}${e.source.valueFrom ? ` (${e.source.valueFrom.file}:${e.source.valueFrom.line})` : ' (set nowhere: default)'}`,
  );
  return `${entry.name}${at} is not registered: ${gate.condition} is false${values.length > 0 ? ` with ${values.join(', ')}` : ''} (${gate.source.file}:${gate.source.line})`;
}

/**
 * A middleware class of the project that is not a BaseHTTPMiddleware but whose `__call__` is read: a pure
 * ASGI middleware that answers an error itself (or raises HTTPException) is modelled like an http function.
 */
const refusesItself = (entry: MiddlewareEntry): boolean =>
  entry.kind === 'other' && !!(entry.behaviour?.mayReject || entry.behaviour?.raisesHttpException);

/** Predicts what `app` answers to `request`. */
export function predictAnswer(app: PythonApp, request: ServerRequest, options: PredictOptions): Prediction {
  const context: RequestContext = {
    app,
    request,
    url: new URL(request.url),
    corsVersion: corsVersionFlags(options.starletteVersion),
    endpoint: { raises: options.endpoint === 'raises', status: options.endpointStatus ?? 200 },
    assumptions: [],
    path: [],
  };
  const { assumptions, path } = context;

  /** Runs the stack from entry `index` inward; each layer gets the rest of the stack as `next`. */
  const walk = (index: number): Outcome => {
    const entry = app.middleware[index];
    if (!entry) return { kind: 'unknown', why: 'the middleware stack ends without a router' };
    // A registration under a condition the project's environment does not meet never runs.
    if (entry.gate?.holds === false) {
      assumptions.push(gateSkipped(entry));
      return walk(index + 1);
    }
    path.push(entry.name);
    const layer = refusesItself(entry)
      ? httpFunctionMiddleware
      : (LAYERS[entry.kind] ?? unmodelledMiddleware);
    return layer(entry, context, () => walk(index + 1));
  };

  const outcome = walk(0);
  if (outcome.kind === 'unknown') return { known: false, why: outcome.why, assumptions, path };
  if (outcome.kind === 'raised') {
    return {
      known: false,
      why: `${outcome.explanation}, and no ServerErrorMiddleware is outside it: the server answers`,
      assumptions,
      path,
    };
  }
  return { known: true, ...outcome.answer, statusAssumed: outcome.statusAssumed, assumptions, path };
}
