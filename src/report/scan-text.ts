import type { ScannedApp, ScanReport } from '../core/report.js';
import type { Style } from './style.js';

const KIND_NOTE: Record<string, string> = {
  'server-error': 'produces 500s, without CORS headers',
  cors: 'answers preflights, adds CORS headers',
  'trusted-host': 'may answer 400 Invalid host header',
  'https-redirect': 'redirects http to https (307)',
  'http-function': 'your code',
  authentication: 'may refuse requests without credentials',
  exception: 'turns HTTPException into responses',
  router: 'routes; 404/405; trailing-slash 307',
};

/** The middleware stack as a request meets it, outermost first. */
export function drawStack(app: ScannedApp, style: Style): string[] {
  const lines: string[] = [];
  app.middleware.forEach((m, i) => {
    const indent = '  '.repeat(i);
    const where = m.file ? style.dim(` ${m.file}:${m.line}`) : '';
    const note = KIND_NOTE[m.kind] ? style.dim(` (${KIND_NOTE[m.kind]})`) : '';
    const name =
      m.kind === 'cors'
        ? style.green(style.bold(m.name))
        : m.kind === 'http-function' || m.kind === 'trusted-host' || m.kind === 'https-redirect'
          ? style.yellow(m.name)
          : m.name;
    lines.push(`  ${indent}${i === 0 ? '' : '└─ '}${name}${where}${note}`);
  });
  return lines;
}

export function renderScan(report: ScanReport, style: Style): string {
  const out: string[] = [];
  out.push(style.bold(`cors-doctor scan ${report.root}`));
  out.push(
    style.dim(
      `Starlette ${report.starletteVersion.version}: ${report.starletteVersion.source}. ${report.stats.filesParsed} of ${report.stats.filesSeen} files parsed`,
    ),
  );
  if (report.proxies.length > 0)
    out.push(style.dim(`nginx configuration read: ${report.proxies.join(', ')}`));
  out.push(...unseenNotes(report, style));
  if (report.apps.length === 0) out.push('', style.yellow('No FastAPI or Starlette app found.'));
  for (const app of report.apps) {
    out.push(
      '',
      `${style.bold(`${app.framework === 'fastapi' ? 'FastAPI' : 'Starlette'} app`)} ${app.variable} at ${app.file}:${app.line}, ${app.routes} route(s). A request meets, in order:`,
    );
    out.push(...drawStack(app, style));
  }
  for (const f of report.findings) {
    const tag =
      f.severity === 'error'
        ? style.red(f.code)
        : f.severity === 'warning'
          ? style.yellow(f.code)
          : style.cyan(f.code);
    const at = f.file === '.' ? report.root : `${f.file}:${f.line}`;
    out.push('', `${style.bold(at)} ${tag} ${f.message}`);
    for (const ev of f.evidence ?? []) out.push(`  ${style.dim('•')} ${ev}`);
    if (f.fix) out.push(`  ${style.bold('Fix:')} ${f.fix.summary}`);
    if (f.fix?.patch) out.push(...patchLines(f.fix.patch, style));
  }
  // An nginx configuration with a syntax error is a finding (nginx refuses it); a Python one is read anyway.
  for (const e of report.filesWithErrors.filter((e) => !report.proxies.includes(e.file)))
    out.push(
      '',
      style.yellow(
        e.file.endsWith('.py')
          ? `${e.file}:${e.line}: syntax error (${e.message}); the rest of the file was still read`
          : `${e.file}:${e.line}: syntax error (${e.message})`,
      ),
    );
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  out.push('', summaryLine(report, errors, warnings, style));
  return out.join('\n');
}

/** The last line: never "no problem" when the scan could not see everything. */
function summaryLine(report: ScanReport, errors: number, warnings: number, style: Style): string {
  const incomplete = report.findings.some((f) => f.code === 'scan-incomplete');
  if (errors + warnings > 0)
    return `${errors} error(s), ${warnings} warning(s).${incomplete ? ' The scan is incomplete (scan-incomplete): what it could not see may hide more.' : ''}`;
  const unseen = report.unseen.files.length + report.unseen.outsideLinks.length;
  return unseen > 0
    ? style.green(
        `No CORS problem found in what was read (${unseen} not read or not followed: listed above).`,
      )
    : style.green('No CORS problem found.');
}

/**
 * What the scan did not look at and lists without a finding: files that are not text (Python does not run
 * them either) and symlinks out of the project. Files it could not read are in a scan-incomplete finding.
 */
function unseenNotes(report: ScanReport, style: Style): string[] {
  const out: string[] = [];
  const skipped = report.unseen.files.filter((f) => f.notText);
  if (skipped.length > 0)
    out.push(style.dim(`Not read: ${skipped.map((f) => `${f.file} (${f.why})`).join('; ')}`));
  if (report.unseen.outsideLinks.length > 0)
    out.push(
      style.dim(
        `Not followed (symlinks out of the project): ${report.unseen.outsideLinks.map((l) => `${l.file} -> ${l.target}`).join('; ')}`,
      ),
    );
  return out;
}

/** A unified diff, indented and coloured (removed lines red, added lines green). */
export function patchLines(patch: string, style: Style): string[] {
  return patch
    .trimEnd()
    .split('\n')
    .map((line) => {
      const shown = `    ${line}`;
      if (/^(---|\+\+\+) /.test(line)) return style.bold(shown);
      if (line.startsWith('@@')) return style.cyan(shown);
      if (line.startsWith('+')) return style.green(shown);
      if (line.startsWith('-')) return style.red(shown);
      return style.dim(shown);
    });
}
