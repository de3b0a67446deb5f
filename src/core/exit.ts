// Exit statuses of every command (documented in the README and in `--help`), and the status of a report.
import type { Finding } from './causes.js';
import type { CheckReport } from './report.js';

export const EXIT = {
  /** Allowed in every browser checked; no error-level finding. */
  ok: 0,
  /** Blocked in at least one browser; some error-level finding. */
  blocked: 1,
  /** Bad usage or bad input. */
  usage: 2,
  /**
   * Nothing answered: connection refused, DNS, TLS, timeout; or the server model cannot answer; or `scan`
   * could not see what may hide a problem (`scan-incomplete`).
   */
  unreachable: 3,
  /** A bug in cors-doctor. */
  internal: 70,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** `check`: 3 when nothing answered, 1 when some browser blocks, else 0. */
export function checkExitStatus(report: CheckReport): ExitStatus {
  if (report.causes.some((c) => c.code === 'server-unreachable')) return EXIT.unreachable;
  return Object.values(report.browsers).some((v) => v.outcome === 'blocked') ? EXIT.blocked : EXIT.ok;
}

/**
 * `scan`: 1 when some finding is an error; else 3 when the scan is incomplete (a `scan-incomplete` warning:
 * a file it could not read, a value it could not resolve, no app at all); else 0.
 */
export function findingsExitStatus(findings: Finding[]): ExitStatus {
  if (findings.some((f) => f.severity === 'error')) return EXIT.blocked;
  return findings.some((f) => f.code === 'scan-incomplete') ? EXIT.unreachable : EXIT.ok;
}

/** `audit`: 3 when nothing answered, 1 when some finding is an error or a warning, else 0 (info notes). */
export function auditExitStatus(
  findings: Array<{ severity: Finding['severity'] }>,
  unreachable: boolean,
): ExitStatus {
  if (unreachable) return EXIT.unreachable;
  return findings.some((f) => f.severity === 'error' || f.severity === 'warning') ? EXIT.blocked : EXIT.ok;
}
