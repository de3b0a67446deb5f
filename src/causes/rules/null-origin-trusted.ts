import { auditFor } from '../security.js';
import { scanProxyFor } from '../security-proxy.js';
import { scanFor } from '../security-scan.js';
import type { CauseRule } from '../types.js';

export const nullOriginTrusted: CauseRule = {
  code: 'null-origin-trusted',
  severity: 'error',
  title: 'Origin: null (sandboxed iframes, file://, redirects) is allowed with credentials.',
  audit: (evidence) => auditFor('null-origin-trusted', evidence),
  scan: (context) => scanFor('null-origin-trusted', context),
  scanProxy: (context) => scanProxyFor('null-origin-trusted', context),
};
