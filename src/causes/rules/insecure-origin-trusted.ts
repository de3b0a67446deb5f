import { auditFor } from '../security.js';
import { scanProxyFor } from '../security-proxy.js';
import { scanFor } from '../security-scan.js';
import type { CauseRule } from '../types.js';

export const insecureOriginTrusted: CauseRule = {
  code: 'insecure-origin-trusted',
  severity: 'error',
  title:
    'An http:// origin is trusted with credentials: a network attacker who injects a script there reads responses.',
  audit: (evidence) => auditFor('insecure-origin-trusted', evidence),
  scan: (context) => scanFor('insecure-origin-trusted', context),
  scanProxy: (context) => scanProxyFor('insecure-origin-trusted', context),
};
