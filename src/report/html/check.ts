// A check report as HTML sections: the verdicts, the sequence of exchanges with the failing step marked,
// each browser's console lines, the causes with evidence and patch, the exchanges in full, curl commands.
import type { Exchange } from '../../core/exchange.js';
import type { CheckReport } from '../../core/report.js';
import type { BrowserName, BrowserVerdict } from '../../model/types.js';
import { BROWSER_LABELS } from '../simulate-text.js';
import { heading, html, type Markup } from './markup.js';
import { causeItem, curlBlock, headersTable, outcomeBadge, section, severityBadge } from './parts.js';
import { type SequenceDiagram, type SequenceMessage, sequenceSvg } from './sequence.js';

/**
 * What the sections read of a check: a check report, or anything with its shape (a HAR request, a watched
 * exchange), the Fetch standard's verdict not needed.
 */
export type CheckView = Omit<CheckReport, 'spec'>;

const QUIET_REQUEST_HEADERS = ['user-agent', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'referer'];

const headerValue = (headers: Exchange['request']['headers'], name: string): string | undefined =>
  headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

function urlParts(url: string): { origin: string; path: string } {
  try {
    const u = new URL(url);
    return { origin: u.origin, path: `${u.pathname}${u.search}` };
  } catch {
    return { origin: url, path: url };
  }
}

const label = (browser: string): string => BROWSER_LABELS[browser as BrowserName] ?? browser;

/** Which exchange a blocked browser stopped at (its index in `exchanges`), or -1 when none was recorded. */
export function failingExchange(exchanges: Exchange[], verdict: BrowserVerdict): number {
  const last = (test: (x: Exchange) => boolean) => {
    for (let i = exchanges.length - 1; i >= 0; i--) if (test(exchanges[i] as Exchange)) return i;
    return -1;
  };
  if (verdict.stage === 'network') return last((x) => x.error !== undefined);
  if (verdict.stage === 'redirect')
    return last((x) => x.response !== undefined && x.response.status >= 300 && x.response.status < 400);
  if (verdict.stage === 'preflight') return last((x) => x.kind === 'preflight');
  if (verdict.stage === 'actual') return last((x) => x.kind === 'actual');
  return -1;
}

function requestMessage(x: Exchange, server: string): SequenceMessage {
  const { origin, path } = urlParts(x.request.url);
  const where = origin === server ? path : x.request.url;
  const redirect = x.hop ? `after redirect ${x.hop}: ` : '';
  if (x.kind === 'preflight') {
    const acrh = headerValue(x.request.headers, 'Access-Control-Request-Headers');
    const acrm = headerValue(x.request.headers, 'Access-Control-Request-Method');
    return {
      from: 'browser',
      to: 'server',
      label: `${redirect}preflight: OPTIONS ${where}`,
      detail: `Request-Method: ${acrm ?? '?'}${acrh ? `, Request-Headers: ${acrh}` : ''}`,
    };
  }
  const sentOrigin = headerValue(x.request.headers, 'Origin');
  return {
    from: 'browser',
    to: 'server',
    label: `${redirect}request: ${x.request.method} ${where}`,
    ...(sentOrigin !== undefined && { detail: `Origin: ${sentOrigin}` }),
  };
}

function answerMessage(x: Exchange): SequenceMessage {
  if (x.error || !x.response)
    return {
      from: 'server',
      to: 'browser',
      label: `no answer${x.error ? ` (${x.error.code})` : ''}`,
      ...(x.error && { detail: x.error.message }),
    };
  const { status, statusText, headers } = x.response;
  const acao = headerValue(headers, 'Access-Control-Allow-Origin');
  const location = status >= 300 && status < 400 ? headerValue(headers, 'Location') : undefined;
  return {
    from: 'server',
    to: 'browser',
    label: `answer: ${status} ${statusText}${x.predicted ? ' (predicted)' : ''}`.trim(),
    detail:
      location !== undefined
        ? `Location: ${location}`
        : acao !== undefined
          ? `Allow-Origin: ${acao}`
          : 'no Access-Control-Allow-Origin',
  };
}

/** The diagram of a check: fetch(), each preflight and request with its answer, what the page gets. */
export function checkSequence(report: CheckView, id: string): SequenceDiagram {
  const server = urlParts(report.url).origin;
  const exchanges = report.exchanges.filter((x) => x.kind !== 'diagnostic');
  const verdicts = Object.entries(report.browsers) as Array<[BrowserName, BrowserVerdict]>;
  const messages: SequenceMessage[] = [
    {
      from: 'page',
      to: 'browser',
      label: `fetch(): ${report.request.method} ${urlParts(report.url).path}`,
      detail: `credentials: ${report.request.credentials}`,
    },
  ];
  const answerAt = new Map<number, number>();
  exchanges.forEach((x, i) => {
    messages.push(requestMessage(x, server));
    answerAt.set(i, messages.length);
    messages.push(answerMessage(x));
  });
  const blocked = verdicts.filter(([, v]) => v.outcome === 'blocked');
  const allowed = verdicts.filter(([, v]) => v.outcome === 'allowed');
  const end: SequenceMessage =
    blocked.length === 0
      ? { from: 'browser', to: 'page', label: 'the page reads the answer', mark: '✓' }
      : allowed.length === 0
        ? { from: 'browser', to: 'page', label: 'fetch() rejects with a TypeError', mark: '✗' }
        : {
            from: 'browser',
            to: 'page',
            label: `${allowed.map(([b]) => label(b)).join(', ')}: readable; ${blocked.map(([b]) => label(b)).join(', ')}: TypeError`,
            mark: '✗',
          };
  messages.push(end);
  const cause = report.causes.find((c) => c.severity === 'error') ?? report.causes[0];
  const byMessage = new Map<number, string[]>();
  for (const [browser, verdict] of blocked) {
    // A stage with no recorded exchange (nothing was sent): the failure shows where the page gets it.
    const at = answerAt.get(failingExchange(exchanges, verdict)) ?? messages.length - 1;
    byMessage.set(at, [...(byMessage.get(at) ?? []), label(browser)]);
  }
  for (const [at, browsers] of byMessage) {
    const m = messages[at] as SequenceMessage;
    m.failed = `blocked here by ${browsers.join(' and ')}${cause ? `: ${cause.code}` : ''}`;
  }
  const { origin: pageOrigin } = report;
  const browserNames = verdicts.map(([b]) => label(b)).join(', ') || 'Browser';
  return {
    id,
    parties: {
      page: { title: 'Page', subtitle: pageOrigin },
      browser: { title: browserNames, subtitle: 'browser model' },
      server: { title: report.offline ? 'Server (predicted)' : 'Server', subtitle: server },
    },
    messages,
  };
}

function summary(report: CheckView): Markup {
  const verdicts = Object.entries(report.browsers) as Array<[BrowserName, BrowserVerdict]>;
  return html`<ul class="summary">${verdicts.map(
    ([b, v]) => html`<li><strong>${label(b)}</strong>: ${outcomeBadge(v.outcome, v.stage)}</li>`,
  )}</ul>`;
}

function browserItem(browser: BrowserName, verdict: BrowserVerdict, level: number): Markup {
  return html`<div class="item ${verdict.outcome === 'allowed' ? 'ok' : 'bad'}">
${heading(level, html`${label(browser)}: ${outcomeBadge(verdict.outcome, verdict.stage)}`)}
<p class="meta">Preflight ${verdict.preflight ? 'sent' : 'not sent'}${verdict.reason ? html`; reason <code>${verdict.reason}</code>` : ''}.</p>
${verdict.messages.length > 0 && html`<p>Console errors (exact text):</p><pre class="console"><code>${verdict.messages.join('\n')}</code></pre>`}
${verdict.warnings.length > 0 && html`<p>Console warnings:</p><pre class="warnings"><code>${verdict.warnings.join('\n')}</code></pre>`}
${verdict.messages.length === 0 && verdict.warnings.length === 0 && html`<p>No console error.</p>`}
</div>`;
}

function exchangeItem(x: Exchange, level: number): Markup {
  const after = x.hop ? ` after redirect ${x.hop}` : '';
  const title =
    x.kind === 'diagnostic' ? `Diagnostic probe (${x.purpose ?? 'extra probe'})` : `${x.kind}${after}`;
  const timing = x.predicted ? 'predicted' : `${x.ms.toFixed(1)} ms`;
  const requestHeaders = x.request.headers.filter(([n]) => !QUIET_REQUEST_HEADERS.includes(n.toLowerCase()));
  const body = x.response?.bodyExcerpt.trim() ?? '';
  return html`<div class="item">
${heading(level, html`${title[0]?.toUpperCase()}${title.slice(1)}: <code>${x.request.method} ${x.request.url}</code>`)}
<p class="meta">${timing}</p>
${headersTable(requestHeaders, 'Request headers')}
${x.request.body !== undefined && html`<p>Request body:</p><pre><code>${x.request.body}</code></pre>`}
${x.error && html`<p><span class="verdict bad">✗ no answer</span> ${x.error.message} (<code>${x.error.code}</code>)</p>`}
${x.response && html`<p>Answer: <strong>${`${x.response.status} ${x.response.statusText}`.trim()}</strong></p>${headersTable(x.response.headers, 'Response headers (CORS headers in bold)')}`}
${body && html`<p>Body (first bytes):</p><pre><code>${body.length > 200 ? `${body.slice(0, 200)}…` : body}</code></pre>`}
${x.predicted && html`<p>${x.predicted.explanation}</p><p class="meta">Path: ${x.predicted.path.join(' → ')}</p>${x.predicted.assumptions.length > 0 && html`<ul>${x.predicted.assumptions.map((a) => html`<li>assumed: ${a}</li>`)}</ul>`}`}
</div>`;
}

function projectSection(report: CheckView, level: number): Markup {
  if (!report.project) return html``;
  const p = report.project;
  const others = p.otherFindings.filter((f) => f.severity !== 'info');
  return section(
    level,
    'Source',
    html`<p>${p.apps} app(s) read in <code>${p.root}</code> (Starlette ${p.starletteVersion}${p.versionSource && !report.offline ? `: ${p.versionSource}` : ''}).</p>
${others.length > 0 && html`<p>Also found in the source (not hit by this request):</p><ul>${others.map((f) => html`<li>${severityBadge(f.severity)} <code>${f.file}:${f.line}</code> <code>${f.code}</code> ${f.message}</li>`)}</ul>`}`,
  );
}

/**
 * The sections of a check report, their headings at `level` (2 for a page of one check). `id` makes the
 * ids of the page unique when several checks share it.
 */
export function checkSections(report: CheckView, level: number, id: string): Markup {
  const verdicts = Object.entries(report.browsers) as Array<[BrowserName, BrowserVerdict]>;
  const blocked = verdicts.some(([, v]) => v.outcome === 'blocked');
  const offline = report.offline;
  const reproducible = report.exchanges.filter((x) => x.kind !== 'diagnostic');
  return html`<p class="meta">From <code>${report.origin}</code>, credentials: <code>${report.request.credentials}</code></p>
${summary(report)}
${offline && html`<p class="meta">Offline: every answer below is predicted from ${offline.proxy ? `nginx (${offline.proxy}) in front of ` : ''}<code>${offline.app}</code> with the Starlette ${offline.starletteVersion} model${offline.versionAssumed && !offline.versionSource ? ' (no version pinned: newest assumed)' : ''}, not received from a server.${offline.versionSource ? ` Starlette ${offline.starletteVersion}: ${offline.versionSource}.` : ''}</p>`}
${section(
  level,
  'Sequence',
  html`<figure>${sequenceSvg(checkSequence(report, `${id}-sequence`))}
<figcaption>Each arrow is one message, in order from top to bottom. A failed step is drawn dashed and marked ✗ with what failed; ✓ marks an answer the page can read.</figcaption></figure>`,
)}
${section(
  level,
  'Browsers',
  verdicts.map(([b, v]) => browserItem(b, v, level + 1)),
)}
${report.notes.length > 0 && section(level, 'Notes', html`<ul>${report.notes.map((n) => html`<li>${n}</li>`)}</ul>`)}
${
  report.causes.length > 0
    ? section(
        level,
        report.causes.length === 1 ? 'Cause' : 'Causes',
        report.causes.map((c) => causeItem(c, level + 1)),
      )
    : blocked &&
      section(
        level,
        'Cause',
        html`<p>No root cause could be named from this evidence alone; the exchanges show what the browser saw.</p>`,
      )
}
${projectSection(report, level)}
${section(
  level,
  'Exchanges',
  report.exchanges.map((x) => exchangeItem(x, level + 1)),
)}
${curlBlock(
  reproducible.map((x) => x.request),
  level,
)}`;
}

/** The title of a check (its h1 or the heading of one request in a longer report). */
export const checkTitle = (report: CheckView): string => `${report.request.method} ${report.url}`;
