import { RULES } from '../../../../src/causes/index.js';
import { nullOriginTrusted } from '../../../../src/causes/rules/null-origin-trusted.js';
import { fastapi, NGINX_API, nginxMap, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

securityTable(nullOriginTrusted, RULES, {
  insecure: [
    {
      name: '"null" listed beside the frontend',
      files: fastapi('allow_origins=["https://app.example.com", "null"], allow_credentials=True'),
      origins: [APP],
      origin: 'null',
    },
    {
      name: 'null as an alternative of the regex',
      files: fastapi('allow_origin_regex=r"https://app\\.example\\.com|null", allow_credentials=True'),
      origins: [APP],
      origin: 'null',
      pattern: { text: 'https://app\\.example\\.com|null', mode: 'fullmatch' },
    },
    {
      name: 'nginx map with a null key',
      files: nginxMap(['default "";', '"https://app.example.com" $http_origin;', 'null $http_origin;']),
      origins: [APP],
      url: NGINX_API,
      origin: 'null',
    },
  ],
  safe: [
    {
      name: '"null" listed without credentials',
      files: fastapi('allow_origins=["https://app.example.com", "null"]'),
      origins: [APP],
    },
    {
      name: 'the frontend only',
      files: fastapi('allow_origins=["https://app.example.com"], allow_credentials=True'),
      origins: [APP],
    },
    {
      name: 'nginx map without null',
      files: nginxMap(['default "";', '"https://app.example.com" $http_origin;']),
      origins: [APP],
      url: NGINX_API,
    },
  ],
});
