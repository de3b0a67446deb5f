import { RULES } from '../../../../src/causes/index.js';
import { hostingPlatformOriginTrusted } from '../../../../src/causes/rules/hosting-platform-origin-trusted.js';
import { fastapi, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

securityTable(hostingPlatformOriginTrusted, RULES, {
  insecure: [
    {
      name: 'every vercel.app deployment, beside the frontend',
      files: fastapi(
        'allow_origin_regex=r"https://app\\.example\\.com|https://.*\\.vercel\\.app", allow_credentials=True',
      ),
      origins: [APP],
      origin: 'https://attacker.vercel.app',
      pattern: { text: 'https://app\\.example\\.com|https://.*\\.vercel\\.app', mode: 'fullmatch' },
    },
    {
      name: 'every github.io page',
      files: fastapi('allow_origin_regex=r"https://[a-z0-9-]+\\.github\\.io", allow_credentials=True'),
      origins: ['https://myorg.github.io'],
      pattern: { text: 'https://[a-z0-9-]+\\.github\\.io', mode: 'fullmatch' },
    },
  ],
  safe: [
    {
      name: 'the one deployment, exactly',
      files: fastapi('allow_origins=["https://myapp.vercel.app"], allow_credentials=True'),
      origins: ['https://myapp.vercel.app'],
    },
    {
      name: 'previews under a domain of its own',
      files: fastapi(
        'allow_origin_regex=r"https://[a-z0-9-]+\\.preview\\.example\\.com", allow_credentials=True',
      ),
      origins: [APP],
    },
  ],
});
