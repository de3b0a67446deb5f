import { auditFor } from '../security.js';
import type { CauseRule } from '../types.js';

export const wildcardOriginPrivateApi: CauseRule = {
  code: 'wildcard-origin-private-api',
  severity: 'warning',
  title:
    'Access-Control-Allow-Origin: * on an API whose access depends on network position: any site the visitor opens can read it.',
  audit: (evidence) => auditFor('wildcard-origin-private-api', evidence),
};
