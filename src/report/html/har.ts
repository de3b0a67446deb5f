// A HAR report as HTML sections: the requests at a glance, each blocked request in full as a check report
// (what DevTools recorded, the sequence with the failing step, each browser's verdict, cause, patch) with
// what the HAR says of it and the command that replays it live; allowed and skipped requests as tables.
import type { HarReport, HarRequestReport } from '../../evidence/har/types.js';
import type { BrowserName } from '../../model/types.js';
import { BROWSER_LABELS } from '../simulate-text.js';
import { checkSections, checkTitle } from './check.js';
import { html, type Markup } from './markup.js';
import { curlCommands, outcomeBadge, section } from './parts.js';

const blocked = (r: HarRequestReport): boolean =>
  Object.values(r.browsers).some((v) => v.outcome === 'blocked');

const entriesText = (r: HarRequestReport): string => {
  const e = r.har.entries;
  const shown = e.length > 8 ? `${e.slice(0, 8).join(', ')}, …` : e.join(', ');
  return `entr${e.length === 1 ? 'y' : 'ies'} ${shown}`;
};

function recordedFacts(r: HarRequestReport): Markup {
  const c = r.har.credentials;
  const other =
    c.other &&
    Object.entries(c.other.browsers)
      .map(([b, v]) => `${BROWSER_LABELS[b as BrowserName] ?? b} ${v.outcome}`)
      .join(', ');
  const otherCauses = c.other?.causes.map((x) => x.code).join(', ');
  return html`<ul class="har-facts">
<li>Read from the HAR's ${entriesText(r)}${r.har.count > 1 ? html` (<strong>× ${r.har.count} identical requests</strong>)` : ''}${r.har.recordedBy ? `, recorded by ${BROWSER_LABELS[r.har.recordedBy]}` : ''}.</li>
<li>Page origin <code>${r.origin}</code>, from ${r.har.originFrom}.</li>
<li>Credentials <code>${c.judged}</code>: ${c.known ? c.why : html`<strong>mode unknown</strong>: ${c.why}`}.${!c.known && c.sameEitherWay ? ` Judged as ${c.judged} and as the other mode: the same verdict either way.` : ''}${!c.known && c.other ? ` With credentials ${c.other.credentials}: ${other}${otherCauses ? ` (${otherCauses})` : ''}.` : ''}</li>
${r.har.recordedOutcome && html`<li>What the recording shows: ${outcomeBadge(r.har.recordedOutcome)}</li>`}
</ul>`;
}

function requestRow(r: HarRequestReport): Markup {
  const verdicts = Object.entries(r.browsers).map(
    ([b, v], i) =>
      html`${i > 0 ? html`<br>` : ''}${BROWSER_LABELS[b as BrowserName] ?? b}: ${outcomeBadge(v.outcome, v.stage)}`,
  );
  return html`<tr><td><code>${checkTitle(r)}</code></td><td>${r.har.count}</td><td>${verdicts}</td><td>${r.causes.map((c, i) => html`${i > 0 ? ', ' : ''}<code>${c.code}</code>`)}</td></tr>`;
}

/** The sections of a HAR report, headings at `level`. */
export function harSections(report: HarReport, level: number): Markup {
  const failing = report.requests.filter(blocked);
  const allowed = report.requests.filter((r) => !blocked(r));
  const summary =
    report.requests.length === 0
      ? html`<span class="verdict warn">⚠ No cross-origin request was judged.</span>`
      : failing.length === 0
        ? html`<span class="verdict ok">✓ ${report.requests.length} cross-origin request(s), none blocked.</span>`
        : html`<span class="verdict bad">✗ ${failing.length} of ${report.requests.length} cross-origin request(s) blocked.</span>`;
  return html`<p class="meta">HAR ${report.version} written by ${report.creator}; ${report.entries} entries read.</p>
<p>${summary}</p>
${
  report.requests.length > 0 &&
  section(
    level,
    'Requests',
    html`<table><caption>Every cross-origin request judged (identical ones as one row).</caption>
<thead><tr><th scope="col">Request</th><th scope="col">Times</th><th scope="col">Verdict</th><th scope="col">Cause</th></tr></thead>
<tbody>${[...failing, ...allowed].map(requestRow)}</tbody></table>`,
  )
}
${failing.map((r, i) =>
  section(
    level,
    html`✗ Blocked: <code>${checkTitle(r)}</code>`,
    html`${recordedFacts(r)}
${checkSections(r, level + 1, `request-${i + 1}`)}
${curlCommands([r.har.replay], level + 1, 'Replay live with cors-doctor')}`,
  ),
)}
${
  allowed.length > 0 &&
  section(
    level,
    'Allowed requests',
    html`<ul>${allowed.map((r) => html`<li>✓ <code>${checkTitle(r)}</code>${r.har.count > 1 ? ` × ${r.har.count}` : ''} (${entriesText(r)}); replay: <code>${r.har.replay}</code></li>`)}</ul>`,
  )
}
${
  report.skipped.length > 0 &&
  section(
    level,
    'Not judged',
    html`<ul>${report.skipped.map((s) => html`<li>Entry ${s.entry}: <code>${s.url}</code>: ${s.why}</li>`)}</ul>`,
  )
}`;
}
