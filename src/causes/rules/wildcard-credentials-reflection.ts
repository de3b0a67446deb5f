import { auditFor } from '../security.js';
import { scanFor } from '../security-scan.js';
import type { CauseRule } from '../types.js';

export const wildcardCredentialsReflection: CauseRule = {
  code: 'wildcard-credentials-reflection',
  severity: 'error',
  title:
    "Starlette turns allow_origins=['*'] with allow_credentials=True into echoing any origin with credentials (with a Cookie).",
  audit: (evidence) => auditFor('wildcard-credentials-reflection', evidence),
  scan: (context) => scanFor('wildcard-credentials-reflection', context),
};
