import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProxyConfig } from '../../../src/causes/index.js';
import { nginxAvailable, nginxRejects } from '../../../src/local-servers/nginx.js';
import { parseNginxConfig } from '../../../src/proxy/nginx/config.js';

/** A whole nginx.conf around one server's locations, so that `nginx -t` can check it. */
const conf = (server: string, http = '') =>
  `events {}\nhttp {\n${http}  server {\n    listen 127.0.0.1:8080;\n${server}  }\n}\n`;

const PASS = '      proxy_pass http://127.0.0.1:9000;\n';

// Each row: the configuration, whether the app has CORSMiddleware, and the findings as `code severity line`.
const TABLE: Array<{ title: string; source: string; appHasCors: boolean; findings: string[] }> = [
  {
    title: 'if OPTIONS return 204, no headers',
    source: conf(
      `    location / {\n      if ($request_method = OPTIONS) {\n        return 204;\n      }\n${PASS}    }\n`,
    ),
    appHasCors: true,
    findings: ['proxy-answers-preflight error 6'],
  },
  {
    title: 'if OPTIONS return 204 with an origin and methods, no Access-Control-Allow-Headers',
    source: conf(
      `    location /api/ {\n      if ($request_method = 'OPTIONS') {\n        add_header Access-Control-Allow-Origin "http://localhost:3000";\n        add_header Access-Control-Allow-Methods "GET, POST";\n        return 204;\n      }\n${PASS}    }\n`,
    ),
    appHasCors: true,
    findings: ['proxy-answers-preflight warning 6'],
  },
  {
    title: "the if block's own add_header drops the location's Access-Control-Allow-Origin",
    source: conf(
      `    location / {\n      add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n      if ($request_method = OPTIONS) {\n        add_header Access-Control-Max-Age 86400;\n        return 204;\n      }\n${PASS}    }\n`,
    ),
    appHasCors: false,
    findings: ['proxy-answers-preflight error 7'],
  },
  {
    title: "proxy_hide_header drops the app's Access-Control-Allow-Origin",
    source: conf(`    location / {\n      proxy_hide_header Access-Control-Allow-Origin;\n${PASS}    }\n`),
    appHasCors: true,
    findings: ['proxy-strips-cors-headers error 6'],
  },
  {
    title: 'proxy_hide_header with an add_header that replaces it (always)',
    source: conf(
      `    location / {\n      proxy_hide_header Access-Control-Allow-Origin;\n      add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n${PASS}    }\n`,
    ),
    appHasCors: true,
    findings: [],
  },
  {
    title: 'add_header without always, app without CORS',
    source: conf(
      `    location / {\n      add_header Access-Control-Allow-Origin "http://localhost:3000";\n${PASS}    }\n`,
    ),
    appHasCors: false,
    findings: ['proxy-headers-missing-on-errors warning 6'],
  },
  {
    title: 'add_header with always, app without CORS',
    source: conf(
      `    location / {\n      add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n${PASS}    }\n`,
    ),
    appHasCors: false,
    findings: [],
  },
  {
    title: "a location's own add_header drops the server's CORS lines",
    source: conf(
      `    add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n    location /api/ {\n      add_header Cache-Control no-store;\n${PASS}    }\n`,
    ),
    appHasCors: false,
    findings: ['proxy-headers-missing-on-errors error 6'],
  },
  {
    title: 'nginx and the app both send Access-Control-Allow-Origin',
    source: conf(
      `    location / {\n      add_header Access-Control-Allow-Origin $http_origin always;\n${PASS}    }\n`,
    ),
    appHasCors: true,
    findings: ['duplicate-cors-headers error 6'],
  },
  {
    title: 'an if on $http_authorization returns 401 before the app, preflights included',
    source: conf(
      `    location /api/ {\n      if ($http_authorization = "") {\n        return 401;\n      }\n${PASS}    }\n`,
    ),
    appHasCors: true,
    findings: ['preflight-rejected error 6'],
  },
  {
    title: 'the same gate after an OPTIONS answer',
    source: conf(
      `    location /api/ {\n      if ($request_method = OPTIONS) {\n        add_header Access-Control-Allow-Origin "http://localhost:3000";\n        add_header Access-Control-Allow-Methods "GET, PUT";\n        add_header Access-Control-Allow-Headers "authorization";\n        return 204;\n      }\n      if ($http_authorization = "") {\n        return 401;\n      }\n${PASS}    }\n`,
    ),
    appHasCors: false,
    findings: ['proxy-answers-preflight info 6', 'proxy-headers-missing-on-errors error 5'],
  },
  {
    title: 'auth_basic on the server covers the location, preflights included',
    source: conf(
      `    auth_basic "staging";\n    auth_basic_user_file /dev/null;\n    location / {\n${PASS}    }\n`,
    ),
    appHasCors: true,
    findings: ['preflight-rejected error 5'],
  },
  {
    title: 'auth_basic off in the location',
    source: conf(
      `    auth_basic "staging";\n    auth_basic_user_file /dev/null;\n    location / {\n      auth_basic off;\n${PASS}    }\n`,
    ),
    appHasCors: true,
    findings: [],
  },
  {
    title: "nginx replaces the app's Access-Control-Allow-Origin (hidden, then added)",
    source: conf(
      `    location / {\n      proxy_hide_header Access-Control-Allow-Origin;\n      add_header Access-Control-Allow-Origin $http_origin always;\n${PASS}    }\n`,
    ),
    appHasCors: true,
    findings: [],
  },
];

describe('proxy rules read nginx configuration', () => {
  it.each(TABLE)('$title', ({ source, appHasCors, findings }) => {
    const config = { proxy: 'nginx' as const, file: 'nginx.conf', directives: parseNginxConfig(source) };
    const found = scanProxyConfig({ config, appHasCors }).map((f) => `${f.code} ${f.severity} ${f.line}`);
    expect(found).toEqual(findings);
  });
});

describe('every configuration of the table is valid for nginx -t', () => {
  const missing = nginxAvailable();
  if (missing && process.env.CI === 'true') throw new Error(`CI needs nginx: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-proxy-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.skipIf(missing !== undefined).each(TABLE)('$title', ({ title, source }) => {
    const file = join(dir, `${title.replace(/\W+/g, '-')}.conf`);
    writeFileSync(file, source);
    expect(nginxRejects(file, dir, `pid ${dir}/nginx.pid; error_log stderr;`)).toBeUndefined();
  });
});
