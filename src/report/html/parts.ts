// Pieces every report kind shares: state badges (symbol and word, never colour alone), the coloured diff,
// curl commands, header tables, a cause with its evidence and fix.
import type { Cause, Fix, Severity, SourceLocation } from '../../core/causes.js';
import type { RecordedRequest } from '../../core/exchange.js';
import type { HeaderList } from '../../model/types.js';
import { curlCommand } from '../curl.js';
import { carriesMask, MASKED_CURL_NOTE } from '../mask.js';
import { heading, html, type Interpolation, type Markup } from './markup.js';

/** The class and symbol of a severity (the word is printed too). */
const SEVERITY_LOOK: Record<Severity, { cls: string; symbol: string }> = {
  error: { cls: 'bad', symbol: '✗' },
  warning: { cls: 'warn', symbol: '⚠' },
  info: { cls: 'info', symbol: 'ℹ' },
};

export const severityClass = (severity: Severity): string => SEVERITY_LOOK[severity].cls;

/** `✗ error`, `⚠ warning`, `ℹ info`: a symbol and the word. */
export function severityBadge(severity: Severity): Markup {
  const { cls, symbol } = SEVERITY_LOOK[severity];
  return html`<span class="severity ${cls}">${symbol} ${severity}</span>`;
}

/** `✓ allowed` or `✗ blocked` (with the stage when known). */
export function outcomeBadge(outcome: 'allowed' | 'blocked', stage?: string): Markup {
  return outcome === 'allowed'
    ? html`<span class="verdict ok">✓ allowed</span>`
    : html`<span class="verdict bad">✗ blocked${stage ? ` at ${stage}` : ''}</span>`;
}

/** A unified diff, line by line: added lines as `<ins>`, removed as `<del>`, their `+`/`-` kept. */
export function diffBlock(patch: string): Markup {
  const lines = patch
    .trimEnd()
    .split('\n')
    .map((line) => {
      if (/^(---|\+\+\+) /.test(line)) return html`<span class="file">${line}</span>\n`;
      if (line.startsWith('@@')) return html`<span class="hunk">${line}</span>\n`;
      if (line.startsWith('+')) return html`<ins>${line}</ins>\n`;
      if (line.startsWith('-')) return html`<del>${line}</del>\n`;
      return html`<span>${line}</span>\n`;
    });
  // One block per line; the newlines between them keep the diff's text (copied, read without the style
  // sheet) and collapse on screen (`.diff code` does not keep white space, its lines do).
  return html`<p class="diff-legend">Lines starting with + are added, lines starting with - are removed.</p>
<pre class="diff" aria-label="patch (unified diff)"><code>${lines}</code></pre>`;
}

/** A fix: its summary, then the patch as a diff, or the code to use. */
export function fixBlock(fix: Fix, level: number): Markup {
  return html`${heading(level, 'Fix')}
<p>${fix.summary}</p>
${fix.patch ? diffBlock(fix.patch) : fix.snippet ? html`<pre><code>${fix.snippet}</code></pre>` : ''}`;
}

/** Places in the source as a list. */
export function locationsList(locations: SourceLocation[]): Markup {
  if (locations.length === 0) return html``;
  return html`<p>At ${locations.map((l, i) => html`${i > 0 ? ', ' : ''}<code>${l.file}:${l.line}</code>`)}</p>`;
}

/** Facts as a list. */
export function evidenceList(evidence: readonly string[]): Markup {
  if (evidence.length === 0) return html``;
  return html`<ul class="evidence">${evidence.map((e) => html`<li>${e}</li>`)}</ul>`;
}

/** A cause found from the exchanges: code, severity, summary, places, evidence, fix, its documentation. */
export function causeItem(cause: Cause, level: number): Markup {
  return html`<div class="item ${severityClass(cause.severity)}">
${heading(level, html`${severityBadge(cause.severity)} <code>${cause.code}</code>: ${cause.summary}`)}
${locationsList(cause.locations)}
${cause.confirmedBy && html`<p class="meta">Confirmed by ${cause.confirmedBy}.</p>`}
${cause.evidence.length > 0 && html`<p><strong>Evidence</strong></p>${evidenceList(cause.evidence)}`}
${cause.fix && fixBlock(cause.fix, level + 1)}
<p class="meta">Documentation: <code>docs/causes/${cause.code}.md</code></p>
</div>`;
}

/** A header list as a table (CORS headers in bold, with a marker word for non-visual readers). */
export function headersTable(headers: HeaderList, caption: string): Markup {
  if (headers.length === 0) return html`<p class="meta">${caption}: none.</p>`;
  const rows = headers.map(([name, value]) => {
    const cors = /^access-control-|^origin$|^vary$/i.test(name);
    return html`<tr${cors ? html` class="cors-header"` : ''}><td><code>${name}</code></td><td><code>${value}</code></td></tr>`;
  });
  return html`<table class="headers"><caption>${caption}</caption>
<thead><tr><th scope="col">Header</th><th scope="col">Value</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The curl commands that send the same requests, with the masking note when one carries `***`. */
export function curlBlock(requests: RecordedRequest[], level: number, title = 'Reproduce with curl'): Markup {
  if (requests.length === 0) return html``;
  return curlCommands(
    requests.map((r) => curlCommand(r)),
    level,
    title,
  );
}

/** Ready commands, one block each. */
export function curlCommands(commands: string[], level: number, title: string): Markup {
  if (commands.length === 0) return html``;
  return html`<section>${heading(level, title)}
${commands.some(carriesMask) && html`<p class="meta">(${MASKED_CURL_NOTE})</p>`}
${commands.map((c) => html`<pre><code>${c}</code></pre>`)}</section>`;
}

/** A section with a heading. */
export function section(level: number, title: Interpolation, body: Interpolation, id?: string): Markup {
  return html`<section>${heading(level, title, id)}
${body}</section>
`;
}
