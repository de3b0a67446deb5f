// The human report of `har`: one block per cross-origin request (identical ones as one), blocked first in
// full (the recorded exchange, each browser's verdict and console line, the cause and fix, the command that
// replays it live), allowed ones in one line each.
import type { Exchange } from '../core/exchange.js';
import type { CheckReport } from '../core/report.js';
import type { HarReport, HarRequestReport } from '../evidence/har/types.js';
import type { BrowserName } from '../model/types.js';
import { shellQuote } from './curl.js';
import { carriesMask, MASKED_CURL_NOTE } from './mask.js';
import { patchLines } from './scan-text.js';
import { BROWSER_LABELS } from './simulate-text.js';
import type { Style } from './style.js';

/** A `cors-doctor check` command that sends this request live, as the page did. */
export function replayCommand(report: CheckReport, body?: string, cookie?: string): string {
  const parts = ['cors-doctor', 'check', shellQuote(report.url), '--origin', shellQuote(report.origin)];
  const method = report.request.method;
  if (method !== (body !== undefined ? 'POST' : 'GET')) parts.push('-X', shellQuote(method));
  for (const [name, value] of report.request.headers) parts.push('-H', shellQuote(`${name}: ${value}`));
  if (body !== undefined) parts.push('--data', shellQuote(body));
  if (report.request.credentials !== 'same-origin') parts.push('--credentials', report.request.credentials);
  if (cookie !== undefined && report.request.credentials === 'include')
    parts.push('--cookie', shellQuote(cookie));
  return parts.join(' ');
}

const blocked = (r: CheckReport): boolean => Object.values(r.browsers).some((v) => v.outcome === 'blocked');

const entriesText = (r: HarRequestReport): string => {
  const e = r.har.entries;
  const shown = e.length > 8 ? `${e.slice(0, 8).join(', ')}, …` : e.join(', ');
  return `entr${e.length === 1 ? 'y' : 'ies'} ${shown}`;
};

/** The recorded exchange in a few lines: request line, status, the CORS headers of the answer. */
function exchangeLines(x: Exchange, style: Style): string[] {
  const after = x.hop ? ` after redirect ${x.hop}` : '';
  const lines = [
    `  ${style.bold(`▶ ${x.kind}${after}`)}  ${style.cyan(`${x.request.method} ${x.request.url}`)}`,
  ];
  for (const [name, value] of x.request.headers) {
    if (/^(origin|access-control-request-.*|authorization|content-type|cookie)$/i.test(name))
      lines.push(`    ${style.dim('>')} ${name}: ${value}`);
  }
  if (x.error) {
    lines.push(`    ${style.red(`✗ ${x.error.message}`)}`);
    return lines;
  }
  if (!x.response) return lines;
  const status = `${x.response.status} ${x.response.statusText}`.trim();
  const color = x.response.status < 300 ? style.green : x.response.status < 400 ? style.yellow : style.red;
  lines.push(`    ${style.dim('<')} ${color(status)}`);
  const cors = x.response.headers.filter(([n]) => /^access-control-|^vary$|^location$/i.test(n));
  for (const [name, value] of cors) lines.push(`    ${style.dim('<')} ${style.magenta(`${name}: ${value}`)}`);
  if (cors.length === 0) lines.push(`    ${style.dim('<')} ${style.dim('(no Access-Control-* header)')}`);
  const body = x.response.bodyExcerpt.trim();
  if (body)
    lines.push(`    ${style.dim('<')} ${style.dim(body.length > 120 ? `${body.slice(0, 120)}…` : body)}`);
  return lines;
}

function verdictLines(r: HarRequestReport, style: Style): string[] {
  const out: string[] = [];
  for (const [browser, verdict] of Object.entries(r.browsers)) {
    const label = BROWSER_LABELS[browser as BrowserName].padEnd(12);
    if (verdict.outcome === 'allowed')
      out.push(`  ${style.green('✓')} ${style.bold(label)} ${style.green('allowed')}`);
    else out.push(`  ${style.red('✗')} ${style.bold(label)} ${style.red(`blocked at ${verdict.stage}`)}`);
    for (const m of verdict.messages) out.push(`      ${style.red(m)}`);
  }
  return out;
}

function credentialsLines(r: HarRequestReport, style: Style): string[] {
  const c = r.har.credentials;
  if (c.known) return [];
  const lines = [`  ${style.yellow('credentials mode unknown:')} ${c.why}.`];
  if (c.sameEitherWay) {
    lines.push(`  ${style.dim(`Judged as ${c.judged} and as the other mode: the same verdict either way.`)}`);
  } else if (c.other) {
    const verdicts = Object.entries(c.other.browsers)
      .map(([b, v]) => `${BROWSER_LABELS[b as BrowserName]} ${v.outcome}`)
      .join(', ');
    const causes = c.other.causes.map((x) => x.code).join(', ');
    lines.push(
      `  ${style.yellow(`Above: credentials ${c.judged}. With credentials ${c.other.credentials}: ${verdicts}${causes ? ` (${causes})` : ''}.`)}`,
    );
  }
  return lines;
}

function blockedBlock(r: HarRequestReport, style: Style): string[] {
  const times = r.har.count > 1 ? `  ${style.yellow(`× ${r.har.count} identical`)}` : '';
  const out = [
    `${style.red('✗')} ${style.bold(`${r.request.method} ${r.url}`)}  ${style.dim(`from ${r.origin} (${r.har.originFrom}), ${entriesText(r)}`)}${times}`,
  ];
  for (const x of r.exchanges) out.push(...exchangeLines(x, style));
  out.push(...verdictLines(r, style));
  out.push(...credentialsLines(r, style));
  for (const note of r.notes) out.push(`  ${style.cyan(note)}`);
  for (const cause of r.causes) {
    const tag =
      cause.severity === 'error' ? style.red(style.bold(cause.code)) : style.yellow(style.bold(cause.code));
    out.push(`  ${style.bold('Cause:')} ${tag}  ${cause.summary}`);
    for (const l of cause.locations) out.push(`    ${style.bold('at')} ${style.cyan(`${l.file}:${l.line}`)}`);
    for (const ev of cause.evidence) out.push(`    ${style.dim('•')} ${ev}`);
    if (cause.fix) {
      out.push(`    ${style.bold('Fix:')} ${cause.fix.summary}`);
      if (cause.fix.patch) out.push(...patchLines(cause.fix.patch, style).map((l) => `  ${l}`));
      else if (cause.fix.snippet)
        out.push(...cause.fix.snippet.split('\n').map((l) => `        ${style.green(l)}`));
    }
  }
  if (r.causes.length === 0)
    out.push(`  ${style.yellow('No root cause could be named from the recorded exchanges alone.')}`);
  out.push(`  ${style.bold('Replay live:')} ${r.har.replay}`);
  const missing = r.notes.some((n) => n.startsWith('The HAR leaves out the value of'));
  if (missing)
    out.push(
      `  ${style.dim('(the HAR does not hold the value of every header: write the real one in place of ***)')}`,
    );
  else if (carriesMask(r.har.replay)) out.push(`  ${style.dim(`(${MASKED_CURL_NOTE})`)}`);
  return out;
}

function allowedLine(r: HarRequestReport, style: Style): string {
  const times = r.har.count > 1 ? ` × ${r.har.count}` : '';
  const warned = Object.values(r.browsers).some((v) => v.warnings.length > 0);
  const note =
    r.har.credentials.other !== undefined
      ? style.yellow(`  (with credentials ${r.har.credentials.other.credentials}: blocked)`)
      : '';
  return `${style.green('✓')} ${r.request.method} ${r.url}  ${style.dim(`from ${r.origin}, ${entriesText(r)}${times}`)}  ${style.green('allowed')}${warned ? style.yellow(' (with warnings)') : ''}${note}`;
}

/** The text report of `har`. */
export function renderHar(report: HarReport, style: Style): string {
  const judged = report.requests.reduce((n, r) => n + r.har.count, 0);
  const failing = report.requests.filter(blocked);
  const failed = failing.reduce((n, r) => n + r.har.count, 0);
  const out = [
    style.bold(
      `${report.file}: HAR ${report.version}${report.creator ? ` from ${report.creator}` : ''}, ${report.entries} entries, ${judged} cross-origin fetch/XHR request${judged === 1 ? '' : 's'}, ${failed} blocked`,
    ),
    style.dim(
      'Recorded, not sent: every verdict below is the browser model judging the answers the HAR holds.',
    ),
  ];
  for (const r of failing) out.push('', ...blockedBlock(r, style));
  const allowed = report.requests.filter((r) => !blocked(r));
  if (allowed.length > 0) out.push('');
  for (const r of allowed) out.push(allowedLine(r, style));
  const skipped = report.skipped.filter((s) => s.why !== 'same-origin');
  if (skipped.length > 0) {
    out.push('', style.dim('Not judged:'));
    for (const s of skipped.slice(0, 20)) out.push(style.dim(`  entry ${s.entry} ${s.url}: ${s.why}`));
    if (skipped.length > 20) out.push(style.dim(`  … and ${skipped.length - 20} more`));
  }
  if (judged === 0)
    out.push('', style.yellow('No cross-origin fetch/XHR request in this HAR: nothing to judge.'));
  return out.join('\n');
}
