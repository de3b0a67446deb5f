// A scan report as HTML sections: what was read, each app's middleware stack, the findings with their
// places, evidence and patches, what could not be seen, and the summary line.
import pc from 'picocolors';
import type { Finding } from '../../core/causes.js';
import type { ScanReport } from '../../core/report.js';
import { drawStack } from '../scan-text.js';
import { heading, html, type Markup } from './markup.js';
import { evidenceList, fixBlock, section, severityBadge, severityClass } from './parts.js';

const PLAIN = pc.createColors(false);

function findingItem(f: Finding, root: string, level: number): Markup {
  const at = f.file === '.' ? root : `${f.file}:${f.line}`;
  return html`<div class="item ${severityClass(f.severity)}">
${heading(level, html`${severityBadge(f.severity)} <code>${f.code}</code> at <code>${at}</code>`)}
<p>${f.message}</p>
${f.app && html`<p class="meta">App created at <code>${f.app}</code>.</p>`}
${f.related && f.related.length > 0 && html`<p class="meta">Also: ${f.related.map((r, i) => html`${i > 0 ? ', ' : ''}<code>${r.file}:${r.line}</code>`)}</p>`}
${evidenceList(f.evidence ?? [])}
${f.fix && fixBlock(f.fix, level + 1)}
<p class="meta">Documentation: <code>docs/causes/${f.code}.md</code></p>
</div>`;
}

function summaryLine(report: ScanReport): string {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  const incomplete = report.findings.some((f) => f.code === 'scan-incomplete');
  if (errors + warnings > 0)
    return `${errors} error(s), ${warnings} warning(s).${incomplete ? ' The scan is incomplete (scan-incomplete): what it could not see may hide more.' : ''}`;
  const unseen = report.unseen.files.length + report.unseen.outsideLinks.length;
  return unseen > 0
    ? `No CORS problem found in what was read (${unseen} not read or not followed: listed below).`
    : 'No CORS problem found.';
}

/** The sections of a scan report, headings at `level`. */
export function scanSections(report: ScanReport, level: number): Markup {
  const errors = report.findings.some((f) => f.severity === 'error');
  const warnings = report.findings.some((f) => f.severity === 'warning');
  const look = errors ? 'bad' : warnings ? 'warn' : 'ok';
  const symbol = errors ? '✗' : warnings ? '⚠' : '✓';
  const notText = report.unseen.files.filter((f) => f.notText);
  const syntax = report.filesWithErrors.filter((e) => !report.proxies.includes(e.file));
  const unseen = notText.length + report.unseen.outsideLinks.length + report.unseen.bounds.length;
  return html`<p class="meta">Starlette ${report.starletteVersion.version}: ${report.starletteVersion.source}. ${report.stats.filesParsed} of ${report.stats.filesSeen} files parsed.${report.proxies.length > 0 && html` nginx configuration read: ${report.proxies.map((p, i) => html`${i > 0 ? ', ' : ''}<code>${p}</code>`)}.`}</p>
<p><span class="verdict ${look}">${symbol} ${summaryLine(report)}</span></p>
${section(
  level,
  'Apps',
  report.apps.length === 0
    ? html`<p>No FastAPI or Starlette app found.</p>`
    : report.apps.map(
        (
          app,
        ) => html`${heading(level + 1, html`${app.framework === 'fastapi' ? 'FastAPI' : 'Starlette'} app <code>${app.variable}</code> at <code>${app.file}:${app.line}</code>`)}
<p>${app.routes} route(s). A request meets, in order (outermost first):</p>
<pre><code>${drawStack(app, PLAIN).join('\n')}</code></pre>`,
      ),
)}
${section(
  level,
  'Findings',
  report.findings.length === 0
    ? html`<p>None.</p>`
    : report.findings.map((f) => findingItem(f, report.root, level + 1)),
)}
${
  syntax.length > 0 &&
  section(
    level,
    'Syntax errors',
    html`<ul>${syntax.map((e) => html`<li><code>${e.file}:${e.line}</code>: ${e.message}${e.file.endsWith('.py') ? '; the rest of the file was still read' : ''}</li>`)}</ul>`,
  )
}
${
  unseen > 0 &&
  section(
    level,
    'Not seen',
    html`<ul>${notText.map((f) => html`<li>Not read: <code>${f.file}</code> (${f.why})</li>`)}${report.unseen.outsideLinks.map((l) => html`<li>Not followed (symlink out of the project): <code>${l.file}</code> → <code>${l.target}</code></li>`)}${report.unseen.bounds.map((b) => html`<li>${b}</li>`)}</ul>`,
  )
}`;
}
