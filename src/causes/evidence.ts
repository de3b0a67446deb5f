import type { Exchange, RecordedResponse } from '../core/exchange.js';
import { getHeader, hasCorsHeaders, hasHeader } from '../model/header-list.js';

import type { BrowserVerdict } from '../model/types.js';

/** Any `Access-Control-*` response header (shared with the probe). */
export { hasCorsHeaders };

import type { CheckEvidence } from './types.js';

export const preflightOf = (e: CheckEvidence): Exchange | undefined =>
  e.exchanges.find((x) => x.kind === 'preflight');
export const actualOf = (e: CheckEvidence): Exchange | undefined =>
  e.exchanges.find((x) => x.kind === 'actual');
/** The diagnostic request with this method, sent from the page's own origin (or without Origin). */
export const diagnosticOf = (e: CheckEvidence, method: string): Exchange | undefined =>
  e.exchanges.find(
    (x) =>
      x.kind === 'diagnostic' &&
      x.request.method === method &&
      (getHeader(x.request.headers, 'Origin') ?? e.page.origin) === e.page.origin,
  );

/**
 * A diagnostic request sent with another spelling of the page's origin (`http://localhost:3000/`) that the
 * server allowed: its allow-list holds that spelling, which no browser sends.
 */
export function allowedOriginSpelling(e: CheckEvidence): { exchange: Exchange; origin: string } | undefined {
  for (const x of e.exchanges) {
    const sent = getHeader(x.request.headers, 'Origin');
    if (x.kind !== 'diagnostic' || !x.response || sent === null || sent === e.page.origin) continue;
    if (allowOrigin(x.response) === sent) return { exchange: x, origin: sent };
  }
  return undefined;
}

/** The verdicts of the browsers checked. */
export const verdictsOf = (e: CheckEvidence): BrowserVerdict[] => e.browsers.map((b) => e.simulation[b]);

/** The first browser that blocks, Chrome first. */
export function firstBlocked(e: CheckEvidence): BrowserVerdict | undefined {
  return verdictsOf(e).find((v) => v.outcome === 'blocked');
}

export const blockedAt = (e: CheckEvidence, stage: 'preflight' | 'actual'): boolean =>
  firstBlocked(e)?.stage === stage;

export const allowOrigin = (r: RecordedResponse | undefined): string | null =>
  r ? getHeader(r.headers, 'Access-Control-Allow-Origin') : null;

/** Response header lines of CORS interest, as `Name: value` strings. */
export function corsHeaderLines(r: RecordedResponse): string[] {
  return r.headers.filter(([n]) => /^(access-control-|vary$)/i.test(n)).map(([n, v]) => `${n}: ${v}`);
}

/** `401 Unauthorized`, as an HTTP status line shows it. */
export const statusLine = (r: RecordedResponse): string =>
  `${r.status}${r.statusText ? ` ${r.statusText}` : ''}`;

/** What Starlette's CORSMiddleware refused, from its `Disallowed CORS origin, method, headers` body. */
export function starletteRefusal(r: RecordedResponse | undefined): Set<string> | undefined {
  if (r?.status !== 400) return undefined; // only Starlette's 400 carries the refusal
  const match = /^Disallowed CORS ([a-z, -]+)$/.exec(r.bodyExcerpt.trim());
  return match ? new Set((match[1] as string).split(',').map((s) => s.trim())) : undefined;
}

/** The software that answered, from the `Server` header (`uvicorn`, `nginx`, ...). */
export function serverSoftware(r: RecordedResponse | undefined): string | undefined {
  const server = r ? getHeader(r.headers, 'Server') : null;
  return server ? (server.split(/[/ ]/)[0] as string).toLowerCase() : undefined;
}

/** Does the backend look like Starlette/FastAPI behind uvicorn (so a CORSMiddleware fix applies)? */
export function looksLikeStarlette(e: CheckEvidence): boolean {
  return e.exchanges.some(
    (x) =>
      x.response &&
      (serverSoftware(x.response) === 'uvicorn' ||
        starletteRefusal(x.response) !== undefined ||
        /^\{"detail":/.test(x.response.bodyExcerpt)),
  );
}

export const hasHeaderLine = (r: RecordedResponse | undefined, name: string): boolean =>
  !!r && hasHeader(r.headers, name);

/** Reverse proxies and web servers that put their name in `Server`. */
const PROXIES = ['nginx', 'openresty', 'apache', 'caddy', 'traefik', 'envoy', 'haproxy', 'cloudflare'];

/** The proxy that answered, when the `Server` header names one. */
export function proxyName(r: RecordedResponse | undefined): string | undefined {
  const software = serverSoftware(r);
  return software && PROXIES.includes(software) ? software : undefined;
}

/**
 * The preflight was answered by the proxy itself: a proxy's `Server`, a 2xx with an empty body. An app's
 * router answers OPTIONS 405 with a body, and Starlette's CORS layer answers `200 OK` with the body `OK`
 * (or `400 Disallowed CORS ...`).
 */
export function proxyAnsweredPreflight(e: CheckEvidence): Exchange | undefined {
  const preflight = preflightOf(e);
  const r = preflight?.response;
  if (!r || !proxyName(r) || r.status < 200 || r.status > 299 || r.bodyExcerpt.trim() !== '')
    return undefined;
  return preflight;
}

/**
 * Responses that passed through a proxy and carry the traces of a CORS layer that allowed the origin
 * (Starlette writes `Vary: Origin` only next to the Access-Control-Allow-Origin it sets, and answers an
 * allowed preflight `200 OK` with Access-Control-Allow-Methods) but no Access-Control-Allow-Origin: the
 * proxy removed it.
 */
export function proxyStrippedAllowOrigin(e: CheckEvidence): Exchange[] {
  return e.exchanges.filter((x) => {
    const r = x.response;
    if (!r || !proxyName(r) || allowOrigin(r) !== null) return false;
    const varyOrigin = (getHeader(r.headers, 'Vary') ?? '')
      .split(/,\s*/)
      .some((v) => v.toLowerCase() === 'origin');
    const allowedPreflight =
      x.request.method === 'OPTIONS' &&
      r.status === 200 &&
      r.bodyExcerpt.trim() === 'OK' &&
      hasHeader(r.headers, 'Access-Control-Allow-Methods');
    return x.request.method === 'OPTIONS' ? allowedPreflight && varyOrigin : varyOrigin;
  });
}
