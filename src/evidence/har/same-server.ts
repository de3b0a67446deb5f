/**
 * The page's other preflights to the same server, as the diagnostic exchanges of a request whose own
 * exchanges do not tell what the server's CORS layer does.
 *
 * For a request sent without a preflight and answered without Access-Control-Allow-Origin, `check` sends a
 * preflight of its own to ask the CORS layer directly: is there one, and does it allow this origin? A HAR
 * cannot send anything, but it may hold the answer already: the preflights the same page sent to the same
 * server for its other requests. They become that request's `diagnostic` exchanges, and the rules read them
 * as they read `check`'s. Nothing is assumed of an answer the HAR does not hold, and no cause is named here.
 */
import type { Exchange } from '../../core/exchange.js';
import { getHeader } from '../../model/header-list.js';
import type { RecordedFetch } from './requests.js';

/** At most this many preflights of the same server are added to one request. */
const MOST = 8;

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/** The page and the server a request goes to: preflights are read across the requests of one pair. */
const serverKey = (fetch: RecordedFetch): string => `${fetch.page.origin} ${originOf(fetch.page.url)}`;

/**
 * What the rules read of a preflight's answer: its status, which Access-Control-* headers it carries and
 * the origin it allows. Preflights alike in these tell the same, and one of each is kept.
 */
function shapeOf(x: Exchange): string {
  const headers = x.response?.headers ?? [];
  const names = headers
    .map(([n]) => n.toLowerCase())
    .filter((n) => n.startsWith('access-control-'))
    .sort();
  return JSON.stringify([
    x.response?.status,
    [...new Set(names)],
    getHeader(headers, 'Access-Control-Allow-Origin'),
  ]);
}

/**
 * `check` asks the CORS layer when the request went without a preflight and its answer has no
 * Access-Control-Allow-Origin (src/evidence/probe/probe.ts): the same requests get the HAR's answers.
 */
function asksTheLayer(fetch: RecordedFetch): boolean {
  if (fetch.exchanges.some((x) => x.kind === 'preflight')) return false;
  const actual = fetch.exchanges.find((x) => x.kind === 'actual' && x.response);
  return (
    actual?.response !== undefined &&
    getHeader(actual.response.headers, 'Access-Control-Allow-Origin') === null
  );
}

/** One recorded preflight of another request, as a diagnostic exchange. */
function asDiagnostic(x: Exchange, server: string): Exchange {
  const { hop: _hop, ...rest } = x;
  return {
    ...rest,
    kind: 'diagnostic',
    purpose: `another request of the page to ${server} (HAR entry ${x.recorded?.entry}): does the server's CORS layer answer its preflights, and does it allow this origin?`,
  };
}

/**
 * Each request that `check` would ask the CORS layer about gets, as its diagnostic exchanges, the answered
 * preflights the page sent to the same server for its other requests: one of each shape (status, CORS header
 * names, allowed origin), in the HAR's order, at most eight (the shapes that allow an origin kept first past
 * that). The others are returned as they are.
 */
export function withSameServerPreflights(fetches: RecordedFetch[]): RecordedFetch[] {
  // Per page and server, per shape, the first two preflights from different requests (one may be its own).
  const shapes = new Map<string, Map<string, Array<{ fetch: RecordedFetch; exchange: Exchange }>>>();
  for (const fetch of fetches) {
    const key = serverKey(fetch);
    const server = originOf(fetch.page.url);
    for (const x of fetch.exchanges) {
      if (x.kind !== 'preflight' || x.predicted || !x.recorded || !x.response) continue;
      if (originOf(x.request.url) !== server) continue;
      const byShape =
        shapes.get(key) ?? new Map<string, Array<{ fetch: RecordedFetch; exchange: Exchange }>>();
      shapes.set(key, byShape);
      const shape = shapeOf(x);
      const seen = byShape.get(shape) ?? [];
      if (seen.length < 2 && !seen.some((s) => s.fetch === fetch)) seen.push({ fetch, exchange: x });
      byShape.set(shape, seen);
    }
  }
  return fetches.map((fetch) => {
    const byShape = shapes.get(serverKey(fetch));
    if (!byShape || !asksTheLayer(fetch)) return fetch;
    const server = originOf(fetch.page.url) as string;
    const found = [...byShape.values()].flatMap((seen) => {
      const other = seen.find((s) => s.fetch !== fetch);
      return other ? [other.exchange] : [];
    });
    if (found.length === 0) return fetch;
    const allowing = found.filter((x) => getHeader(x.response?.headers ?? [], 'Access-Control-Allow-Origin'));
    const kept =
      found.length <= MOST
        ? found
        : [...allowing.slice(0, MOST), ...found.filter((x) => !allowing.includes(x))]
            .slice(0, MOST)
            .sort((a, b) => found.indexOf(a) - found.indexOf(b));
    return { ...fetch, exchanges: [...fetch.exchanges, ...kept.map((x) => asDiagnostic(x, server))] };
  });
}
