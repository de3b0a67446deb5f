import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { actualOf, allowOrigin, firstBlocked, looksLikeStarlette, preflightOf } from '../evidence.js';
import type { CauseRule } from '../types.js';

export const wildcardWithCredentials: CauseRule = {
  code: 'wildcard-with-credentials',
  severity: 'error',
  title: 'Access-Control-Allow-Origin is * for a request sent with credentials.',
  detect(e) {
    if (!firstBlocked(e) || e.page.credentials !== 'include') return undefined;
    const hit = [preflightOf(e), actualOf(e)].find((x) => allowOrigin(x?.response) === '*');
    if (!hit) return undefined;
    const evidence = [
      `${hit.request.method} -> Access-Control-Allow-Origin: *`,
      "the page sends credentials ('include'): browsers never accept * then",
    ];
    if (looksLikeStarlette(e) && !hit.request.headers.some(([n]) => n.toLowerCase() === 'cookie')) {
      evidence.push(
        "Starlette (before 1.0) with allow_origins=['*'] and allow_credentials=True echoes the origin only when the request has a Cookie header; this one had none",
      );
    }
    return {
      code: 'wildcard-with-credentials',
      severity: 'error',
      summary:
        'The server answers Access-Control-Allow-Origin: * to a request with credentials; the browser needs the exact origin and Access-Control-Allow-Credentials: true.',
      evidence,
      locations: [],
      fix: {
        summary: `List the real origin ("${e.page.origin}") instead of "*" and keep allow_credentials=True. Never allow "*" with credentials.`,
        snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method }),
      },
    };
  },
};
