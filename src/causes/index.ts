/**
 * Running the rules of the registry: on a check's exchanges (`diagnose`), on one app's source (`scanApp`),
 * on one proxy configuration (`scanProxyConfig`). The framework stamps each result with its rule's code and
 * severity, and drops the causes another found cause supersedes.
 */
import type { AuditEvidence, AuditFinding } from '../core/audit.js';
import type { Cause, CauseCode, Finding } from '../core/causes.js';
import { RULES } from './registry.js';
import { nginxWritesAllowOrigin } from './rules/proxy-credentials.js';
import type {
  AuditFindingDraft,
  CauseDraft,
  CauseRule,
  CheckEvidence,
  FindingDraft,
  ProxyScanContext,
  ScanContext,
} from './types.js';

const stampCause = (rule: CauseRule, draft: CauseDraft): Cause =>
  ({ code: rule.code, ...draft, severity: draft.severity ?? rule.severity }) as Cause;

const stampFinding = (rule: CauseRule, draft: FindingDraft): Finding =>
  ({ code: rule.code, ...draft, severity: draft.severity ?? rule.severity }) as Finding;

/** The rules that read a check's exchanges, in registry order. */
export const LIVE_RULES: readonly CauseRule[] = RULES.filter((rule) => rule.detect);
/** The rules that read an app's source, in registry order. */
export const STATIC_RULES: readonly CauseRule[] = RULES.filter((rule) => rule.scan);
/** The rules that read proxy configuration, in registry order. */
export const PROXY_RULES: readonly CauseRule[] = RULES.filter((rule) => rule.scanProxy);

/** The rules that read the answers to audit probes, in registry order. */
export const AUDIT_RULES: readonly CauseRule[] = RULES.filter((rule) => rule.audit);

/** The rule of a code, if one is registered. */
export const ruleFor = (code: CauseCode): CauseRule | undefined => RULES.find((rule) => rule.code === code);

/** One rule on a check's evidence, its result stamped. */
export function detectWith(rule: CauseRule, evidence: CheckEvidence): Cause | undefined {
  const draft = rule.detect?.(evidence);
  return draft ? stampCause(rule, draft) : undefined;
}

/** One rule on one app's source, its findings stamped. */
export function scanWith(rule: CauseRule, context: ScanContext): Finding[] {
  return (rule.scan?.(context) ?? []).map((draft) => stampFinding(rule, draft));
}

/** One rule on one proxy configuration, its findings stamped. */
export function scanProxyWith(rule: CauseRule, context: ProxyScanContext): Finding[] {
  return (rule.scanProxy?.(context) ?? []).map((draft) => stampFinding(rule, draft));
}

const stampAuditFinding = (rule: CauseRule, draft: AuditFindingDraft): AuditFinding =>
  ({ code: rule.code, ...draft, severity: draft.severity ?? rule.severity }) as AuditFinding;

/** One rule on the answers to audit probes, its findings stamped. */
export function auditWith(rule: CauseRule, evidence: AuditEvidence): AuditFinding[] {
  return (rule.audit?.(evidence) ?? []).map((draft) => stampAuditFinding(rule, draft));
}

/**
 * The security findings of every audit rule, in registry order, each proven by the origin that got
 * through. The findings of a code another found code supersedes are left out, as in `diagnose`.
 */
export function diagnoseAudit(evidence: AuditEvidence): AuditFinding[] {
  const found = AUDIT_RULES.map((rule) => ({ rule, findings: auditWith(rule, evidence) })).filter(
    ({ findings }) => findings.length > 0,
  );
  const superseded = (code: CauseCode) =>
    found.some(
      ({ rule }) =>
        rule.code !== code && (rule.supersedes === '*' || rule.supersedes?.includes(code) === true),
    );
  return found.filter(({ rule }) => !superseded(rule.code)).flatMap(({ findings }) => findings);
}

/** The findings of every proxy rule for one proxy configuration. */
export function scanProxyConfig(context: ProxyScanContext): Finding[] {
  return PROXY_RULES.flatMap((rule) => scanProxyWith(rule, context));
}

/** Codes whose fixes change the app's CORS options: the answer's CORS headers, which nginx may write instead. */
const APP_CORS_OPTIONS: CauseCode[] = [
  'origin-not-allowed',
  'origin-malformed',
  'method-not-allowed',
  'header-not-allowed',
  'credentials-not-allowed',
  'wildcard-with-credentials',
  'header-not-exposed',
  'no-cors-middleware',
];

/**
 * The findings of every static rule for one app. Behind an nginx that writes the CORS headers itself, a
 * change to the app's CORS options changes nothing the browser sees (or writes a second
 * Access-Control-Allow-Origin): such findings keep their words and lose their patch.
 */
export function scanApp(context: ScanContext): Finding[] {
  const findings = STATIC_RULES.flatMap((rule) => scanWith(rule, context));
  if (!nginxWritesAllowOrigin(context.project, context.request?.url)) return findings;
  return findings.map((f) =>
    APP_CORS_OPTIONS.includes(f.code) && f.fix?.edits
      ? {
          ...f,
          fix: {
            summary: `${f.fix.summary} nginx writes the CORS headers in front of this app: make the change in its add_header lines, not in the app.`,
          },
        }
      : f,
  );
}

/**
 * Names the root causes the evidence shows, in registry order. Never invents one: no rule matching means
 * no cause. A cause that another found cause supersedes is left out, whatever the order of the rules.
 */
export function diagnose(evidence: CheckEvidence): Cause[] {
  const found = LIVE_RULES.flatMap((rule) => {
    const cause = detectWith(rule, evidence);
    return cause ? [{ rule, cause }] : [];
  });
  const superseded = (code: CauseCode) =>
    found.some(
      ({ rule }) =>
        rule.code !== code && (rule.supersedes === '*' || rule.supersedes?.includes(code) === true),
    );
  return found.filter(({ rule }) => !superseded(rule.code)).map(({ cause }) => cause);
}

export { RULES } from './registry.js';
export type { CauseRule, CheckEvidence, ScanContext } from './types.js';
