/**
 * The nginx model's rewrite directives against the real nginx: `set` at server and location level and
 * inside `if`, in order, `break`, the captures of a regex `if`, a variable declared elsewhere and unset,
 * and the `if` whose block then serves the request (its `add_header` lines replacing the location's, or
 * inherited when it has none; the last one that holds). Each row is a location of one configuration,
 * requested from several origins; the status and the CORS headers the model predicts must be those the
 * real nginx sends, in front of a real upstream server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../../src/evidence/probe/http.js';
import { nginxAvailable, startNginx } from '../../src/local-servers/nginx.js';
import type { HeaderList } from '../../src/model/types.js';
import { parseNginxConfig } from '../../src/proxy/nginx/config.js';
import { predictThroughNginx } from '../../src/proxy/nginx/predict.js';
import type { ServerRequest } from '../../src/servers/types.js';

const inCI = process.env.CI === 'true';
const unavailable = nginxAvailable();
if (unavailable && inCI) throw new Error(`CI needs nginx: ${unavailable}`);

/** Each location: a rewrite construct, and the origins it is requested from. */
const LOCATIONS: Array<{ path: string; title: string; block: string; method?: string }> = [
  {
    path: '/echo-if',
    title: 'set "" then an anchored if with an unescaped dot sets the origin, add_header reads it',
    block: `
      set $cors_origin "";
      if ($http_origin ~* "^https://(.+\\.)?example.com$") {
          set $cors_origin $http_origin;
      }
      add_header Access-Control-Allow-Origin $cors_origin always;
      add_header Access-Control-Allow-Credentials true always;
      proxy_pass http://127.0.0.1:@UPSTREAM@;`,
  },
  {
    path: '/echo-if',
    method: 'OPTIONS',
    title: 'the same, a preflight answered by an if that returns, with its own add_header lines',
    block: '',
  },
  {
    path: '/set-after-if',
    title: 'a set after the if reads what the if set',
    block: `
      set $v "none";
      if ($http_origin ~ "example") {
          set $v "example";
      }
      set $v "seen-$v";
      add_header Access-Control-Allow-Origin $v always;
      proxy_pass http://127.0.0.1:@UPSTREAM@;`,
  },
  {
    path: '/if-adds',
    title: 'an if that holds with add_header of its own: the location add_header lines are not sent',
    block: `
      add_header Access-Control-Allow-Origin $http_origin always;
      if ($http_origin ~ "attacker") {
          add_header Access-Control-Allow-Credentials true always;
      }
      proxy_pass http://127.0.0.1:@UPSTREAM@;`,
  },
  {
    path: '/last-if',
    title: 'two ifs that hold: the last one serves the request',
    block: `
      if ($http_origin) {
          add_header Access-Control-Allow-Origin first always;
      }
      if ($http_origin ~ "example") {
          add_header Access-Control-Allow-Origin second always;
      }
      proxy_pass http://127.0.0.1:@UPSTREAM@;`,
  },
  {
    path: '/captures',
    title: 'a regex if sets $1, which set reads',
    block: `
      set $sub "";
      if ($http_origin ~* "^https://([a-z]+)\\.example\\.com$") {
          set $sub $1;
      }
      add_header Access-Control-Allow-Origin "https://$sub.example.com" always;
      proxy_pass http://127.0.0.1:@UPSTREAM@;`,
  },
  {
    path: '/break',
    title: 'break stops the rewrite directives after it',
    block: `
      set $v "before";
      break;
      set $v "after";
      add_header Access-Control-Allow-Origin $v always;
      proxy_pass http://127.0.0.1:@UPSTREAM@;`,
  },
  {
    path: '/server-set',
    title: 'a variable set at server level, read in the location',
    block: `
      add_header Access-Control-Allow-Origin "$server_cors" always;
      proxy_pass http://127.0.0.1:@UPSTREAM@;`,
  },
  {
    path: '/unset',
    title: 'a variable a set of another location declares, unset here: empty, the header not sent',
    block: `
      add_header Access-Control-Allow-Origin $v always;
      add_header Access-Control-Allow-Methods GET always;
      proxy_pass http://127.0.0.1:@UPSTREAM@;`,
  },
  {
    path: '/return-after-if',
    title: 'a return after an if that held answers with the if block add_header lines',
    block: `
      add_header Access-Control-Allow-Origin location always;
      if ($http_origin ~ "example") {
          add_header Access-Control-Allow-Origin if always;
      }
      return 204;`,
  },
];

/** The preflight branch of /echo-if, placed after its if (as in test/fixtures/audit/nginx-if-unescaped-dot). */
const PREFLIGHT = `
      if ($request_method = OPTIONS) {
          add_header Access-Control-Allow-Origin $cors_origin always;
          add_header Access-Control-Allow-Methods "GET, PUT" always;
          return 204;
      }`;

const ORIGINS = ['https://app.example.com', 'https://app.examplexcom', 'https://attacker.test', ''];

const CONFIG = `worker_processes 1;
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
        set $server_cors "https://app.example.com";
        if ($http_origin ~ "attacker") {
            set $server_cors "refused";
        }
${LOCATIONS.filter((l) => l.block !== '')
  .map((l) => `        location = ${l.path} {${l.block}${l.path === '/echo-if' ? PREFLIGHT : ''}\n        }`)
  .join('\n')}
    }
}
`;

const cors = (headers: HeaderList): string[] =>
  headers
    .filter(([n]) => /^access-control-/i.test(n))
    .map(([n, v]) => `${n.toLowerCase()}: ${v}`)
    .sort();

const work = mkdtempSync(join(tmpdir(), 'cors-doctor-nginx-rewrite-'));
let nginx: { url: string; stop(): Promise<void> } | undefined;
const upstream = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end('{"ok":true}');
});

beforeAll(async () => {
  if (unavailable) return;
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const template = join(work, 'nginx.conf');
  writeFileSync(template, CONFIG);
  nginx = await startNginx(template, (upstream.address() as AddressInfo).port);
});

afterAll(async () => {
  await nginx?.stop();
  upstream.close();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(unavailable !== undefined)(
  'the nginx model of set, if and break against the real nginx',
  () => {
    it.each(LOCATIONS)('$path: $title', async (row) => {
      const url = nginx?.url as string;
      const config = {
        proxy: 'nginx' as const,
        file: 'nginx.conf',
        directives: parseNginxConfig(
          CONFIG.replaceAll('@PORT@', new URL(url).port).replaceAll(
            '@UPSTREAM@',
            String((upstream.address() as AddressInfo).port),
          ),
        ),
      };
      const app = (request: ServerRequest) => ({
        known: true as const,
        status: 200,
        headers: [['Content-Type', 'application/json']] as HeaderList,
        body: '{"ok":true}',
        answeredBy: 'app' as const,
        explanation: `the upstream answers ${request.url}`,
        statusAssumed: false,
        assumptions: [],
        path: ['upstream'],
      });
      for (const origin of ORIGINS) {
        const method = row.method ?? 'GET';
        const headers: HeaderList = [
          ...(origin ? ([['Origin', origin]] as HeaderList) : []),
          ...(method === 'OPTIONS' ? ([['Access-Control-Request-Method', 'PUT']] as HeaderList) : []),
        ];
        const real = await sendRaw({ method, url: `${url}${row.path}`, headers }, 5000);
        const predicted = predictThroughNginx(config, { method, url: `${url}${row.path}`, headers }, app);
        expect(predicted.known, predicted.known ? '' : predicted.why).toBe(true);
        if (!predicted.known) continue;
        expect({ origin, status: predicted.status, cors: cors(predicted.headers) }).toEqual({
          origin,
          status: real.response?.status,
          cors: cors(real.response?.headers ?? []),
        });
      }
    });
  },
);
