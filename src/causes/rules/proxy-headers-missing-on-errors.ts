import {
  actualOf,
  allowOrigin,
  firstBlocked,
  preflightOf,
  proxyStrippedAllowOrigin,
  serverSoftware,
  statusLine,
} from '../evidence.js';
import type { CauseRule } from '../types.js';

export const proxyHeadersMissingOnErrors: CauseRule = {
  code: 'proxy-headers-missing-on-errors',
  severity: 'error',
  title: 'The proxy adds CORS headers to successful answers only.',
  detect(e) {
    const actual = actualOf(e)?.response;
    if (firstBlocked(e)?.stage !== 'actual' || !actual || actual.status < 400 || allowOrigin(actual) !== null)
      return undefined;
    // The app's own CORS traces came through: the proxy removed the header, it did not fail to add one.
    if (proxyStrippedAllowOrigin(e).length > 0) return undefined;
    if (serverSoftware(actual) !== 'nginx') return undefined;
    const preflight = preflightOf(e)?.response;
    const evidence = [`${statusLine(actual)} from nginx without Access-Control-Allow-Origin`];
    if (preflight && allowOrigin(preflight) !== null)
      evidence.unshift(`the preflight (${statusLine(preflight)}) had CORS headers`);
    return {
      code: 'proxy-headers-missing-on-errors',
      severity: 'error',
      summary: `nginx answered ${actual.status} without CORS headers: add_header without "always" only applies to 2xx/3xx answers, so errors reach the page as CORS failures.`,
      evidence,
      locations: [],
      fix: {
        summary:
          'Add "always" to every add_header Access-Control-* line in nginx (add_header Access-Control-Allow-Origin $origin always;).',
      },
    };
  },
};
