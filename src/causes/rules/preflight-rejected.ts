import { corsOutermost, letPreflightsThrough } from '../../fix/source-edits.js';
import { getHeader } from '../../model/header-list.js';
import { asNginx, directiveText } from '../../proxy/nginx/config.js';
import { blocks, credentialGate, optionsAnswer, passesToApp } from '../../proxy/nginx/cors.js';
import { at, corsEntries, outsideOf } from '../../python/options.js';
import type { MiddlewareEntry, SourceRef } from '../../python/types.js';
import {
  allowOrigin,
  firstBlocked,
  hasCorsHeaders,
  preflightOf,
  starletteRefusal,
  statusLine,
} from '../evidence.js';
import { aboutOtherRequests, needsPreflight, requestWords } from '../request-scope.js';
import type { CauseRule, FindingDraft, ProxyScanContext, ScanContext } from '../types.js';

const WHO: Record<number, string> = {
  400: 'a 400 outside the CORS layer (TrustedHostMiddleware answers "Invalid host header"; a validator or WAF)',
  401: 'an authentication layer that runs before CORS (in Starlette the middleware added last runs first)',
  403: 'an authorization layer, WAF or IP filter that runs before CORS',
  404: 'a route that does not exist for OPTIONS (a wrong URL, or a proxy location without the API)',
  429: 'a rate limiter that runs before CORS',
};

export const preflightRejected: CauseRule = {
  code: 'preflight-rejected',
  severity: 'error',
  title: 'Something outside the CORS layer answers the preflight with an error.',
  scan: scanPreflightRejected,
  scanProxy: scanNginxCredentialGate,
  detect(e) {
    const preflight = preflightOf(e);
    const response = preflight?.response;
    if (firstBlocked(e)?.stage !== 'preflight' || !response) return undefined;
    const { status } = response;
    if (status < 400 || status === 405 || starletteRefusal(response)) return undefined;
    // A 400 that carries Access-Control-Allow-Methods is the CORS layer's own refusal (Starlette's, whose
    // body a HAR does not keep): the allow-lists name what it refused, nothing in front of it answered.
    if (status === 400 && getHeader(response.headers, 'Access-Control-Allow-Methods') !== null)
      return undefined;
    // With CORS headers present the CORS layer itself answered; without them, something in front of it did.
    if (hasCorsHeaders(response.headers) && allowOrigin(response) !== null && status < 500) {
      if (status !== 401 && status !== 403) return undefined;
    }
    const body = response.bodyExcerpt.trim().slice(0, 120);
    const who =
      WHO[status] ??
      (status >= 500 ? 'a server error while answering OPTIONS' : 'a layer in front of the CORS layer');
    return {
      summary: `The preflight (OPTIONS, sent without credentials) got ${status}: it was answered by ${who}, not by the CORS layer. Browsers need a 2xx with CORS headers.`,
      evidence: [
        `OPTIONS ${preflight.request.url} -> ${statusLine(response)}${body ? ` ${JSON.stringify(body)}` : ''}`,
        hasCorsHeaders(response.headers)
          ? 'the answer carries some CORS headers'
          : 'the answer carries no CORS headers',
        'preflights never carry cookies or Authorization, so an auth check that runs on OPTIONS always fails',
      ],
      locations: [],
      fix: {
        summary:
          'Make CORS answer preflights first: add CORSMiddleware last (outermost), or let OPTIONS requests pass the layer that rejects them.',
      },
    };
  },
};

/** Why a middleware that runs before CORS can refuse a preflight, or undefined when it cannot. */
function refusesPreflights(entry: MiddlewareEntry): string | undefined {
  if (entry.kind === 'trusted-host')
    return 'TrustedHostMiddleware answers 400 "Invalid host header" to a Host it does not list, preflights included';
  if (entry.kind === 'authentication')
    return 'AuthenticationMiddleware can refuse the preflight, which carries no credentials';
  const b = entry.behaviour;
  if ((entry.kind !== 'http-function' && entry.kind !== 'other') || !b || b.skipsOptions) return undefined;
  if (b.mayReject) {
    return `${entry.name} returns ${b.mayReject.status} (at ${at(b.mayReject.source)}) and does not let OPTIONS through; preflights never carry cookies or Authorization`;
  }
  if (b.raisesHttpException) {
    return `${entry.name} raises HTTPException (at ${at(b.raisesHttpException)}) and does not let OPTIONS through: on a preflight, which never carries cookies or Authorization, that is a 500 from ServerErrorMiddleware`;
  }
  return undefined;
}

const locationOf = (ref: SourceRef) => ({ file: ref.file, line: ref.line });

/**
 * With a request given, a layer that refuses preflights concerns it only when the request has one, and
 * the layer's path test (`request.url.path in PUBLIC_PATHS`) does not leave the request's path alone.
 */
function scanPreflightRejected(context: ScanContext): FindingDraft[] {
  const { request } = context;
  const cors = corsEntries(context.app)[0];
  if (!request || !cors) return preflightFindings(context);
  const path = pathOf(request.url);
  const outside = outsideOf(context.app, cors);
  const spared = path === undefined ? [] : outside.filter((m) => leavesPathAlone(m, path));
  if (needsPreflight(request)) {
    return preflightFindings(context, (m) => !spared.includes(m)).concat(
      preflightFindings(context, (m) => spared.includes(m)).map((f) =>
        aboutOtherRequests(f, `${spared.map((m) => m.name).join(', ')} leaves ${path} alone`),
      ),
    );
  }
  // Without a preflight, a layer that refuses the request itself still answers it outside CORS.
  const words = requestWords(request);
  const refusing = outside.filter((m) => !spared.includes(m) && refusesRequest(m, request));
  return preflightFindings(context, (m) => refusing.includes(m))
    .map((f) => ({
      ...f,
      message: `${f.message} ${words} has no preflight, but ${refusing.map((m) => m.name).join(', ')} refuses it too: that answer carries no CORS headers.`,
    }))
    .concat(
      preflightFindings(context, (m) => !refusing.includes(m)).map((f) =>
        aboutOtherRequests(f, `${words} needs no preflight`),
      ),
    );
}

/**
 * The layer refuses the request itself, as the server model takes it: TrustedHostMiddleware any request
 * (by its Host), a middleware that returns an error or raises when the header its test reads is missing
 * (Authorization or a cookie when that is not known; a scan has no cookie).
 */
function refusesRequest(entry: MiddlewareEntry, request: NonNullable<ScanContext['request']>): boolean {
  if (entry.kind === 'trusted-host') return true;
  const b = entry.behaviour;
  if ((entry.kind !== 'http-function' && entry.kind !== 'other') || !b) return false;
  if (!b.mayReject && !b.raisesHttpException) return false;
  const sends = (name: string) => request.headers.some(([n]) => n.toLowerCase() === name);
  return !(b.rejectsWithout ? sends(b.rejectsWithout.toLowerCase()) : sends('authorization'));
}

const pathOf = (url: string | undefined): string | undefined => {
  try {
    return url ? new URL(url).pathname : undefined;
  } catch {
    return undefined;
  }
};

/** The middleware's path test leaves `path` alone (a public path, or outside the paths it guards). */
function leavesPathAlone(entry: MiddlewareEntry, path: string): boolean {
  const b = entry.behaviour;
  const listed = (paths: { exact: string[]; prefixes: string[] }) =>
    paths.exact.includes(path) || paths.prefixes.some((p) => path.startsWith(p));
  return (
    (b?.exemptPaths !== undefined && listed(b.exemptPaths)) ||
    (b?.guardedPaths !== undefined && !listed(b.guardedPaths))
  );
}

function preflightFindings(
  { app }: ScanContext,
  among: (entry: MiddlewareEntry) => boolean = () => true,
): FindingDraft[] {
  const cors = corsEntries(app)[0];
  if (!cors) return [];
  const refusing = outsideOf(app, cors).flatMap((outer) => {
    const why = among(outer) && refusesPreflights(outer);
    return why && outer.source ? [{ outer, why, source: outer.source }] : [];
  });
  if (refusing.length === 0) return [];
  const order = `request order: ${app.middleware.map((m) => m.name).join(' -> ')}`;
  const corsAt = at(cors.source);
  const findings: FindingDraft[] = [];
  // Moving CORS outside them is the fix when its registration can move there: one finding, at CORS.
  const movable = refusing.filter((r) => corsOutermost(app, cors, [r.outer]));
  const move =
    movable.length > 0
      ? corsOutermost(
          app,
          cors,
          movable.map((r) => r.outer),
        )
      : undefined;
  if (move && cors.source) {
    const names = movable.map((r) => r.outer.name).join(', ');
    const list = cors.registration === 'constructor';
    findings.push({
      file: cors.source.file,
      line: cors.source.line,
      related: movable.map((r) => locationOf(r.source)),
      message: `CORSMiddleware (${corsAt}) runs inside ${names}: ${movable.map((r) => r.why).join('; ')}. ${list ? 'In a middleware=[...] list the first item is the outermost layer.' : 'In Starlette the middleware added last runs first.'}`,
      evidence: [order],
      fix: {
        summary: list
          ? `Put Middleware(CORSMiddleware, ...) first in the middleware list, so CORS answers preflights before ${names} runs.`
          : `Register CORSMiddleware after ${names} (move the add_middleware(CORSMiddleware, ...) call below it), so CORS answers preflights first.`,
        edits: move,
      },
    });
  }
  for (const { outer, why, source } of refusing) {
    if (move && movable.some((r) => r.outer === outer)) continue;
    const passThrough = letPreflightsThrough(outer);
    const body = outer.behaviour?.body?.first;
    const wrapper = outer.registration === 'wrap';
    const cannotMove = wrapper
      ? `it wraps the app object itself (${at(source)}), outside every middleware of the app's stack`
      : cors.registration === 'constructor' && outer.registration !== 'constructor'
        ? `it is added with add_middleware, which puts it outside every middleware of the constructor's list, CORSMiddleware (${corsAt}) included`
        : cors.nested || outer.nested
          ? `${cors.nested ? `CORSMiddleware (${corsAt})` : outer.name} is registered inside a function or a block`
          : cors.source?.file !== source.file
            ? `they are registered in different files (${corsAt}, ${at(source)})`
            : `CORSMiddleware (${corsAt}) is not registered the way ${outer.name} is`;
    findings.push({
      file: passThrough && body ? body.file : source.file,
      line: passThrough && body ? body.line : source.line,
      ...(passThrough &&
        body && { related: [locationOf(source), ...(cors.source ? [locationOf(cors.source)] : [])] }),
      message: `${outer.name} runs before CORSMiddleware (registered at ${corsAt}): ${why}. CORS cannot simply be moved outside it: ${cannotMove}.`,
      evidence: [order],
      fix: passThrough
        ? {
            summary: `Let CORS preflights (OPTIONS with Access-Control-Request-Method) through ${outer.name} to CORSMiddleware, at the top of its code; every other request still meets the check.`,
            edits: passThrough,
          }
        : {
            summary: `Make CORSMiddleware the outer layer of ${outer.name} (register it after it), or let OPTIONS requests through ${outer.name}, so CORS answers preflights first.`,
          },
    });
  }
  return findings;
}

/** nginx refuses requests without credentials before they reach the app, preflights included. */
function scanNginxCredentialGate(context: ProxyScanContext): FindingDraft[] {
  const config = asNginx(context.config);
  if (!config) return [];
  const findings: FindingDraft[] = [];
  for (const place of blocks(config.directives)) {
    if (!passesToApp(place.directive)) continue;
    const gate = credentialGate(place, config.directives);
    if (!gate) continue;
    // An OPTIONS answer runs first when it comes before an `if` gate, and always before auth_* (access phase).
    const options = optionsAnswer(place.directive);
    if (options && (gate.name !== 'if' || options.line < gate.line)) continue;
    const what = gate.name === 'if' ? `${directiveText(gate)} { return ... }` : directiveText(gate);
    findings.push({
      file: config.file,
      line: gate.line,
      message: `${what} refuses requests without credentials to ${directiveText(place.directive)} before the app sees them; a preflight never carries Authorization or cookies, so nginx answers it 401/403 without CORS headers and the browser blocks the request.`,
      fix: {
        summary:
          'Let OPTIONS through before the check (e.g. `if ($request_method = OPTIONS) { ... }` first, or `limit_except OPTIONS { auth_basic ...; }`), so the CORS layer answers preflights.',
      },
    });
  }
  return findings;
}
