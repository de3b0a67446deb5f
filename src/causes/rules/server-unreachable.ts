import type { CauseRule } from '../types.js';
import { afterRedirectToOtherOrigin } from './redirect-to-other-origin.js';

export const serverUnreachable: CauseRule = {
  code: 'server-unreachable',
  severity: 'error',
  title: 'Nothing answered: connection refused, DNS failure, TLS error or timeout.',
  // Nothing answered: no other cause can be told from the exchanges.
  supersedes: '*',
  // The source can tell that the page calls a port the project does not serve the app on.
  explainedBy: ['frontend-request-invalid'],
  detect(e) {
    if (!e.unreachable) return undefined;
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
