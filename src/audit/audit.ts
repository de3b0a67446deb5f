/**
 * `audit`: probes the API from attacking origins, lets the security rules judge the answers, and writes
 * the report: each finding with the curl command that reproduces it.
 */
import { diagnoseAudit } from '../causes/index.js';
import type { AuditAnswer, AuditEvidence, AuditFinding, AuditReport } from '../core/audit.js';
import { curlCommand } from '../report/curl.js';
import { type GatherOptions, gatherAudit } from './gather.js';
import { probeRequest } from './plan.js';

export interface AuditResult {
  report: AuditReport;
  evidence: AuditEvidence;
  /** Why nothing answered, when nothing did. */
  unreachable?: string;
}

/** The answer that proves a finding: its origin, with the cookie or without as the finding says. */
export function provingAnswer(evidence: AuditEvidence, finding: AuditFinding): AuditAnswer | undefined {
  const from = evidence.answers.filter((a) => a.probe.origin === finding.origin && a.status !== 0);
  return (
    from.find((a) => a.probe.kind === 'actual' && a.probe.credentials === finding.credentials) ??
    from.find((a) => a.probe.kind === 'actual') ??
    from[0]
  );
}

/** The report of an audit from its evidence and findings. */
export function auditReport(
  evidence: AuditEvidence,
  findings: AuditFinding[],
  notes: string[] = [],
): AuditReport {
  return {
    url: evidence.url,
    origins: evidence.origins,
    probes: evidence.answers.map((a) => ({
      origin: a.probe.origin,
      credentials: a.probe.credentials,
      kind: a.probe.kind,
      status: a.status,
      ...(a.allowOrigin !== undefined && { allowOrigin: a.allowOrigin }),
      allowCredentials: a.allowCredentials,
      ms: a.ms,
    })),
    findings: findings.map((f) => {
      if (f.reproduce !== undefined) return f;
      const answer = provingAnswer(evidence, f);
      return answer ? { ...f, reproduce: curlCommand(probeRequest(evidence.url, answer.probe)) } : f;
    }),
    notes,
  };
}

/** What the audit could tell beside its findings: trusted origins refused, probes left out. */
export function auditNotes(evidence: AuditEvidence, notSent: number, maxProbes: number): string[] {
  const notes: string[] = [];
  for (const origin of evidence.origins) {
    const answers = evidence.answers.filter((a) => a.probe.origin === origin && a.status !== 0);
    if (answers.length > 0 && !answers.some((a) => a.allowOrigin === origin || a.allowOrigin === '*'))
      notes.push(
        `${origin} (--origin) gets no Access-Control-Allow-Origin: the API refuses the frontend it should serve (run check for why)`,
      );
  }
  if (evidence.needsCookies === true)
    notes.push(
      "without a cookie, a trusted origin is refused (401/403): reading the API takes the user's cookies",
    );
  if (evidence.needsCookies === false)
    notes.push('a trusted origin reads the API without a cookie, or is asked for a bearer token');
  if (notSent > 0)
    notes.push(
      `${notSent} derived origin(s) not tried: --max-probes ${maxProbes} was reached (raise it to try them)`,
    );
  return notes;
}

/** Probes `url` for the trusted `origins` and judges the answers. */
export async function audit(url: string, origins: string[], options: GatherOptions): Promise<AuditResult> {
  const gathered = await gatherAudit(url, origins, options);
  const { evidence } = gathered;
  if (gathered.unreachable !== undefined)
    return { report: auditReport(evidence, []), evidence, unreachable: gathered.unreachable };
  const findings = diagnoseAudit(evidence);
  return {
    report: auditReport(evidence, findings, auditNotes(evidence, gathered.notSent, options.maxProbes)),
    evidence,
  };
}
