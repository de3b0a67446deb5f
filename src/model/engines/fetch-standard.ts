import { getHeader } from '../header-list.js';
import { firstInvalidToken, splitListHeader } from '../http-token.js';
import { isCorsSafelistedMethod } from '../method.js';
import { isOkStatus, type PreparedScenario } from '../request.js';
import { corsUnsafeRequestHeaderNames } from '../safelist.js';
import type { HeaderList } from '../types.js';
import { type EngineVerdict, runEngine } from './verdict.js';

/** Why the Fetch standard fails a request, in the standard's own terms. */
export type SpecFailureReason =
  | 'cors-check: Access-Control-Allow-Origin missing'
  | 'cors-check: Access-Control-Allow-Origin is * with credentials'
  | 'cors-check: Access-Control-Allow-Origin does not match the origin'
  | 'cors-check: Access-Control-Allow-Credentials is not true'
  | 'preflight: status is not an ok status'
  | 'preflight: Access-Control-Allow-Methods does not parse'
  | 'preflight: Access-Control-Allow-Headers does not parse'
  | 'preflight: method not allowed'
  | 'preflight: Authorization not listed (* never covers it)'
  | 'preflight: header not allowed';

export interface SpecFailure {
  reason: SpecFailureReason;
  detail?: string;
}

/** Fetch's "CORS check". */
export function specCorsCheck(
  headers: HeaderList,
  origin: string,
  includeCredentials: boolean,
): SpecFailure | undefined {
  const allowOrigin = getHeader(headers, 'Access-Control-Allow-Origin');
  if (allowOrigin === null) return { reason: 'cors-check: Access-Control-Allow-Origin missing' };
  if (!includeCredentials && allowOrigin === '*') return undefined;
  if (allowOrigin !== origin) {
    return allowOrigin === '*'
      ? { reason: 'cors-check: Access-Control-Allow-Origin is * with credentials' }
      : { reason: 'cors-check: Access-Control-Allow-Origin does not match the origin', detail: allowOrigin };
  }
  if (!includeCredentials) return undefined;
  if (getHeader(headers, 'Access-Control-Allow-Credentials') === 'true') return undefined;
  return { reason: 'cors-check: Access-Control-Allow-Credentials is not true' };
}

function checkPreflight(s: PreparedScenario, unsafeNames: string[]): SpecFailure | undefined {
  const answer = s.preflight;
  const cors = specCorsCheck(answer.headers, s.origin, s.includeCredentials);
  if (cors) return cors;
  if (!isOkStatus(answer.status))
    return { reason: 'preflight: status is not an ok status', detail: String(answer.status) };
  const methods = splitListHeader(getHeader(answer.headers, 'Access-Control-Allow-Methods'));
  if (firstInvalidToken(methods) !== undefined)
    return { reason: 'preflight: Access-Control-Allow-Methods does not parse' };
  const headerNames = splitListHeader(getHeader(answer.headers, 'Access-Control-Allow-Headers'));
  if (firstInvalidToken(headerNames) !== undefined) {
    return { reason: 'preflight: Access-Control-Allow-Headers does not parse' };
  }
  if (
    !methods.includes(s.method) &&
    !isCorsSafelistedMethod(s.method) &&
    (s.includeCredentials || !methods.includes('*'))
  ) {
    return { reason: 'preflight: method not allowed', detail: s.method };
  }
  const listed = new Set(headerNames.map((h) => h.toLowerCase()));
  if (s.headers.some(([name]) => name === 'authorization') && !listed.has('authorization')) {
    return { reason: 'preflight: Authorization not listed (* never covers it)' };
  }
  const missing = unsafeNames.find((name) => !listed.has(name) && (s.includeCredentials || !listed.has('*')));
  if (missing !== undefined) return { reason: 'preflight: header not allowed', detail: missing };
  return undefined;
}

/** What the Fetch standard requires. */
export function evaluateFetchStandard(s: PreparedScenario): EngineVerdict<SpecFailure, never> {
  return runEngine<SpecFailure, never>(s, {
    unsafeNames: corsUnsafeRequestHeaderNames(s.headers, 'spec'),
    checkPreflight: (unsafeNames) => {
      const failure = checkPreflight(s, unsafeNames);
      return failure ? { failure, warnings: [] } : { warnings: [] };
    },
    checkActual: () => specCorsCheck(s.response.headers, s.origin, s.includeCredentials),
  });
}
