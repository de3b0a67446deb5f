import type { Exchange } from '../core/exchange.js';
import type { CheckReport } from '../core/report.js';
import { curlCommand } from './curl.js';
import { carriesMask, MASKED_CURL_NOTE } from './mask.js';
import { patchLines } from './scan-text.js';
import { BROWSER_LABELS } from './simulate-text.js';
import type { Style } from './style.js';

const QUIET_REQUEST_HEADERS = ['user-agent', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'referer'];

function exchangeLines(x: Exchange, style: Style): string[] {
  const after = x.hop ? ` after redirect ${x.hop}` : '';
  const title = x.kind === 'diagnostic' ? `diagnostic (${x.purpose ?? 'extra probe'})` : `${x.kind}${after}`;
  const timing = x.predicted ? 'predicted' : `${x.ms.toFixed(1)} ms`;
  const lines = [`${style.bold(`▶ ${title}`)}  ${style.dim(timing)}`];
  lines.push(`  ${style.cyan(`${x.request.method} ${x.request.url}`)}`);
  for (const [name, value] of x.request.headers) {
    if (QUIET_REQUEST_HEADERS.includes(name.toLowerCase())) continue;
    lines.push(`  ${style.dim('>')} ${name}: ${value}`);
  }
  if (x.error) {
    lines.push(`  ${style.red(`✗ ${x.error.message}`)}`);
    return lines;
  }
  if (!x.response) return lines;
  const status = `${x.response.status} ${x.response.statusText}`.trim();
  const color = x.response.status < 300 ? style.green : x.response.status < 400 ? style.yellow : style.red;
  lines.push(`  ${style.dim('<')} ${color(status)}`);
  for (const [name, value] of x.response.headers) {
    const line = `${name}: ${value}`;
    lines.push(
      `  ${style.dim('<')} ${/^access-control-|^vary$/i.test(name) ? style.bold(style.magenta(line)) : style.dim(line)}`,
    );
  }
  const body = x.response.bodyExcerpt.trim();
  if (body)
    lines.push(`  ${style.dim('<')} ${style.dim(body.length > 200 ? `${body.slice(0, 200)}…` : body)}`);
  if (x.predicted) {
    lines.push(`  ${style.dim('=')} ${x.predicted.explanation}`);
    lines.push(`  ${style.dim('=')} ${style.dim(`path: ${x.predicted.path.join(' -> ')}`)}`);
    for (const a of x.predicted.assumptions) lines.push(`  ${style.dim('=')} ${style.dim(`assumed: ${a}`)}`);
  }
  return lines;
}

/** The human report of `check`: the exchange, each browser's verdict, the causes, the fix, curl. */
export function renderCheck(report: CheckReport, style: Style): string {
  const out: string[] = [];
  out.push(
    `${style.bold(`${report.request.method} ${report.url}`)}  ${style.dim(`from ${report.origin}, credentials: ${report.request.credentials}`)}`,
  );
  out.push('');
  if (report.offline) {
    const { app, proxy, starletteVersion, versionAssumed, versionSource } = report.offline;
    const version = `${starletteVersion}${versionAssumed && !versionSource ? ' (no version pinned: newest assumed)' : ''}`;
    out.push(
      style.cyan(
        `offline: every answer below is predicted from ${proxy ? `nginx (${proxy}) in front of ` : ''}${app} with the Starlette ${version} model, not received from a server.`,
      ),
    );
    if (versionSource) out.push(style.cyan(`Starlette ${starletteVersion}: ${versionSource}.`));
    out.push('');
  }
  for (const x of report.exchanges) out.push(...exchangeLines(x, style), '');
  for (const [browser, verdict] of Object.entries(report.browsers)) {
    const label = BROWSER_LABELS[browser as keyof typeof BROWSER_LABELS].padEnd(12);
    if (verdict.outcome === 'allowed') {
      out.push(`${style.green('✓')} ${style.bold(label)} ${style.green('allowed')}`);
    } else {
      out.push(`${style.red('✗')} ${style.bold(label)} ${style.red(`blocked at ${verdict.stage}`)}`);
    }
    for (const m of verdict.messages) out.push(`    ${style.red(m)}`);
    for (const w of verdict.warnings) out.push(`    ${style.yellow(`warning: ${w}`)}`);
  }
  for (const note of report.notes) out.push('', style.cyan(note));
  for (const cause of report.causes) {
    out.push('');
    const tag =
      cause.severity === 'error' ? style.red(style.bold(cause.code)) : style.yellow(style.bold(cause.code));
    out.push(`${style.bold('Cause:')} ${tag}  ${cause.summary}`);
    for (const l of cause.locations) out.push(`  ${style.bold('at')} ${style.cyan(`${l.file}:${l.line}`)}`);
    for (const ev of cause.evidence) out.push(`  ${style.dim('•')} ${ev}`);
    if (cause.fix) {
      out.push(`  ${style.bold('Fix:')} ${cause.fix.summary}`);
      if (cause.fix.patch) out.push(...patchLines(cause.fix.patch, style));
      else if (cause.fix.snippet)
        out.push(...cause.fix.snippet.split('\n').map((l) => `      ${style.green(l)}`));
    }
    out.push(`  ${style.dim(`docs: docs/causes/${cause.code}.md`)}`);
  }
  if (report.project) {
    const others = report.project.otherFindings.filter((f) => f.severity !== 'info');
    out.push(
      '',
      style.dim(
        `Source: ${report.project.apps} app(s) read in ${report.project.root} (Starlette ${report.project.starletteVersion}${report.project.versionSource && !report.offline ? `: ${report.project.versionSource}` : ''}).`,
      ),
    );
    if (others.length > 0) out.push(style.bold('Also found in the source (not hit by this request):'));
    for (const f of others)
      out.push(
        `  ${f.file}:${f.line} ${f.severity === 'error' ? style.red(f.code) : style.yellow(f.code)} ${f.message}`,
      );
  }
  if (report.causes.length === 0 && Object.values(report.browsers).some((v) => v.outcome === 'blocked')) {
    out.push(
      '',
      style.yellow(
        'No root cause could be named from this evidence alone; the exchanges above show what the browser saw.',
      ),
    );
  }
  const reproducible = report.exchanges.filter((x) => x.kind !== 'diagnostic');
  if (reproducible.length > 0) {
    const commands = reproducible.map((x) => curlCommand(x.request));
    out.push('', style.bold('Reproduce with curl:'));
    if (commands.some(carriesMask)) out.push(style.dim(`  (${MASKED_CURL_NOTE})`));
    for (const command of commands) out.push(`  ${command}`);
  }
  return out.join('\n');
}
