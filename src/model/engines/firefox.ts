import { getHeader, hasHeader, headerValues } from '../header-list.js';
import { firstInvalidToken, splitListHeader } from '../http-token.js';
import { isCorsSafelistedMethod } from '../method.js';
import { isOkStatus, isRedirectStatus, type PreparedScenario } from '../request.js';
import { corsUnsafeRequestHeaderNames } from '../safelist.js';
import type { ServerAnswer } from '../types.js';
import { type EngineVerdict, runEngine } from './verdict.js';

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
  | 'CORSMissingAllowHeaderFromPreflight2'
  | 'CORSDidNotSucceed2';

export interface FirefoxFailure {
  key: FirefoxMessageKey;
  /** The message's second parameter (status code, header value, token or header name). */
  arg?: string;
}

export type FirefoxWarning = 'CORSAllowHeaderFromPreflightDeprecation';

export interface FirefoxVerdict extends EngineVerdict<FirefoxFailure, FirefoxWarning> {
  /** Every console line Firefox logs, in order (the failure first). */
  lines: FirefoxFailure[];
}

/** Gecko's `nsCORSListenerProxy::CheckRequestApproved` on one response. */
export function firefoxCheckRequestApproved(
  answer: ServerAnswer,
  origin: string,
  includeCredentials: boolean,
): FirefoxFailure | undefined {
  // Gecko counts the response's original header lines whose name is exactly `Access-Control-Allow-Origin`
  // (a case-sensitive comparison): two such lines are "Multiple"; lines spelled otherwise
  // (`access-control-allow-origin` from uvicorn) are only merged into one value, which then fails the match.
  const exact = answer.headers.filter(([name]) => name === 'Access-Control-Allow-Origin');
  if (exact.length > 1) return { key: 'CORSMultipleAllowOriginNotAllowed' };
  const lines = headerValues(answer.headers, 'Access-Control-Allow-Origin');
  const allowOrigin = lines.length > 0 ? lines.join(', ') : undefined;
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

/** The line Firefox logs for the request its failed preflight cancelled. */
const DID_NOT_SUCCEED: FirefoxFailure = { key: 'CORSDidNotSucceed2', arg: '(null)' };

/** Whether a redirect from `url` to `location` goes to another origin (which makes Firefox send `Origin: null`). */
function redirectsToAnotherOrigin(url: string, location: string): boolean {
  try {
    return new URL(location, url).origin !== new URL(url).origin;
  } catch {
    return false;
  }
}

/** Every line Firefox logs for a failed preflight, in order: the reason first. */
function preflightFailureLines(
  s: PreparedScenario,
  failure: FirefoxFailure,
  answer: ServerAnswer,
): FirefoxFailure[] {
  const location = getHeader(answer.headers, 'Location');
  if (!isRedirectStatus(answer.status) || location === null) return [failure, DID_NOT_SUCCEED];
  if (failure.key !== 'CORSExternalRedirectNotAllowed') return [failure, DID_NOT_SUCCEED, DID_NOT_SUCCEED];
  // The redirect hop passed the check and was refused. The 3xx is then checked again, as the
  // preflight's own response; after a redirect to another origin, with the origin `null`.
  const origin = redirectsToAnotherOrigin(s.url, location) ? 'null' : s.origin;
  const second = firefoxCheckRequestApproved(answer, origin, s.includeCredentials) ?? {
    key: 'CORSPreflightDidNotSucceed3',
    arg: String(answer.status),
  };
  return [failure, second, DID_NOT_SUCCEED];
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
export function evaluateFirefox(s: PreparedScenario): FirefoxVerdict {
  const verdict = runEngine<FirefoxFailure, FirefoxWarning>(s, {
    // Firefox checks each header line on its own (two 100-byte Accept lines stay safelisted), and computes the
    // list once, when the request starts: after a redirect that turns POST into GET it still preflights for them.
    unsafeNames: corsUnsafeRequestHeaderNames(s.initialHeaderLines, 'firefox'),
    checkPreflight: (unsafeNames) => checkPreflight(s, s.preflight, unsafeNames),
    checkActual: () => firefoxCheckRequestApproved(s.response, s.origin, s.includeCredentials),
  });
  const { failure, stage } = verdict;
  const lines = !failure
    ? []
    : stage === 'preflight'
      ? preflightFailureLines(s, failure, s.preflight)
      : [failure];
  return { ...verdict, lines };
}

/**
 * The lines Firefox logs for a failure in a redirect chain. A failed check on a redirect response is followed
 * by "CORS request did not succeed"; a failed preflight after a redirect to another origin (Origin `null`)
 * is logged alone.
 */
export function firefoxLinesInChain(
  verdict: FirefoxVerdict,
  where: { hop: number; stage?: string; origin: string },
): FirefoxFailure[] {
  if (where.stage === 'redirect' && verdict.failure) return [verdict.failure, DID_NOT_SUCCEED];
  if (where.stage === 'preflight' && where.hop > 0 && where.origin === 'null')
    return verdict.lines.slice(0, 1);
  return verdict.lines;
}
