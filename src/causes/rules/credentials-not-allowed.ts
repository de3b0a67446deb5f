import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader } from '../../model/header-list.js';
import { firstBlocked } from '../evidence.js';
import type { CauseRule } from '../types.js';

export const credentialsNotAllowed: CauseRule = {
  code: 'credentials-not-allowed',
  severity: 'error',
  title:
    'The request is sent with credentials but the server does not answer Access-Control-Allow-Credentials: true.',
  detect(e) {
    const blocked = firstBlocked(e);
    if (!blocked?.reason || !/InvalidAllowCredentials|CORSMissingAllowCredentials/.test(blocked.reason))
      return undefined;
    const exchange = e.exchanges.find(
      (x) => x.kind === blocked.stage || (blocked.stage === 'actual' && x.kind === 'actual'),
    );
    const value = exchange?.response
      ? getHeader(exchange.response.headers, 'Access-Control-Allow-Credentials')
      : null;
    return {
      code: 'credentials-not-allowed',
      severity: 'error',
      summary:
        "The page sends credentials ('include') but the server does not allow them: it must answer Access-Control-Allow-Credentials: true (exactly).",
      evidence: [
        `${exchange?.request.method ?? ''} -> Access-Control-Allow-Credentials: ${value === null ? '(absent)' : value}`,
      ],
      locations: [],
      fix: {
        summary:
          "Set allow_credentials=True (with explicit origins), or stop sending credentials if the API does not use cookies (fetch credentials: 'same-origin').",
        snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method }),
      },
    };
  },
};
