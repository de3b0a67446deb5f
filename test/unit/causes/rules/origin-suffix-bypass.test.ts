import { RULES } from '../../../../src/causes/index.js';
import { originSuffixBypass } from '../../../../src/causes/rules/origin-suffix-bypass.js';
import { echoingMiddleware, fastapi, NGINX_API, nginxMap, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

securityTable(originSuffixBypass, RULES, {
  insecure: [
    {
      name: 'allow_origin_regex with .* before the registrable domain',
      files: fastapi('allow_origin_regex=r"https://.*example\\.com", allow_credentials=True'),
      origins: [APP],
      origin: 'https://attacker-example.com',
      pattern: { text: 'https://.*example\\.com', mode: 'fullmatch' },
    },
    {
      name: 'allow_origins as a string: a truncation passes the substring test',
      files: fastapi('allow_origins="https://app.example.com", allow_credentials=True'),
      origins: [APP],
      origin: 'https://app.example.co',
    },
    {
      name: 'nginx map key anchored at the end only',
      files: nginxMap(['default "";', '"~example\\.com$" $http_origin;']),
      origins: [APP],
      url: NGINX_API,
      origin: 'https://attacker-example.com',
      pattern: { text: 'example\\.com$', mode: 'search' },
    },
    {
      name: 'middleware: origin.endswith("example.com")',
      files: echoingMiddleware('origin.endswith("example.com")'),
      origins: [APP],
      origin: 'https://attacker-example.com',
      unmodelled: true,
    },
    {
      name: 'middleware: origin.lower().strip().endswith("example.com") (case and space changes read through)',
      files: echoingMiddleware('origin.lower().strip().endswith("example.com")'),
      origins: [APP],
      origin: 'https://attacker-example.com',
      unmodelled: true,
    },
  ],
  safe: [
    {
      name: 'any subdomain of the trusted site under fullmatch',
      files: fastapi('allow_origin_regex=r"https://.*\\.example\\.com", allow_credentials=True'),
      origins: [APP],
    },
    {
      name: 'an anchored alternation',
      files: fastapi('allow_origin_regex=r"https://(app|admin)\\.example\\.com", allow_credentials=True'),
      origins: [APP],
    },
    {
      name: 'a loose regex without credentials (nothing read with cookies)',
      files: fastapi('allow_origin_regex=r"https://.*example\\.com"'),
      origins: [APP],
    },
    {
      name: 'nginx map with exact keys',
      files: nginxMap(['default "";', '"https://app.example.com" $http_origin;']),
      origins: [APP],
      url: NGINX_API,
    },
    {
      name: 'middleware: origin in a set of origins',
      files: echoingMiddleware('origin in ALLOWED'),
      origins: [APP],
      unmodelled: true,
    },
  ],
});
