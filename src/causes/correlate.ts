import type { Cause, CauseCode, Finding, SourceLocation } from '../core/causes.js';
import type { ScanReport } from '../core/report.js';
import { RULES, ruleFor } from './index.js';

/** Source findings that explain a live cause: its rule's `explainedBy`, else its own code when it reads source. */
function explainedBy(code: CauseCode): CauseCode[] {
  const rule = ruleFor(code);
  if (!rule) return [];
  return rule.explainedBy ?? (rule.scan || rule.scanProxy ? [rule.code] : []);
}

export interface Correlation {
  causes: Cause[];
  /** Source findings no live cause accounts for (problems this request did not hit, or risks). */
  otherFindings: Finding[];
}

/**
 * Joins live causes to the source: a cause seen on the wire and found in the code carries the code's
 * file:line and the derivation of the values involved.
 */
export function correlate(
  causes: Cause[],
  scan: ScanReport,
  confirmedBy = 'live evidence and source',
): Correlation {
  const used = new Set<Finding>();
  const joined = causes.flatMap((cause) => {
    const codes = explainedBy(cause.code);
    // Info-level notes (a default used, a value not found) do not corroborate a cause.
    const matches = scan.findings.filter((f) => codes.includes(f.code) && f.severity !== 'info');
    if (matches.length === 0) return [cause];
    for (const m of matches) used.add(m);
    const symptom: Cause = {
      ...cause,
      evidence: [
        ...cause.evidence,
        ...matches.map((m) => `source: ${m.file}:${m.line} ${m.code}: ${m.message}`),
        ...matches.flatMap((m) => m.evidence ?? []),
      ],
      locations: uniqueLocations([...cause.locations, ...matches.flatMap(locationsOf)]),
      ...(cause.fix || matches[0]?.fix
        ? {
            fix: {
              ...(cause.fix ?? { summary: '' }),
              ...(matches[0]?.fix?.patch && { patch: matches[0].fix.patch }),
              summary: matches[0]?.fix?.summary ?? cause.fix?.summary ?? '',
            },
          }
        : {}),
      confirmedBy,
    } as Cause;
    // The source can name the root cause behind the symptom the wire shows (origin-not-allowed because an
    // entry is written "http://localhost:3000/"): that code is named too, after the symptom.
    const roots = [...new Set(matches.map((m) => m.code))].filter((code) => code !== cause.code);
    if (roots.length > 0) symptom.fix = { summary: `Fix the root cause: ${roots.join(', ')} (below).` };
    return [
      symptom,
      ...roots.map((code) =>
        rootCause(
          code,
          cause,
          matches.filter((m) => m.code === code),
          confirmedBy,
        ),
      ),
    ];
  });
  return { causes: joined, otherFindings: scan.findings.filter((f) => !used.has(f)) };
}

/**
 * A request some browser blocks while the answers name no cause (an error answered outside every CORS layer
 * looks, on the wire, like an app without one): the source findings about the request are its causes. With
 * a request, scan keeps findings about other requests as warnings, so these are its error-level findings,
 * in registry order.
 */
export function causesFromSource(findings: Finding[], confirmedBy: string): Cause[] {
  const errors = findings.filter((f) => f.severity === 'error');
  const order = (code: CauseCode) => RULES.findIndex((rule) => rule.code === code);
  const codes = [...new Set(errors.map((f) => f.code))].sort((a, b) => order(a) - order(b));
  return codes.map((code) => {
    const these = errors.filter((f) => f.code === code);
    const first = these[0] as Finding;
    return {
      code,
      severity: 'error',
      summary: first.message,
      evidence: [
        ...these.slice(1).map((f) => `${f.file}:${f.line}: ${f.message}`),
        ...these.flatMap((f) => f.evidence ?? []),
      ],
      locations: uniqueLocations(these.flatMap(locationsOf)),
      ...(first.fix && {
        fix: { summary: first.fix.summary, ...(first.fix.patch && { patch: first.fix.patch }) },
      }),
      confirmedBy,
    };
  });
}

/** A source-level cause that explains a live one. */
function rootCause(code: CauseCode, symptom: Cause, findings: Finding[], confirmedBy: string): Cause {
  const first = findings[0] as Finding;
  return {
    code,
    severity: first.severity,
    summary: `${first.message} This is why the browser sees ${symptom.code}.`,
    evidence: [
      ...(symptom.evidence[0] ? [`the browser sees ${symptom.code}: ${symptom.evidence[0]}`] : []),
      ...findings.slice(1).map((f) => `${f.file}:${f.line}: ${f.message}`),
      ...findings.flatMap((f) => f.evidence ?? []),
    ],
    locations: uniqueLocations(findings.flatMap(locationsOf)),
    ...(first.fix && {
      fix: { summary: first.fix.summary, ...(first.fix.patch && { patch: first.fix.patch }) },
    }),
    confirmedBy,
  };
}

/** A finding's places: where the fix is written first, then the related ones. */
const locationsOf = (f: Finding): SourceLocation[] => [{ file: f.file, line: f.line }, ...(f.related ?? [])];

function uniqueLocations(locations: SourceLocation[]): SourceLocation[] {
  const seen = new Set<string>();
  return locations.filter((l) => {
    const key = `${l.file}:${l.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
