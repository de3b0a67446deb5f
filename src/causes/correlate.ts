import type { ScanReport } from '../scan.js';
import type { Cause, CauseCode, Finding } from './types.js';

/** Source findings that explain a live cause: the same code, or the source-level cause behind it. */
const EXPLAINED_BY: Partial<Record<CauseCode, CauseCode[]>> = {
  'origin-not-allowed': ['origin-not-allowed', 'origin-malformed', 'env-origins-misparsed'],
  'origin-malformed': ['origin-malformed', 'env-origins-misparsed'],
  'preflight-rejected': ['preflight-rejected'],
  'preflight-redirected': ['preflight-redirected'],
  'error-response-without-cors': ['error-response-without-cors'],
  'duplicate-cors-headers': ['duplicate-cors-headers'],
  'no-cors-middleware': ['no-cors-middleware'],
  'wildcard-with-credentials': ['wildcard-with-credentials'],
  'credentials-not-allowed': ['credentials-not-allowed'],
  'method-not-allowed': ['method-not-allowed'],
  'header-not-allowed': ['header-not-allowed'],
};

export interface Correlation {
  causes: Cause[];
  /** Source findings no live cause accounts for (problems this request did not hit, or risks). */
  otherFindings: Finding[];
}

/**
 * Joins live causes to the source: a cause seen on the wire and found in the code carries the code's
 * file:line and the derivation of the values involved.
 */
export function correlate(causes: Cause[], scan: ScanReport): Correlation {
  const used = new Set<Finding>();
  const joined = causes.map((cause) => {
    const codes = EXPLAINED_BY[cause.code] ?? [];
    const matches = scan.findings.filter((f) => codes.includes(f.code));
    if (matches.length === 0) return cause;
    for (const m of matches) used.add(m);
    return {
      ...cause,
      evidence: [
        ...cause.evidence,
        ...matches.map((m) => `source: ${m.file}:${m.line} ${m.code}: ${m.message}`),
        ...matches.flatMap((m) => m.evidence ?? []),
      ],
      locations: [...cause.locations, ...matches.map((m) => ({ file: m.file, line: m.line }))],
      ...(cause.fix || matches[0]?.fix
        ? {
            fix: {
              ...(cause.fix ?? { summary: '' }),
              ...(matches[0]?.fix?.patch && { patch: matches[0].fix.patch }),
              summary: matches[0]?.fix?.summary ?? cause.fix?.summary ?? '',
            },
          }
        : {}),
      confirmedBy: 'live evidence and source',
    } as Cause;
  });
  return { causes: joined, otherFindings: scan.findings.filter((f) => !used.has(f)) };
}
