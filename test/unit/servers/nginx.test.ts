import { describe, expect, it } from 'vitest';
import type { HeaderList } from '../../../src/model/types.js';
import { parseNginxConfig } from '../../../src/proxy/nginx/config.js';
import { predictThroughNginx } from '../../../src/proxy/nginx/predict.js';
import type { Prediction } from '../../../src/servers/stack.js';
import type { ServerRequest } from '../../../src/servers/types.js';

/** The app behind nginx, as a pure function: it answers the status given for a path, with these headers. */
function app(status: number, headers: HeaderList = []) {
  const seen: ServerRequest[] = [];
  const upstream = (request: ServerRequest): Prediction => {
    seen.push(request);
    return {
      known: true,
      status,
      headers,
      body: '',
      answeredBy: 'app',
      explanation: 'the app',
      statusAssumed: false,
      assumptions: [],
      path: ['app'],
    };
  };
  return { upstream, seen };
}

const http = (server: string, top = '') =>
  `events {}\nhttp {\n${top}  server {\n    listen 8080;\n${server}  }\n}\n`;
const ORIGIN: HeaderList = [['Origin', 'http://localhost:3000']];
const MAP = `  map $http_origin $cors_origin {\n    default "";\n    "http://localhost:3000" $http_origin;\n    "~^https://[a-z]+\\.example\\.com$" $http_origin;\n  }\n`;

const cors = (headers: HeaderList) =>
  headers.filter(([n]) => /^access-control-|^server$|^location$/i.test(n)).map(([n, v]) => `${n}: ${v}`);

describe('the nginx model', () => {
  it.each([
    {
      title: 'a map allow-list echoes a listed origin',
      conf: http(
        `    location / {\n      add_header Access-Control-Allow-Origin $cors_origin always;\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
        MAP,
      ),
      method: 'GET',
      path: '/items',
      headers: ORIGIN,
      appStatus: 200,
      status: 200,
      lines: ['Server: nginx', 'Access-Control-Allow-Origin: http://localhost:3000'],
    },
    {
      title: 'an origin the map does not list: an empty value is not sent',
      conf: http(
        `    location / {\n      add_header Access-Control-Allow-Origin $cors_origin always;\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
        MAP,
      ),
      method: 'GET',
      path: '/items',
      headers: [['Origin', 'http://evil.test']] as HeaderList,
      appStatus: 200,
      status: 200,
      lines: ['Server: nginx'],
    },
    {
      title: 'a regex key of the map',
      conf: http(
        `    location / {\n      add_header Access-Control-Allow-Origin $cors_origin always;\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
        MAP,
      ),
      method: 'GET',
      path: '/items',
      headers: [['Origin', 'https://shop.example.com']] as HeaderList,
      appStatus: 200,
      status: 200,
      lines: ['Server: nginx', 'Access-Control-Allow-Origin: https://shop.example.com'],
    },
    {
      title: 'without always, a 404 from the app gets no add_header',
      conf: http(
        `    location / {\n      add_header Access-Control-Allow-Origin http://localhost:3000;\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
      ),
      method: 'GET',
      path: '/items/7',
      headers: ORIGIN,
      appStatus: 404,
      status: 404,
      lines: ['Server: nginx'],
    },
    {
      title: 'if OPTIONS return 204: nginx answers with the if block’s headers',
      conf: http(
        `    location / {\n      if ($request_method = OPTIONS) {\n        add_header Access-Control-Allow-Origin http://localhost:3000;\n        add_header Access-Control-Allow-Methods "GET, PUT";\n        return 204;\n      }\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
      ),
      method: 'OPTIONS',
      path: '/items',
      headers: ORIGIN,
      appStatus: 405,
      status: 204,
      lines: [
        'Server: nginx',
        'Access-Control-Allow-Origin: http://localhost:3000',
        'Access-Control-Allow-Methods: GET, PUT',
      ],
    },
    {
      title: "proxy_hide_header removes the app's header",
      conf: http(
        `    location / {\n      proxy_hide_header Access-Control-Allow-Origin;\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
      ),
      method: 'GET',
      path: '/items',
      headers: ORIGIN,
      appStatus: 200,
      appHeaders: [
        ['access-control-allow-origin', 'http://localhost:3000'],
        ['vary', 'Origin'],
      ] as HeaderList,
      status: 200,
      lines: ['Server: nginx'],
    },
    {
      title: 'auth_basic answers 401 before the app',
      conf: http(
        `    auth_basic "staging";\n    auth_basic_user_file /dev/null;\n    location / {\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
      ),
      method: 'OPTIONS',
      path: '/items',
      headers: ORIGIN,
      appStatus: 200,
      status: 401,
      lines: ['Server: nginx'],
    },
    {
      title: 'return 301 from a location = redirect',
      conf: http(
        `    location = /api {\n      return 301 /api/;\n    }\n    location /api/ {\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
      ),
      method: 'OPTIONS',
      path: '/api',
      headers: ORIGIN,
      appStatus: 200,
      status: 301,
      lines: ['Server: nginx', 'Location: /api/'],
    },
    {
      title: 'a location ending in "/" that passes on redirects its name without the slash (as nginx does)',
      conf: http(
        `    location / {\n      return 404;\n    }\n    location /api/orders/ {\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
      ),
      method: 'OPTIONS',
      path: '/api/orders',
      headers: ORIGIN,
      appStatus: 200,
      status: 301,
      lines: ['Server: nginx', 'Location: http://localhost:8080/api/orders/'],
    },
  ])('$title', ({ conf, method, path, headers, appStatus, appHeaders, status, lines }) => {
    const { upstream } = app(appStatus, appHeaders ?? []);
    const config = { proxy: 'nginx' as const, file: 'nginx.conf', directives: parseNginxConfig(conf) };
    const p = predictThroughNginx(config, { method, url: `http://localhost:8080${path}`, headers }, upstream);
    expect(p.known, p.known ? '' : p.why).toBe(true);
    if (!p.known) return;
    expect(p.status).toBe(status);
    expect(cors(p.headers)).toEqual(lines);
  });

  it.each([
    [
      'location /api/ + proxy_pass with "/"',
      '    location /api/ {\n      proxy_pass http://127.0.0.1:9000/;\n    }\n',
      '/api/items?x=1',
      '/items?x=1',
    ],
    [
      'location /api/ + proxy_pass without a URI',
      '    location /api/ {\n      proxy_pass http://127.0.0.1:9000;\n    }\n',
      '/api/items',
      '/api/items',
    ],
    [
      'the longest prefix wins',
      '    location / {\n      return 404;\n    }\n    location /api/ {\n      proxy_pass http://127.0.0.1:9000/v1/;\n    }\n',
      '/api/items',
      '/v1/items',
    ],
    [
      'a regex location beats a prefix',
      '    location /api/ {\n      return 404;\n    }\n    location ~ ^/api/(items|users) {\n      proxy_pass http://127.0.0.1:9000;\n    }\n',
      '/api/items',
      '/api/items',
    ],
  ])('%s', (_title, server, path, upstreamPath) => {
    const { upstream, seen } = app(200);
    const config = {
      proxy: 'nginx' as const,
      file: 'nginx.conf',
      directives: parseNginxConfig(http(server)),
    };
    predictThroughNginx(
      config,
      { method: 'GET', url: `http://localhost:8080${path}`, headers: [] },
      upstream,
    );
    const sent = seen[0];
    expect(sent && `${new URL(sent.url).pathname}${new URL(sent.url).search}`).toBe(upstreamPath);
  });

  it.each([
    [
      'rewrite',
      '    location / {\n      rewrite ^/(.*)$ /app/$1 break;\n      proxy_pass http://127.0.0.1:9000;\n    }\n',
      /rewrite at line \d+ is not modelled/,
    ],
    [
      'an if of the server that holds with more than set',
      '    if ($request_method = GET) {\n      add_header X-A 1;\n    }\n    location / {\n      proxy_pass http://127.0.0.1:9000;\n    }\n',
      /holds and does not return \(add_header at line \d+ is not modelled\)/,
    ],
    [
      'auth_request',
      '    location / {\n      auth_request /auth;\n      proxy_pass http://127.0.0.1:9000;\n    }\n',
      /auth_request is not modelled/,
    ],
    [
      'a regex JavaScript cannot read',
      '    location ~ ^/(?<x>a)(?P=x) {\n      proxy_pass http://127.0.0.1:9000;\n    }\n',
      /the regular expression .* is not modelled/,
    ],
    [
      'an included file, which is not read',
      '    location / {\n      include snippets/cors.conf;\n      proxy_pass http://127.0.0.1:9000;\n    }\n',
      /include snippets\/cors\.conf \(line \d+\) is not read/,
    ],
    [
      'an unknown variable in a CORS header',
      '    location / {\n      add_header Access-Control-Allow-Origin $upstream_addr always;\n      proxy_pass http://127.0.0.1:9000;\n    }\n',
      /\$upstream_addr is not modelled/,
    ],
    [
      'a regex too large for JavaScript to compile',
      `    location ~* ^/${'x'.repeat(1_000_000)} {\n      return 204;\n    }\n    location / {\n      proxy_pass http://127.0.0.1:9000;\n    }\n`,
      /the regular expression .* is not modelled/,
    ],
    [
      'a return code nginx -t refuses',
      '    location / {\n      return -1;\n    }\n',
      /return -1 is not modelled/,
    ],
    [
      'a proxy_pass that is not a URL',
      '    location / {\n      proxy_pass http://127.0.0.1:8080);\n    }\n',
      /proxy_pass http:\/\/127\.0\.0\.1:8080\) \(line \d+\) is not a URL/,
    ],
  ])('%s is unknown, never guessed', (_title, server, why) => {
    const { upstream } = app(200);
    const config = {
      proxy: 'nginx' as const,
      file: 'nginx.conf',
      directives: parseNginxConfig(http(server)),
    };
    const p = predictThroughNginx(
      config,
      { method: 'GET', url: 'http://localhost:8080/x', headers: [] },
      upstream,
    );
    expect(p.known).toBe(false);
    if (!p.known) expect(p.why).toMatch(why);
  });

  it('an unknown variable in another header is kept as written (no browser check reads it)', () => {
    const { upstream } = app(200);
    const server =
      '    location / {\n      add_header X-Request-Id $request_id always;\n      proxy_pass http://127.0.0.1:9000;\n    }\n';
    const config = {
      proxy: 'nginx' as const,
      file: 'nginx.conf',
      directives: parseNginxConfig(http(server)),
    };
    const p = predictThroughNginx(
      config,
      { method: 'GET', url: 'http://localhost:8080/x', headers: [] },
      upstream,
    );
    expect(p.known && p.headers).toContainEqual(['X-Request-Id', '$request_id']);
  });
});
