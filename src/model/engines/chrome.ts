import { chromeRequestHeaderOrder } from '../chrome-header-order.js';
import { getHeader, hasHeader } from '../header-list.js';
import { firstInvalidToken, splitListHeader } from '../http-token.js';
import { isCorsSafelistedMethod } from '../method.js';
import { isOkStatus, isRedirectStatus, type PreparedScenario } from '../request.js';
import { corsUnsafeRequestHeaderNames } from '../safelist.js';
import type { HeaderList, ServerAnswer } from '../types.js';
import { type EngineVerdict, runEngine } from './verdict.js';

/** Chromium's `network::mojom::CorsError` values the model can produce. */
export type ChromeCorsError =
  | 'WildcardOriginNotAllowed'
  | 'MissingAllowOriginHeader'
  | 'MultipleAllowOriginValues'
  | 'InvalidAllowOriginValue'
  | 'AllowOriginMismatch'
  | 'InvalidAllowCredentials'
  | 'PreflightWildcardOriginNotAllowed'
  | 'PreflightMissingAllowOriginHeader'
  | 'PreflightMultipleAllowOriginValues'
  | 'PreflightInvalidAllowOriginValue'
  | 'PreflightAllowOriginMismatch'
  | 'PreflightInvalidAllowCredentials'
  | 'PreflightInvalidStatus'
  | 'PreflightDisallowedRedirect'
  | 'InvalidAllowMethodsPreflightResponse'
  | 'InvalidAllowHeadersPreflightResponse'
  | 'MethodDisallowedByPreflightResponse'
  | 'HeaderDisallowedByPreflightResponse';

export interface ChromeFailure {
  error: ChromeCorsError;
  /** `CorsErrorStatus.failed_parameter`: the value quoted in the message. */
  hint?: string;
}

export type ChromeWarning = 'AuthorizationCoveredByWildcard';

/** Whether Chromium's URL parser accepts the value (used to tell "invalid" from "mismatch"). */
function isValidUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

type AccessCheckError = Exclude<
  ChromeCorsError,
  | `Preflight${string}`
  | 'InvalidAllowMethodsPreflightResponse'
  | 'InvalidAllowHeadersPreflightResponse'
  | 'MethodDisallowedByPreflightResponse'
  | 'HeaderDisallowedByPreflightResponse'
>;

/** Chromium's `cors::CheckAccess`: the Access-Control-Allow-Origin / -Credentials check. */
export function chromeCheckAccess(
  headers: HeaderList,
  origin: string,
  includeCredentials: boolean,
): { error: AccessCheckError; hint?: string } | undefined {
  const allowOrigin = getHeader(headers, 'Access-Control-Allow-Origin');
  if (allowOrigin === '*') {
    if (includeCredentials) return { error: 'WildcardOriginNotAllowed' };
  } else if (allowOrigin === null) {
    return { error: 'MissingAllowOriginHeader' };
  } else if (allowOrigin !== origin) {
    if (/[ ,]/.test(allowOrigin)) return { error: 'MultipleAllowOriginValues', hint: allowOrigin };
    if (allowOrigin === 'null') return { error: 'AllowOriginMismatch', hint: allowOrigin };
    if (!isValidUrl(allowOrigin)) return { error: 'InvalidAllowOriginValue', hint: allowOrigin };
    return { error: 'AllowOriginMismatch', hint: allowOrigin };
  }
  if (includeCredentials) {
    const allowCredentials = getHeader(headers, 'Access-Control-Allow-Credentials');
    if (allowCredentials !== 'true')
      return { error: 'InvalidAllowCredentials', hint: allowCredentials ?? '' };
  }
  return undefined;
}

/**
 * `unsafeNames` in the order Chromium checks them against `Access-Control-Allow-Headers` (the order
 * of the first request's Blink header map; a redirect only removes headers, it never reorders them).
 */
function inChromeHeaderOrder(s: PreparedScenario, unsafeNames: string[]): string[] {
  // Order matters only to tell several names apart; the hash walk is not free on the model's hot path.
  if (unsafeNames.length < 2) return unsafeNames;
  const names = s.initialHeaderLines.map(([name]) => name);
  if (s.initialBody && !names.some((name) => name.toLowerCase() === 'content-type'))
    names.push('Content-Type');
  const order = chromeRequestHeaderOrder(names);
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  };
  return [...unsafeNames].sort((a, b) => rank(a) - rank(b));
}

function checkPreflight(
  s: PreparedScenario,
  answer: ServerAnswer,
  unsafeNames: string[],
): { failure?: ChromeFailure; warnings: ChromeWarning[] } {
  if (isRedirectStatus(answer.status) && hasHeader(answer.headers, 'Location')) {
    return { failure: { error: 'PreflightDisallowedRedirect' }, warnings: [] };
  }
  const access = chromeCheckAccess(answer.headers, s.origin, s.includeCredentials);
  if (access) {
    return { failure: { error: `Preflight${access.error}`, hint: access.hint }, warnings: [] };
  }
  if (!isOkStatus(answer.status)) return { failure: { error: 'PreflightInvalidStatus' }, warnings: [] };

  const methods = splitListHeader(getHeader(answer.headers, 'Access-Control-Allow-Methods'));
  if (firstInvalidToken(methods) !== undefined) {
    return { failure: { error: 'InvalidAllowMethodsPreflightResponse' }, warnings: [] };
  }
  const allowHeaders = splitListHeader(getHeader(answer.headers, 'Access-Control-Allow-Headers'));
  if (firstInvalidToken(allowHeaders) !== undefined) {
    return { failure: { error: 'InvalidAllowHeadersPreflightResponse' }, warnings: [] };
  }

  const methodAllowed =
    methods.includes(s.method) ||
    isCorsSafelistedMethod(s.method.toUpperCase()) ||
    (!s.includeCredentials && methods.includes('*'));
  if (!methodAllowed) {
    return { failure: { error: 'MethodDisallowedByPreflightResponse', hint: s.method }, warnings: [] };
  }

  const allowed = new Set(allowHeaders.map((h) => h.toLowerCase()));
  if (!s.includeCredentials && allowed.has('*')) {
    const warnings: ChromeWarning[] =
      unsafeNames.includes('authorization') && !allowed.has('authorization')
        ? ['AuthorizationCoveredByWildcard']
        : [];
    return { warnings };
  }
  const missing = inChromeHeaderOrder(
    s,
    unsafeNames.filter((name) => !allowed.has(name)),
  )[0];
  if (missing !== undefined) {
    return { failure: { error: 'HeaderDisallowedByPreflightResponse', hint: missing }, warnings: [] };
  }
  return { warnings: [] };
}

/** What current Chrome (156) does with the scenario. */
export function evaluateChrome(s: PreparedScenario): EngineVerdict<ChromeFailure, ChromeWarning> {
  return runEngine<ChromeFailure, ChromeWarning>(s, {
    unsafeNames: corsUnsafeRequestHeaderNames(s.headers, 'chrome'),
    checkPreflight: (unsafeNames) => checkPreflight(s, s.preflight, unsafeNames),
    checkActual: () => chromeCheckAccess(s.response.headers, s.origin, s.includeCredentials),
  });
}
