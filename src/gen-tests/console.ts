/**
 * What a failed check prints: Chrome's console line for it (from the browser model's message templates)
 * and the cause it names (docs/causes.md), by check. A check is named by Chromium's CorsError.
 */
import type { Cause, CauseCode } from '../core/causes.js';
import type { ChromeCorsError } from '../model/engines/chrome.js';
import { chromeMessage, chromeWarningText } from '../model/messages/chrome.js';
import type { BrowserVerdict } from '../model/types.js';
import type { BrowserRequest } from './browser-requests.js';

/** A check of the generated test: a Chromium CorsError, or a step a browser takes that this test cannot. */
export type Check =
  | ChromeCorsError
  | 'AuthorizationCoveredByWildcard'
  | 'RedirectToOtherOrigin'
  | 'TooManyRedirects';

/** Stands for the URL of the request in a console template. */
export const URL_MARK = '@@url@@';
/** Stands for the value Chrome quotes (`failed_parameter`) in a console template. */
export const HINT_MARK = '@@hint@@';

/** The checks Chrome makes on a preflight's answer, in its order (credentials ones only with `include`). */
function preflightChecks(requests: BrowserRequest[], credentials: boolean): ChromeCorsError[] {
  const preflights = requests.flatMap((r) => (r.preflight ? [r.preflight] : []));
  if (preflights.length === 0) return [];
  return [
    'PreflightDisallowedRedirect',
    ...(credentials ? (['PreflightWildcardOriginNotAllowed'] as const) : []),
    'PreflightMissingAllowOriginHeader',
    'PreflightMultipleAllowOriginValues',
    'PreflightInvalidAllowOriginValue',
    'PreflightAllowOriginMismatch',
    ...(credentials ? (['PreflightInvalidAllowCredentials'] as const) : []),
    'PreflightInvalidStatus',
    'InvalidAllowMethodsPreflightResponse',
    'InvalidAllowHeadersPreflightResponse',
    ...(preflights.some((p) => p.method !== undefined)
      ? (['MethodDisallowedByPreflightResponse'] as const)
      : []),
    ...(preflights.some((p) => p.headerNames.length > 0)
      ? (['HeaderDisallowedByPreflightResponse'] as const)
      : []),
  ];
}

/** The checks Chrome makes on the answer to the request (and to each redirect). */
function responseChecks(credentials: boolean): ChromeCorsError[] {
  return [
    ...(credentials ? (['WildcardOriginNotAllowed'] as const) : []),
    'MissingAllowOriginHeader',
    'MultipleAllowOriginValues',
    'InvalidAllowOriginValue',
    'AllowOriginMismatch',
    ...(credentials ? (['InvalidAllowCredentials'] as const) : []),
  ];
}

/** Chrome's console lines for the checks of these requests, as a head (the same for all) and tails. */
export interface ConsoleTemplates {
  /** `Access to fetch at '@@url@@' from origin '…' has been blocked by CORS policy: ` */
  head: string;
  /** The head for a request after a redirect: `… at '@@url@@' (redirected from '<URL>') from origin …` */
  headRedirected: string;
  /** The rest of the line, by check; `@@hint@@` where Chrome quotes a value. */
  tails: Partial<Record<Check, string>>;
  /** Chrome's warning for `Authorization` left to `Access-Control-Allow-Headers: *` (when it can happen). */
  authorizationWarning?: string;
}

function commonPrefix(lines: string[]): string {
  let prefix = lines[0] ?? '';
  for (const line of lines) while (!line.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

export function consoleTemplates(
  url: string,
  origin: string,
  requests: BrowserRequest[],
  credentials: boolean,
): ConsoleTemplates {
  const checks = [...preflightChecks(requests, credentials), ...responseChecks(credentials)];
  const lines = checks.map((error) => chromeMessage(URL_MARK, origin, { error, hint: HINT_MARK }, URL_MARK));
  let head = commonPrefix(lines);
  if (head.includes(HINT_MARK)) head = head.slice(0, head.indexOf(HINT_MARK));
  const redirected = chromeMessage(URL_MARK, origin, { error: 'MissingAllowOriginHeader' }, url);
  const direct = chromeMessage(URL_MARK, origin, { error: 'MissingAllowOriginHeader' }, URL_MARK);
  const tails: ConsoleTemplates['tails'] = {};
  checks.forEach((check, i) => {
    tails[check] = (lines[i] as string).slice(head.length);
  });
  const authorizationCanHideBehindWildcard =
    !credentials && requests.some((r) => r.preflight?.headerNames.includes('authorization'));
  return {
    head,
    headRedirected: redirected.slice(0, redirected.length - (direct.length - head.length)),
    tails,
    ...(authorizationCanHideBehindWildcard && {
      authorizationWarning: chromeWarningText('AuthorizationCoveredByWildcard'),
    }),
  };
}

/** The cause each check names when the prediction names none for it. */
export function defaultCauses(hasCorsLayer: boolean): Record<Check, CauseCode> {
  const missing = hasCorsLayer ? 'origin-not-allowed' : 'no-cors-middleware';
  return {
    PreflightDisallowedRedirect: 'preflight-redirected',
    PreflightWildcardOriginNotAllowed: 'wildcard-with-credentials',
    PreflightMissingAllowOriginHeader: missing,
    PreflightMultipleAllowOriginValues: 'duplicate-cors-headers',
    PreflightInvalidAllowOriginValue: 'origin-malformed',
    PreflightAllowOriginMismatch: 'origin-not-allowed',
    PreflightInvalidAllowCredentials: 'credentials-not-allowed',
    PreflightInvalidStatus: 'preflight-rejected',
    InvalidAllowMethodsPreflightResponse: 'method-not-allowed',
    InvalidAllowHeadersPreflightResponse: 'header-not-allowed',
    MethodDisallowedByPreflightResponse: 'method-not-allowed',
    HeaderDisallowedByPreflightResponse: 'header-not-allowed',
    WildcardOriginNotAllowed: 'wildcard-with-credentials',
    MissingAllowOriginHeader: missing,
    MultipleAllowOriginValues: 'duplicate-cors-headers',
    InvalidAllowOriginValue: 'origin-malformed',
    AllowOriginMismatch: 'origin-not-allowed',
    InvalidAllowCredentials: 'credentials-not-allowed',
    AuthorizationCoveredByWildcard: 'authorization-wildcard',
    RedirectToOtherOrigin: 'redirect-to-other-origin',
    TooManyRedirects: 'redirect-extra-roundtrip',
  };
}

/** What `check --project --offline` says of this request: Chrome's verdict and the causes it names. */
export interface Prediction {
  chrome?: BrowserVerdict;
  causes: Cause[];
}

/**
 * The causes the prediction names for the check it says Chrome fails (`code (file:line); …`), by that
 * check: the failure the test meets when the app behaves as its source reads.
 */
export function predictedCauses(prediction: Prediction | undefined): Partial<Record<Check, string>> {
  const reason = prediction?.chrome?.outcome === 'blocked' ? prediction.chrome.reason : undefined;
  if (!reason || !prediction) return {};
  const blocking = prediction.causes.filter((c) => c.severity === 'error');
  if (blocking.length === 0) return {};
  const named = blocking.map((c) => {
    const at = c.locations[0];
    return at ? `${c.code} (${at.file}:${at.line})` : c.code;
  });
  const predicted: Partial<Record<Check, string>> = { [reason as Check]: named.join('; ') };
  // The same refusal on the request itself (no Access-Control-Allow-Origin for this origin, ...) has the
  // same cause: the layer that refuses the preflight's origin refuses the request's.
  const access = reason.startsWith('Preflight') ? reason.slice('Preflight'.length) : undefined;
  if (access && ACCESS_CHECKS.includes(access as Check)) predicted[access as Check] = named.join('; ');
  return predicted;
}

/** The checks of Chrome's `CheckAccess` (Access-Control-Allow-Origin and -Credentials) on a response. */
const ACCESS_CHECKS: Check[] = [
  'WildcardOriginNotAllowed',
  'MissingAllowOriginHeader',
  'MultipleAllowOriginValues',
  'InvalidAllowOriginValue',
  'AllowOriginMismatch',
  'InvalidAllowCredentials',
];
