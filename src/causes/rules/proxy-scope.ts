/**
 * What the nginx rules share: the blocks a rule looks at (those that take the checked URL, else all of
 * them), the app behind the configuration, and what the browsers would do with the frontend's request
 * through the models (nginx's in front of the app's, or the app's alone) before a fix is offered.
 */

import { isCorsSafelistedMethod } from '../../model/method.js';
import { firstRequest, preflightFor } from '../../model/plan.js';
import { corsUnsafeRequestHeaderNames } from '../../model/safelist.js';
import { simulate } from '../../model/simulate.js';
import type { BrowserName, CredentialsMode, HeaderList, Outcome } from '../../model/types.js';
import type { Project } from '../../project/types.js';
import { asNginx, type NginxConfigFile } from '../../proxy/nginx/config.js';
import { type BlockInContext, blocks, listensOn, portOf } from '../../proxy/nginx/cors.js';
import { blocksServing, locationPath } from '../../proxy/nginx/locate.js';
import { predictThroughNginx } from '../../proxy/nginx/predict.js';
import type { PythonApp } from '../../python/types.js';
import { type Prediction, predictAnswer, routeMatchesPath } from '../../servers/stack.js';
import type { ServerRequest } from '../../servers/types.js';
import type { ProxyScanContext } from '../types.js';

/** The nginx configuration of the context, and the blocks to look at. */
export interface NginxScope {
  config: NginxConfigFile;
  /** The blocks that take the request (the location and its `if` blocks), or every block. */
  blocks: BlockInContext[];
  /** The blocks are those of the checked URL. */
  forUrl: boolean;
}

/** The blocks of the configuration that take the checked URL when it listens on its port, else all. */
export function nginxScope(context: ProxyScanContext): NginxScope | undefined {
  const config = asNginx(context.config);
  if (!config) return undefined;
  const url = context.request?.url;
  if (url && listensOn(config.directives, portOf(new URL(url))))
    return { config, blocks: blocksServing(config.directives, url), forUrl: true };
  return { config, blocks: blocks(config.directives), forUrl: false };
}

/** The app of the project with the most routes for `path` (the first app on a tie). */
export function appFor(project: Project | undefined, path: string): PythonApp | undefined {
  let best: PythonApp | undefined;
  let bestScore = -1;
  for (const app of project?.apps ?? []) {
    const score = app.routes.filter((r) => routeMatchesPath(r, path)).length;
    if (score > bestScore) {
      best = app;
      bestScore = score;
    }
  }
  return best;
}

/** A browser sends a preflight before this request (its method or a header is not CORS-safelisted). */
export function preflighted(request: ProxyScanContext['request']): boolean {
  const method = (request?.method ?? 'GET').toUpperCase();
  return !isCorsSafelistedMethod(method) || corsUnsafeRequestHeaderNames(request?.headers ?? []).length > 0;
}

/** A request of the frontend, as the models take it. */
export interface FrontendRequest {
  url: string;
  origin: string;
  method: string;
  headers: HeaderList;
  credentials: CredentialsMode;
}

/**
 * The frontend's requests a fix must keep allowed: the checked request from each origin asked for, or,
 * without a checked URL, the same to the path the location names (`http://localhost:PORT/api/`). Empty
 * when no origin is asked for, or the location has no plain path.
 */
export function frontendRequests(context: ProxyScanContext, at?: BlockInContext): FrontendRequest[] {
  const origins = context.origins ?? [];
  let url = context.request?.url;
  if (!url) {
    const named = at && at.directive.name === 'location' ? locationPath(at.directive) : undefined;
    const listen = at?.outer
      .at(-1)
      ?.block?.find((d) => d.name === 'listen')
      ?.args[0]?.match(/(\d+)$/)?.[1];
    if (!named || !listen) return [];
    url = `http://localhost:${listen}${named.path}`;
  }
  return origins.map((origin) => ({
    url: url as string,
    origin,
    method: (context.request?.method ?? 'GET').toUpperCase(),
    headers: context.request?.headers ?? [],
    credentials: context.request?.credentials ?? 'same-origin',
  }));
}

/** The app's answers, as its model predicts them. */
export const appModel =
  (app: PythonApp, starletteVersion: string) =>
  (request: ServerRequest): Prediction =>
    predictAnswer(app, request, { starletteVersion });

/** The app without its CORSMiddleware (what it answers once that is removed). */
export const withoutCors = (app: PythonApp): PythonApp => ({
  ...app,
  middleware: app.middleware.filter((m) => m.kind !== 'cors'),
});

/**
 * What every browser does with `request` when `answer` gives the server's answers (the preflight's, if
 * one is sent, and the actual request's): `allowed`, `blocked`, or undefined when a model cannot tell.
 */
export function predictedOutcome(
  request: FrontendRequest,
  answer: (request: ServerRequest) => Prediction,
): Outcome | undefined {
  const page = { url: request.url, method: request.method, headers: request.headers };
  const scenario = {
    origin: request.origin,
    request: { ...page, credentials: request.credentials },
  };
  const planned = firstRequest(scenario);
  const browsers: BrowserName[] = ['chrome', 'firefox'];
  const preflightHeaders = preflightFor(planned, browsers);
  const cookie: HeaderList = request.credentials === 'include' ? [['Cookie', 'session=x']] : [];
  const preflight = preflightHeaders
    ? answer({ method: 'OPTIONS', url: request.url, headers: preflightHeaders })
    : undefined;
  const actual = answer({
    method: planned.method,
    url: request.url,
    headers: [...planned.headerLines, ['Origin', request.origin], ...cookie],
  });
  if (!actual.known || (preflight && !preflight.known)) return undefined;
  const result = simulate({
    ...scenario,
    ...(preflight?.known && { preflight: { status: preflight.status, headers: preflight.headers } }),
    response: { status: actual.status, headers: actual.headers },
  });
  return browsers.every((b) => result[b].outcome === 'allowed') ? 'allowed' : 'blocked';
}

/** What the browsers do with the request through nginx (the configuration given) in front of `app`. */
export const throughNginx = (
  config: NginxConfigFile,
  app: PythonApp,
  starletteVersion: string,
): ((request: ServerRequest) => Prediction) => {
  const upstream = appModel(app, starletteVersion);
  return (request) => predictThroughNginx(config, request, upstream);
};
