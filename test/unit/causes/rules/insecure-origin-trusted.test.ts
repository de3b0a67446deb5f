import { RULES } from '../../../../src/causes/index.js';
import { insecureOriginTrusted } from '../../../../src/causes/rules/insecure-origin-trusted.js';
import { fastapi, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

securityTable(insecureOriginTrusted, RULES, {
  insecure: [
    {
      name: 'the http:// twin listed beside the https:// frontend',
      files: fastapi(
        'allow_origins=["https://app.example.com", "http://app.example.com"], allow_credentials=True',
      ),
      origins: [APP],
      origin: 'http://app.example.com',
    },
    {
      name: 'https? in the regex',
      files: fastapi('allow_origin_regex=r"https?://app\\.example\\.com", allow_credentials=True'),
      origins: [APP],
      origin: 'http://app.example.com',
      pattern: { text: 'https?://app\\.example\\.com', mode: 'fullmatch' },
    },
  ],
  safe: [
    {
      name: 'https:// only',
      files: fastapi('allow_origins=["https://app.example.com"], allow_credentials=True'),
      origins: [APP],
    },
    {
      name: 'the http:// twin without credentials',
      files: fastapi('allow_origins=["https://app.example.com", "http://app.example.com"]'),
      origins: [APP],
    },
  ],
});
