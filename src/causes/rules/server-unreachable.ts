import type { CauseRule } from '../types.js';

export const serverUnreachable: CauseRule = {
  code: 'server-unreachable',
  severity: 'error',
  title: 'Nothing answered: connection refused, DNS failure, TLS error or timeout.',
  // Nothing answered: no other cause can be told from the exchanges.
  supersedes: '*',
  detect(e) {
    if (!e.unreachable) return undefined;
    const failed = e.exchanges.find((x) => x.error);
    return {
      summary: `Not a CORS problem: ${failed?.error?.message ?? 'the server did not answer'} (browsers still report it as a CORS or network error)`,
      evidence: failed ? [`${failed.request.method} ${failed.request.url}: ${failed.error?.code}`] : [],
      locations: [],
      fix: { summary: 'Start the server, or fix the URL (host, port, http vs https).' },
    };
  },
};
