import { RULES } from '../../../../src/causes/index.js';
import { wildcardCredentialsReflection } from '../../../../src/causes/rules/wildcard-credentials-reflection.js';
import { fastapi, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

securityTable(wildcardCredentialsReflection, RULES, {
  insecure: [
    {
      name: 'Starlette 0.26.1: * and credentials echo the origin of a request with a Cookie',
      files: fastapi('allow_origins=["*"], allow_credentials=True'),
      origins: [APP],
      origin: 'https://attacker.test',
    },
    {
      name: 'Starlette 1.0.0: the origin is echoed on every request',
      files: fastapi(
        'allow_origins=["*"], allow_credentials=True, allow_methods=["*"]',
        'starlette==1.0.0\n',
      ),
      origins: [APP],
      origin: 'https://attacker.test',
      // From 1.0 the answer without a cookie echoes too: on the wire it is any origin echoed.
      scanOnly: true,
    },
  ],
  safe: [
    {
      name: '* without credentials',
      files: fastapi('allow_origins=["*"], allow_methods=["*"]'),
      origins: [APP],
    },
    {
      name: 'the frontends listed, with credentials',
      files: fastapi('allow_origins=["https://app.example.com"], allow_credentials=True'),
      origins: [APP],
    },
  ],
});
