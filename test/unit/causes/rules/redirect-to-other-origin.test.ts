// redirect-to-other-origin: the actual request is redirected to another origin. Answers recorded by the probe
// from uvicorn (FastAPI 0.92.0 / Starlette 0.26.1 under uvicorn 0.17.6) and nginx 1.22.1 in front of it,
// hosts rewritten as wire.ts says; the apps are quoted before each group. Then scan: tiny real projects
// read from source, with the URL the page calls.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProject } from '../../../../src/analysis/scan.js';
import { detectWith } from '../../../../src/causes/index.js';
import { redirectToOtherOrigin } from '../../../../src/causes/rules/redirect-to-other-origin.js';
import { attachPatches } from '../../../../src/fix/patches.js';
import type { HeaderList } from '../../../../src/model/types.js';
import { readProject } from '../../../../src/project/read-project.js';
import { evidenceOf, testRule } from '../../../support/rule-tester.js';
import { BEARER, http, JSON_BODY, layerProbe } from './wire.js';

const PUT_ITEMS = { method: 'PUT', ...JSON_BODY, body: '{"name":"Saw","price":12}' };

// A redirect to a login page: the API answers an unauthenticated request as a page navigation. nginx
// `location /me { return 302 http://localhost:9000/login?next=/me; }` stands for the login redirect of a
// session-based framework (Spring Security, Django's login_required, passport).

const TO_LOGIN = http(
  `
  HTTP/1.1 302 Moved Temporarily
  Server: nginx/1.22.1
  Content-Type: text/html
  Content-Length: 145
  Location: http://localhost:9000/login?next=/me`,
  '<html>\r\n<head><title>302 Found</title></head>\r\n<body>\r\n<center><h1>302 Found</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n',
);

// HTTPSRedirectMiddleware added first, CORSMiddleware after it (outermost), allow_origins
// ["http://localhost:3000"] with credentials (test/fixtures/broken/https-redirect-actual).
const PUT_PREFLIGHT = http(`
  HTTP/1.1 200 OK
  server: uvicorn
  vary: Origin
  access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
  access-control-max-age: 600
  access-control-allow-credentials: true
  access-control-allow-origin: http://localhost:3000
  access-control-allow-headers: content-type
  content-length: 2
  content-type: text/plain; charset=utf-8

  OK`);
const TO_HTTPS = http(`
  HTTP/1.1 307 Temporary Redirect
  server: uvicorn
  content-length: 0
  location: https://localhost:8000/items
  access-control-allow-credentials: true
  access-control-allow-origin: http://localhost:3000
  vary: Origin`);
const NULL_PREFLIGHT: HeaderList = [
  ['Access-Control-Request-Method', 'PUT'],
  ['Access-Control-Request-Headers', 'content-type'],
  ['Origin', 'null'],
];

// Behind nginx (`location / { proxy_pass http://127.0.0.1:8000; proxy_redirect off; }`): the route is
// `/orders/`, the page calls `/orders`; Starlette's 307 names the app's own address.
const ORDERS = 'http://localhost:8080/orders';
const ORDERS_HOP = 'http://127.0.0.1:8000/orders/';
const NULL_GET: HeaderList = [
  ['Accept', '*/*'],
  ['Origin', 'null'],
];

testRule(redirectToOtherOrigin, {
  invalid: [
    {
      name: 'GET /me answered 302 to the login page on another origin: the browser stops at the redirect',
      page: { url: 'http://localhost:8080/me', credentials: 'include' },
      exchanges: [{ kind: 'actual', ...TO_LOGIN }],
      summary:
        /^The request is redirected to another origin \(http:\/\/localhost:8080 -> http:\/\/localhost:9000: another port \(8080 -> 9000\)\): the redirect itself carries no Access-Control-Allow-Origin/,
      evidence:
        /^GET http:\/\/localhost:8080\/me -> 302 Moved Temporarily, Location: http:\/\/localhost:9000\/login\?next=\/me\n/,
    },
    {
      name: 'HTTPSRedirectMiddleware inside CORSMiddleware: the PUT goes to https://, where nothing answers TLS',
      page: { url: 'http://localhost:8000/items', ...PUT_ITEMS },
      exchanges: [
        { kind: 'preflight', ...PUT_PREFLIGHT },
        { kind: 'actual', ...TO_HTTPS },
        {
          kind: 'preflight',
          url: 'https://localhost:8000/items',
          hop: 1,
          requestHeaders: NULL_PREFLIGHT,
          error: {
            code: 'TLS',
            message:
              'TLS error talking to localhost:8000 (EPROTO): check the certificate or use http:// for a plain-HTTP server',
          },
        },
      ],
      summary:
        /^The request is redirected to another origin \(http:\/\/localhost:8000 -> https:\/\/localhost:8000: the scheme changes \(http -> https\)\): nothing answers there \(TLS\)/,
      evidence:
        /-> 307 Temporary Redirect, Location: https:\/\/localhost:8000\/items\nhttp -> https: HTTPSRedirectMiddleware[^\n]*\nthe browser follows it with Origin: null[^\n]*\nOPTIONS https:\/\/localhost:8000\/items: TLS error/,
    },
    {
      name: 'HTTPSRedirectMiddleware outside CORSMiddleware, a simple GET: the 307 has no CORS headers',
      // test/fixtures/fastapi/https-redirect-outermost
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            server: uvicorn
            content-length: 0
            location: https://localhost:8000/items`),
        },
        {
          ...layerProbe(),
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            server: uvicorn
            content-length: 0
            location: https://localhost:8000/items`),
        },
      ],
      summary: /: the redirect itself carries no Access-Control-Allow-Origin, so the browser stops there\.$/,
      evidence: /the browser would follow it with Origin: null/,
    },
    {
      name: 'nginx `proxy_set_header Host $host;` on port 8080: the slash redirect loses the port',
      page: { url: 'http://localhost:8080/items', headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 2
            access-control-allow-origin: *
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-headers: authorization

            OK`),
        },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            Server: nginx/1.22.1
            Content-Length: 0
            location: http://localhost/items/
            access-control-allow-origin: *`),
        },
        {
          kind: 'preflight',
          url: 'http://localhost/items/',
          hop: 1,
          requestHeaders: [
            ['Access-Control-Request-Method', 'GET'],
            ['Access-Control-Request-Headers', 'authorization'],
            ['Origin', 'null'],
          ],
          error: {
            code: 'ECONNREFUSED',
            message: 'connection refused by localhost: is the server running and listening on that port?',
          },
        },
      ],
      summary:
        /the port is lost \(8080 -> the default port of http\)\): nothing answers there \(ECONNREFUSED\)/,
      evidence:
        /a trailing-slash redirect[^\n]*\nthe browser follows it with Origin: null[^\n]*, and without Authorization/,
    },
    {
      name: 'behind nginx with `proxy_redirect off;`: the hop answers Origin null without Access-Control-Allow-Origin',
      page: { url: ORDERS },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            Server: nginx/1.22.1
            Content-Length: 0
            location: http://127.0.0.1:8000/orders/
            access-control-allow-origin: http://localhost:3000
            vary: Origin`),
        },
        {
          kind: 'actual',
          url: ORDERS_HOP,
          hop: 1,
          requestHeaders: NULL_GET,
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 35
            content-type: application/json

            [{"id":7,"item_id":1,"quantity":3}]`),
        },
        {
          ...layerProbe(),
          url: ORDERS,
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 2
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-origin: http://localhost:3000

            OK`),
        },
      ],
      summary:
        /\(http:\/\/localhost:8080 -> http:\/\/127\.0\.0\.1:8000: another host \(localhost:8080 -> 127\.0\.0\.1:8000\)\): the browser goes on with Origin: null, which the answer there does not allow\.$/,
      evidence: /GET http:\/\/127\.0\.0\.1:8000\/orders\/ -> 200 OK, no Access-Control-Allow-Origin/,
    },
  ],
  valid: [
    {
      name: 'a same-origin slash redirect with CORS lines on both hops (redirect-extra-roundtrip)',
      // test/fixtures/fastapi/slash-redirect
      page: { url: 'http://localhost:8000/orders' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            server: uvicorn
            content-length: 0
            location: http://localhost:8000/orders/
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin`),
        },
        {
          kind: 'actual',
          url: 'http://localhost:8000/orders/',
          hop: 1,
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 35
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            [{"id":7,"item_id":1,"quantity":3}]`),
        },
      ],
    },
    {
      name: 'a cross-origin hop answered `*`, nothing lost: allowed (redirect-extra-roundtrip warns)',
      // The same nginx, the app with allow_origins=["*"].
      page: { url: ORDERS },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            Server: nginx/1.22.1
            Content-Length: 0
            location: http://127.0.0.1:8000/orders/
            access-control-allow-origin: *`),
        },
        {
          kind: 'actual',
          url: ORDERS_HOP,
          hop: 1,
          requestHeaders: NULL_GET,
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 35
            content-type: application/json
            access-control-allow-origin: *

            [{"id":7,"item_id":1,"quantity":3}]`),
        },
      ],
    },
    {
      name: 'a redirected preflight is preflight-redirected, not this',
      page: { url: 'http://localhost:8000/items', ...PUT_ITEMS },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            server: uvicorn
            content-length: 0
            location: https://localhost:8000/items`),
        },
      ],
    },
    {
      name: 'fixed: the page calls https://, nothing is redirected',
      page: { url: 'https://localhost:8443/items', ...PUT_ITEMS },
      exchanges: [
        { kind: 'preflight', ...PUT_PREFLIGHT },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 34
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            {"id":1,"name":"Saw","price":12.0}`),
        },
      ],
    },
  ],
});

// ---------------------------------------------------------------------------------------------------
// A redirect to a login page: the fix is the API's 401 and the page's own navigation to the login page.

/** The fix the rule gives for a redirect of GET http://localhost:8080/me to `location`. */
function fixFor(location: string): string | undefined {
  const evidence = evidenceOf({
    name: location,
    page: { url: 'http://localhost:8080/me', credentials: 'include' },
    exchanges: [
      { kind: 'actual', ...TO_LOGIN, headers: [...TO_LOGIN.headers.slice(0, 3), ['Location', location]] },
    ],
  });
  return detectWith(redirectToOtherOrigin, evidence)?.fix?.summary;
}

describe('a redirect to a login page: the API should answer 401, the page goes to the login page', () => {
  it.each([
    { to: 'http://localhost:9000/login?next=/me', login: true },
    { to: 'https://login.example.com/authorize?next=%2Fme', login: true },
    { to: 'https://idp.example.com/realms/app/protocol/openid-connect/auth?client_id=api', login: true },
    { to: 'https://example.okta.com/oauth2/default/v1/authorize', login: true },
    { to: 'https://accounts.google.com/ServiceLogin?continue=x', login: true },
    { to: 'https://www.example.com/account/sign-in', login: true },
    { to: 'https://sso.example.com/', login: true },
    // Not a login page: the generic fix (call the final URL, or no redirect).
    { to: 'https://api.example.com/me', login: false },
    { to: 'https://api.example.com/authors/1', login: false },
    { to: 'https://api.example.com/catalogInfo', login: false },
    { to: 'https://api.example.com/assorted', login: false },
  ])('$to: login page $login', ({ to, login }) => {
    const fix = fixFor(to);
    if (login) {
      expect(fix).toMatch(/^Do not call the login page from fetch\(\)/);
      expect(fix).toContain(
        'answer API requests it cannot authenticate with 401 Unauthorized instead of redirecting',
      );
      expect(fix).toContain(`window.location.assign('${new URL(to).origin}${new URL(to).pathname}')`);
    } else {
      expect(fix).toBe(
        `Call the final URL (${new URL(to).href}) from the page, or make the server answer without redirecting to another origin.`,
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// scan: the source of the redirect, where the browser lands, and the patch.

const work = mkdtempSync(join(tmpdir(), 'cors-doctor-redirect-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function projectDir(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const APP = (route: string, more = '') => `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_methods=["*"])
${more}

@app.get(${route})
def list_orders():
    return []
`;

const nginx = (location: string) => `events {}
http {
    server {
        listen 8080;
        location / {
${location}
        }
    }
}
`;

async function findingsFor(dir: string, url: string, headers: HeaderList = []) {
  const report = scanProject(await readProject(dir), {
    origins: ['http://localhost:3000'],
    request: { method: 'GET', headers, url },
  });
  await attachPatches(dir, report.findings);
  return report.findings.filter((f) => f.code.startsWith('redirect-'));
}

describe('scan: redirect-to-other-origin', () => {
  it('nginx passes Host without the port: the route line, the nginx line after it, and the route patch', async () => {
    const dir = projectDir('host-without-port', {
      'main.py': APP('"/orders/"'),
      'nginx.conf': nginx(
        '            proxy_set_header Host $host;\n            proxy_pass http://127.0.0.1:8000;',
      ),
    });
    const [finding, ...others] = await findingsFor(dir, 'http://localhost:8080/orders');
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      code: 'redirect-to-other-origin',
      severity: 'error',
      file: 'main.py',
      line: 8,
      related: [{ file: 'nginx.conf', line: 6 }],
    });
    expect(finding?.message).toMatch(
      /Location http:\/\/localhost\/orders\/, another origin than http:\/\/localhost:8080 \(the port is lost/,
    );
    expect(finding?.evidence?.[0]).toMatch(
      /proxy_set_header Host \$host;` \(nginx\.conf:6\): the app gets Host: localhost$/,
    );
    expect(finding?.fix?.patch).toMatch(/-@app\.get\("\/orders\/"\)\n\+@app\.get\("\/orders"\)/);
  });

  it('nginx `proxy_redirect off;` keeps the app address: the proxy_redirect line after the route', async () => {
    const dir = projectDir('redirect-off', {
      'main.py': APP("'/orders/'"),
      'nginx.conf': nginx('            proxy_pass http://127.0.0.1:8000;\n            proxy_redirect off;'),
    });
    const [finding] = await findingsFor(dir, 'http://localhost:8080/orders');
    expect(finding).toMatchObject({ code: 'redirect-to-other-origin', line: 8, related: [{ line: 7 }] });
    expect(finding?.fix?.patch).toMatch(/\+@app\.get\('\/orders'\)/);
  });

  it("nginx's default proxy_redirect rewrites the app address back: the same origin, an extra round trip", async () => {
    const dir = projectDir('redirect-default', {
      'main.py': APP('"/orders/"'),
      'nginx.conf': nginx('            proxy_pass http://127.0.0.1:8000;'),
    });
    const findings = await findingsFor(dir, 'http://localhost:8080/orders');
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['redirect-extra-roundtrip', 'warning']]);
  });

  it('nginx passes $http_host and X-Forwarded-Proto to uvicorn on 127.0.0.1: the same origin', async () => {
    const dir = projectDir('http-host', {
      'main.py': APP('"/orders/"'),
      'nginx.conf': nginx(
        '            proxy_set_header Host $http_host;\n            proxy_set_header X-Forwarded-Proto $scheme;\n            proxy_pass http://127.0.0.1:8000;',
      ),
    });
    const findings = await findingsFor(dir, 'http://localhost:8080/orders');
    expect(findings.map((f) => f.code)).toEqual(['redirect-extra-roundtrip']);
  });

  it('an https URL and no proxy in the project: uvicorn sees http behind the TLS proxy (a warning, inferred)', async () => {
    const dir = projectDir('https-platform', { 'main.py': APP('"/orders/"') });
    const [finding] = await findingsFor(dir, 'https://api.example.com/orders');
    expect(finding).toMatchObject({ code: 'redirect-to-other-origin', severity: 'warning', line: 8 });
    expect(finding?.message).toMatch(/Location http:\/\/api\.example\.com\/orders\/, another origin/);
  });

  it('uvicorn trusts the proxy (FORWARDED_ALLOW_IPS in compose): the https redirect stays https', async () => {
    const dir = projectDir('https-trusted-env', {
      'main.py': APP('"/orders/"'),
      'compose.yaml': 'services:\n  api:\n    build: .\n    environment:\n      FORWARDED_ALLOW_IPS: "*"\n',
    });
    const findings = await findingsFor(dir, 'https://api.example.com/orders');
    expect(findings.map((f) => f.code)).toEqual(['redirect-extra-roundtrip']);
  });

  it('uvicorn trusts the proxy (--forwarded-allow-ips in the Procfile): the https redirect stays https', async () => {
    const dir = projectDir('https-trusted', {
      'main.py': APP('"/orders/"'),
      Procfile: "web: uvicorn main:app --host 0.0.0.0 --port $PORT --forwarded-allow-ips '*'\n",
    });
    const findings = await findingsFor(dir, 'https://api.example.com/orders');
    expect(findings.map((f) => f.code)).toEqual(['redirect-extra-roundtrip']);
  });

  it('the route under a router prefix, declared "/": no patch (the literal is not the path), the summary says what to write', async () => {
    const dir = projectDir('prefix', {
      'main.py': `from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_methods=["*"])
router = APIRouter(prefix="/orders")


@router.get("/")
def list_orders():
    return []


app.include_router(router)
`,
      'nginx.conf': nginx(
        '            proxy_set_header Host $host;\n            proxy_pass http://127.0.0.1:8000;',
      ),
    });
    const [finding] = await findingsFor(dir, 'http://localhost:8080/orders');
    expect(finding).toMatchObject({ code: 'redirect-to-other-origin', file: 'main.py', line: 9 });
    expect(finding?.fix?.patch).toBeUndefined();
    expect(finding?.fix?.summary).toMatch(/@router\.get\(""\)/);
  });

  it('no URL, a matching path, or redirect_slashes=False: nothing to say', async () => {
    const dir = projectDir('quiet', {
      'main.py': APP('"/orders/"'),
      'nginx.conf': nginx(
        '            proxy_set_header Host $host;\n            proxy_pass http://127.0.0.1:8000;',
      ),
    });
    const project = await readProject(dir);
    const noUrl = scanProject(project, { origins: ['http://localhost:3000'], request: { headers: [] } });
    expect(noUrl.findings.filter((f) => f.code.startsWith('redirect-'))).toEqual([]);
    expect(await findingsFor(dir, 'http://localhost:8080/orders/')).toEqual([]);
    const off = projectDir('quiet-off', {
      'main.py': APP('"/orders/"').replace('FastAPI()', 'FastAPI(redirect_slashes=False)'),
      'nginx.conf': nginx(
        '            proxy_set_header Host $host;\n            proxy_pass http://127.0.0.1:8000;',
      ),
    });
    expect(await findingsFor(off, 'http://localhost:8080/orders')).toEqual([]);
  });

  it('HTTPSRedirectMiddleware inside CORSMiddleware: the middleware line, no patch; an https URL is fine', async () => {
    const dir = projectDir('https-redirect-inside', {
      'main.py': `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.httpsredirect import HTTPSRedirectMiddleware

app = FastAPI()
app.add_middleware(HTTPSRedirectMiddleware)
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_methods=["*"])


@app.get("/orders")
def list_orders():
    return []
`,
    });
    const [finding, ...others] = await findingsFor(dir, 'http://localhost:8000/orders');
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ code: 'redirect-to-other-origin', severity: 'error', line: 6 });
    expect(finding?.fix?.edits).toBeUndefined();
    expect(finding?.fix?.summary).toMatch(/^Call the https:\/\/ URL from the page \(a frontend change/);
    expect(await findingsFor(dir, 'https://localhost:8443/orders')).toEqual([]);
    const unknown = scanProject(await readProject(dir), { origins: ['http://localhost:3000'] });
    expect(unknown.findings.map((f) => [f.code, f.severity])).toContainEqual([
      'redirect-to-other-origin',
      'warning',
    ]);
  });
});
