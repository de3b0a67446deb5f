import { auditFor } from '../security.js';
import { scanProxyFor } from '../security-proxy.js';
import { scanFor } from '../security-scan.js';
import type { CauseRule } from '../types.js';

export const originPrefixBypass: CauseRule = {
  code: 'origin-prefix-bypass',
  severity: 'error',
  title:
    'An origin that only begins like a trusted one (https://example.com.attacker.test) is allowed with credentials.',
  audit: (evidence) => auditFor('origin-prefix-bypass', evidence),
  scan: (context) => scanFor('origin-prefix-bypass', context),
  scanProxy: (context) => scanProxyFor('origin-prefix-bypass', context),
};
