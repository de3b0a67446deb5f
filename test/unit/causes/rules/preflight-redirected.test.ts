import { describe, expect, it } from 'vitest';
import { scanProject } from '../../../../src/analysis/scan.js';
import { preflightRedirected } from '../../../../src/causes/rules/preflight-redirected.js';
import { readProject } from '../../../../src/project/read-project.js';
import { testRule } from '../../../support/rule-tester.js';
import { ALLOWED_PREFLIGHT, BEARER, http, JSON_BODY, layerProbe, nginxPage, PUT_ITEM } from './wire.js';

// test/fixtures/fastapi/slash-redirect: CORSMiddleware allows everything for http://localhost:3000.

testRule(preflightRedirected, {
  invalid: [
    {
      name: 'HTTPSRedirectMiddleware added after CORSMiddleware answers the preflight 307 to https',
      page: PUT_ITEM,
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            server: uvicorn
            content-length: 0
            location: https://localhost:8000/items/1`),
        },
      ],
      summary: /^The preflight got a redirect\. Browsers never follow a redirect for a preflight/,
      evidence:
        /^OPTIONS http:\/\/localhost:8000\/items\/1 -> 307 Temporary Redirect, Location: https:\/\/localhost:8000\/items\/1\nhttp -> https/,
    },
    {
      name: 'the same middleware, an Authorization preflight',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            server: uvicorn
            content-length: 0
            location: https://localhost:8000/me`),
        },
      ],
      evidence: /Location: https:\/\/localhost:8000\/me/,
    },
    {
      name: 'nginx `return 301 https://$host$request_uri;` redirects the preflight',
      page: {
        url: 'http://localhost:8080/items',
        method: 'POST',
        ...JSON_BODY,
        body: '{"name":"Saw","price":12}',
      },
      exchanges: [
        {
          kind: 'preflight',
          ...http(
            `
            HTTP/1.1 301 Moved Permanently
            Server: nginx/1.22.1
            Content-Type: text/html
            Content-Length: 169
            Location: https://localhost/items`,
            nginxPage('301 Moved Permanently'),
          ),
        },
      ],
      evidence: /-> 301 Moved Permanently, Location: https:\/\/localhost\/items\nhttp -> https/,
    },
    {
      name: "no CORS layer: the router's redirect_slashes answers OPTIONS /items/1/ with 307 to /items/1",
      page: { ...PUT_ITEM, url: 'http://localhost:8000/items/1/' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 307 Temporary Redirect
            server: uvicorn
            content-length: 0
            location: http://localhost:8000/items/1`),
        },
      ],
      evidence: /a trailing-slash redirect: the route is declared with the other spelling/,
    },
  ],
  valid: [
    {
      name: 'CORSMiddleware answers the preflight before routing; only the actual request is redirected, with CORS',
      page: { url: 'http://localhost:8000/orders', headers: BEARER },
      exchanges: [
        { kind: 'preflight', ...ALLOWED_PREFLIGHT },
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
        { kind: 'preflight', url: 'http://localhost:8000/orders/', hop: 1, ...ALLOWED_PREFLIGHT },
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
      name: 'a simple GET to the HTTPS-redirecting app: no preflight, the actual request is the one redirected',
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
    },
    {
      name: 'fixed: CORSMiddleware outermost answers the preflight 200 (examples/correct)',
      page: { ...PUT_ITEM, credentials: 'include' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: GET, POST, PUT, DELETE
            access-control-max-age: 600
            access-control-allow-headers: Accept, Accept-Language, Authorization, Content-Language, Content-Type
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
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

describe('scan: preflight-redirected', () => {
  // Registering CORSMiddleware after HTTPSRedirectMiddleware gets the preflight through, but the actual request
  // is still redirected to https:// (redirect-to-other-origin): no patch is offered for it.
  const dir = 'test/fixtures/fastapi/https-redirect-outermost';
  const scan = async (url?: string) =>
    scanProject(await readProject(dir), {
      origins: ['http://localhost:3000'],
      request: { method: 'PUT', headers: JSON_BODY.headers, ...(url && { url }) },
    }).findings.filter((f) => f.code === 'preflight-redirected');
  it('HTTPSRedirectMiddleware outside CORSMiddleware: its line, and what to change instead of a patch', async () => {
    const [finding, ...others] = await scan('http://localhost:8000/items/1');
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ file: 'main.py', line: 15, severity: 'error' });
    expect(finding?.fix?.edits).toBeUndefined();
    expect(finding?.fix?.summary).toMatch(/^Call the https:\/\/ URL from the page/);
    expect(finding?.fix?.summary).toMatch(/the actual request would still be redirected/);
  });
  it('a page that calls https:// is not redirected', async () => {
    expect(await scan('https://localhost:8443/items/1')).toEqual([]);
  });
});
