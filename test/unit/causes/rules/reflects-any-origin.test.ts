import { RULES } from '../../../../src/causes/index.js';
import { reflectsAnyOrigin } from '../../../../src/causes/rules/reflects-any-origin.js';
import { fastapi, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

securityTable(reflectsAnyOrigin, RULES, {
  insecure: [
    {
      name: 'allow_origin_regex=".*" with credentials',
      files: fastapi('allow_origin_regex=".*", allow_credentials=True'),
      origins: [APP],
      origin: 'https://attacker.test',
      pattern: { text: '.*', mode: 'fullmatch' },
    },
    {
      name: 'allow_origin_regex="https://.+" with credentials',
      files: fastapi('allow_origin_regex="https://.+", allow_credentials=True'),
      origins: [APP],
      origin: 'https://attacker.test',
      pattern: { text: 'https://.+', mode: 'fullmatch' },
    },
  ],
  safe: [
    {
      name: 'a catch-all regex without credentials (a token API: nothing read with cookies)',
      files: fastapi('allow_origin_regex=".*"'),
      origins: [APP],
    },
    {
      name: 'allow_origins=["*"] without credentials (a public API)',
      files: fastapi('allow_origins=["*"]'),
      origins: [APP],
    },
  ],
});
