import type { Log, ReportingDescriptor, Result } from 'sarif';
import { CAUSE_HELP } from '../causes/help.generated.js';
import { ruleFor } from '../causes/index.js';
import type { AuditReport } from '../core/audit.js';
import type { CauseCode, Severity } from '../core/causes.js';
import type { CheckReport, ScanReport } from '../core/report.js';

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', info: 'note' };

function descriptor(code: string): ReportingDescriptor {
  const rule = ruleFor(code as CauseCode);
  const help = CAUSE_HELP[code];
  return {
    id: code,
    name: code.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
    shortDescription: { text: rule?.title ?? code },
    ...(help && { fullDescription: { text: help }, help: { text: help, markdown: help } }),
    helpUri: `https://www.npmjs.com/package/cors-doctor#${code}`,
    defaultConfiguration: { level: LEVEL[rule?.severity ?? 'error'] },
  };
}

interface SarifItem {
  code: CauseCode;
  severity: Severity;
  message: string;
  locations: Array<{ file: string; line: number }>;
}

function log(items: SarifItem[], version: string, root: string | undefined): Log {
  const codes = [...new Set(items.map((i) => i.code))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'cors-doctor',
            version,
            informationUri: 'https://www.npmjs.com/package/cors-doctor',
            rules: codes.map(descriptor),
          },
        },
        ...(root !== undefined && {
          originalUriBaseIds: { SRCROOT: { uri: `file://${root.endsWith('/') ? root : `${root}/`}` } },
        }),
        results: items.map((item) => ({
          ruleId: item.code,
          ruleIndex: codes.indexOf(item.code),
          level: LEVEL[item.severity],
          message: { text: item.message },
          locations: item.locations.map((l) => ({
            physicalLocation: {
              artifactLocation: { uri: l.file, ...(root !== undefined && { uriBaseId: 'SRCROOT' }) },
              region: { startLine: l.line },
            },
          })),
        })),
      },
    ],
  };
}

/** The scan report as a SARIF 2.1.0 log: one rule per cause code, one result per finding. */
export function toSarif(report: ScanReport, version: string): Log {
  return log(
    report.findings.map((f) => ({
      code: f.code,
      severity: f.severity,
      message: f.fix ? `${f.message} Fix: ${f.fix.summary}` : f.message,
      locations: [{ file: f.file, line: f.line }],
    })),
    version,
    report.root,
  );
}

/** A check's causes as a SARIF 2.1.0 log: one result per cause, at its places in the source when known. */
export function checkToSarif(report: CheckReport, version: string): Log {
  return log(
    report.causes.map((c) => ({
      code: c.code,
      severity: c.severity,
      message: c.fix ? `${c.summary} Fix: ${c.fix.summary}` : c.summary,
      locations: c.locations,
    })),
    version,
    report.project?.root,
  );
}

/** An audit's findings as a SARIF 2.1.0 log: one result per finding, at its places in the source when known. */
export function auditToSarif(report: AuditReport, version: string): Log {
  return log(
    report.findings.map((f) => ({
      code: f.code,
      severity: f.severity,
      message: `${f.impact} (attacking origin ${f.origin}, ${f.credentials ? 'with' : 'without'} cookies, at ${report.url})${f.fix ? ` Fix: ${f.fix.summary}` : ''}`,
      locations: f.locations,
    })),
    version,
    report.project?.root,
  );
}
