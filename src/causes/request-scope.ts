/**
 * What `scan` does with the request the frontend makes (`-X`, `-H`, `--credentials`, `--origin`): the
 * request is judged as a browser sends it, and a finding that it does not meet (a route's method, a header
 * another route reads, credentials the request does not send) is about other requests. Such a finding
 * stays, as a warning: the scan's verdict (an error or none) is the request's, the one `check --offline`
 * reaches for it.
 */
import { isCorsSafelistedMethod, normalizeMethod } from '../model/method.js';
import { firstRequest, preflightFor } from '../model/plan.js';
import { corsUnsafeRequestHeaderNames } from '../model/safelist.js';
import type { HeaderList } from '../model/types.js';
import type { MiddlewareEntry } from '../python/types.js';
import { readCorsConfig } from '../servers/config.js';
import { compileCors, corsPreflightAnswer, corsVersionFlags } from '../servers/starlette-cors.js';
import { starletteAllowsOrigin } from './static-values.js';
import type { FindingDraft, ScanContext } from './types.js';

export type ScanRequest = NonNullable<ScanContext['request']>;

/** A browser sends a preflight before this request (its method or a header is not CORS-safelisted). */
export function needsPreflight(request: ScanRequest): boolean {
  const method = normalizeMethod(request.method ?? 'GET');
  return !isCorsSafelistedMethod(method) || corsUnsafeRequestHeaderNames(request.headers).length > 0;
}

/** The preflight's header lines the browsers send for this request from `origin`, or undefined without one. */
export function preflightLines(request: ScanRequest, origin: string): HeaderList | undefined {
  const planned = firstRequest({
    origin,
    request: {
      url: request.url ?? 'http://localhost:8000/',
      method: request.method ?? 'GET',
      headers: request.headers,
      credentials: request.credentials ?? 'same-origin',
    },
  });
  return preflightFor(planned, ['chrome', 'firefox']);
}

/** What Starlette's CORSMiddleware refuses in a preflight: the parts of its `Disallowed CORS ...` answer. */
export type PreflightPart = 'origin' | 'method' | 'headers' | 'private-network';

/**
 * What CORSMiddleware (`entry`, as the source configures it) refuses in the preflight of the request from
 * each origin asked for (`[]`: it allows it; no origin asked for: the method and headers only). Undefined
 * when the request needs no preflight or the configuration is not statically known.
 */
export function refusedInPreflight(
  entry: MiddlewareEntry,
  context: Pick<ScanContext, 'request' | 'origins' | 'starletteVersion'>,
): PreflightPart[] | undefined {
  const { request } = context;
  if (!request || !needsPreflight(request)) return undefined;
  const reading = readCorsConfig(entry.options);
  if (!reading.known) return undefined;
  let cors: ReturnType<typeof compileCors>;
  try {
    cors = compileCors(reading.config, corsVersionFlags(context.starletteVersion));
  } catch {
    return undefined;
  }
  const origins = context.origins.length > 0 ? context.origins : [undefined];
  const refused = new Set<PreflightPart>();
  for (const origin of origins) {
    const lines = preflightLines(request, origin ?? 'http://localhost:3000');
    if (!lines) return undefined;
    for (const part of corsPreflightAnswer(cors, lines).failures) {
      if (part === 'origin' && origin === undefined) continue;
      refused.add(part as PreflightPart);
    }
  }
  return [...refused];
}

/**
 * With a request given, the origins asked for (`--origin`) that CORSMiddleware (`entry`) lets in, when it
 * lets every one in: a finding about its allowed origins then concerns other origins. Undefined otherwise.
 */
export function everyOriginAllowed(
  entry: MiddlewareEntry,
  context: Pick<ScanContext, 'request' | 'origins'>,
): string[] | undefined {
  const options = entry.options;
  if (!context.request || !options || context.origins.length === 0) return undefined;
  return context.origins.every((o) => starletteAllowsOrigin(options, o).allowed === true)
    ? context.origins
    : undefined;
}

/**
 * The finding, as one about other requests than the one given: a warning, saying why the request given
 * does not meet it. Info-level notes stay as they are.
 */
export function aboutOtherRequests(draft: FindingDraft, why: string): FindingDraft {
  if (draft.severity === 'info' || draft.severity === 'warning') return draft;
  return { ...draft, severity: 'warning', message: `${draft.message} Not met by the request given: ${why}.` };
}

/** The request in a few words, for messages: `PUT with authorization, content-type and credentials`. */
export function requestWords(request: ScanRequest): string {
  const method = normalizeMethod(request.method ?? 'GET');
  const sent = [
    ...corsUnsafeRequestHeaderNames(request.headers),
    ...(request.credentials === 'include' ? ['credentials'] : []),
  ];
  if (sent.length === 0) return method;
  const last = sent.pop() as string;
  return `${method} with ${sent.length > 0 ? `${sent.join(', ')} and ${last}` : last}`;
}
