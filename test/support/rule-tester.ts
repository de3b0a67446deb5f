// A rule tester in the style of ESLint's RuleTester: one rule, a table of cases that must name its cause
// (invalid) and cases that must not (valid), each built from exchanges as a gatherer records them. No
// server runs: the exchanges are written out, and the browser model judges them as `check` does.
import { describe, expect, it } from 'vitest';
import { checkEvidence } from '../../src/analysis/analyze.js';
import { detectWith, diagnose } from '../../src/causes/index.js';
import type { CauseRule } from '../../src/causes/types.js';
import type { Cause } from '../../src/core/causes.js';
import type { Exchange, ExchangeKind } from '../../src/core/exchange.js';
import type { PageFetch } from '../../src/core/page.js';
import type { BrowserName, HeaderList } from '../../src/model/types.js';

/** One recorded exchange, written briefly: defaults fill the request from the page. */
export interface ExchangeSpec {
  kind: ExchangeKind;
  /** Default: OPTIONS for a preflight, else the page's method. */
  method?: string;
  /** Default: the page's URL. */
  url?: string;
  /** Request header lines. Default: `Origin` (the page's) and, for a preflight, its request headers. */
  requestHeaders?: HeaderList;
  hop?: number;
  purpose?: string;
  /** The answer; absent with `error`. */
  status?: number;
  statusText?: string;
  headers?: HeaderList;
  body?: string;
  /** A network failure instead of an answer. */
  error?: { code: string; message: string };
  /** Read from a HAR whose browser recorded this failure text (`net::ERR_FAILED`). */
  browserError?: string;
}

export interface RuleCase {
  name: string;
  /** The page's fetch(); defaults: GET http://localhost:8000/items from http://localhost:3000, same-origin. */
  page?: Partial<PageFetch>;
  exchanges: ExchangeSpec[];
  browsers?: BrowserName[];
}

export interface InvalidCase extends RuleCase {
  /** What the cause must say: a pattern its summary matches, facts among its evidence. */
  summary?: RegExp;
  evidence?: RegExp;
  severity?: Cause['severity'];
  /** The cause is also reported by `diagnose`, with every rule run (not superseded by another). Default true. */
  reported?: boolean;
}

export const PAGE: PageFetch = {
  url: 'http://localhost:8000/items',
  origin: 'http://localhost:3000',
  method: 'GET',
  headers: [],
  credentials: 'same-origin',
};

function recorded(page: PageFetch, spec: ExchangeSpec): Exchange {
  const method = spec.method ?? (spec.kind === 'preflight' ? 'OPTIONS' : page.method.toUpperCase());
  const requestHeaders: HeaderList = spec.requestHeaders ?? [
    ...(spec.kind === 'preflight'
      ? ([['Access-Control-Request-Method', page.method.toUpperCase()]] as HeaderList)
      : []),
    ['Origin', page.origin],
  ];
  return {
    kind: spec.kind,
    ...(spec.hop !== undefined && spec.hop > 0 && { hop: spec.hop }),
    ...(spec.purpose !== undefined && { purpose: spec.purpose }),
    ...(spec.browserError !== undefined && {
      recorded: { source: 'har' as const, entry: 0, browserError: spec.browserError },
    }),
    request: { method, url: spec.url ?? page.url, headers: requestHeaders },
    ...(spec.error
      ? { error: spec.error }
      : {
          response: {
            status: spec.status ?? 200,
            statusText: spec.statusText ?? '',
            headers: spec.headers ?? [],
            bodyExcerpt: spec.body ?? '',
          },
        }),
    ms: 1,
  };
}

/** The evidence a case describes, judged by the browser model as `check` judges it. */
export function evidenceOf(c: RuleCase) {
  const page: PageFetch = { ...PAGE, ...c.page };
  return checkEvidence(
    page,
    c.exchanges.map((x) => recorded(page, x)),
    c.browsers ?? ['chrome', 'firefox'],
  );
}

/** Runs a rule's table: every invalid case names the rule's cause, no valid case does. */
export function testRule(rule: CauseRule, table: { invalid: InvalidCase[]; valid: RuleCase[] }): void {
  describe(`rule ${rule.code}`, () => {
    it('has cases that name its cause and cases that do not', () => {
      expect(table.invalid.length).toBeGreaterThan(0);
      expect(table.valid.length).toBeGreaterThan(0);
    });
    it.each(table.invalid.map((c) => [c.name, c] as const))('names it: %s', (_name, c) => {
      const evidence = evidenceOf(c);
      const cause = detectWith(rule, evidence);
      expect(cause?.code).toBe(rule.code);
      if (c.severity) expect(cause?.severity).toBe(c.severity);
      if (c.summary) expect(cause?.summary).toMatch(c.summary);
      if (c.evidence) expect(cause?.evidence.join('\n')).toMatch(c.evidence);
      if (c.reported !== false) expect(diagnose(evidence).map((x) => x.code)).toContain(rule.code);
    });
    it.each(table.valid.map((c) => [c.name, c] as const))('does not name it: %s', (_name, c) => {
      expect(detectWith(rule, evidenceOf(c))).toBeUndefined();
    });
  });
}
