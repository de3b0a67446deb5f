import type { Cause, Finding } from '../core/causes.js';
import { authorizationWildcard } from './rules/authorization-wildcard.js';
import { credentialsNotAllowed } from './rules/credentials-not-allowed.js';
import { duplicateCorsHeaders } from './rules/duplicate-cors-headers.js';
import { envOriginsMisparsed } from './rules/env-origins-misparsed.js';
import { errorResponseWithoutCors } from './rules/error-response-without-cors.js';
import { headerNotAllowed } from './rules/header-not-allowed.js';
import { headerNotExposed } from './rules/header-not-exposed.js';
import { methodNotAllowed } from './rules/method-not-allowed.js';
import { mixedContent } from './rules/mixed-content.js';
import { noCorsMiddleware } from './rules/no-cors-middleware.js';
import { originMalformed } from './rules/origin-malformed.js';
import { originNotAllowed } from './rules/origin-not-allowed.js';
import { preflightRedirected } from './rules/preflight-redirected.js';
import { preflightRejected } from './rules/preflight-rejected.js';
import { proxyAnswersPreflight } from './rules/proxy-answers-preflight.js';
import { proxyHeadersMissingOnErrors } from './rules/proxy-headers-missing-on-errors.js';
import { proxyStripsCorsHeaders } from './rules/proxy-strips-cors-headers.js';
import { redirectExtraRoundtrip } from './rules/redirect-extra-roundtrip.js';
import { serverUnreachable } from './rules/server-unreachable.js';
import { wildcardWithCredentials } from './rules/wildcard-with-credentials.js';
import type { CauseRule, CheckEvidence, ProxyScanContext, ScanContext } from './types.js';

/** Every rule that reads live evidence, most fundamental first (the order causes are reported in). */
export const LIVE_RULES: CauseRule[] = [
  serverUnreachable,
  mixedContent,
  proxyAnswersPreflight,
  proxyStripsCorsHeaders,
  noCorsMiddleware,
  preflightRedirected,
  preflightRejected,
  duplicateCorsHeaders,
  originMalformed,
  originNotAllowed,
  wildcardWithCredentials,
  credentialsNotAllowed,
  methodNotAllowed,
  headerNotAllowed,
  proxyHeadersMissingOnErrors,
  errorResponseWithoutCors,
  authorizationWildcard,
  redirectExtraRoundtrip,
];

/** Every rule that reads source (the `scan` command), in the order findings are reported. */
export const STATIC_RULES: CauseRule[] = [
  noCorsMiddleware,
  preflightRedirected,
  preflightRejected,
  duplicateCorsHeaders,
  originMalformed,
  envOriginsMisparsed,
  originNotAllowed,
  wildcardWithCredentials,
  credentialsNotAllowed,
  methodNotAllowed,
  headerNotAllowed,
  errorResponseWithoutCors,
  headerNotExposed,
];

/** Every rule, by code (for documentation and SARIF rule descriptors). */
export const ALL_RULES: CauseRule[] = [...new Set([...LIVE_RULES, ...STATIC_RULES])];

/** Every rule that reads nginx configuration, in the order findings are reported. */
export const PROXY_RULES: CauseRule[] = ALL_RULES.filter((rule) => rule.scanProxy);

/** The findings of every proxy rule for one nginx configuration. */
export function scanProxyConfig(context: ProxyScanContext): Finding[] {
  return PROXY_RULES.flatMap((rule) => rule.scanProxy?.(context) ?? []);
}

/** The findings of every static rule for one app. */
export function scanApp(context: ScanContext): Finding[] {
  return STATIC_RULES.flatMap((rule) => rule.scan?.(context) ?? []);
}

/** Names the root causes the evidence shows. Never invents one: no rule matching means no cause. */
export function diagnose(evidence: CheckEvidence): Cause[] {
  const causes: Cause[] = [];
  const explained = new Set<string>();
  for (const rule of LIVE_RULES) {
    if (explained.has(rule.code)) continue;
    const cause = rule.detect?.(evidence);
    if (cause) causes.push(cause);
    if (cause?.code === 'server-unreachable') break;
    if (cause) for (const code of rule.supersedes ?? []) explained.add(code);
  }
  return causes;
}

export type { Cause, CauseCode, Finding } from '../core/causes.js';
export type { CauseRule, CheckEvidence, ScanContext } from './types.js';
