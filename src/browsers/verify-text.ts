// The human report of `verify`: each real browser's outcome and console lines beside the model's
// prediction, disagreements in capitals.
import type { BrowserName } from '../model/types.js';
import type { Style } from '../report/style.js';
import { allAgree, type BrowserVerification, type VerifyReport } from './verify-report.js';

/** `Chromium 156.0.8078.108`, `Firefox ESR 153.8.0`: the product as the binary's name tells it. */
export function productName(name: BrowserName, executable: string): string {
  const file = executable.toLowerCase();
  if (name === 'chrome') return file.includes('chromium') ? 'Chromium' : 'Chrome';
  return file.includes('esr') ? 'Firefox ESR' : 'Firefox';
}

function outcomeText(outcome: string, style: Style): string {
  return outcome === 'allowed' ? style.green(outcome) : style.red(outcome);
}

function browserLines(name: BrowserName, b: BrowserVerification, url: string, style: Style): string[] {
  const pad = '             ';
  const lines = [
    `${style.bold(name.padEnd(8))} ${productName(name, b.executable)} ${b.version}  ${style.dim(`${b.executable}, ${b.ms} ms`)}`,
  ];
  const status = b.status !== undefined ? ` (the page read status ${b.status})` : '';
  lines.push(`  real       ${outcomeText(b.outcome, style)}${status}`);
  for (const m of b.messages) lines.push(`${pad}${m}`);
  for (const w of b.warnings) lines.push(`${pad}${style.yellow(`warning: ${w}`)}`);
  if (b.outcome === 'blocked' && b.messages.length === 0) {
    // Lines that name the API (mixed content); Chromium's `Failed to load resource` lines name no URL and
    // may be the page's own favicon, so the page's rejection stands for them.
    const api = new URL(url).origin;
    for (const line of b.otherConsole) if (line.includes(api)) lines.push(`${pad}${style.dim(line)}`);
    if (b.errorText) lines.push(`${pad}${style.dim(`fetch() rejected: ${b.errorText}`)}`);
  }
  const stage = b.predicted.stage ? ` at the ${b.predicted.stage} stage` : '';
  const preflight = b.predicted.preflight ? ', after a preflight' : '';
  const same =
    b.predicted.messages.length > 0 && b.predicted.messages.join('\n') === b.messages.join('\n')
      ? style.dim(' (the same console lines)')
      : '';
  lines.push(`  predicted  ${outcomeText(b.predicted.outcome, style)}${stage}${preflight}${same}`);
  if (!same) for (const m of b.predicted.messages) lines.push(`${pad}${m}`);
  if (b.agrees) lines.push(`  ${style.green('✓ agrees with the model')}`);
  else {
    lines.push(`  ${style.bold(style.red(`✗ DISAGREES with the model`))}`);
    for (const d of b.differences) lines.push(`    ${style.red(d)}`);
  }
  return lines;
}

/** The text `verify` prints. */
export function renderVerify(report: VerifyReport, style: Style): string {
  const out: string[] = [];
  out.push(
    `${style.bold(`${report.request.method} ${report.url}`)}  ${style.dim(`from ${report.origin}, credentials: ${report.request.credentials}`)}`,
  );
  for (const [n, v] of report.request.headers) out.push(`  ${style.dim('>')} ${n}: ${v}`);
  if (report.request.cookie !== undefined)
    out.push(`  ${style.dim('> cookie held for the API:')} ${report.request.cookie}`);
  const names = Object.keys(report.browsers) as BrowserName[];
  for (const name of names)
    out.push('', ...browserLines(name, report.browsers[name] as BrowserVerification, report.url, style));
  out.push('');
  if (report.causes.length > 0) {
    out.push(
      `${style.bold('the model says')}: ${report.causes.map((c) => `${c.code}: ${c.summary}`).join('; ')}`,
    );
  }
  for (const [name, reason] of Object.entries(report.notFound))
    out.push(style.yellow(`${name} not run: ${reason}`));
  for (const note of report.notes) out.push(style.dim(`note: ${note}`));
  if (names.length > 0) {
    const disagreeing = names.filter((n) => !report.browsers[n]?.agrees);
    out.push(
      allAgree(report)
        ? style.green(`✓ the model agrees with ${names.join(' and ')}`)
        : style.bold(
            style.red(`✗ DISAGREES: the model is wrong about ${disagreeing.join(' and ')} for this request`),
          ),
    );
  }
  return out.join('\n');
}
