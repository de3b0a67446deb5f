import { auditFor } from '../security.js';
import { scanProxyFor } from '../security-proxy.js';
import { scanFor } from '../security-scan.js';
import type { CauseRule } from '../types.js';

export const reflectsAnyOrigin: CauseRule = {
  code: 'reflects-any-origin',
  severity: 'error',
  title:
    "Any origin is echoed in Access-Control-Allow-Origin with credentials: every website can read responses with the visitor's cookies.",
  audit: (evidence) => auditFor('reflects-any-origin', evidence),
  scan: (context) => scanFor('reflects-any-origin', context),
  scanProxy: (context) => scanProxyFor('reflects-any-origin', context),
};
