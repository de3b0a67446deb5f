import { RULES } from '../../../../src/causes/index.js';
import { reflectsAnyOrigin } from '../../../../src/causes/rules/reflects-any-origin.js';
import { echoingMiddleware, fastapi, NGINX_API, nginx, nginxMap, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

/** The echoing middleware, with a helper that tests an origin and a set of hosts beside it. */
function withHelper(test: string) {
  const files = echoingMiddleware(test);
  const main = (files['main.py'] as string)
    .replace('import re', 'import re\nfrom urllib.parse import urlparse')
    .replace(
      'ALLOWED = {"https://app.example.com"}',
      [
        'ALLOWED = {"https://app.example.com"}',
        'ALLOWED_HOSTS = {"app.example.com"}',
        '',
        '',
        'def origin_allowed(origin):',
        '    return origin in ALLOWED',
      ].join('\n'),
    );
  return { ...files, 'main.py': main };
}

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
    {
      name: 'nginx writes $http_origin back unchecked, with credentials',
      files: nginx('add_header Access-Control-Allow-Origin $http_origin always;'),
      origins: [APP],
      url: NGINX_API,
      origin: 'https://attacker.test',
    },
    {
      name: 'nginx map whose default is $http_origin',
      files: nginxMap(['default $http_origin;', '"https://app.example.com" $http_origin;']),
      origins: [APP],
      url: NGINX_API,
      origin: 'https://attacker.test',
    },
    {
      name: 'middleware: any origin written back',
      files: echoingMiddleware('origin'),
      origins: [APP],
      origin: 'https://attacker.test',
      unmodelled: true,
    },
  ],
  safe: [
    {
      name: 'middleware: the origin tested by a function of the app (not read: no finding)',
      files: withHelper('origin and origin_allowed(origin)'),
      origins: [APP],
      unmodelled: true,
    },
    {
      name: 'middleware: a host parsed from the origin, compared with a set (not read: no finding)',
      files: withHelper('urlparse(origin).hostname in ALLOWED_HOSTS'),
      origins: [APP],
      unmodelled: true,
    },
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
    {
      name: 'nginx writes $http_origin back without credentials',
      files: nginx('add_header Access-Control-Allow-Origin $http_origin always;', [], false),
      origins: [APP],
      url: NGINX_API,
    },
  ],
});
