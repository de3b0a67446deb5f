import { auditFor } from '../security.js';
import { scanProxyFor } from '../security-proxy.js';
import { scanFor } from '../security-scan.js';
import type { CauseRule } from '../types.js';

export const regexUnescapedDot: CauseRule = {
  code: 'regex-unescaped-dot',
  severity: 'error',
  title:
    'An unescaped dot in an origin pattern lets look-alike hosts (https://appxexample.com) in with credentials.',
  audit: (evidence) => auditFor('regex-unescaped-dot', evidence),
  scan: (context) => scanFor('regex-unescaped-dot', context),
  scanProxy: (context) => scanProxyFor('regex-unescaped-dot', context),
};
