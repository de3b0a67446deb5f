import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader } from '../../model/header-list.js';
import { splitListHeader } from '../../model/http-token.js';
import { firstBlocked, preflightOf, starletteRefusal, statusLine } from '../evidence.js';
import type { CauseRule } from '../types.js';

export const headerNotAllowed: CauseRule = {
  code: 'header-not-allowed',
  severity: 'error',
  title: 'A request header that is not CORS-safelisted is not in Access-Control-Allow-Headers.',
  detect(e) {
    const blocked = firstBlocked(e);
    const preflight = preflightOf(e)?.response;
    if (!blocked || !preflight) return undefined;
    const refusal = starletteRefusal(preflight);
    const byReason =
      /HeaderDisallowed|CORSMissingAllowHeader|InvalidAllowHeaders|CORSInvalidAllowHeader/.test(
        blocked.reason ?? '',
      );
    if (!refusal?.has('headers') && !byReason) return undefined;
    const requested = (e.simulation.accessControlRequestHeaders ?? '').split(',').filter(Boolean);
    const allowedValue = getHeader(preflight.headers, 'Access-Control-Allow-Headers');
    const allowed = new Set(splitListHeader(allowedValue).map((h) => h.toLowerCase()));
    const missing = requested.filter((h) => !allowed.has(h));
    const evidence = [
      `Access-Control-Request-Headers: ${requested.join(',')}`,
      `Access-Control-Allow-Headers: ${allowedValue ?? '(absent)'}`,
    ];
    if (refusal?.has('headers'))
      evidence.unshift(`OPTIONS -> ${statusLine(preflight)} "${preflight.bodyExcerpt.trim()}"`);
    if (allowed.has('*') && e.page.credentials === 'include')
      evidence.push('* is a literal name, not a wildcard, for requests with credentials');
    return {
      code: 'header-not-allowed',
      severity: 'error',
      summary: `The preflight does not allow the request header${missing.length === 1 ? '' : 's'} ${missing.join(', ') || requested.join(', ')}.`,
      evidence,
      locations: [],
      fix: {
        summary: `Add ${(missing.length > 0 ? missing : requested).map((h) => `"${h}"`).join(', ')} to allow_headers.`,
        snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method }),
      },
    };
  },
};
