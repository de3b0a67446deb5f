import type { Log, ReportingDescriptor, Result } from 'sarif';
import { CAUSE_HELP } from '../causes/help.generated.js';
import { ruleFor } from '../causes/index.js';
import type { CauseCode, Severity } from '../core/causes.js';
import type { ScanReport } from '../core/report.js';

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

/** The scan report as a SARIF 2.1.0 log: one rule per cause code, one result per finding. */
export function toSarif(report: ScanReport, version: string): Log {
  const codes = [...new Set(report.findings.map((f) => f.code))].sort();
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
        originalUriBaseIds: {
          SRCROOT: { uri: `file://${report.root.endsWith('/') ? report.root : `${report.root}/`}` },
        },
        results: report.findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: codes.indexOf(f.code),
          level: LEVEL[f.severity],
          message: { text: f.fix ? `${f.message} Fix: ${f.fix.summary}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file, uriBaseId: 'SRCROOT' },
                region: { startLine: f.line },
              },
            },
          ],
        })),
      },
    ],
  };
}
