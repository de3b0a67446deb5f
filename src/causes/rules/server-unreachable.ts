import { REFUSED_BY_BROWSER } from '../../core/exchange.js';
import { badPortOf } from '../../model/bad-port.js';
import type { CauseRule } from '../types.js';
import { afterRedirectToOtherOrigin } from './redirect-to-other-origin.js';

export const serverUnreachable: CauseRule = {
  code: 'server-unreachable',
  severity: 'error',
  title:
    'The browser cannot reach the server: connection refused, DNS failure, TLS error, timeout, or a port browsers refuse.',
  // Nothing answered: no other cause can be told from the exchanges.
  supersedes: '*',
  // The source can tell that the page calls a port the project does not serve the app on.
  explainedBy: ['frontend-request-invalid'],
  detect(e) {
    // A server that answers on a port browsers refuse (with nothing listening, the refusal is told below).
    const badPort = badPortOf(e.page.url);
    if (badPort !== undefined && !e.unreachable)
      return {
        summary: `Not a CORS problem: browsers never connect to port ${badPort} (Chrome: net::ERR_UNSAFE_PORT; Firefox refuses the port), while curl reaches it`,
        evidence: [`request URL ${e.page.url}: port ${badPort} is on the Fetch standard's list of bad ports`],
        locations: [],
        fix: { summary: `Serve the API on another port (8000, 8080, ...) and call that port from the page.` },
      };
    if (!e.unreachable) return undefined;
    const unanswered = e.exchanges.filter((x) => !x.response && x.kind !== 'diagnostic');
    if (unanswered.every((x) => REFUSED_BY_BROWSER.test(x.recorded?.browserError ?? ''))) return undefined;
    const failed = e.exchanges.find((x) => x.error);
    // The server answered with a redirect to another origin, and that origin did not answer: the
    // redirect is the cause (redirect-to-other-origin), not a server that is down.
    if (failed && afterRedirectToOtherOrigin(e, failed)) return undefined;
    return {
      summary: `Not a CORS problem: ${failed?.error?.message ?? 'the server did not answer'} (browsers still report it as a CORS or network error)`,
      evidence: failed ? [`${failed.request.method} ${failed.request.url}: ${failed.error?.code}`] : [],
      locations: [],
      fix: { summary: 'Start the server, or fix the URL (host, port, http vs https).' },
    };
  },
};
