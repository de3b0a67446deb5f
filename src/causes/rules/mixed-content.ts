import { isMixedContent } from '../../model/mixed-content.js';
import type { CauseRule } from '../types.js';

export const mixedContent: CauseRule = {
  code: 'mixed-content',
  severity: 'error',
  title: 'An https page calls an http API: blocked before any CORS check.',
  detect(e) {
    if (!isMixedContent(e.page.origin, e.page.url)) return undefined;
    return {
      summary:
        'Not CORS: the page is https and the API URL is plain http, so browsers block the request as mixed content before CORS is considered.',
      evidence: [`page origin ${e.page.origin}`, `request URL ${e.page.url}`],
      locations: [],
      fix: { summary: 'Serve the API over https and call the https:// URL.' },
    };
  },
};
