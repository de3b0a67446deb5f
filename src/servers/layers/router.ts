// The router layer and Starlette's route matching: endpoint, mount, or the router's 405, 307 or 404.
import { firstHeaderValue } from '../../model/header-list.js';
import type { RouteInfo } from '../../python/types.js';
import { JSON_TYPE, redirectTo, TEXT_TYPE } from './answers.js';
import { endpoint } from './endpoint.js';
import type { Layer } from './types.js';

/** The router, innermost: it never passes the request on. */
export const router: Layer = (entry, context) => {
  const { app, request, url, path } = context;
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
    return endpoint(match.full, context);
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
        answeredBy: entry.name,
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
        entry.name,
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
      answeredBy: entry.name,
      explanation: `no route matches ${url.pathname}: the router answers 404`,
    },
  };
};

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
