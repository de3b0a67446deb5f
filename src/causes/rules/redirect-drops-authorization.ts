import { statusLine } from '../evidence.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';
import {
  afterTheHop,
  crossOriginRedirects,
  droppedAuthorization,
  isSlashRedirect,
  originChange,
  redirectFixSummary,
  slashRedirectFinding,
} from './redirect-to-other-origin.js';

/** The statuses an API answers a request without its credentials with. */
const UNAUTHENTICATED = [401, 403];

export const redirectDropsAuthorization: CauseRule = {
  code: 'redirect-drops-authorization',
  severity: 'error',
  title: 'A redirect to another origin makes the browser drop Authorization, and the API answers 401/403.',
  // The same redirect, told by its consequence: the cause of the other origin's answers.
  supersedes: [
    'redirect-to-other-origin',
    'origin-not-allowed',
    'credentials-not-allowed',
    'redirect-extra-roundtrip',
    'error-response-without-cors',
  ],
  explainedBy: ['redirect-drops-authorization', 'redirect-to-other-origin', 'preflight-redirected'],
  scan: scanRedirectDropsAuthorization,
  detect(e) {
    const r = crossOriginRedirects(e).find(
      (c) =>
        droppedAuthorization(e, c) &&
        c.next?.response !== undefined &&
        UNAUTHENTICATED.includes(c.next.response.status),
    );
    const answer = r?.next?.response;
    if (!r || !answer) return undefined;
    return {
      summary: `The request is redirected to another origin (${r.from.origin} -> ${r.to.origin}: ${originChange(r.from, r.to)}), and browsers remove Authorization on such a redirect: the API gets the request without it and answers ${statusLine(answer)}.`,
      evidence: [
        `${r.exchange.request.method} ${r.from.href} (with Authorization) -> ${
          r.exchange.response ? statusLine(r.exchange.response) : ''
        }, Location: ${r.to.href}`,
        ...(isSlashRedirect(r.from, r.to)
          ? [
              'a trailing-slash redirect: the route is declared with the other spelling, and the Location is built from the Host and scheme the app receives',
            ]
          : []),
        ...afterTheHop(e, r),
      ],
      locations: [],
      fix: { summary: redirectFixSummary(r) },
    };
  },
};

/** The page's request carries Authorization and the router redirects it to another origin. */
function scanRedirectDropsAuthorization(context: ScanContext): FindingDraft[] {
  const sendsAuthorization = (context.request?.headers ?? []).some(
    ([n]) => n.toLowerCase() === 'authorization',
  );
  const finding = sendsAuthorization ? slashRedirectFinding(context, 'other-origin') : undefined;
  return finding ? [finding] : [];
}
