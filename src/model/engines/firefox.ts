import { getHeader, hasHeader, headerValues } from '../header-list.js';
import { firstInvalidToken, splitListHeader } from '../http-token.js';
import { isCorsSafelistedMethod } from '../method.js';
import { isOkStatus, isRedirectStatus, type PreparedScenario } from '../request.js';
import { corsUnsafeRequestHeaderNames } from '../safelist.js';
import type { ServerAnswer } from '../types.js';
import type { EngineVerdict } from './verdict.js';

/** Keys of Firefox's `security.properties` messages that the model can produce. */
export type FirefoxMessageKey =
  | 'CORSMultipleAllowOriginNotAllowed'
  | 'CORSMissingAllowOrigin2'
  | 'CORSNotSupportingCredentials'
  | 'CORSAllowOriginNotMatchingOrigin'
  | 'CORSMissingAllowCredentials'
  | 'CORSExternalRedirectNotAllowed'
  | 'CORSPreflightDidNotSucceed3'
  | 'CORSInvalidAllowMethod'
  | 'CORSMethodNotFound'
  | 'CORSInvalidAllowHeader'
  | 'CORSMissingAllowHeaderFromPreflight2';

export interface FirefoxFailure {
  key: FirefoxMessageKey;
  /** The message's second parameter (status code, header value, token or header name). */
  arg?: string;
}

export type FirefoxWarning = 'CORSAllowHeaderFromPreflightDeprecation';

/** Gecko's `nsCORSListenerProxy::CheckRequestApproved` on one response. */
export function firefoxCheckRequestApproved(
  answer: ServerAnswer,
  origin: string,
  includeCredentials: boolean,
): FirefoxFailure | undefined {
  const lines = headerValues(answer.headers, 'Access-Control-Allow-Origin');
  if (lines.length > 1) return { key: 'CORSMultipleAllowOriginNotAllowed' };
  const allowOrigin = lines[0];
  if (allowOrigin === undefined) return { key: 'CORSMissingAllowOrigin2', arg: String(answer.status) };
  if (allowOrigin === '*') {
    if (includeCredentials) return { key: 'CORSNotSupportingCredentials' };
  } else if (allowOrigin !== origin) {
    return { key: 'CORSAllowOriginNotMatchingOrigin', arg: allowOrigin };
  }
  if (includeCredentials && getHeader(answer.headers, 'Access-Control-Allow-Credentials') !== 'true') {
    return { key: 'CORSMissingAllowCredentials' };
  }
  return undefined;
}

function checkPreflight(
  s: PreparedScenario,
  answer: ServerAnswer,
  unsafeNames: string[],
): { failure?: FirefoxFailure; warnings: FirefoxWarning[] } {
  const approved = firefoxCheckRequestApproved(answer, s.origin, s.includeCredentials);
  if (approved) return { failure: approved, warnings: [] };
  if (isRedirectStatus(answer.status) && hasHeader(answer.headers, 'Location')) {
    return { failure: { key: 'CORSExternalRedirectNotAllowed' }, warnings: [] };
  }
  if (!isOkStatus(answer.status)) {
    return { failure: { key: 'CORSPreflightDidNotSucceed3', arg: String(answer.status) }, warnings: [] };
  }

  const methods = splitListHeader(getHeader(answer.headers, 'Access-Control-Allow-Methods'));
  const invalidMethod = firstInvalidToken(methods);
  if (invalidMethod !== undefined)
    return { failure: { key: 'CORSInvalidAllowMethod', arg: invalidMethod }, warnings: [] };
  const methodFound =
    isCorsSafelistedMethod(s.method) ||
    methods.some((m) => (m === '*' && !s.includeCredentials) || m === s.method);
  if (!methodFound) return { failure: { key: 'CORSMethodNotFound' }, warnings: [] };

  const allowHeaders = splitListHeader(getHeader(answer.headers, 'Access-Control-Allow-Headers'));
  const invalidHeader = firstInvalidToken(allowHeaders);
  if (invalidHeader !== undefined) {
    return { failure: { key: 'CORSInvalidAllowHeader', arg: invalidHeader }, warnings: [] };
  }
  const wildcard = !s.includeCredentials && allowHeaders.includes('*');
  const listed = new Set(
    allowHeaders.filter((h) => h !== '*' || s.includeCredentials).map((h) => h.toLowerCase()),
  );
  const warnings: FirefoxWarning[] = [];
  for (const name of unsafeNames) {
    if (listed.has(name)) continue;
    if (wildcard && name !== 'authorization') continue;
    if (wildcard && name === 'authorization') {
      warnings.push('CORSAllowHeaderFromPreflightDeprecation');
      continue;
    }
    return { failure: { key: 'CORSMissingAllowHeaderFromPreflight2', arg: name }, warnings: [] };
  }
  return { warnings };
}

/** What current Firefox ESR (153) does with the scenario. */
export function evaluateFirefox(s: PreparedScenario): EngineVerdict<FirefoxFailure, FirefoxWarning> {
  const unsafeNames = corsUnsafeRequestHeaderNames(s.headers, 'firefox');
  const preflight = !isCorsSafelistedMethod(s.method) || unsafeNames.length > 0;
  const warnings: FirefoxWarning[] = [];
  if (preflight) {
    const result = checkPreflight(s, s.preflight, unsafeNames);
    warnings.push(...result.warnings);
    if (result.failure) {
      return {
        outcome: 'blocked',
        preflight,
        stage: 'preflight',
        failure: result.failure,
        warnings,
        unsafeNames,
      };
    }
  }
  const failure = firefoxCheckRequestApproved(s.response, s.origin, s.includeCredentials);
  if (failure) return { outcome: 'blocked', preflight, stage: 'actual', failure, warnings, unsafeNames };
  return { outcome: 'allowed', preflight, warnings, unsafeNames };
}
