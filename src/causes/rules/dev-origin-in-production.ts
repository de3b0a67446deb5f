import { auditFor } from '../security.js';
import { scanProxyFor } from '../security-proxy.js';
import { scanFor } from '../security-scan.js';
import type { CauseRule } from '../types.js';

export const devOriginInProduction: CauseRule = {
  code: 'dev-origin-in-production',
  severity: 'info',
  title: 'A development origin (http://localhost:*) is left in a production allow-list with credentials.',
  audit: (evidence) => auditFor('dev-origin-in-production', evidence),
  scan: (context) => scanFor('dev-origin-in-production', context),
  scanProxy: (context) => scanProxyFor('dev-origin-in-production', context),
};
