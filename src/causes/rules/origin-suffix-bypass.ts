import { auditFor } from '../security.js';
import { scanProxyFor } from '../security-proxy.js';
import { scanFor } from '../security-scan.js';
import type { CauseRule } from '../types.js';

export const originSuffixBypass: CauseRule = {
  code: 'origin-suffix-bypass',
  severity: 'error',
  title:
    'An origin that only ends like a trusted one (https://attacker-example.com) is allowed with credentials.',
  audit: (evidence) => auditFor('origin-suffix-bypass', evidence),
  scan: (context) => scanFor('origin-suffix-bypass', context),
  scanProxy: (context) => scanProxyFor('origin-suffix-bypass', context),
};
