import { getHeader } from '../../model/header-list.js';
import { splitListHeader } from '../../model/http-token.js';
import { preflightOf } from '../evidence.js';
import type { CauseRule } from '../types.js';

export const authorizationWildcard: CauseRule = {
  code: 'authorization-wildcard',
  severity: 'warning',
  title: 'Access-Control-Allow-Headers: * is relied on to cover Authorization.',
  detect(e) {
    const preflight = preflightOf(e)?.response;
    if (!preflight || e.page.credentials === 'include') return undefined;
    const requested = (e.simulation.accessControlRequestHeaders ?? '').split(',');
    const allowed = splitListHeader(getHeader(preflight.headers, 'Access-Control-Allow-Headers')).map((h) =>
      h.toLowerCase(),
    );
    if (!requested.includes('authorization') || !allowed.includes('*') || allowed.includes('authorization'))
      return undefined;
    return {
      summary:
        'Access-Control-Allow-Headers: * does not cover Authorization in the Fetch standard. Chrome and Firefox still allow it with a deprecation warning, but will stop.',
      evidence: [
        'Access-Control-Request-Headers includes authorization',
        'Access-Control-Allow-Headers: * without authorization listed',
      ],
      locations: [],
      fix: {
        summary:
          'List Authorization explicitly in allow_headers (e.g. allow_headers=["authorization", "content-type"]).',
      },
    };
  },
};
