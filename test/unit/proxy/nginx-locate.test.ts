/**
 * Which location takes a request, and the 301 nginx answers instead when the path is the name of a location
 * that passes to an app without its trailing slash: the model beside the real nginx, on the same
 * configuration. The app behind is down, so a request nginx passes on is answered 502 by nginx itself.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxAvailable, startNginx } from '../../../src/local-servers/nginx.js';
import { freePort } from '../../../src/local-servers/uvicorn.js';
import { getHeader } from '../../../src/model/header-list.js';
import type { HeaderList } from '../../../src/model/types.js';
import { parseNginxConfig } from '../../../src/proxy/nginx/config.js';
import { blocksServing } from '../../../src/proxy/nginx/locate.js';
import { predictThroughNginx } from '../../../src/proxy/nginx/predict.js';
import type { Prediction } from '../../../src/servers/stack.js';

const SERVER = `
        add_header X-Which server always;

        location / {
            add_header X-Which root always;
            return 200 "root";
        }
        location /api/ {
            add_header X-Which api always;
            proxy_pass http://127.0.0.1:@UPSTREAM@;
        }
        location = /exact/ {
            proxy_pass http://127.0.0.1:@UPSTREAM@/;
        }
        location /both/ {
            add_header X-Which both-slash always;
            proxy_pass http://127.0.0.1:@UPSTREAM@;
        }
        location /both {
            add_header X-Which both always;
            return 200 "both";
        }
        location = /eq {
            add_header X-Which eq always;
            return 200 "eq";
        }
        location /eq/ {
            proxy_pass http://127.0.0.1:@UPSTREAM@;
        }
        location ~ ^/rx {
            add_header X-Which rx always;
            return 200 "rx";
        }
        location /rx/ {
            add_header X-Which rx-slash always;
            proxy_pass http://127.0.0.1:@UPSTREAM@;
        }
        location /static/ {
            add_header X-Which static always;
            return 200 "static";
        }
`;

const template = (prefix = '@PREFIX@') => `worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events {
    worker_connections 64;
}
http {
    access_log off;
    client_body_temp_path ${prefix}/client_body;
    proxy_temp_path ${prefix}/proxy;
    fastcgi_temp_path ${prefix}/fastcgi;
    uwsgi_temp_path ${prefix}/uwsgi;
    scgi_temp_path ${prefix}/scgi;
    server {
        listen 127.0.0.1:@PORT@;
${SERVER}
    }
}
`;

// Each row: the path, and what nginx answers: the status, the X-Which line (whose add_header lines apply),
// the Location path of a redirect.
const ROWS: Array<{ path: string; status: number; which: string | null; location?: string }> = [
  { path: '/api', status: 301, which: 'api', location: '/api/' },
  { path: '/api?page=2', status: 301, which: 'api', location: '/api/?page=2' },
  { path: '/api/items', status: 502, which: 'api' },
  { path: '/exact', status: 301, which: 'server', location: '/exact/' },
  { path: '/both', status: 200, which: 'both' },
  { path: '/eq', status: 200, which: 'eq' },
  { path: '/rx', status: 301, which: 'rx-slash', location: '/rx/' },
  { path: '/static', status: 200, which: 'root' },
  { path: '/elsewhere', status: 200, which: 'root' },
];

const appDown = (): Prediction => ({
  known: true,
  status: 502,
  headers: [],
  body: '',
  answeredBy: 'nginx',
  explanation: 'the app is down',
  statusAssumed: false,
  assumptions: [],
  path: [],
});

/** What the model says nginx answers, as `status which location`. */
function modelled(port: number, upstream: number, path: string): string {
  const text = template().replaceAll('@PORT@', String(port)).replaceAll('@UPSTREAM@', String(upstream));
  const config = { proxy: 'nginx' as const, file: 'nginx.conf', directives: parseNginxConfig(text) };
  const url = `http://127.0.0.1:${port}${path}`;
  const answer = predictThroughNginx(config, { method: 'GET', url, headers: [] }, appDown);
  if (!answer.known) return `unknown: ${answer.why}`;
  return describeAnswer(answer.status, answer.headers, port);
}

function describeAnswer(status: number, headers: HeaderList, port: number): string {
  const location = getHeader(headers, 'Location')?.replace(`http://127.0.0.1:${port}`, '');
  return `${status} ${getHeader(headers, 'X-Which')}${location ? ` ${location}` : ''}`;
}

describe('the location nginx picks, in the model', () => {
  it.each(ROWS)('$path', ({ path, status, which, location }) => {
    expect(modelled(8080, 9000, path)).toBe(`${status} ${which}${location ? ` ${location}` : ''}`);
  });

  it('blocksServing names the location that answers (the redirecting one for its name without slash)', () => {
    const text = template().replaceAll('@PORT@', '8080').replaceAll('@UPSTREAM@', '9000');
    const top = parseNginxConfig(text);
    const head = (path: string) =>
      blocksServing(top, `http://127.0.0.1:8080${path}`).map((b) =>
        [b.directive.name, ...b.directive.args].join(' '),
      );
    expect(head('/api')).toEqual(['location /api/']);
    expect(head('/api/items')).toEqual(['location /api/']);
    expect(head('/rx')).toEqual(['location /rx/']);
    expect(head('/rxz')).toEqual(['location ~ ^/rx']);
    expect(blocksServing(top, 'http://127.0.0.1:8081/api').map((b) => b.directive.line)).toEqual(
      blocksServing(top, 'http://127.0.0.1:8080/api').map((b) => b.directive.line),
    );
  });
});

const missing = nginxAvailable();
if (missing && process.env.CI === 'true') throw new Error(`CI needs nginx: ${missing}`);

describe.skipIf(missing !== undefined)(
  `the same, in the real nginx${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let nginx: Awaited<ReturnType<typeof startNginx>>;
    let upstream: number;
    const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-nginx-locate-'));
    beforeAll(async () => {
      upstream = await freePort();
      const file = join(dir, 'nginx.conf');
      writeFileSync(file, template());
      nginx = await startNginx(file, upstream);
    });
    afterAll(async () => {
      await nginx?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it.each(ROWS)('$path', async ({ path }) => {
      const port = Number(new URL(nginx.url).port);
      const real = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(`${nginx.url}${path}`, (res) => {
          res.resume();
          const headers: HeaderList = Object.entries(res.headers).map(([n, v]) => [n, String(v)]);
          resolve(describeAnswer(res.statusCode ?? 0, headers, port));
        });
        req.on('error', reject);
        req.end();
      });
      expect(real).toBe(modelled(port, upstream, path));
    });
  },
);
