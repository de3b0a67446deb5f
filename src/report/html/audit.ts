// An audit report as HTML sections: the probes and what each origin got, the findings each proven by an
// origin that got through, with impact, evidence, patch and the curl command that reproduces it.
import type { AuditFinding, AuditReport } from '../../core/audit.js';
import { heading, html, type Markup } from './markup.js';
import {
  curlCommands,
  evidenceList,
  fixBlock,
  locationsList,
  section,
  severityBadge,
  severityClass,
} from './parts.js';

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

function findingItem(f: AuditFinding, level: number): Markup {
  return html`<div class="item ${severityClass(f.severity)}">
${heading(level, html`${severityBadge(f.severity)} <code>${f.code}</code>: <code>${f.origin}</code> gets through ${f.credentials ? 'with cookies' : 'without cookies'}`)}
<p>${f.impact}</p>
${locationsList(f.locations)}
${f.evidence.length > 0 && html`<p><strong>Evidence</strong></p>${evidenceList(f.evidence)}`}
${f.fix && fixBlock(f.fix, level + 1)}
${f.reproduce && curlCommands([f.reproduce], level + 1, 'Reproduce with curl')}
<p class="meta">Documentation: <code>docs/causes/${f.code}.md</code></p>
</div>`;
}

/** The sections of an audit report, headings at `level`. */
export function auditSections(report: AuditReport, level: number): Markup {
  const serious = report.findings.filter((f) => f.severity !== 'info').length;
  const through = report.probes.filter((p) => p.allowOrigin !== undefined && p.allowOrigin === p.origin);
  const origins = new Set(report.probes.map((p) => p.origin)).size;
  const ms = report.probes.reduce((sum, p) => sum + p.ms, 0);
  const verdict =
    report.findings.length === 0
      ? html`<span class="verdict ok">✓ No finding: no attacking origin tried could read the API.</span>`
      : html`<span class="verdict ${serious > 0 ? 'bad' : 'info'}">${serious > 0 ? '✗' : 'ℹ'} ${report.findings.length} finding(s), ${serious} of severity error or warning.</span>`;
  return html`<p class="meta">Trusted origins: ${report.origins.map((o, i) => html`${i > 0 ? ', ' : ''}<code>${o}</code>`)}. ${report.probes.length} probes from ${origins} origins (${ms.toFixed(0)} ms of round trips); ${new Set(through.map((p) => p.origin)).size} origin(s) echoed in Access-Control-Allow-Origin.</p>
<p>${verdict}</p>
${report.project && html`<p class="meta">Source: <code>${report.project.root}</code> (Starlette ${report.project.starletteVersion}).</p>`}
${section(
  level,
  'Findings',
  report.findings.length === 0 ? html`<p>None.</p>` : report.findings.map((f) => findingItem(f, level + 1)),
)}
${report.notes.length > 0 && section(level, 'Notes', html`<ul>${report.notes.map((n) => html`<li>${n}</li>`)}</ul>`)}
${section(
  level,
  'Probes',
  html`<table><caption>Each origin sent, with or without a dummy cookie, and what the server answered.</caption>
<thead><tr><th scope="col">Origin sent</th><th scope="col">Cookie</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Access-Control-Allow-Origin</th><th scope="col">Allow-Credentials</th><th scope="col">ms</th></tr></thead>
<tbody>${report.probes.map(
    (p) =>
      html`<tr><td><code>${p.origin}</code></td><td>${yesNo(p.credentials)}</td><td>${p.kind}</td><td>${p.status === 0 ? 'no answer' : p.status}</td><td>${p.allowOrigin === undefined ? '(none)' : html`<code>${p.allowOrigin}</code>`}${p.allowOrigin !== undefined && p.allowOrigin === p.origin ? ' (echoed)' : ''}</td><td>${yesNo(p.allowCredentials)}</td><td>${p.ms.toFixed(1)}</td></tr>`,
  )}</tbody></table>`,
)}`;
}
