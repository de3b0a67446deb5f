import { RULES } from '../../../../src/causes/index.js';
import { regexUnescapedDot } from '../../../../src/causes/rules/regex-unescaped-dot.js';
import { fastapi, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

securityTable(regexUnescapedDot, RULES, {
  insecure: [
    {
      name: 'a literal origin pasted into allow_origin_regex',
      files: fastapi('allow_origin_regex="https://app.example.com", allow_credentials=True'),
      origins: [APP],
      origin: 'https://appxexample.com',
      pattern: { text: 'https://app.example.com', mode: 'fullmatch' },
    },
    {
      name: '.* then an unescaped dot: attacker-example.com',
      files: fastapi('allow_origin_regex=r"https://.*.example.com", allow_credentials=True'),
      origins: [APP],
      origin: 'https://attacker-example.com',
      pattern: { text: 'https://.*.example.com', mode: 'fullmatch' },
    },
    {
      name: 'an alternation with one unescaped dot',
      files: fastapi('allow_origin_regex=r"https://(app|admin)\\.example.com", allow_credentials=True'),
      origins: [APP],
      pattern: { text: 'https://(app|admin)\\.example.com', mode: 'fullmatch' },
    },
  ],
  safe: [
    {
      name: 'every dot escaped',
      files: fastapi('allow_origin_regex=r"https://app\\.example\\.com", allow_credentials=True'),
      origins: [APP],
    },
    {
      name: 'dots inside a character class',
      files: fastapi('allow_origin_regex=r"https://[a-z.]+\\.example\\.com", allow_credentials=True'),
      origins: [APP],
    },
    {
      name: 'unescaped dots without credentials',
      files: fastapi('allow_origin_regex="https://app.example.com"'),
      origins: [APP],
    },
  ],
});
