import type { ChromeCorsError, ChromeFailure, ChromeWarning } from '../engines/chrome.js';

/**
 * The console line Chrome prints when a fetch() is redirected more than 20 times (a network error: no CORS
 * line follows, and the page sees `TypeError: Failed to fetch`).
 */
export const CHROME_TOO_MANY_REDIRECTS = 'Failed to load resource: net::ERR_TOO_MANY_REDIRECTS';

const PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: ";
const NO_CORS_INFORMATION = ' Have the server send the header with a valid value.';

/** Chromium's `EncodeHint`: printable ASCII kept, anything else as `\uXXXX`. */
function encodeHint(hint: string): string {
  let out = '';
  for (const ch of hint) {
    const code = ch.codePointAt(0) ?? 0;
    out += code >= 0x20 && code <= 0x7e ? ch : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

function isPreflightError(error: ChromeCorsError): boolean {
  return error.startsWith('Preflight');
}

function suffix(error: ChromeCorsError, hint: string): string {
  switch (error) {
    case 'WildcardOriginNotAllowed':
    case 'PreflightWildcardOriginNotAllowed':
      return "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.";
    case 'MissingAllowOriginHeader':
    case 'PreflightMissingAllowOriginHeader':
      return "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
    case 'MultipleAllowOriginValues':
    case 'PreflightMultipleAllowOriginValues':
      return `The 'Access-Control-Allow-Origin' header contains multiple values '${hint}', but only one is allowed.${NO_CORS_INFORMATION}`;
    case 'InvalidAllowOriginValue':
    case 'PreflightInvalidAllowOriginValue':
      return `The 'Access-Control-Allow-Origin' header contains the invalid value '${hint}'.${NO_CORS_INFORMATION}`;
    case 'AllowOriginMismatch':
    case 'PreflightAllowOriginMismatch':
      return `The 'Access-Control-Allow-Origin' header has a value '${hint}' that is not equal to the supplied origin.${NO_CORS_INFORMATION}`;
    case 'InvalidAllowCredentials':
    case 'PreflightInvalidAllowCredentials':
      return `The value of the 'Access-Control-Allow-Credentials' header in the response is '${hint}' which must be 'true' when the request's credentials mode is 'include'.`;
    case 'PreflightInvalidStatus':
      return 'It does not have HTTP ok status.';
    case 'PreflightDisallowedRedirect':
      return 'Redirect is not allowed for a preflight request.';
    case 'InvalidAllowMethodsPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Methods response header field in preflight response.';
    case 'InvalidAllowHeadersPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Headers response header field in preflight response.';
    case 'MethodDisallowedByPreflightResponse':
      return `Method ${hint} is not allowed by Access-Control-Allow-Methods in preflight response.`;
    case 'HeaderDisallowedByPreflightResponse':
      return `Request header field ${hint} is not allowed by Access-Control-Allow-Headers in preflight response.`;
  }
}

/** The console error line Chrome prints for a blocked `fetch()`. */
export function chromeMessage(
  url: string,
  origin: string,
  failure: ChromeFailure,
  initialUrl: string = url,
): string {
  const prefix = isPreflightError(failure.error) ? PREFLIGHT_PREFIX : '';
  const redirected = initialUrl !== url ? `(redirected from '${initialUrl}') ` : '';
  return `Access to fetch at '${url}' ${redirected}from origin '${origin}' has been blocked by CORS policy: ${prefix}${suffix(failure.error, encodeHint(failure.hint ?? ''))}`;
}

export function chromeWarningText(warning: ChromeWarning): string {
  switch (warning) {
    case 'AuthorizationCoveredByWildcard':
      return 'Authorization will not be covered by the wildcard symbol (*) in CORS `Access-Control-Allow-Headers` handling.';
  }
}
