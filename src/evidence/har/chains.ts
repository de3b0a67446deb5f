/**
 * The HAR's entries put back together as the browser made them: each fetch/XHR with its preflight (Chrome
 * marks it `_resourceType: "preflight"` with `_initiator.url` naming the request; Firefox lists an OPTIONS
 * with `Access-Control-Request-Method`), then the requests each redirect led to, hop by hop.
 */
import type { HarRecord } from './entry.js';

/** One hop of a chain: the preflight (when one was sent) and the request (absent when it was never sent). */
export interface HarHop {
  preflight?: HarRecord;
  actual?: HarRecord;
}

/** One request of the page as the HAR holds it: the first hop, then one per redirect. */
export interface HarChain {
  hops: HarHop[];
}

const header = (record: HarRecord, name: string): string | undefined =>
  record.requestHeaders.find(([n]) => n.toLowerCase() === name)?.[1];

/** The URL a redirect answer sends the browser to, resolved against the request's URL. */
export function redirectTarget(record: HarRecord): string | undefined {
  if (record.status < 300 || record.status > 399) return undefined;
  const location = record.responseHeaders.find(([n]) => n.toLowerCase() === 'location')?.[1];
  if (location === undefined) return undefined;
  try {
    return new URL(location, record.url).href;
  } catch {
    return undefined;
  }
}

/** The URL without its fragment, as it goes on the wire and into a HAR. */
const wire = (url: string): string => url.split('#', 1)[0] as string;

/** The method a preflight asks for. */
const askedMethod = (preflight: HarRecord): string =>
  (header(preflight, 'access-control-request-method') ?? '').trim().toUpperCase();

/** When the entry was sent, in milliseconds, if its `startedDateTime` says. */
const sentAt = (record: HarRecord): number => Date.parse(record.startedDateTime);

/**
 * `a` is nearer `preflight` than `b`: in time, when the entries say when they were sent (an unrelated entry,
 * a favicon, may come between a request and its preflight in the file), else in the file.
 */
function nearer(a: HarRecord, b: HarRecord, preflight: HarRecord): boolean {
  const at = sentAt(preflight);
  const [ta, tb] = [sentAt(a), sentAt(b)];
  if (!Number.isNaN(at) && !Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb)
    return Math.abs(ta - at) < Math.abs(tb - at);
  return Math.abs(a.index - preflight.index) < Math.abs(b.index - preflight.index);
}

/**
 * Pairs each preflight with the request it precedes: Chrome's `_initiator` names its URL (and, when the HAR
 * has ids, the request's id); otherwise the same URL and the method it asks for. Of several candidates
 * (the same request made again and again), the nearest that has no preflight yet: in time, else in the file.
 */
function pairPreflights(fetches: HarRecord[], preflights: HarRecord[]): Map<HarRecord, HarRecord> {
  const paired = new Map<HarRecord, HarRecord>(); // actual -> preflight
  for (const preflight of preflights) {
    const url = wire(preflight.initiator?.type === 'preflight' ? (preflight.initiator.url ?? '') : '');
    const target = url || wire(preflight.url);
    const method = askedMethod(preflight);
    const byId = preflight.initiator?.requestId;
    let best: HarRecord | undefined;
    for (const candidate of fetches) {
      if (paired.has(candidate)) continue;
      if (byId !== undefined && candidate.requestId !== undefined) {
        if (candidate.requestId === byId) {
          best = candidate;
          break;
        }
        continue;
      }
      if (wire(candidate.url) !== target) continue;
      if (method && candidate.method.toUpperCase() !== method) continue;
      if (!best || nearer(candidate, best, preflight)) best = candidate;
    }
    if (best) paired.set(best, preflight);
  }
  return paired;
}

/**
 * Every fetch/XHR of the HAR as a chain of hops, in the order of the file. A preflight whose request is not
 * in the file (the browser stopped at it, and the exporter left the request out) is a chain of its own.
 */
export function buildChains(records: HarRecord[]): HarChain[] {
  const fetches = records.filter((r) => r.role === 'fetch');
  const preflights = records.filter((r) => r.role === 'preflight');
  const preflightOf = pairPreflights(fetches, preflights);
  const withRequest = new Set(preflightOf.values());
  const consumed = new Set<HarRecord>();
  const chains: Array<{ first: number; chain: HarChain }> = [];
  for (const [i, record] of fetches.entries()) {
    if (consumed.has(record)) continue;
    consumed.add(record);
    const hops: HarHop[] = [];
    let current: HarRecord | undefined = record;
    let position = i;
    while (current) {
      const preflight = preflightOf.get(current);
      hops.push({ ...(preflight && { preflight }), actual: current });
      const target = redirectTarget(current);
      if (!target || hops.length > 20) break;
      // The next hop: the first request after this one, at the target, not yet part of a chain.
      let next: HarRecord | undefined;
      for (let j = position + 1; j < fetches.length; j++) {
        const candidate = fetches[j] as HarRecord;
        if (!consumed.has(candidate) && wire(candidate.url) === wire(target)) {
          next = candidate;
          position = j;
          break;
        }
      }
      // A redirect whose target the browser never requested (blocked at the redirect) ends the chain.
      if (next) consumed.add(next);
      current = next;
    }
    const first = Math.min(
      ...hops.flatMap((h) => [h.preflight?.index ?? Infinity, h.actual?.index ?? Infinity]),
    );
    chains.push({ first, chain: { hops } });
  }
  for (const preflight of preflights) {
    if (!withRequest.has(preflight))
      chains.push({ first: preflight.index, chain: { hops: [{ preflight }] } });
  }
  return chains.sort((a, b) => a.first - b.first).map((c) => c.chain);
}

/** Every entry index of a chain, in order. */
export const chainEntries = (chain: HarChain): number[] =>
  chain.hops
    .flatMap((h) => [h.preflight?.index, h.actual?.index])
    .filter((i): i is number => i !== undefined)
    .sort((a, b) => a - b);
