// redirect-drops-authorization: a redirect to another origin makes the browser drop Authorization, and the
// API answers 401. Answers recorded by the probe from test/fixtures/broken/trailing-slash-route-redirect
// (the route `/items/` requires `Authorization: Bearer t0k3n`, allow_origins ["http://localhost:3000"]) behind
// its nginx (`proxy_pass http://127.0.0.1:8000; proxy_redirect off;`), and from the same app with
// allow_origins ["*"]; nginx on localhost:8080, uvicorn on 127.0.0.1:8000. Then scan on real projects.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProject } from '../../../../src/analysis/scan.js';
import { correlate } from '../../../../src/causes/correlate.js';
import { diagnose } from '../../../../src/causes/index.js';
import { redirectDropsAuthorization } from '../../../../src/causes/rules/redirect-drops-authorization.js';
import { readProject } from '../../../../src/project/read-project.js';
import { evidenceOf, type RuleCase, testRule } from '../../../support/rule-tester.js';
import { BEARER, http, layerProbe, withoutOrigin } from './wire.js';

const ITEMS = 'http://localhost:8080/items';
const HOP = 'http://127.0.0.1:8000/items/';
const WITH_BEARER = { url: ITEMS, headers: BEARER };

const PREFLIGHT = http(`
  HTTP/1.1 200 OK
  Server: nginx/1.22.1
  Content-Type: text/plain; charset=utf-8
  Content-Length: 2
  vary: Origin
  access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
  access-control-max-age: 600
  access-control-allow-headers: Accept, Accept-Language, Authorization, Content-Language, Content-Type
  access-control-allow-origin: http://localhost:3000

  OK`);
const REDIRECT = http(`
  HTTP/1.1 307 Temporary Redirect
  Server: nginx/1.22.1
  Content-Length: 0
  location: http://127.0.0.1:8000/items/
  access-control-allow-origin: http://localhost:3000
  vary: Origin`);
const NULL_PREFLIGHT = http(`
  HTTP/1.1 400 Bad Request
  server: uvicorn
  vary: Origin
  access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
  access-control-max-age: 600
  access-control-allow-headers: Accept, Accept-Language, Authorization, Content-Language, Content-Type
  content-length: 22
  content-type: text/plain; charset=utf-8

  Disallowed CORS origin`);
const UNAUTHENTICATED = http(`
  HTTP/1.1 401 Unauthorized
  server: uvicorn
  content-length: 30
  content-type: application/json

  {"detail":"Not authenticated"}`);

const hop = { url: HOP, hop: 1 };
const nullPreflight = {
  kind: 'preflight' as const,
  ...hop,
  requestHeaders: [
    ['Access-Control-Request-Method', 'GET'],
    ['Access-Control-Request-Headers', 'authorization'],
    ['Origin', 'null'],
  ] as Array<[string, string]>,
};
const nullGet = {
  ...hop,
  requestHeaders: [
    ['Accept', '*/*'],
    ['Origin', 'null'],
  ] as Array<[string, string]>,
};

/** The fixture, live: what check --project records for it. */
const FIXTURE: RuleCase = {
  name: 'the fixture: 307 to the app address, the hop without Authorization answered 401 without CORS lines',
  page: WITH_BEARER,
  exchanges: [
    { kind: 'preflight', ...PREFLIGHT },
    { kind: 'actual', requestHeaders: [...BEARER, ['Origin', 'http://localhost:3000']], ...REDIRECT },
    { ...nullPreflight, ...NULL_PREFLIGHT },
    { kind: 'actual', ...nullGet, ...UNAUTHENTICATED },
    { ...withoutOrigin(), url: HOP, ...UNAUTHENTICATED },
  ],
};

testRule(redirectDropsAuthorization, {
  invalid: [
    {
      ...FIXTURE,
      summary:
        /^The request is redirected to another origin \(http:\/\/localhost:8080 -> http:\/\/127\.0\.0\.1:8000: another host[^)]*\)\), and browsers remove Authorization on such a redirect: the API gets the request without it and answers 401 Unauthorized\.$/,
      evidence:
        /^GET http:\/\/localhost:8080\/items \(with Authorization\) -> 307 Temporary Redirect, Location: http:\/\/127\.0\.0\.1:8000\/items\/\na trailing-slash redirect[^\n]*\nthe browser follows it with Origin: null[^\n]*and without Authorization[^\n]*\nGET http:\/\/127\.0\.0\.1:8000\/items\/ -> 401 Unauthorized, no Access-Control-Allow-Origin$/,
    },
    {
      name: 'the app allows any origin: the page reads the 401 (CORS allows it)',
      page: WITH_BEARER,
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
          requestHeaders: [...BEARER, ['Origin', 'http://localhost:3000']],
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            Server: nginx/1.22.1
            Content-Length: 0
            location: http://127.0.0.1:8000/items/
            access-control-allow-origin: *`),
        },
        {
          ...nullPreflight,
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            access-control-allow-origin: *
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-headers: authorization
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
        {
          kind: 'actual',
          ...nullGet,
          ...http(`
            HTTP/1.1 401 Unauthorized
            server: uvicorn
            content-length: 30
            content-type: application/json
            access-control-allow-origin: *

            {"detail":"Not authenticated"}`),
        },
      ],
      evidence: /-> 401 Unauthorized, Access-Control-Allow-Origin: \*$/,
    },
  ],
  valid: [
    {
      name: 'the page sends no Authorization: the 401 is not the redirect’s doing (redirect-to-other-origin)',
      page: { url: ITEMS },
      exchanges: [
        { kind: 'actual', ...REDIRECT },
        { kind: 'actual', ...nullGet, ...UNAUTHENTICATED },
        { ...layerProbe(), url: ITEMS, ...PREFLIGHT },
        { ...withoutOrigin(), url: HOP, ...UNAUTHENTICATED },
      ],
    },
    {
      name: 'nothing answers at the new origin (the port lost): no 401 seen (redirect-to-other-origin)',
      page: WITH_BEARER,
      exchanges: [
        { kind: 'preflight', ...PREFLIGHT },
        {
          kind: 'actual',
          requestHeaders: [...BEARER, ['Origin', 'http://localhost:3000']],
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            Server: nginx/1.22.1
            Content-Length: 0
            location: http://localhost/items/
            access-control-allow-origin: *`),
        },
        {
          ...nullPreflight,
          url: 'http://localhost/items/',
          error: {
            code: 'ECONNREFUSED',
            message: 'connection refused by localhost: is the server running and listening on that port?',
          },
        },
      ],
    },
    {
      name: 'a same-origin redirect keeps Authorization: 200 after it (redirect-extra-roundtrip)',
      // test/fixtures/fastapi/slash-redirect served by uvicorn directly.
      page: { url: 'http://localhost:8000/orders', headers: BEARER },
      exchanges: [
        {
          kind: 'actual',
          requestHeaders: [...BEARER, ['Origin', 'http://localhost:3000']],
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
          requestHeaders: [...BEARER, ['Origin', 'http://localhost:3000']],
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
  ],
});

describe('redirect-drops-authorization explains the whole failure', () => {
  it('it is the one cause named: the other origin, Origin null refused and the 401 are its symptoms', () => {
    expect(diagnose(evidenceOf(FIXTURE)).map((c) => c.code)).toEqual(['redirect-drops-authorization']);
  });
});

// ---------------------------------------------------------------------------------------------------
// scan: the page's request carries Authorization and lands on another origin.

const work = mkdtempSync(join(tmpdir(), 'cors-doctor-redirect-auth-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('scan: redirect-drops-authorization', () => {
  const dir = join(work, 'project');
  for (const [file, text] of Object.entries({
    'main.py': `from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_headers=["Authorization"])


def require_token(authorization: str | None = Header(default=None)) -> None:
    if authorization is None:
        raise HTTPException(status_code=401, detail="Not authenticated")


@app.get("/items/", dependencies=[Depends(require_token)])
def list_items():
    return []
`,
    'deploy/nginx.conf': `events {}
http {
    server {
        listen 8080;
        location / {
            proxy_pass http://127.0.0.1:8000;
            proxy_redirect off;
        }
    }
}
`,
  })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }

  it('with Authorization: this code at the route, the nginx line after it; without: redirect-to-other-origin', async () => {
    const project = await readProject(dir);
    const scan = (headers: Array<[string, string]>) =>
      scanProject(project, {
        origins: ['http://localhost:3000'],
        request: { method: 'GET', headers, url: ITEMS },
      }).findings.filter((f) => f.code.startsWith('redirect-'));
    const [finding, ...others] = scan(BEARER);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      code: 'redirect-drops-authorization',
      severity: 'error',
      file: 'main.py',
      line: 13,
      related: [{ file: 'deploy/nginx.conf', line: 7 }],
    });
    expect(finding?.message).toMatch(/without Authorization: a route that requires it answers 401\.$/);
    expect(finding?.fix?.edits).toEqual([
      { kind: 'replace-text', file: 'main.py', line: 13, from: '/items/', to: '/items' },
    ]);
    expect(scan([]).map((f) => f.code)).toEqual(['redirect-to-other-origin']);
  });

  it('check --project: the live cause carries the route line first, then the nginx line', async () => {
    const project = await readProject(dir);
    const scan = scanProject(project, {
      origins: ['http://localhost:3000'],
      request: { method: 'GET', headers: BEARER, url: ITEMS },
    });
    const { causes } = correlate(diagnose(evidenceOf(FIXTURE)), scan);
    expect(causes.map((c) => [c.code, c.locations])).toEqual([
      [
        'redirect-drops-authorization',
        [
          { file: 'main.py', line: 13 },
          { file: 'deploy/nginx.conf', line: 7 },
        ],
      ],
    ]);
  });
});
