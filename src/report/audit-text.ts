import type { AuditFinding, AuditReport } from '../core/audit.js';
import { carriesMask, MASKED_CURL_NOTE } from './mask.js';
import { patchLines } from './scan-text.js';
import type { Style } from './style.js';

function findingLines(f: AuditFinding, style: Style): string[] {
  const paint = f.severity === 'error' ? style.red : f.severity === 'warning' ? style.yellow : style.cyan;
  const out = [
    `${paint(style.bold(f.code))} ${style.dim(`(${f.severity})`)}  from ${style.bold(f.origin)} ${f.credentials ? 'with cookies' : 'without cookies'}`,
    `  ${f.impact}`,
  ];
  for (const l of f.locations) out.push(`  ${style.bold('at')} ${style.cyan(`${l.file}:${l.line}`)}`);
  for (const e of f.evidence) out.push(`  ${style.dim('•')} ${e}`);
  if (f.fix) {
    out.push(`  ${style.bold('Fix:')} ${f.fix.summary}`);
    if (f.fix.patch) out.push(...patchLines(f.fix.patch, style));
    else if (f.fix.snippet) out.push(...f.fix.snippet.split('\n').map((l) => `      ${style.green(l)}`));
  }
  if (f.reproduce) {
    out.push(`  ${style.bold('Reproduce:')} ${f.reproduce}`);
    if (carriesMask(f.reproduce)) out.push(style.dim(`    (${MASKED_CURL_NOTE})`));
  }
  out.push(`  ${style.dim(`docs: docs/causes/${f.code}.md`)}`);
  return out;
}

/** The human report of `audit`: what was tried, each finding with its origin, impact, proof and curl. */
export function renderAudit(report: AuditReport, style: Style): string {
  const out: string[] = [];
  const through = report.probes.filter(
    (p) => p.allowOrigin === p.origin && !report.origins.includes(p.origin),
  );
  const origins = new Set(report.probes.map((p) => p.origin)).size;
  out.push(
    `${style.bold(`audit ${report.url}`)}  ${style.dim(`trusted: ${report.origins.join(', ')}`)}`,
    style.dim(
      `${report.probes.length} probes from ${origins} origins; ${new Set(through.map((p) => p.origin)).size} attacking origin(s) echoed in Access-Control-Allow-Origin`,
    ),
  );
  for (const f of report.findings) out.push('', ...findingLines(f, style));
  if (report.notes.length > 0) out.push('');
  for (const note of report.notes) out.push(style.cyan(note));
  if (report.project)
    out.push('', style.dim(`Source: ${report.project.root} (Starlette ${report.project.starletteVersion}).`));
  out.push('');
  const serious = report.findings.filter((f) => f.severity !== 'info').length;
  if (report.findings.length === 0)
    out.push(style.green('No finding: no attacking origin tried could read the API.'));
  else
    out.push(
      (serious > 0 ? style.red : style.cyan)(
        `${report.findings.length} finding(s), ${serious} of severity error or warning.`,
      ),
    );
  return out.join('\n');
}
