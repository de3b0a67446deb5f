/**
 * Every cause rule, one line each, most fundamental first: the order causes and findings are listed in.
 * Adding a cause: its rule module in rules/, one line here, its page in docs/causes/, its table of cases in
 * test/unit/causes/rules/.
 */
import { authorizationWildcard } from './rules/authorization-wildcard.js';
import { corsConfigNotApplied } from './rules/cors-config-not-applied.js';
import { credentialsNotAllowed } from './rules/credentials-not-allowed.js';
import { devOriginInProduction } from './rules/dev-origin-in-production.js';
import { duplicateCorsHeaders } from './rules/duplicate-cors-headers.js';
import { envOriginsMisparsed } from './rules/env-origins-misparsed.js';
import { errorResponseWithoutCors } from './rules/error-response-without-cors.js';
import { frontendRequestInvalid } from './rules/frontend-request-invalid.js';
import { headerNotAllowed } from './rules/header-not-allowed.js';
import { headerNotExposed } from './rules/header-not-exposed.js';
import { hostingPlatformOriginTrusted } from './rules/hosting-platform-origin-trusted.js';
import { insecureOriginTrusted } from './rules/insecure-origin-trusted.js';
import { methodNotAllowed } from './rules/method-not-allowed.js';
import { mixedContent } from './rules/mixed-content.js';
import { noCorsMiddleware } from './rules/no-cors-middleware.js';
import { nullOriginTrusted } from './rules/null-origin-trusted.js';
import { originMalformed } from './rules/origin-malformed.js';
import { originNotAllowed } from './rules/origin-not-allowed.js';
import { originPrefixBypass } from './rules/origin-prefix-bypass.js';
import { originSuffixBypass } from './rules/origin-suffix-bypass.js';
import { preflightRedirected } from './rules/preflight-redirected.js';
import { preflightRejected } from './rules/preflight-rejected.js';
import { proxyAnswersPreflight } from './rules/proxy-answers-preflight.js';
import { proxyHeadersMissingOnErrors } from './rules/proxy-headers-missing-on-errors.js';
import { proxyStripsCorsHeaders } from './rules/proxy-strips-cors-headers.js';
import { redirectDropsAuthorization } from './rules/redirect-drops-authorization.js';
import { redirectExtraRoundtrip } from './rules/redirect-extra-roundtrip.js';
import { redirectToOtherOrigin } from './rules/redirect-to-other-origin.js';
import { reflectsAnyOrigin } from './rules/reflects-any-origin.js';
import { regexUnescapedDot } from './rules/regex-unescaped-dot.js';
import { scanIncomplete } from './rules/scan-incomplete.js';
import { servedAppNotConfigured } from './rules/served-app-not-configured.js';
import { serverUnreachable } from './rules/server-unreachable.js';
import { wildcardCredentialsReflection } from './rules/wildcard-credentials-reflection.js';
import { wildcardOriginPrivateApi } from './rules/wildcard-origin-private-api.js';
import { wildcardWithCredentials } from './rules/wildcard-with-credentials.js';
import type { CauseRule } from './types.js';

export const RULES: readonly CauseRule[] = [
  serverUnreachable,
  mixedContent,
  proxyAnswersPreflight,
  proxyStripsCorsHeaders,
  noCorsMiddleware,
  servedAppNotConfigured,
  corsConfigNotApplied,
  preflightRedirected,
  redirectToOtherOrigin,
  redirectDropsAuthorization,
  preflightRejected,
  duplicateCorsHeaders,
  originMalformed,
  envOriginsMisparsed,
  originNotAllowed,
  wildcardWithCredentials,
  credentialsNotAllowed,
  frontendRequestInvalid,
  methodNotAllowed,
  headerNotAllowed,
  proxyHeadersMissingOnErrors,
  errorResponseWithoutCors,
  headerNotExposed,
  authorizationWildcard,
  redirectExtraRoundtrip,
  reflectsAnyOrigin,
  wildcardCredentialsReflection,
  nullOriginTrusted,
  originPrefixBypass,
  originSuffixBypass,
  regexUnescapedDot,
  hostingPlatformOriginTrusted,
  insecureOriginTrusted,
  wildcardOriginPrivateApi,
  devOriginInProduction,
  scanIncomplete,
];
