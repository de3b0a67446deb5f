import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader } from '../../model/header-list.js';
import { firstBlocked, preflightOf, starletteRefusal, statusLine } from '../evidence.js';
import type { CauseRule } from '../types.js';

export const methodNotAllowed: CauseRule = {
  code: 'method-not-allowed',
  severity: 'error',
  title: "The preflight does not allow the request's method.",
  detect(e) {
    const blocked = firstBlocked(e);
    const preflight = preflightOf(e)?.response;
    if (!blocked || !preflight) return undefined;
    const method = e.simulation.method;
    const allowed = getHeader(preflight.headers, 'Access-Control-Allow-Methods');
    const refusal = starletteRefusal(preflight);
    const byReason = /MethodDisallowed|CORSMethodNotFound|InvalidAllowMethods|CORSInvalidAllowMethod/.test(
      blocked.reason ?? '',
    );
    if (!refusal?.has('method') && !byReason) return undefined;
    const evidence = [`Access-Control-Allow-Methods: ${allowed ?? '(absent)'} does not contain ${method}`];
    if (refusal?.has('method'))
      evidence.unshift(`OPTIONS -> ${statusLine(preflight)} "${preflight.bodyExcerpt.trim()}"`);
    if (allowed === 'GET') evidence.push("GET alone is Starlette's default allow_methods");
    if (allowed?.toUpperCase().split(/,\s*/).includes(method.toUpperCase())) {
      evidence.push(`methods are compared case-sensitively: ${method} is not ${allowed}`);
    }
    return {
      code: 'method-not-allowed',
      severity: 'error',
      summary: `The preflight does not allow the method ${method}.`,
      evidence,
      locations: [],
      fix: {
        summary: `Add "${method}" to allow_methods (Starlette's default is GET only).`,
        snippet: corsMiddlewareSnippet({ ...e.page, method }),
      },
    };
  },
};
