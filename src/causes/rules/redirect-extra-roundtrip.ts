import { getHeader } from '../../model/header-list.js';
import { isRedirectStatus } from '../../model/request.js';
import { verdictsOf } from '../evidence.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';
import { scanNginxSlashRedirect } from './proxy-slash-redirect.js';
import { slashRedirectFinding } from './redirect-to-other-origin.js';

export const redirectExtraRoundtrip: CauseRule = {
  code: 'redirect-extra-roundtrip',
  severity: 'warning',
  title: 'The request is redirected and only works because every hop carries CORS headers.',
  scan: scanRedirectExtraRoundtrip,
  scanProxy: scanNginxSlashRedirect('simple'),
  detect(e) {
    // A redirect is a 3xx the browser follows; a `201 Created` with its Location is an answer.
    const redirected = e.exchanges.filter(
      (x) =>
        x.kind === 'actual' &&
        x.response &&
        isRedirectStatus(x.response.status) &&
        getHeader(x.response.headers, 'Location') !== null,
    );
    if (redirected.length === 0 || verdictsOf(e).some((v) => v.outcome === 'blocked')) return undefined;
    const first = redirected[0];
    const location = first?.response ? getHeader(first.response.headers, 'Location') : null;
    return {
      summary: `The request is redirected (${first?.response?.status} to ${location}) before it is answered: an extra round trip, and a setup that breaks as soon as one hop loses its CORS headers.`,
      evidence: redirected.map(
        (x) =>
          `${x.request.method} ${x.request.url} -> ${x.response?.status} Location: ${getHeader(x.response?.headers ?? [], 'Location')}`,
      ),
      locations: [],
      fix: {
        summary: `Call the final URL directly (${location ?? 'the Location target'}); for FastAPI, match the route's trailing slash exactly.`,
      },
    };
  },
};

/** The router's trailing-slash redirect of the page's request, on the same origin. */
function scanRedirectExtraRoundtrip(context: ScanContext): FindingDraft[] {
  const finding = slashRedirectFinding(context, 'same-origin');
  return finding ? [finding] : [];
}
