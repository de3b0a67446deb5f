import { audit } from '../../audit/audit.js';
import { BadInputError } from '../../core/errors.js';
import { auditExitStatus } from '../../core/exit.js';
import { parseOrigin, parseRequestUrl, parseTimeout } from '../../core/request-input.js';
import { packageVersion } from '../../package-root.js';
import { maskSecrets, maskText } from '../../report/mask.js';
import { parseFormat, render } from '../../report/renderers.js';
import type { Style } from '../../report/style.js';

export interface AuditCommandOptions {
  origin: string[];
  project?: string;
  maxProbes: string;
  /** Default: 20 a second, no limit on loopback (this machine). */
  rate?: string;
  timeout: string;
  showSecrets?: boolean;
  format?: string;
  json?: boolean;
}

/** Probes a second to a server that is not this machine, unless told otherwise. */
const DEFAULT_RATE = 20;

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '[::1]';

function positiveInteger(option: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new BadInputError(
      `${option} takes a whole number between 1 and ${max}, not ${JSON.stringify(value)}`,
    );
  return n;
}

/** `cors-doctor audit URL --origin ORIGIN...`: is the API's CORS policy safe? Returns the exit status. */
export async function runAudit(rawUrl: string, options: AuditCommandOptions, style: Style): Promise<number> {
  const format = parseFormat('audit', options.format, options.json);
  const url = parseRequestUrl(rawUrl);
  const origins = [...new Set(options.origin.map(parseOrigin))];
  if (origins.length === 0)
    throw new BadInputError(
      'audit needs the frontend origins that must keep working: --origin https://app.example.com (repeatable)',
    );
  const maxProbes = positiveInteger('--max-probes', options.maxProbes, 1000);
  const rate =
    options.rate !== undefined
      ? positiveInteger('--rate', options.rate, 10_000)
      : isLoopback(new URL(url).hostname)
        ? Number.POSITIVE_INFINITY
        : DEFAULT_RATE;
  const timeoutMs = parseTimeout(options.timeout);
  const showSecrets = options.showSecrets === true;

  const result = await audit(url, origins, { maxProbes, rate, timeoutMs });
  let report = result.report;
  if (options.project !== undefined && result.unreachable === undefined) {
    // The source join needs the Python parser: loaded only with --project.
    const { joinWithSource } = await import('./audit-project.js');
    report = await joinWithSource(report, options.project);
  }
  const shown = showSecrets ? report : maskSecrets(report);
  if (result.unreachable === undefined || format !== 'text')
    process.stdout.write(
      `${render(format, { command: 'audit', report: shown }, { style, version: packageVersion() })}\n`,
    );
  if (result.unreachable !== undefined) {
    const why = showSecrets ? result.unreachable : maskText(result.unreachable);
    process.stderr.write(`cors-doctor: nothing answered the audit of ${shown.url}: ${why}\n`);
  }
  return auditExitStatus(report.findings, result.unreachable !== undefined);
}
