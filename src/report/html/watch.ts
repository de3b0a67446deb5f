// A snapshot of `watch` as HTML sections: the exchanges seen so far in a table, each blocked one in full as
// a check (the sequence with the failing step, each browser's console lines, cause and patch), the others
// in a list. It reads entries in the shape of `exchanges.json` (docs/cli-contract.md, watch).
import type { Cause } from '../../core/causes.js';
import type { Exchange, NetworkFailure } from '../../core/exchange.js';
import type { BrowserName, BrowserVerdict, Outcome, Stage } from '../../model/types.js';
import { BROWSER_LABELS } from '../simulate-text.js';
import { type CheckView, checkSections } from './check.js';
import { html, type Markup } from './markup.js';
import { outcomeBadge, section } from './parts.js';

/** One entry of `exchanges.json`: a preflight and the request that follows it, as `watch` judged them. */
export interface WatchedExchange {
  id: number;
  time: string;
  browser: BrowserName | 'unknown';
  origin: string | null;
  method: string;
  url: string;
  path: string;
  crossOrigin: boolean;
  preflight: Exchange | null;
  actual: Exchange | null;
  redirects?: Exchange[];
  status: number | null;
  outcome: Outcome | 'pending' | null;
  stage?: Stage;
  messages: string[];
  browsers: Partial<Record<BrowserName, Omit<BrowserVerdict, 'reason' | 'exposedHeaders'>>>;
  credentials: 'include' | 'unknown';
  causes: Array<Omit<Cause, 'code' | 'severity'> & { code: string; severity: string }>;
  notes: string[];
  targetError?: NetworkFailure;
}

/** An entry as a check: what the sections of a check read. */
export function entryAsCheck(entry: WatchedExchange): CheckView {
  const exchanges = [entry.preflight, entry.actual, ...(entry.redirects ?? [])].filter(
    (x): x is Exchange => x !== null,
  );
  return {
    url: entry.url,
    origin: entry.origin ?? '(no Origin header)',
    request: {
      method: entry.method,
      headers: entry.actual?.request.headers ?? [],
      // `unknown`: no cookie was sent, judged with fetch()'s default.
      credentials: entry.credentials === 'include' ? 'include' : 'same-origin',
    },
    browsers: entry.browsers,
    exchanges,
    // The entry's causes are the analysis core's, as JSON.
    causes: entry.causes as Cause[],
    notes: entry.notes,
  };
}

function verdictOf(entry: WatchedExchange): Markup {
  if (!entry.crossOrigin) return html`<span class="meta">not judged (same origin)</span>`;
  if (entry.outcome === 'pending') return html`<span class="verdict info">… waiting for the request</span>`;
  if (entry.outcome === null) return html`<span class="meta">not judged</span>`;
  return outcomeBadge(entry.outcome, entry.stage);
}

const who = (entry: WatchedExchange): string =>
  entry.browser === 'unknown' ? 'unknown browser' : BROWSER_LABELS[entry.browser];

/** The sections of a snapshot of `watch`, headings at `level`. */
export function watchSections(entries: WatchedExchange[], target: string, level: number): Markup {
  const blocked = entries.filter((e) => e.crossOrigin && e.outcome === 'blocked');
  const summary =
    entries.length === 0
      ? html`<span class="verdict info">ℹ No exchange seen yet.</span>`
      : blocked.length === 0
        ? html`<span class="verdict ok">✓ ${entries.length} exchange(s), none blocked.</span>`
        : html`<span class="verdict bad">✗ ${blocked.length} of ${entries.length} exchange(s) blocked.</span>`;
  return html`<p class="meta">Exchanges between the page and <code>${target}</code> through the watching proxy, oldest first.</p>
<p>${summary}</p>
${
  entries.length > 0 &&
  section(
    level,
    'Exchanges',
    html`<table><caption>One row per fetch(): its preflight and request together.</caption>
<thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Browser</th><th scope="col">Request</th><th scope="col">Status</th><th scope="col">Verdict</th><th scope="col">Cause</th></tr></thead>
<tbody>${entries.map(
      (e) =>
        html`<tr><td>${e.id}</td><td>${e.time}</td><td>${who(e)}</td><td><code>${e.method} ${e.path}</code>${e.origin && html`<br><span class="meta">from <code>${e.origin}</code></span>`}</td><td>${e.status ?? '—'}${e.targetError ? html` (target unreachable: ${e.targetError.message})` : ''}</td><td>${verdictOf(e)}</td><td>${e.causes.map((c, i) => html`${i > 0 ? ', ' : ''}<code>${c.code}</code>`)}</td></tr>`,
    )}</tbody></table>`,
  )
}
${blocked.map((e) =>
  section(
    level,
    html`✗ #${e.id} blocked: <code>${e.method} ${e.url}</code>`,
    html`<p class="meta">${e.time}, ${who(e)}.</p>
${checkSections(entryAsCheck(e), level + 1, `entry-${e.id}`)}`,
  ),
)}`;
}
