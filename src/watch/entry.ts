/**
 * One entry of `watch`: a preflight and the request that follows it (or one of them), judged by the
 * analysis core as the browser named by the User-Agent judges them. Pure.
 */
import { analyze } from '../analysis/analyze.js';
import type { Cause } from '../core/causes.js';
import type { Exchange, NetworkFailure } from '../core/exchange.js';
import type { PageFetch } from '../core/page.js';
import { pageScenario } from '../core/page.js';
import type { CheckReport } from '../core/report.js';
import { afterPreflight, firstRequest, nextRequest, preflightFor } from '../model/plan.js';
import { MAX_REDIRECTS } from '../model/redirect.js';
import type { BrowserName, Outcome, ServerAnswer, Stage } from '../model/types.js';
import { modelsFor, pageOf, type WatchedBrowser } from './page-of.js';

/** A cause as an entry shows it. */
export interface EntryCause {
  code: string;
  severity: string;
  summary: string;
  evidence: string[];
  locations: Array<{ file: string; line: number }>;
  fix?: { summary: string; patch?: string; snippet?: string };
  confirmedBy?: string;
}

/** One browser model's verdict on the entry. */
export interface EntryVerdict {
  outcome: Outcome;
  preflight: boolean;
  stage?: Stage;
  messages: string[];
  warnings: string[];
}

/** What the entry would be if the page sent it with `credentials: 'include'` (no cookie to send yet). */
export interface WithCredentials {
  outcome: Outcome;
  messages: string[];
  causes: EntryCause[];
}

/** One line of `exchanges.json` (docs/cli-contract.md, watch). */
export interface WatchEntry {
  id: number;
  /** When the first request of the entry reached the proxy (ISO 8601). */
  time: string;
  browser: WatchedBrowser;
  origin: string | null;
  method: string;
  /** The URL the browser fetched (the proxy's). */
  url: string;
  path: string;
  /** Judged only when true: a fetch() from another origin. */
  crossOrigin: boolean;
  /** The preflight and the request of the first hop. */
  preflight: Exchange | null;
  actual: Exchange | null;
  /** The exchanges after a redirect the browser followed through the proxy (`hop` 1, 2, ...). */
  redirects?: Exchange[];
  /** The status of the last answer the page got (502 when the proxy could not reach the target). */
  status: number | null;
  /** `pending`: the preflight passed and the request has not arrived yet; null: not judged. */
  outcome: Outcome | 'pending' | null;
  stage?: Stage;
  /** The browser's console lines (Chrome's when the browser is unknown). */
  messages: string[];
  warnings: string[];
  browsers: Partial<Record<BrowserName, EntryVerdict>>;
  /** `include` when a Cookie was sent; `unknown` otherwise (judged with the fetch default). */
  credentials: 'include' | 'unknown';
  withCredentials?: WithCredentials;
  causes: EntryCause[];
  notes: string[];
  /** The target did not answer: the proxy answered 502 itself. */
  targetError?: NetworkFailure;
}

/** What the proxy recorded for one entry. */
export interface EntryRecord {
  id: number;
  time: string;
  browser: WatchedBrowser;
  crossOrigin: boolean;
  /** Why the request is not judged, when it is not cross-origin. */
  why?: string;
  /** The browser's requests of this fetch() in order: preflight and request of each hop (`hop` set after a redirect). */
  exchanges: Exchange[];
  /** The target did not answer (the exchanges then hold the proxy's own 502). */
  targetError?: NetworkFailure;
  /** The browser was still expected to send a request when the pairing window ended. */
  expired?: boolean;
}

const hopOf = (x: Exchange) => x.hop ?? 0;
const preflightOf = (record: EntryRecord, hop = 0) =>
  record.exchanges.find((x) => x.kind === 'preflight' && hopOf(x) === hop);
const actualOf = (record: EntryRecord, hop = 0) =>
  record.exchanges.find((x) => x.kind === 'actual' && hopOf(x) === hop);

export function causeView(cause: Cause): EntryCause {
  return {
    code: cause.code,
    severity: cause.severity,
    summary: cause.summary,
    evidence: cause.evidence,
    locations: cause.locations,
    ...(cause.fix && {
      fix: {
        summary: cause.fix.summary,
        ...(cause.fix.patch !== undefined && { patch: cause.fix.patch }),
        ...(cause.fix.snippet !== undefined && { snippet: cause.fix.snippet }),
      },
    }),
    ...(cause.confirmedBy !== undefined && { confirmedBy: cause.confirmedBy }),
  };
}

const verdictView = (v: CheckReport['browsers'][BrowserName]): EntryVerdict | undefined =>
  v && {
    outcome: v.outcome,
    preflight: v.preflight,
    ...(v.stage !== undefined && { stage: v.stage }),
    messages: v.messages,
    warnings: v.warnings,
  };

/**
 * A preflight the browser did not send because its preflight cache allowed the request: the answer the cache
 * holds is taken to allow exactly this request (a browser sends a new preflight otherwise).
 */
function cachedPreflight(page: PageFetch, actual: Exchange): Exchange {
  const names = page.headers.map(([n]) => n.toLowerCase());
  return {
    kind: 'preflight',
    request: { method: 'OPTIONS', url: actual.request.url, headers: [['Origin', page.origin]] },
    response: {
      status: 204,
      statusText: 'No Content',
      headers: [
        ['Access-Control-Allow-Origin', page.origin],
        ...(page.credentials === 'include'
          ? [['Access-Control-Allow-Credentials', 'true'] as [string, string]]
          : []),
        ['Access-Control-Allow-Methods', page.method],
        ...(names.length > 0 ? [['Access-Control-Allow-Headers', names.join(', ')] as [string, string]] : []),
      ],
      bodyExcerpt: '',
    },
    ms: 0,
    predicted: {
      answeredBy: "the browser's preflight cache",
      explanation:
        'no preflight reached the proxy: the browser still held an earlier answer that allowed this request',
      statusAssumed: true,
      assumptions: ['the cached preflight answer allowed this method and these headers'],
      path: [],
    },
  };
}

/** What the browser sends next, as the browser model plans it from the exchanges so far. */
export type Expectation =
  | { done: true; leftProxy?: string }
  | { done: false; hop: number; url: string; method: string; kind: 'preflight' | 'actual' };

const answerOf = (x: Exchange): ServerAnswer => ({
  status: x.response?.status ?? 0,
  headers: x.response?.headers ?? [],
});

const sameUrl = (a: string, b: string): boolean => {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
};

/**
 * Walks the browser's plan along the recorded exchanges (the preflight and request of each hop): done when
 * the browser stops (a preflight it refuses, an answer that is not a redirect it follows, a redirect out
 * of the proxy), else the request it sends next. The exchanges list is completed with the preflight the
 * browser took from its cache when the plan needs one and none was sent.
 */
export function expectation(record: EntryRecord, page: PageFetch, browsers: BrowserName[]): Expectation {
  let planned = firstRequest(pageScenario(page));
  const proxyOrigin = new URL(page.url).origin;
  for (let hop = 0; hop <= MAX_REDIRECTS + 1; hop++) {
    const pre = preflightOf(record, hop);
    const act = actualOf(record, hop);
    const needsPreflight = preflightFor(planned, browsers) !== undefined;
    if (!pre && !act)
      return {
        done: false,
        hop,
        url: planned.url,
        method: planned.method,
        kind: needsPreflight ? 'preflight' : 'actual',
      };
    if (pre) {
      if (!pre.response) return { done: true };
      if (needsPreflight) {
        const after = afterPreflight(planned, answerOf(pre), browsers);
        if (!after.goesOn) return { done: true };
        planned = after.request;
      }
    } else if (needsPreflight && act && hop === 0) {
      record.exchanges.unshift(cachedPreflight(page, act));
    }
    if (!act) return { done: false, hop, url: planned.url, method: planned.method, kind: 'actual' };
    if (!act.response) return { done: true };
    const next = nextRequest(planned, answerOf(act), browsers);
    if (!next) return { done: true };
    if (new URL(next.url).origin !== proxyOrigin) return { done: true, leftProxy: next.url };
    planned = next;
  }
  return { done: true };
}

/** Whether `exchange` is the request `expected` names. */
export function isExpected(expected: Expectation, exchange: Exchange, requestMethod: string): boolean {
  return !expected.done && sameUrl(expected.url, exchange.request.url) && requestMethod === expected.method;
}

/** The exchanges with the proxy's 502 replaced by the target's failure: what the causes are named from. */
const asUnreachable = (exchanges: Exchange[], error: NetworkFailure): Exchange[] =>
  exchanges.map((x) => {
    if (x.response?.status !== 502 || x.predicted) return x;
    const { response: _proxyAnswer, ...rest } = x;
    return { ...rest, error };
  });

/** The verdict of the browser an entry is judged for: the named browser's, or, unknown, blocked if either blocks. */
function headline(report: CheckReport, browsers: BrowserName[]): EntryVerdict {
  const verdicts = browsers.map((b) => report.browsers[b]).filter((v) => v !== undefined);
  const blocking = verdicts.find((v) => v.outcome === 'blocked');
  const chosen = (blocking ?? verdicts[0]) as NonNullable<(typeof verdicts)[number]>;
  return verdictView(chosen) as EntryVerdict;
}

/** The analysis of a record: the page, the report, and what the browser still sends. */
export interface JudgedRecord {
  page: PageFetch;
  /** Absent while the browser still sends requests of this fetch(). */
  report?: CheckReport;
  expected: Expectation;
  /** The exchanges, with the preflight the browser took from its cache when it sent none. */
  exchanges: Exchange[];
}

/** The page's fetch() of a cross-origin record (`credentials` overrides the mode read from the wire). */
export function pageOfRecord(record: EntryRecord, credentials?: 'include'): PageFetch {
  const watched = pageOf(preflightOf(record), actualOf(record));
  return credentials ? { ...watched.page, credentials } : watched.page;
}

/** Judges a cross-origin record as the named browser would. */
export function judgeRecord(record: EntryRecord, credentials?: 'include'): JudgedRecord {
  const browsers = modelsFor(record.browser);
  const page = pageOfRecord(record, credentials);
  const copy: EntryRecord = { ...record, exchanges: [...record.exchanges] };
  const expected = expectation(copy, page, browsers);
  if (!expected.done) return { page, expected, exchanges: copy.exchanges };
  let report = analyze(page, copy.exchanges, browsers);
  if (record.targetError) {
    const named = analyze(page, asUnreachable(copy.exchanges, record.targetError), browsers);
    report = { ...report, causes: named.causes };
  }
  return { page, report, expected, exchanges: copy.exchanges };
}

const pathOf = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/** The entry of a record, judged (cross-origin) or listed (not cross-origin). */
export function buildEntry(record: EntryRecord, judged?: JudgedRecord): WatchEntry {
  const exchanges = judged ? judged.exchanges : record.exchanges;
  const first = exchanges[0] as Exchange;
  const last = exchanges[exchanges.length - 1] as Exchange;
  const preflight = exchanges.find((x) => x.kind === 'preflight' && hopOf(x) === 0);
  const actual = exchanges.find((x) => x.kind === 'actual' && hopOf(x) === 0);
  const origin = first.request.headers.find(([n]) => n.toLowerCase() === 'origin')?.[1] ?? null;
  const base: WatchEntry = {
    id: record.id,
    time: record.time,
    browser: record.browser,
    origin,
    method: actual?.request.method ?? judged?.page.method ?? first.request.method,
    url: first.request.url,
    path: pathOf(first.request.url),
    crossOrigin: record.crossOrigin,
    preflight: preflight ?? null,
    actual: actual ?? null,
    ...(exchanges.some((x) => hopOf(x) > 0) && { redirects: exchanges.filter((x) => hopOf(x) > 0) }),
    status: last.response?.status ?? null,
    outcome: null,
    messages: [],
    warnings: [],
    browsers: {},
    credentials: 'unknown',
    causes: [],
    notes: record.why ? [record.why] : [],
    ...(record.targetError && { targetError: record.targetError }),
  };
  if (!judged) return base;
  const { expected } = judged;
  const browsers = modelsFor(record.browser);
  base.credentials = judged.page.credentials === 'include' ? 'include' : 'unknown';
  if (!expected.done && !record.expired) {
    base.outcome = 'pending';
    return base;
  }
  const report = judged.report;
  if (!expected.done || !report) {
    if (!expected.done)
      base.notes.push(
        `The browser should have sent ${expected.kind === 'preflight' ? 'a preflight for ' : ''}${expected.method} ${expected.url} next, and nothing came within ${PAIR_WINDOW_S} s (the page may have cancelled it).`,
      );
    return base;
  }
  for (const b of browsers) {
    const v = verdictView(report.browsers[b]);
    if (v) base.browsers[b] = v;
  }
  const top = headline(report, browsers);
  base.outcome = top.outcome;
  if (top.stage !== undefined) base.stage = top.stage;
  base.messages = top.messages;
  base.warnings = top.warnings;
  base.causes = report.causes.map(causeView);
  base.notes.push(...report.notes);
  if (expected.leftProxy)
    base.notes.push(
      `The redirect leads to ${expected.leftProxy}, outside the proxy: the browser went there directly, and what it got there is not seen.`,
    );
  if (record.targetError)
    base.notes.push(
      `The proxy could not reach the target (${record.targetError.code}) and answered 502 itself, without CORS headers.`,
    );
  if (report.exchanges.some((x) => x.predicted))
    base.notes.push(
      'No preflight reached the proxy: the browser answered it from its preflight cache; judged as if the cached answer allowed this request.',
    );
  return base;
}

/** How long the browser's next request is waited for, in seconds (said in notes). */
export const PAIR_WINDOW_S = 3;

/**
 * The entry of a cross-origin record. Without a Cookie the credentials mode is unknown: the entry is judged
 * with the fetch default, and, when `credentials: 'include'` would change the verdict, says so in
 * `withCredentials`.
 */
export function judgeEntry(record: EntryRecord): { entry: WatchEntry; judged: JudgedRecord } {
  const judged = judgeRecord(record);
  if (record.expired && !judged.expected.done && judged.page.credentials !== 'include') {
    // The preflight passes for a request without credentials, and the browser sent nothing after it: with
    // `credentials: 'include'` the same preflight fails, which is why it stopped.
    const credentialed = judgeRecord(record, 'include');
    if (credentialed.expected.done) {
      const entry = buildEntry(record, credentialed);
      entry.notes.push(
        "No request followed the preflight: the page asked for credentials (credentials: 'include' or withCredentials), and the preflight fails for a request with credentials, so the browser stopped there.",
      );
      return { entry, judged: credentialed };
    }
  }
  const entry = buildEntry(record, judged);
  if (entry.credentials === 'unknown' && (entry.outcome === 'allowed' || entry.outcome === 'blocked')) {
    const other = buildEntry(record, judgeRecord(record, 'include'));
    if (
      (other.outcome === 'allowed' || other.outcome === 'blocked') &&
      (other.outcome !== entry.outcome ||
        other.messages.join('\n') !== entry.messages.join('\n') ||
        other.causes.map((c) => c.code).join() !== entry.causes.map((c) => c.code).join())
    ) {
      entry.withCredentials = { outcome: other.outcome, messages: other.messages, causes: other.causes };
    }
  }
  return { entry, judged };
}
