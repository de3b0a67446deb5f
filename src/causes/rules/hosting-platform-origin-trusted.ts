import { auditFor } from '../security.js';
import { scanProxyFor } from '../security-proxy.js';
import { scanFor } from '../security-scan.js';
import type { CauseRule } from '../types.js';

export const hostingPlatformOriginTrusted: CauseRule = {
  code: 'hosting-platform-origin-trusted',
  severity: 'error',
  title:
    'A shared hosting domain where anyone can publish (*.vercel.app, *.github.io) is trusted with credentials.',
  audit: (evidence) => auditFor('hosting-platform-origin-trusted', evidence),
  scan: (context) => scanFor('hosting-platform-origin-trusted', context),
  scanProxy: (context) => scanProxyFor('hosting-platform-origin-trusted', context),
};
