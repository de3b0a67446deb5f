/**
 * The Starlette/FastAPI server model: walks an app's middleware stack (outermost first, as the
 * project reader builds it) with one request and predicts the status and header lines the app
 * answers, which layer answered, and why. Pure: no I/O.
 *
 * What the model cannot see is stated, never guessed: an endpoint's own status is assumed (2xx, or
 * an unhandled exception when asked), a middleware whose code cannot be read is assumed to pass the
 * request on, and a configuration that cannot be resolved makes the answer unknown.
 */

import { stringItems } from '../causes/static-values.js';
import { firstHeaderValue } from '../model/header-list.js';
import type { MiddlewareEntry, PythonApp, RouteInfo } from '../python/types.js';
import { readCorsConfig } from './config.js';
import {
  type CompiledCors,
  compileCors,
  corsPreflightAnswer,
  corsSimpleHeaders,
  corsVersionFlags,
  isStarlettePreflight,
  setHeader,
  UntranslatableRegex,
} from './starlette-cors.js';
import type { PredictedAnswer, ServerRequest } from './types.js';

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

type Outcome =
  | { kind: 'response'; answer: PredictedAnswer; statusAssumed: boolean }
  | { kind: 'raised'; by: string; explanation: string }
  | { kind: 'unknown'; why: string };

const JSON_TYPE: [string, string] = ['content-type', 'application/json'];
const TEXT_TYPE: [string, string] = ['content-type', 'text/plain; charset=utf-8'];

/** Predicts what `app` answers to `request`. */
export function predictAnswer(app: PythonApp, request: ServerRequest, options: PredictOptions): Prediction {
  const assumptions: string[] = [];
  const path: string[] = [];
  const flags = corsVersionFlags(options.starletteVersion);
  const url = new URL(request.url);

  const walk = (index: number): Outcome => {
    const layer = app.middleware[index];
    if (!layer) return { kind: 'unknown', why: 'the middleware stack ends without a router' };
    path.push(layer.name);
    switch (layer.kind) {
      case 'server-error':
        return serverError(layer, walk(index + 1));
      case 'cors':
        return cors(layer, index);
      case 'trusted-host':
        return trustedHost(layer) ?? walk(index + 1);
      case 'https-redirect':
        return httpsRedirect(layer) ?? walk(index + 1);
      case 'http-function':
        return httpFunction(layer, index);
      case 'router':
        return router(layer);
      case 'exception':
      case 'gzip':
      case 'session':
        return walk(index + 1);
      default:
        assumptions.push(
          `${layer.name}${layer.source ? ` (${layer.source.file}:${layer.source.line})` : ''} is assumed to pass every request on unchanged: its code is not modelled`,
        );
        return walk(index + 1);
    }
  };

  const serverError = (layer: MiddlewareEntry, inner: Outcome): Outcome => {
    if (inner.kind !== 'raised') return inner;
    const handler = layer.exceptionHandlers?.[0];
    const explanation = `${inner.explanation}; ServerErrorMiddleware turns it into a 500${handler ? ` (through @app.exception_handler(${handler.key}) at ${handler.source.file}:${handler.source.line})` : ''}, outside every layer that would add CORS headers inside it`;
    return {
      kind: 'response',
      statusAssumed: false,
      answer: {
        status: 500,
        headers: handler ? [JSON_TYPE] : [['content-length', '21'], TEXT_TYPE],
        body: handler ? undefined : 'Internal Server Error',
        answeredBy: handler ? `exception handler ${handler.key}` : 'ServerErrorMiddleware',
        explanation,
      },
    };
  };

  const cors = (layer: MiddlewareEntry, index: number): Outcome => {
    const reading = readCorsConfig(layer.options);
    if (!reading.known) {
      return {
        kind: 'unknown',
        why: `CORSMiddleware at ${layer.source?.file}:${layer.source?.line} depends on values that cannot be resolved statically: ${reading.unresolved.join('; ')}`,
      };
    }
    let compiled: CompiledCors;
    try {
      compiled = compileCors(reading.config, flags);
    } catch (error) {
      if (error instanceof UntranslatableRegex) {
        return {
          kind: 'unknown',
          why: `allow_origin_regex ${JSON.stringify(reading.config.allow_origin_regex)} cannot be evaluated faithfully (${error.message})`,
        };
      }
      return {
        kind: 'raised',
        by: layer.name,
        explanation: `CORSMiddleware fails: ${(error as Error).message}`,
      };
    }
    if (isStarlettePreflight(request.method, request.headers)) {
      const answer = corsPreflightAnswer(compiled, request.headers);
      return {
        kind: 'response',
        statusAssumed: false,
        answer: {
          status: answer.status,
          headers: [...answer.headers, ['content-length', String(answer.body.length)], TEXT_TYPE],
          body: answer.body,
          answeredBy: 'CORSMiddleware',
          explanation:
            answer.status === 200
              ? 'the preflight is answered by CORSMiddleware: allowed'
              : `the preflight is answered by CORSMiddleware: ${answer.body}`,
        },
      };
    }
    const inner = walk(index + 1);
    if (inner.kind !== 'response' || firstHeaderValue(request.headers, 'origin') === undefined) return inner;
    return {
      ...inner,
      answer: {
        ...inner.answer,
        headers: corsSimpleHeaders(compiled, request.headers, inner.answer.headers),
      },
    };
  };

  const trustedHost = (layer: MiddlewareEntry): Outcome | undefined => {
    const hosts = layer.arguments?.allowed_hosts;
    const { shape, items, unresolved } = stringItems(hosts);
    if (shape === 'unresolved' || shape === 'other' || unresolved.length > 0) {
      return {
        kind: 'unknown',
        why: `TrustedHostMiddleware allowed_hosts=${hosts?.expression} cannot be resolved`,
      };
    }
    // None (the default) allows every host; Starlette does list(allowed_hosts): a str becomes its characters.
    const list =
      shape === 'absent' || shape === 'none'
        ? ['*']
        : shape === 'str'
          ? [...(items[0]?.value ?? '')]
          : items.map((i) => i.value);
    const host = (firstHeaderValue(request.headers, 'host') ?? url.host).split(':')[0] ?? '';
    const ok = list.some((p) => p === '*' || p === host || (p.startsWith('*') && host.endsWith(p.slice(1))));
    if (ok) return undefined;
    const wwwRedirect = layer.arguments?.www_redirect?.value;
    if (list.includes(`www.${host}`) && !(wwwRedirect?.kind === 'bool' && !wwwRedirect.value)) {
      const port = url.port ? `:${url.port}` : '';
      return redirectTo(
        `${url.protocol}//www.${host}${port}${url.pathname}${url.search}`,
        'TrustedHostMiddleware',
        `TrustedHostMiddleware redirects ${host} to www.${host} (www_redirect) before CORSMiddleware sees the request`,
      );
    }
    return {
      kind: 'response',
      statusAssumed: false,
      answer: {
        status: 400,
        headers: [['content-length', '19'], TEXT_TYPE],
        body: 'Invalid host header',
        answeredBy: 'TrustedHostMiddleware',
        explanation: `TrustedHostMiddleware refuses Host ${host} (allowed_hosts ${JSON.stringify(list)}) before CORSMiddleware sees the request`,
      },
    };
  };

  const httpsRedirect = (layer: MiddlewareEntry): Outcome | undefined => {
    if (url.protocol !== 'http:') return undefined;
    const port = url.port === '' || url.port === '80' || url.port === '443' ? '' : `:${url.port}`;
    const location = `https://${url.hostname}${port}${url.pathname}${url.search}`;
    return redirectTo(
      location,
      layer.name,
      `HTTPSRedirectMiddleware redirects every http:// request to ${location}, preflights included`,
    );
  };

  const httpFunction = (layer: MiddlewareEntry, index: number): Outcome => {
    const b = layer.behaviour ?? {};
    const where = layer.source ? ` (${layer.source.file}:${layer.source.line})` : '';
    const exempt =
      b.exemptPaths !== undefined &&
      (b.exemptPaths.exact.includes(url.pathname) ||
        b.exemptPaths.prefixes.some((p) => url.pathname.startsWith(p)));
    const bypassed = (b.skipsOptions === true && request.method === 'OPTIONS') || exempt;
    const guard = b.rejectsWithout;
    const carries = guard
      ? firstHeaderValue(request.headers, guard) !== undefined
      : firstHeaderValue(request.headers, 'authorization') !== undefined ||
        firstHeaderValue(request.headers, 'cookie') !== undefined;
    if ((b.mayReject || b.raisesHttpException) && !bypassed && !carries) {
      assumptions.push(
        guard
          ? `${layer.name}${where} refuses requests without ${guard} (it reads that header before answering ${b.mayReject?.status ?? 'with an exception'})`
          : `${layer.name}${where} is assumed to refuse requests without Authorization or Cookie (it can answer ${b.mayReject?.status ?? 'with an exception'}; its condition is not modelled)`,
      );
      if (b.mayReject) {
        return {
          kind: 'response',
          statusAssumed: false,
          answer: {
            status: b.mayReject.status,
            headers: [JSON_TYPE],
            answeredBy: layer.name,
            explanation: `${layer.name}${where} answers ${b.mayReject.status} itself${request.method === 'OPTIONS' ? ' to the preflight' : ''}; the answer never passes through the CORS layers inside it`,
          },
        };
      }
      return {
        kind: 'raised',
        by: layer.name,
        explanation: `${layer.name}${where} raises HTTPException, which in a middleware is an unhandled exception`,
      };
    }
    if (b.mayReject || b.raisesHttpException) {
      const why = exempt
        ? `its path test leaves ${url.pathname} alone`
        : bypassed
          ? 'it lets OPTIONS through'
          : `the request carries ${guard ?? 'credentials'}`;
      assumptions.push(`${layer.name}${where} is assumed to pass this request on: ${why}`);
    }
    const inner = walk(index + 1);
    if (inner.kind !== 'response' || !b.writesHeaders) return inner;
    let headers = inner.answer.headers;
    for (const w of b.writesHeaders) {
      if (w.value === undefined) {
        assumptions.push(`${layer.name} writes ${w.name} with a value that is not a literal: not modelled`);
        continue;
      }
      headers =
        w.mode === 'append'
          ? [...headers, [w.name.toLowerCase(), w.value]]
          : setHeader(headers, w.name, w.value);
    }
    return { ...inner, answer: { ...inner.answer, headers } };
  };

  const router = (layer: MiddlewareEntry): Outcome => {
    const routes = app.framework === 'starlette' ? app.routes.map(withHead) : app.routes;
    const match = matchRoute(routes, url.pathname, request.method);
    // A path no route matches may still belong to a mount (a mount at "/" takes every path).
    const mount = app.mounts.find(
      (m) =>
        m.path === '' ||
        m.path === '/' ||
        url.pathname === m.path ||
        url.pathname.startsWith(`${m.path.replace(/\/$/, '')}/`),
    );
    if (mount && !match.full && !match.partial) {
      return {
        kind: 'unknown',
        why: `${url.pathname} goes to the app mounted at ${mount.path} (${mount.target})`,
      };
    }
    if (match.full) {
      path.push(`${match.full.methods.join(',')} ${match.full.path}`);
      if (options.endpoint === 'raises') {
        return {
          kind: 'raised',
          by: 'endpoint',
          explanation: `the endpoint ${match.full.path} raises an unhandled exception`,
        };
      }
      const status = options.endpointStatus ?? 200;
      assumptions.push(
        `the endpoint ${request.method} ${match.full.path} answers ${status} (its own status is not modelled)`,
      );
      return {
        kind: 'response',
        statusAssumed: true,
        answer: {
          status,
          headers: [JSON_TYPE],
          answeredBy: `${match.full.path} (${match.full.source.file}:${match.full.source.line})`,
          explanation: `the router sends the request to ${request.method} ${match.full.path}`,
        },
      };
    }
    if (match.partial) {
      const allow = match.partial.methods.join(', ');
      return {
        kind: 'response',
        statusAssumed: false,
        answer: {
          status: 405,
          headers:
            app.framework === 'starlette'
              ? [['allow', allow], ['content-length', '18'], TEXT_TYPE]
              : [['allow', allow], ['content-length', '31'], JSON_TYPE],
          body: app.framework === 'starlette' ? 'Method Not Allowed' : '{"detail":"Method Not Allowed"}',
          answeredBy: layer.name,
          explanation: `${url.pathname} has no ${request.method} route (it has ${allow}): the router answers 405`,
        },
      };
    }
    if (app.redirectSlashes && url.pathname !== '/') {
      const other = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : `${url.pathname}/`;
      const redirect = matchRoute(routes, other, request.method);
      if (redirect.full || redirect.partial) {
        const host = firstHeaderValue(request.headers, 'host') ?? url.host;
        const location = `${url.protocol}//${host}${other}${url.search}`;
        return redirectTo(
          location,
          layer.name,
          `no route is ${url.pathname}, but ${other} is: redirect_slashes answers 307`,
        );
      }
    }
    return {
      kind: 'response',
      statusAssumed: false,
      answer: {
        status: 404,
        headers:
          app.framework === 'starlette'
            ? [['content-length', '9'], TEXT_TYPE]
            : [['content-length', '22'], JSON_TYPE],
        body: app.framework === 'starlette' ? 'Not Found' : '{"detail":"Not Found"}',
        answeredBy: layer.name,
        explanation: `no route matches ${url.pathname}: the router answers 404`,
      },
    };
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

/** A 307 answered by a layer (never the endpoint), as Starlette's RedirectResponse writes it. */
function redirectTo(location: string, answeredBy: string, explanation: string): Outcome {
  return {
    kind: 'response',
    statusAssumed: false,
    answer: {
      status: 307,
      headers: [
        ['content-length', '0'],
        ['location', location],
      ],
      answeredBy,
      explanation,
    },
  };
}

/** Starlette's `Route` answers HEAD wherever it answers GET (FastAPI's `APIRoute` does not). */
function withHead(route: RouteInfo): RouteInfo {
  return route.methods.includes('GET') && !route.methods.includes('HEAD')
    ? { ...route, methods: ['HEAD', ...route.methods] }
    : route;
}

/** Starlette's path template: `{name}` matches one segment, `{name:path}` the rest, `{name:int}` digits. */
function routePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]*\})/)
    .map((part) => {
      const param = /^\{([^}:]*)(?::([^}]*))?\}$/.exec(part);
      if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const convertor = param[2];
      if (convertor === 'path') return '.*';
      if (convertor === 'int') return '[0-9]+';
      if (convertor === 'float') return '[0-9]+(?:\\.[0-9]+)?';
      return '[^/]+';
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** Does the route's path template match `pathname` (whatever the method)? */
export const routeMatchesPath = (route: RouteInfo, pathname: string): boolean =>
  routePattern(route.path).test(pathname);

/** Starlette's route matching: the first full match wins, else the first route whose path matches. */
export function matchRoute(
  routes: RouteInfo[],
  pathname: string,
  method: string,
): { full?: RouteInfo; partial?: RouteInfo } {
  let partial: RouteInfo | undefined;
  for (const route of routes) {
    if (!routeMatchesPath(route, pathname)) continue;
    if (route.methods.includes(method)) return { full: route };
    partial ??= route;
  }
  return partial ? { partial } : {};
}
