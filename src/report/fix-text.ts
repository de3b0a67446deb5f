import type { FixReport, PatchProof, RequestVerdict } from '../core/fix-report.js';
import { patchLines } from './scan-text.js';
import type { Style } from './style.js';

const BROWSER_NAMES: Record<string, string> = { chrome: 'Chrome', firefox: 'Firefox' };

function verdictLine(v: RequestVerdict, style: Style): string {
  const browsers = Object.entries(v.browsers)
    .map(([b, o]) => `${BROWSER_NAMES[b] ?? b} ${o === 'allowed' ? style.green(o) : style.red(o ?? '')}`)
    .join(', ');
  return `${v.origin}: ${browsers}${v.causes.length > 0 ? style.dim(` (${v.causes.join(', ')})`) : ''}`;
}

function proofLines(proof: PatchProof, style: Style): string[] {
  const requests = proof.requests.map((r) => {
    const after = Object.values(r.after).every((o) => o === 'allowed') ? 'allowed' : 'still blocked';
    return `the request from ${r.origin} is ${after} after it`;
  });
  return [
    style.dim(
      `  proof: ${requests.join('; ')}; ${proof.kept > 0 ? `${proof.kept} other request(s) that worked still work; ` : ''}nothing opened, nothing dropped (${proof.compared} requests compared)`,
    ),
  ];
}

/** `fix` for people: each patch with its proof, then what has no patch and why. */
export function renderFix(report: FixReport, style: Style): string {
  const out: string[] = [];
  const request = `${report.request.method} ${report.url}, credentials: ${report.request.credentials}`;
  out.push(style.bold(`cors-doctor fix ${report.root}`), style.dim(`${request}`));
  out.push(style.dim(`Starlette ${report.starletteVersion.version} (${report.starletteVersion.source})`));
  out.push(style.dim(`proof: ${report.method}`));
  for (const note of report.notes) out.push(style.yellow(`note: ${note}`));
  out.push('', style.bold('Before:'), ...report.before.map((v) => `  ${verdictLine(v, style)}`));
  report.patches.forEach((p, i) => {
    const where = p.locations.map((l) => `${l.file}:${l.line}`).join(', ');
    out.push('', `${style.bold(`Patch ${i + 1}`)} ${style.red(p.code)} at ${style.bold(where)}`);
    out.push(`  ${p.message}`, `  ${style.bold('Fix:')} ${p.summary}`);
    out.push(...patchLines(p.patch, style), ...proofLines(p.proof, style));
  });
  for (const w of report.withoutPatch) {
    const where = w.locations.map((l) => `${l.file}:${l.line}`).join(', ');
    const tag = w.severity === 'error' ? style.red(w.code) : style.yellow(w.code);
    out.push('', `${style.bold('No patch')} ${tag} at ${style.bold(where)}`);
    out.push(
      `  ${w.message}`,
      `  ${style.bold('What must change:')} ${w.summary}`,
      `  ${style.dim(w.reason)}`,
    );
    if (w.snippet) out.push(...w.snippet.split('\n').map((l) => `    ${l}`));
  }
  if (report.patches.length > 0)
    out.push('', style.bold('After the patches:'), ...report.after.map((v) => `  ${verdictLine(v, style)}`));
  if (report.written)
    out.push('', style.green(`wrote ${report.written.length} file(s): ${report.written.join(', ')}`));
  else if (report.patches.length > 0)
    out.push('', style.dim('Nothing was written: add --write to apply the patches.'));
  if (report.live) {
    out.push(
      '',
      style.bold('Live, before the write:'),
      ...report.live.before.map((v) => `  ${verdictLine(v, style)}`),
    );
    out.push(
      style.bold('Live, after the write:'),
      ...report.live.after.map((v) => `  ${verdictLine(v, style)}`),
    );
    if (report.live.note) out.push(style.yellow(`note: ${report.live.note}`));
  }
  if (report.patches.length === 0 && report.withoutPatch.length === 0) {
    const allowed = report.before.every((v) => Object.values(v.browsers).every((o) => o === 'allowed'));
    out.push(
      '',
      allowed
        ? style.green('Nothing to fix: the models allow the request from every origin given.')
        : style.yellow(
            'The request is blocked, but the source shows no change to make: check it live (cors-doctor check URL --project DIR).',
          ),
    );
  }
  return out.join('\n');
}
