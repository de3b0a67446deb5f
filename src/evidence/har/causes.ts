/**
 * What a HAR shows beyond one request's own exchanges, for the causes a live check reads in places a HAR
 * does not keep:
 *
 * - A refused preflight's body. Starlette names its refusal there (`400 Disallowed CORS method`), and
 *   DevTools saves no preflight body; but the same answer carries the CORS layer's allow-lists
 *   (`Access-Control-Allow-Methods`, `Access-Control-Allow-Headers`). A method or header they do not list
 *   is the refusal, whatever server wrote them.
 * - The preflight `check` sends to ask the CORS layer directly when an answer has no CORS header at all.
 *   The HAR may hold the answer to that question already: another request of the same page to the same
 *   server (its preflight, its answers).
 *
 * Only what the recorded answers show is named: nothing is assumed of an answer the HAR does not hold.
 */
import type { Cause } from '../../core/causes.js';
import type { Exchange, RecordedResponse } from '../../core/exchange.js';
import type { CheckReport } from '../../core/report.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader, hasCorsHeaders, hasHeader } from '../../model/header-list.js';
import { normalizeMethod } from '../../model/method.js';

/** `400 Bad Request`, as a status line shows it. */
const statusLine = (r: RecordedResponse): string => `${r.status}${r.statusText ? ` ${r.statusText}` : ''}`;

const listOf = (value: string | null): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');

/** A method fetch() sends as written, in another case than its upper-case name (`patch`), or undefined. */
function unnormalisedMethod(method: string): string | undefined {
  const upper = method.toUpperCase();
  return normalizeMethod(method) === method && method !== upper ? upper : undefined;
}

/** Where the exchange is in the HAR, for evidence lines. */
const entryOf = (x: Exchange): string => (x.recorded ? `entry ${x.recorded.entry}: ` : '');

/** What a refused preflight's allow-lists do not hold of what it asked for. */
export interface AllowListRefusal {
  preflight: Exchange;
  response: RecordedResponse;
  /**
   * The method asked for, when `Access-Control-Allow-Methods` does not list it: not at all, or only inside
   * one item that holds a comma list (`joined`: Starlette's `allow_methods=["DELETE,GET"]`, its items
   * joined with `, `), or only in upper case (`upper`: the page wrote `'patch'`, which fetch() sends as
   * written).
   */
  method?: { asked: string; listed: string; joined?: string; upper?: string };
  /** The header names asked for that `Access-Control-Allow-Headers` does not list. */
  headers?: { missing: string[]; listed: string };
}

/**
 * The first recorded preflight that was refused (an error status) by a layer that wrote its
 * allow-lists (`Access-Control-Allow-Methods`): the method and header names it asked for that they lack.
 * Undefined when no refused preflight carries the lists, or when they list everything asked for.
 */
export function allowListRefusal(exchanges: Exchange[]): AllowListRefusal | undefined {
  for (const preflight of exchanges) {
    const response = preflight.response;
    // A refusal is an error status: a redirect is another story (preflight-redirected).
    if (preflight.kind !== 'preflight' || preflight.predicted || !response || response.status < 400) continue;
    const allowMethods = getHeader(response.headers, 'Access-Control-Allow-Methods');
    if (allowMethods === null) continue;
    const refusal: AllowListRefusal = { preflight, response };
    const asked = getHeader(preflight.request.headers, 'Access-Control-Request-Method')?.trim() ?? '';
    const methods = listOf(allowMethods);
    // Starlette's own items, as it joins them: what it compares the method with.
    const items = allowMethods.split(/,\s+/).map((m) => m.trim());
    const starlette = response.status === 400 && hasHeader(response.headers, 'Access-Control-Max-Age');
    const upper = unnormalisedMethod(asked);
    if (asked === '' || methods.includes('*')) {
      // Every method, or none asked.
    } else if (!methods.includes(asked)) {
      refusal.method = {
        asked,
        listed: allowMethods,
        ...(upper && methods.includes(upper) && { upper }),
      };
    } else if (starlette && !items.includes(asked)) {
      const joined = items.find((i) => listOf(i).includes(asked));
      refusal.method = { asked, listed: allowMethods, ...(joined && { joined }) };
    }
    const allowHeaders = getHeader(response.headers, 'Access-Control-Allow-Headers');
    const names = listOf(allowHeaders).map((n) => n.toLowerCase());
    const missing = listOf(getHeader(preflight.request.headers, 'Access-Control-Request-Headers'))
      .map((n) => n.toLowerCase())
      .filter((n) => !names.includes(n));
    if (allowHeaders !== null && !names.includes('*') && missing.length > 0)
      refusal.headers = { missing, listed: allowHeaders };
    if (refusal.method || refusal.headers) return refusal;
  }
  return undefined;
}

const BODY_NOT_KEPT =
  'the HAR keeps no body for this preflight (DevTools saves none), where Starlette writes "Disallowed CORS ...": the allow-lists of the same answer say what was refused';

function methodCause(report: CheckReport, r: AllowListRefusal): Cause {
  const { asked, listed, joined, upper } = r.method as NonNullable<AllowListRefusal['method']>;
  const asking = `${entryOf(r.preflight)}OPTIONS ${r.preflight.request.url} asked for ${asked} -> ${statusLine(r.response)} with Access-Control-Allow-Methods: ${listed}`;
  const unkept = r.response.bodyExcerpt.trim() === '' ? [BODY_NOT_KEPT] : [];
  if (upper) {
    return {
      code: 'frontend-request-invalid',
      severity: 'error',
      summary: `The page calls fetch() with method '${asked}', which the browser sends in lower case; servers compare methods case-sensitively and list ${upper}. Fix it in the frontend: method: '${upper}'.`,
      evidence: [
        `fetch() sent the method as written: Access-Control-Request-Method: ${asked} (only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased)`,
        `${asking}: the server allows ${upper}, and ${asked} is another method`,
        ...unkept,
      ],
      locations: [],
      fix: {
        summary: `In the frontend's fetch() (or XMLHttpRequest.open) call, write the method in upper case: method: '${upper}'. No backend change fixes this.`,
      },
    };
  }
  const evidence = [
    joined
      ? `${asking}: "${joined}" is one item holding a comma list (Starlette joins its items with ", " and compares ${asked} with each item whole)`
      : `${asking}, which does not contain ${asked}`,
    ...unkept,
  ];
  if (listed === 'GET') evidence.push("GET alone is Starlette's default allow_methods");
  return {
    code: 'method-not-allowed',
    severity: 'error',
    summary: `The preflight does not allow the method ${asked}.`,
    evidence,
    locations: [],
    fix: {
      summary: joined
        ? `Write each method as an item of its own: allow_methods=[${listOf(joined)
            .map((m) => `"${m}"`)
            .join(', ')}].`
        : `Add "${asked}" to the methods the CORS layer allows (allow_methods in Starlette and FastAPI, whose default is GET only).`,
      snippet: snippetFor(report),
    },
  };
}

function headersCause(report: CheckReport, r: AllowListRefusal): Cause {
  const { missing, listed } = r.headers as NonNullable<AllowListRefusal['headers']>;
  const names = missing.join(', ');
  const evidence = [
    `${entryOf(r.preflight)}OPTIONS ${r.preflight.request.url} asked for ${names} -> ${statusLine(r.response)} with Access-Control-Allow-Headers: ${listed}, which does not contain ${names}`,
  ];
  if (r.response.bodyExcerpt.trim() === '') evidence.push(BODY_NOT_KEPT);
  return {
    code: 'header-not-allowed',
    severity: 'error',
    summary: `The preflight does not allow the request header${missing.length > 1 ? 's' : ''} ${names}.`,
    evidence,
    locations: [],
    fix: {
      summary: `Add ${missing.map((n) => `"${n}"`).join(', ')} to the headers the CORS layer allows (allow_headers in Starlette and FastAPI).`,
      snippet: snippetFor(report),
    },
  };
}

const snippetFor = (report: CheckReport): string =>
  corsMiddlewareSnippet({
    origin: report.origin,
    method: report.request.method,
    headers: report.request.headers,
    credentials: report.request.credentials,
    answered: report.exchanges,
  });

/** What the page's exchanges with a server say of its CORS layer, and the exchanges that show it. */
export interface SameServerReading {
  layer: 'refuses' | 'none';
  shown: Exchange[];
}

/**
 * What the other exchanges of the page with the same server say of an answer without any CORS header:
 * `refuses` when a CORS layer answers there but never allows the page's origin (a preflight answered with
 * Access-Control-Allow-Methods and no Access-Control-Allow-Origin, or CORS headers on every answer but never
 * the origin), `none` when no answer of that server carries a CORS header and a preflight got the answer a
 * server without a CORS layer gives (200, 204, 405), undefined when they do not tell.
 */
export function sameServerLayer(others: Exchange[]): SameServerReading | undefined {
  const answered = others.filter((x) => x.response && !x.predicted);
  if (answered.length === 0) return undefined;
  const allowOrigin = (x: Exchange) => getHeader(x.response?.headers ?? [], 'Access-Control-Allow-Origin');
  // A layer that allows this origin somewhere: this answer missing it is another story (an error page, a
  // route outside the layer), which the answers here do not tell.
  if (answered.some((x) => allowOrigin(x) !== null)) return undefined;
  const withCors = answered.filter((x) => hasCorsHeaders(x.response?.headers ?? []));
  const refusedPreflight = withCors.filter(
    (x) =>
      x.kind === 'preflight' && getHeader(x.response?.headers ?? [], 'Access-Control-Allow-Methods') !== null,
  );
  if (refusedPreflight.length > 0) return { layer: 'refuses', shown: refusedPreflight.slice(0, 2) };
  if (withCors.length > 0) return { layer: 'refuses', shown: withCors.slice(0, 2) };
  const options = answered.filter(
    (x) => x.kind === 'preflight' && [200, 204, 405].includes(x.response?.status ?? 0),
  );
  if (options.length > 0) return { layer: 'none', shown: options.slice(0, 2) };
  return undefined;
}

const corsLines = (r: RecordedResponse): string =>
  r.headers
    .filter(([n]) => /^access-control-/i.test(n))
    .map(([n, v]) => `${n}: ${v}`)
    .join('; ');

function sameServerCause(
  report: CheckReport,
  sameServer: () => SameServerReading | undefined,
): Cause | undefined {
  const actual = report.exchanges.find((x) => x.kind === 'actual' && x.response);
  const response = actual?.response;
  if (!actual || !response || hasCorsHeaders(response.headers)) return undefined;
  if (report.exchanges.some((x) => x.kind === 'preflight')) return undefined;
  const told = sameServer();
  if (!told) return undefined;
  const own = `${entryOf(actual)}${actual.request.method} ${actual.request.url} -> ${statusLine(response)} with no CORS header at all`;
  const server = new URL(report.url).origin;
  if (told.layer === 'none') {
    return {
      code: 'no-cors-middleware',
      severity: 'error',
      summary:
        'The server has no CORS layer: no answer of it in the HAR carries a CORS header, and its preflights get the answer of a server without one. Every browser blocks the page from reading its responses.',
      evidence: [
        own,
        ...told.shown.map(
          (x) =>
            `${entryOf(x)}OPTIONS ${x.request.url} (another request of the page to ${server}) -> ${statusLine(x.response as RecordedResponse)} with no Access-Control-Allow-* header${x.response?.status === 405 ? ' (405: the router answered the preflight, no CORS layer did)' : ''}`,
        ),
      ],
      locations: [],
      fix: {
        summary:
          'Add a CORS layer for the page origin (in FastAPI: app.add_middleware(CORSMiddleware, ...)).',
        snippet: snippetFor(report),
      },
    };
  }
  return {
    code: 'origin-not-allowed',
    severity: 'error',
    summary: `The server's CORS configuration does not allow the origin ${report.origin}: a CORS layer answers the page's requests to ${server}, and never with Access-Control-Allow-Origin for it.`,
    evidence: [
      own,
      ...told.shown.map(
        (x) =>
          `${entryOf(x)}${x.request.method} ${x.request.url} (another request of the page to ${server}) -> ${statusLine(x.response as RecordedResponse)}: a CORS layer answered (${corsLines(x.response as RecordedResponse)}) but sent no Access-Control-Allow-Origin for ${report.origin}`,
      ),
    ],
    locations: [],
    fix: {
      summary: `Add "${report.origin}" to the allowed origins (allow_origins, exactly, with no trailing slash). If the list comes from an environment variable, check how it is split (check --project DIR reads it).`,
      snippet: snippetFor(report),
    },
  };
}

/** Chrome's words for a request it refused itself, not for a server that never answered. */
const REFUSED_BY_BROWSER = /^net::ERR_(FAILED|BLOCKED_BY_CLIENT|BLOCKED_BY_RESPONSE)$/;

/** Why Chrome refused it, as far as its failure text says. */
function refusedWhy(error: string): string {
  if (error === 'net::ERR_BLOCKED_BY_CLIENT')
    return 'an extension (an ad or privacy blocker) or a browser policy blocked it before it was sent: not CORS, and the server never saw it; try again with extensions off';
  if (error === 'net::ERR_BLOCKED_BY_RESPONSE')
    return "Chrome refused the answer for its Cross-Origin-Resource-Policy (or the page's Cross-Origin-Embedder-Policy), and the HAR keeps no answer";
  return 'the HAR keeps no answer for it (status 0, no headers), yet the server may well have answered: Chrome records a server that does not answer as ERR_CONNECTION_REFUSED, ERR_NAME_NOT_RESOLVED or the like. Which CORS check failed is not in the HAR: replay the request live';
}

/**
 * A request Chrome refused itself (`net::ERR_FAILED`, an extension's block) whose answer the HAR does not
 * keep (status 0, no headers: the export lost it, or it was never sent): not a server that never answered.
 * Which check failed cannot be told from it: no cause, and a note that says what Chrome's words mean.
 */
function answerNotKept(report: CheckReport): CheckReport | undefined {
  const unanswered = report.exchanges.filter((x) => !x.response && x.kind !== 'diagnostic');
  if (
    unanswered.length === 0 ||
    !unanswered.every((x) => REFUSED_BY_BROWSER.test(x.recorded?.browserError ?? '')) ||
    !report.causes.some((c) => c.code === 'server-unreachable')
  )
    return undefined;
  const what = unanswered.map(
    (x) => `${x.kind === 'preflight' ? 'the preflight' : x.request.method} (entry ${x.recorded?.entry})`,
  );
  const error = unanswered[0]?.recorded?.browserError ?? '';
  return {
    ...report,
    causes: report.causes.filter((c) => c.code !== 'server-unreachable'),
    notes: [...report.notes, `Chrome refused ${what.join(' and ')} (${error}): ${refusedWhy(error)}.`],
  };
}

const blockedIn = (report: CheckReport): boolean =>
  Object.values(report.browsers).some((v) => v.outcome === 'blocked');

/**
 * The report with the causes the HAR shows beyond the rules' reading of one request's exchanges: the
 * method or headers a refused preflight's allow-lists lack (and no longer "something outside the CORS
 * layer" for an answer that carries those lists), else, for an answer without any CORS header, what the
 * page's exchanges with the same server say of its CORS layer (`sameServer`, read only when needed).
 */
export function withRecordedCauses(
  report: CheckReport,
  sameServer: () => SameServerReading | undefined,
): CheckReport {
  if (!blockedIn(report)) return report;
  const unkept = answerNotKept(report);
  if (unkept) return unkept;
  const named = new Set(report.causes.map((c) => c.code));
  const added: Cause[] = [];
  const refusal = allowListRefusal(report.exchanges);
  if (refusal?.method && !named.has('method-not-allowed') && !named.has('frontend-request-invalid'))
    added.push(methodCause(report, refusal));
  if (refusal?.headers && !named.has('header-not-allowed')) added.push(headersCause(report, refusal));
  let causes = report.causes;
  // The refused preflight carries the CORS layer's own lists: that layer answered it, nothing in front.
  const layerAnswered = report.exchanges.some(
    (x) =>
      x.kind === 'preflight' &&
      x.response?.status === 400 &&
      getHeader(x.response.headers, 'Access-Control-Allow-Methods') !== null,
  );
  if (layerAnswered && (added.length > 0 || named.has('origin-not-allowed')))
    causes = causes.filter((c) => c.code !== 'preflight-rejected');
  if (added.length === 0 && !causes.some((c) => c.severity === 'error')) {
    const fromServer = sameServerCause(report, sameServer);
    if (fromServer) added.push(fromServer);
  }
  if (added.length === 0 && causes === report.causes) return report;
  return { ...report, causes: [...causes, ...added] };
}
