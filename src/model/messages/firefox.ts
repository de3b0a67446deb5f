import type { FirefoxFailure, FirefoxMessageKey, FirefoxWarning } from '../engines/firefox.js';

const BLOCKED =
  'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at';

function reason(key: FirefoxMessageKey, arg: string): string {
  switch (key) {
    case 'CORSMultipleAllowOriginNotAllowed':
      return '(Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).';
    case 'CORSMissingAllowOrigin2':
      return `(Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: ${arg}.`;
    case 'CORSNotSupportingCredentials':
      return '(Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).';
    case 'CORSAllowOriginNotMatchingOrigin':
      return `(Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘${arg}’).`;
    case 'CORSMissingAllowCredentials':
      return '(Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).';
    case 'CORSExternalRedirectNotAllowed':
      return '(Reason: CORS request external redirect not allowed).';
    case 'CORSPreflightDidNotSucceed3':
      return `(Reason: CORS preflight response did not succeed). Status code: ${arg}.`;
    case 'CORSInvalidAllowMethod':
      return `(Reason: invalid token ‘${arg}’ in CORS header ‘Access-Control-Allow-Methods’).`;
    case 'CORSMethodNotFound':
      return '(Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).';
    case 'CORSInvalidAllowHeader':
      return `(Reason: invalid token ‘${arg}’ in CORS header ‘Access-Control-Allow-Headers’).`;
    case 'CORSDidNotSucceed2':
      return `(Reason: CORS request did not succeed). Status code: ${arg}.`;
    case 'CORSMissingAllowHeaderFromPreflight2':
      return `(Reason: header ‘${arg}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).`;
  }
}

/** The console error line Firefox prints for a blocked request. */
export function firefoxMessage(url: string, failure: FirefoxFailure): string {
  const at = failure.key === 'CORSNotSupportingCredentials' ? `‘${url}’` : url;
  return `${BLOCKED} ${at}. ${reason(failure.key, failure.arg ?? '')}`;
}

/**
 * The line Firefox prints when a cross-origin fetch() fails at the network level (more than 20 redirects):
 * "CORS request did not succeed" with no status, at the URL of the last request sent.
 */
export function firefoxNetworkErrorMessage(url: string): string {
  return firefoxMessage(url, { key: 'CORSDidNotSucceed2', arg: '(null)' });
}

export function firefoxWarningText(url: string, warning: FirefoxWarning): string {
  switch (warning) {
    case 'CORSAllowHeaderFromPreflightDeprecation':
      return `Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at ${url} soon. (Reason: When the \`Access-Control-Allow-Headers\` is \`*\`, the \`Authorization\` header is not covered. To include the \`Authorization\` header, it must be explicitly listed in CORS header \`Access-Control-Allow-Headers\`).`;
  }
}
