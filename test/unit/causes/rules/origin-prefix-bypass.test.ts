import { RULES } from '../../../../src/causes/index.js';
import { originPrefixBypass } from '../../../../src/causes/rules/origin-prefix-bypass.js';
import { echoingMiddleware, fastapi, NGINX_API, nginx, nginxMap, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';
/** Starlette before 0.13.1 applies allow_origin_regex with re.match: anchored at the start only. */
const OLD = 'starlette==0.12.9\n';

/** The echoing middleware with a pattern compiled at module level (`binding`) and tested by `test`. */
function compiledAtTop(binding: string, test: string) {
  const files = echoingMiddleware(test);
  return {
    ...files,
    'main.py': (files['main.py'] as string).replace('ALLOWED = {"https://app.example.com"}', binding),
  };
}

securityTable(originPrefixBypass, RULES, {
  insecure: [
    {
      name: 'Starlette 0.12.9 (re.match): an exact origin as a regex',
      files: fastapi('allow_origin_regex=r"https://app\\.example\\.com", allow_credentials=True', OLD),
      origins: [APP],
      origin: 'https://app.example.com.attacker.test',
      pattern: { text: 'https://app\\.example\\.com', mode: 'match' },
      unmodelled: true,
    },
    {
      name: 'Starlette 0.12.9 (re.match): any subdomain',
      files: fastapi('allow_origin_regex=r"https://.*\\.example\\.com", allow_credentials=True', OLD),
      origins: [APP],
      pattern: { text: 'https://.*\\.example\\.com', mode: 'match' },
      unmodelled: true,
    },
    {
      name: 'a trailing .* under fullmatch',
      files: fastapi('allow_origin_regex=r"https://app\\.example\\.com.*", allow_credentials=True'),
      origins: [APP],
      pattern: { text: 'https://app\\.example\\.com.*', mode: 'fullmatch' },
    },
    {
      name: 'nginx map key anchored at the start only',
      files: nginxMap(['default "";', '"~^https://app\\.example\\.com" $http_origin;']),
      origins: [APP],
      url: NGINX_API,
      origin: 'https://app.example.com.attacker.test',
      pattern: { text: '^https://app\\.example\\.com', mode: 'search' },
    },
    {
      name: 'nginx if ($http_origin ~ ...) without $',
      files: nginx(
        [
          'if ($http_origin ~ "^https://app\\.example\\.com") {',
          '    add_header Access-Control-Allow-Origin $http_origin always;',
          '    add_header Access-Control-Allow-Credentials true always;',
          '}',
        ].join('\n'),
        [],
        false,
      ),
      origins: [APP],
      url: NGINX_API,
      origin: 'https://app.example.com.attacker.test',
      pattern: { text: '^https://app\\.example\\.com', mode: 'search' },
      // The nginx model does not follow an if that only adds headers: the pattern is checked by Python.
      unmodelled: true,
    },
    {
      name: 'middleware: origin.startswith("https://app.example.com")',
      files: echoingMiddleware('origin.startswith("https://app.example.com")'),
      origins: [APP],
      origin: 'https://app.example.com.attacker.test',
      unmodelled: true,
    },
    {
      name: 'middleware: a pattern compiled at module level, its match without $',
      files: compiledAtTop('TRUSTED = re.compile(r"https://.*\\.example\\.com")', 'TRUSTED.match(origin)'),
      origins: [APP],
      pattern: { text: 'https://.*\\.example\\.com', mode: 'match' },
      unmodelled: true,
    },
    {
      name: 'middleware: re.match without $',
      files: echoingMiddleware('re.match(r"https://.*\\.example\\.com", origin)'),
      origins: [APP],
      pattern: { text: 'https://.*\\.example\\.com', mode: 'match' },
      unmodelled: true,
    },
  ],
  safe: [
    {
      name: 'the same regex under fullmatch (Starlette 0.26.1)',
      files: fastapi('allow_origin_regex=r"https://app\\.example\\.com", allow_credentials=True'),
      origins: [APP],
    },
    {
      name: 'Starlette 0.12.9 with the regex anchored by $',
      files: fastapi('allow_origin_regex=r"https://app\\.example\\.com$", allow_credentials=True', OLD),
      origins: [APP],
    },
    {
      name: 'an exact list',
      files: fastapi('allow_origins=["https://app.example.com"], allow_credentials=True'),
      origins: [APP],
    },
    {
      name: 'nginx map key anchored at both ends',
      files: nginxMap(['default "";', '"~^https://(app|admin)\\.example\\.com$" $http_origin;']),
      origins: [APP],
      url: NGINX_API,
    },
    {
      name: 'middleware: a pattern compiled at module level with re.I, fullmatched',
      files: compiledAtTop(
        'TRUSTED = re.compile(r"https://app\\.example\\.com", re.I)',
        'TRUSTED.fullmatch(origin)',
      ),
      origins: [APP],
      unmodelled: true,
    },
    {
      name: 'middleware: re.fullmatch of any subdomain',
      files: echoingMiddleware('re.fullmatch(r"https://.*\\.example\\.com", origin)'),
      origins: [APP],
      unmodelled: true,
    },
  ],
});
