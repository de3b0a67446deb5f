// Random nginx configurations in nginx's grammar: http/server/location/if/map blocks, add_header lines with
// variables, quoting, include, return and rewrite, proxy_pass; and requests to put through the model.
import type { HeaderList } from '../../../src/model/types.js';
import type { ServerRequest } from '../../../src/servers/types.js';
import type { Random } from './kit.js';

const PORTS = [
  '8080',
  '80',
  '443',
  '127.0.0.1:8080',
  '[::]:80',
  '*:8080',
  'unix:/tmp/s',
  '8080 ssl',
  'abc',
  '99999',
  '',
];
const ORIGIN_VALUES = [
  '$http_origin',
  '*',
  'http://localhost:3000',
  '$cors_origin',
  '"$http_origin"',
  "'*'",
  `$\{http_origin}`,
  '$undefined_var',
  '""',
  '$scheme://$host',
];
const HEADER_NAMES = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Allow-Credentials',
  'Access-Control-Max-Age',
  'Access-Control-Expose-Headers',
  'access-control-allow-origin',
  'Vary',
  'Content-Type',
  "'Access-Control-Allow-Origin'",
  'X Y',
];
const PATHS = [
  '/',
  '/api/',
  '/api',
  '= /exact',
  '~ ^/api/(.*)$',
  '~* \\.json$',
  '^~ /static/',
  '@named',
  '~ (',
  '= ',
  '/a b',
  '/ü/',
];
const VARIABLES = [
  '$request_method',
  '$http_origin',
  '$http_authorization',
  '$uri',
  '$args',
  '$cookie_session',
  '$host',
  '$x',
];

const word = (random: Random, s: string): string =>
  random.pick([s, s, s, `"${s.replace(/"/g, '\\"')}"`, `'${s.replace(/'/g, "\\'")}'`]);

function directive(random: Random, depth: number, inHttp: boolean): string {
  const indent = '  '.repeat(depth);
  const block = (head: string) => `${indent}${head} {\n${body(random, depth + 1, inHttp)}${indent}}`;
  return random.pick([
    () =>
      `${indent}add_header ${word(random, random.pick(HEADER_NAMES))} ${random.pick(ORIGIN_VALUES)}${random.chance(0.5) ? ' always' : ''};`,
    () =>
      `${indent}add_header ${word(random, random.pick(HEADER_NAMES))} ${word(random, random.pick(['GET, POST, OPTIONS', 'Authorization,Content-Type', 'true', '86400', '']))};`,
    () =>
      `${indent}proxy_pass ${random.pick(['http://127.0.0.1:9000', 'http://127.0.0.1:9000/', 'http://app:8000/api/', 'http://$upstream', 'http://backend', 'https://[::1]:9', 'http://', 'ftp://x'])};`,
    () => `${indent}proxy_hide_header ${word(random, random.pick(HEADER_NAMES))};`,
    () =>
      `${indent}proxy_set_header ${random.pick(['Host', 'Origin', 'X-Forwarded-For'])} ${random.pick(['$host', '""', '$http_origin'])};`,
    () =>
      `${indent}return ${random.pick(['204', '200 "ok"', '301 https://$host$request_uri', '444', '600', '-1', 'x', '302', ''])};`,
    () =>
      `${indent}rewrite ${random.pick(['^/old/(.*)$ /new/$1', '^ /x last', '(', '^/(.*) $1 break'])}${random.chance(0.5) ? ' permanent' : ''};`,
    () => `${indent}set ${random.pick(['$cors', '$a', 'x'])} ${word(random, random.pick(ORIGIN_VALUES))};`,
    () =>
      `${indent}include ${random.pick(['cors.conf', 'mime.types', 'fastcgi_params', '/etc/nginx/conf.d/*.conf', '""'])};`,
    () => `${indent}auth_basic ${word(random, random.pick(['"Restricted"', 'off']))};`,
    () => `${indent}auth_request /auth;`,
    () => `${indent}listen ${random.pick(PORTS)};`,
    () =>
      `${indent}server_name ${random.pick(['localhost', 'example.com', '_', '~^(?<sub>.+)\\.example\\.com$'])};`,
    () => `${indent}more_set_headers "Access-Control-Allow-Origin: *";`,
    () => `${indent}# ${random.pick(['comment', 'add_header X y;', '{', '"'])}`,
    () =>
      depth < 6
        ? block(
            `if (${random.pick(VARIABLES)}${random.pick([' = ', ' != ', ' ~ ', ' ~* ', ' !~ ', ''])}${word(random, random.pick(['OPTIONS', 'GET', '', '^https://.*$', '(', 'a b']))})`,
          )
        : `${indent}break;`,
    () => (depth < 6 ? block(`location ${random.pick(PATHS)}`) : `${indent}internal;`),
    () =>
      inHttp && depth < 6
        ? `${indent}map ${random.pick(VARIABLES)} ${random.pick(['$cors_origin', '$cors', '$x'])} {\n${mapBody(random, depth + 1)}${indent}}`
        : `${indent}charset utf-8;`,
    () =>
      depth < 6
        ? block(random.pick(['server', 'http', 'events', 'upstream backend', 'limit_except GET']))
        : `${indent}x;`,
  ])();
}

function mapBody(random: Random, depth: number): string {
  const indent = '  '.repeat(depth);
  const lines = Array.from({ length: random.between(0, 4) }, () => {
    const key = random.pick([
      'default',
      'hostnames',
      'volatile',
      '"http://localhost:3000"',
      '"~^https://(www\\.)?example\\.com$"',
      '~*EXAMPLE',
      '"~("',
      '""',
      'include',
    ]);
    return `${indent}${key} ${random.pick(['$http_origin', '""', '"*"', '1', '$x'])};`;
  });
  return `${lines.join('\n')}${lines.length ? '\n' : ''}`;
}

function body(random: Random, depth: number, inHttp: boolean): string {
  const lines = Array.from({ length: random.skewed(depth < 3 ? 7 : 3) }, () =>
    directive(random, depth, inHttp),
  );
  return `${lines.join('\n')}${lines.length ? '\n' : ''}`;
}

/** A configuration: most often the usual shape (events, http, server, locations), sometimes anything. */
/** The CORS lines people write in a location: add_header with or without always, a preflight answer. */
function corsLocation(random: Random, path: string): string {
  const lines: string[] = [];
  const acao = random.pick(['$http_origin', '*', 'http://localhost:3000', '$cors_origin']);
  const always = () => (random.chance(0.6) ? ' always' : '');
  if (random.chance(0.5)) {
    const inner = [
      `add_header Access-Control-Allow-Origin ${acao}${always()};`,
      `add_header Access-Control-Allow-Methods "${random.pick(['GET, POST, PUT, DELETE, OPTIONS', 'GET', '*'])}"${always()};`,
      `add_header Access-Control-Allow-Headers "${random.pick(['Authorization, Content-Type', '*', 'Content-Type'])}"${always()};`,
      `add_header Access-Control-Max-Age ${random.pick(['86400', '0'])};`,
    ];
    lines.push(
      `if ($request_method = ${random.pick(['OPTIONS', "'OPTIONS'", 'GET'])}) {\n${random
        .some(inner, 0.7)
        .map((l) => `        ${l}\n`)
        .join('')}        return ${random.pick(['204', '200', '403'])};\n      }`,
    );
  }
  for (const l of random.some(
    [
      `add_header Access-Control-Allow-Origin ${acao}${always()};`,
      `add_header Access-Control-Allow-Credentials true${always()};`,
      'add_header Vary Origin;',
      'proxy_hide_header Access-Control-Allow-Origin;',
      `add_header X-Frame-Options DENY${always()};`,
    ],
    0.5,
  ))
    lines.push(l);
  if (random.chance(0.15)) lines.push('auth_basic "Restricted";');
  if (random.chance(0.2)) lines.push(directive(random, 3, true).trim());
  lines.push(
    random.chance(0.9)
      ? `proxy_pass ${random.pick(['http://127.0.0.1:9000', 'http://127.0.0.1:9000/', 'http://app:8000/v1/', 'http://backend'])};`
      : `return ${random.pick(['404', '301 /api/', '200 "ok"'])};`,
  );
  return `    location ${path} {\n${lines.map((l) => `      ${l}\n`).join('')}    }\n`;
}

/** A configuration: most often the shape CORS setups have, sometimes any directives in any blocks. */
export function nginxConfig(random: Random): string {
  if (random.chance(0.6)) {
    const map = random.chance(0.3)
      ? '  map $http_origin $cors_origin {\n    default "";\n    "http://localhost:3000" $http_origin;\n    "~^https://[a-z]+\\.example\\.com$" $http_origin;\n  }\n'
      : '';
    const paths = [
      '/',
      ...random.some(['/api/', '= /exact', '~ ^/api/(items|users)', '^~ /static/', '/api'], 0.3),
    ];
    // Now and then a regular expression JavaScript may not run (too large, or PCRE only).
    if (random.chance(0.03))
      paths.push(
        `~* ^/${random.pick(['x'.repeat(random.chance(0.3) ? 1_000_000 : 1000), '(?<n>a)\\k<n>', '\\Qa\\E', '(a)++'])}`,
      );
    const server = [
      `    listen ${random.chance(0.8) ? '8080' : random.pick(PORTS)};\n`,
      ...(random.chance(0.3) ? ['    add_header Access-Control-Allow-Origin $http_origin always;\n'] : []),
      ...paths.map((p) => corsLocation(random, p)),
    ];
    return `events {}\nhttp {\n${map}  server {\n${server.join('')}  }\n}\n`;
  }
  if (random.chance(0.3)) return body(random, 0, random.chance(0.5));
  const servers = Array.from({ length: random.between(1, 3) }, () => {
    const listen = `    listen ${random.pick(PORTS)};\n`;
    return `  server {\n${listen}${body(random, 2, true)}  }\n`;
  });
  const top = random.chance(0.5) ? body(random, 1, true) : '';
  return `${random.chance(0.7) ? 'events {}\n' : ''}http {\n${top}${servers.join('')}}\n`;
}

/** A request a browser (or curl) could send through the proxy. */
export function nginxRequest(random: Random): ServerRequest {
  const port = random.chance(0.7) ? '8080' : random.pick(['80', '443', '9000', '1']);
  const scheme = random.pick(['http', 'https']);
  const path = random.pick([
    '/',
    '/api',
    '/api/',
    '/api/items',
    '/exact',
    '/static/x.json',
    '/a%20b',
    '/ü',
    '//x',
    '/old/p',
    '/api/../etc',
  ]);
  const query = random.pick(['', '?a=1', '?', '?x=%zz']);
  const headers: HeaderList = [];
  if (random.chance(0.8))
    headers.push([
      'Origin',
      random.pick(['http://localhost:3000', 'https://www.example.com', 'null', 'http://evil.test', '']),
    ]);
  const method = random.pick(['GET', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'get']);
  if (method === 'OPTIONS' && random.chance(0.8)) {
    headers.push(['Access-Control-Request-Method', random.pick(['PUT', 'DELETE', 'GET'])]);
    if (random.chance(0.5)) headers.push(['Access-Control-Request-Headers', 'authorization,content-type']);
  }
  if (random.chance(0.3)) headers.push(['Authorization', 'Bearer x']);
  if (random.chance(0.2)) headers.push(['Cookie', 'session=1']);
  return { method, url: `${scheme}://localhost:${port}${path}${query}`, headers };
}
