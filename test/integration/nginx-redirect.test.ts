import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import { nginxAvailable, startNginx } from '../../src/local-servers/nginx.js';
import { fastapiAvailable, startUvicorn, type UvicornServer } from '../../src/local-servers/uvicorn.js';
import { getHeader } from '../../src/model/header-list.js';
import type { BrowserName } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';

/**
 * nginx's `proxy_redirect` on the app's trailing-slash redirect (Starlette's 307 from /items to /items/):
 * what real nginx sends in `Location` in front of a real uvicorn, and what the nginx model in front of the
 * app's model predicts offline, must be the same, and so must the verdict and the causes.
 */
const inCI = process.env.CI === 'true';
const unavailable = nginxAvailable() ?? (await fastapiAvailable());
if (unavailable && inCI) throw new Error(`CI needs nginx, FastAPI and uvicorn: ${unavailable}`);

const APP = 'test/fixtures/nginx/slash-redirect/app';
const ORIGIN = 'http://localhost:3000';

const conf = (location: string) => `worker_processes 1;
daemon off;
pid @PREFIX@/nginx.pid;
error_log @PREFIX@/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path @PREFIX@/client_body;
    proxy_temp_path @PREFIX@/proxy;
    fastcgi_temp_path @PREFIX@/fastcgi;
    uwsgi_temp_path @PREFIX@/uwsgi;
    scgi_temp_path @PREFIX@/scgi;
    server {
        listen 127.0.0.1:@PORT@;
${location}
    }
}
`;

/** Each row: the location block, the path the page asks for, and the Location real nginx sends. */
const ROWS = [
  {
    title: 'no proxy_redirect: the upstream address becomes nginx’s own',
    location: '        location / { proxy_pass http://127.0.0.1:@UPSTREAM@; }',
    path: '/items',
    location_: 'http://127.0.0.1:@PORT@/items/',
  },
  {
    title: 'a prefix location and a proxy_pass URI: the prefix comes back',
    location: '        location /api/ { proxy_pass http://127.0.0.1:@UPSTREAM@/; }',
    path: '/api/items',
    location_: 'http://127.0.0.1:@PORT@/api/items/',
  },
  {
    title: 'Host $host: the app writes the host without the port, which no rule matches',
    location: '        location / { proxy_pass http://127.0.0.1:@UPSTREAM@; proxy_set_header Host $host; }',
    path: '/items',
    location_: 'http://127.0.0.1/items/',
  },
  {
    title: 'Host $http_host: the app writes nginx’s own address',
    location:
      '        location / { proxy_pass http://127.0.0.1:@UPSTREAM@; proxy_set_header Host $http_host; }',
    path: '/items',
    location_: 'http://127.0.0.1:@PORT@/items/',
  },
  {
    title: 'proxy_redirect off: the upstream address leaks',
    location: '        location / { proxy_pass http://127.0.0.1:@UPSTREAM@; proxy_redirect off; }',
    path: '/items',
    location_: 'http://127.0.0.1:@UPSTREAM@/items/',
  },
  {
    title: 'an explicit rule, inherited from the server block',
    location:
      '        proxy_redirect http://127.0.0.1:@UPSTREAM@/ /v2/;\n        location / { proxy_pass http://127.0.0.1:@UPSTREAM@; }',
    path: '/items',
    location_: 'http://127.0.0.1:@PORT@/v2/items/',
  },
  {
    title: 'port_in_redirect off: nginx writes its address without the port',
    location: '        port_in_redirect off;\n        location / { proxy_pass http://127.0.0.1:@UPSTREAM@; }',
    path: '/items',
    location_: 'http://127.0.0.1/items/',
  },
  {
    title: 'server_name_in_redirect on: the server’s first name',
    location:
      '        server_name api.example.test www.example.test;\n        server_name_in_redirect on;\n        location / { proxy_pass http://127.0.0.1:@UPSTREAM@; }',
    path: '/items',
    location_: 'http://api.example.test:@PORT@/items/',
  },
  {
    title: 'absolute_redirect off: the rewritten Location stays relative',
    location: '        location / { proxy_pass http://127.0.0.1:@UPSTREAM@; absolute_redirect off; }',
    path: '/items',
    location_: '/items/',
  },
];

/** The Location header of nginx's answer to a GET from the page's origin (redirects not followed). */
const locationOf = (url: string) =>
  new Promise<string | undefined>((resolve, reject) => {
    httpRequest(url, { headers: { Origin: ORIGIN }, agent: false }, (res) => {
      res.resume();
      resolve(res.headers.location);
    })
      .on('error', reject)
      .end();
  });

describe.skipIf(unavailable !== undefined)('proxy_redirect: the Location nginx sends back', () => {
  let app: UvicornServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    app = await startUvicorn({ appDir: APP, timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await app?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each(ROWS)('$title', async (row) => {
    const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-proxy-redirect-'));
    dirs.push(dir);
    const template = join(dir, 'template.conf');
    writeFileSync(template, conf(row.location));
    const nginx = await startNginx(template, app.port);
    try {
      const port = new URL(nginx.url).port;
      const fill = (text: string) =>
        text.replaceAll('@PORT@', port).replaceAll('@UPSTREAM@', String(app.port));
      const url = `${nginx.url}${row.path}`;
      expect(await locationOf(url)).toBe(fill(row.location_));

      const project = join(dir, 'project');
      cpSync(APP, join(project, 'app'), { recursive: true });
      writeFileSync(join(project, 'nginx.conf'), fill(conf(row.location)).replaceAll('@PREFIX@', dir));
      const page = { url, origin: ORIGIN, method: 'GET', headers: [], credentials: 'same-origin' as const };
      const options = { browsers: ['chrome', 'firefox'] as BrowserName[], timeoutMs: 5000 };
      const live = await check(page, options);
      const offline = await checkWithSource(page, options, await readProject(project), { offline: true });
      expect(offline.offline?.proxy).toBe('nginx.conf');
      const first = (r: typeof live) => getHeader(r.exchanges[0]?.response?.headers ?? [], 'Location');
      expect(first(offline)).toBe(fill(row.location_));
      // Whether anything answers at the redirect's target (port 80 here) only a live check can tell.
      for (const name of ['chrome', 'firefox'] as const)
        expect(offline.browsers[name]?.outcome).toBe(live.browsers[name]?.outcome);
      const errors = (r: typeof live) => r.causes.filter((c) => c.severity === 'error').map((c) => c.code);
      expect(errors(offline)).toEqual(errors(live));
    } finally {
      await nginx.stop();
    }
  });
});
