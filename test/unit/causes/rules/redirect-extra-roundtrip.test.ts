import { describe, expect, it } from 'vitest';
import { scanProject } from '../../../../src/analysis/scan.js';
import { redirectExtraRoundtrip } from '../../../../src/causes/rules/redirect-extra-roundtrip.js';
import { attachPatches } from '../../../../src/fix/patches.js';
import { readProject } from '../../../../src/project/read-project.js';
import { type RuleCase, testRule } from '../../../support/rule-tester.js';
import { ALLOWED_PREFLIGHT, BEARER, COOKIE, http, JSON_BODY, layerProbe, WITH_COOKIE } from './wire.js';

// test/fixtures/fastapi/slash-redirect: the route is `/orders/`, the page calls `/orders`; redirect_slashes
// answers 307 inside CORSMiddleware, so the redirect carries the CORS lines.
const ORDERS = 'http://localhost:8000/orders';

const SLASH_REDIRECT = http(`
  HTTP/1.1 307 Temporary Redirect
  server: uvicorn
  content-length: 0
  location: http://localhost:8000/orders/
  access-control-allow-credentials: true
  access-control-allow-origin: http://localhost:3000
  vary: Origin`);

const ORDERS_LIST = http(`
  HTTP/1.1 200 OK
  server: uvicorn
  content-length: 35
  content-type: application/json
  access-control-allow-credentials: true
  access-control-allow-origin: http://localhost:3000
  vary: Origin

  [{"id":7,"item_id":1,"quantity":3}]`);

const SECOND_HOP = { url: `${ORDERS}/`, hop: 1 };

// A REST `201 Created` carries a Location too (examples/correct with `response.headers["Location"] =
// f"/items/{id}"` in its POST route): nothing is redirected and no second request is sent.
const CREATED_WITH_LOCATION: RuleCase = {
  name: 'a JSON POST answered 201 Created with `location: /items/2`',
  page: { method: 'POST', ...JSON_BODY, body: '{"name":"Saw","price":12}' },
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
        HTTP/1.1 201 Created
        server: uvicorn
        content-length: 34
        content-type: application/json
        location: /items/2
        access-control-allow-credentials: true
        access-control-allow-origin: http://localhost:3000
        vary: Origin

        {"id":2,"name":"Saw","price":12.0}`),
    },
  ],
};

testRule(redirectExtraRoundtrip, {
  invalid: [
    {
      name: 'a simple GET of /orders: 307 to /orders/ with CORS lines, then 200',
      page: { url: ORDERS },
      exchanges: [
        { kind: 'actual', ...SLASH_REDIRECT },
        { kind: 'actual', ...SECOND_HOP, ...ORDERS_LIST },
      ],
      severity: 'warning',
      summary:
        /^The request is redirected \(307 to http:\/\/localhost:8000\/orders\/\) before it is answered: an extra round trip/,
      evidence: /^GET http:\/\/localhost:8000\/orders -> 307 Location: http:\/\/localhost:8000\/orders\/$/,
    },
    {
      name: 'a GET with Authorization: a preflight on each hop, both allowed',
      page: { url: ORDERS, headers: BEARER },
      exchanges: [
        { kind: 'preflight', ...ALLOWED_PREFLIGHT },
        { kind: 'actual', ...SLASH_REDIRECT },
        { kind: 'preflight', ...SECOND_HOP, ...ALLOWED_PREFLIGHT },
        { kind: 'actual', ...SECOND_HOP, ...ORDERS_LIST },
      ],
      evidence: /^GET http:\/\/localhost:8000\/orders -> 307 Location: http:\/\/localhost:8000\/orders\/$/,
    },
    {
      name: 'credentials: the cookie goes along on both hops',
      page: { url: ORDERS, credentials: 'include', cookie: COOKIE },
      exchanges: [
        { kind: 'actual', requestHeaders: WITH_COOKIE, ...SLASH_REDIRECT },
        { kind: 'actual', requestHeaders: WITH_COOKIE, ...SECOND_HOP, ...ORDERS_LIST },
      ],
    },
  ],
  valid: [
    CREATED_WITH_LOCATION,
    {
      name: 'fixed: the page calls /orders/ directly',
      page: { url: `${ORDERS}/` },
      exchanges: [{ kind: 'actual', ...ORDERS_LIST }],
    },
    {
      // test/fixtures/fastapi/https-redirect-outermost: HTTPSRedirectMiddleware outside CORSMiddleware.
      name: 'a redirect without CORS lines blocks the request: nothing works, so no warning',
      page: { url: 'http://localhost:8000/items' },
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
      name: "a redirected preflight (the router's 307 of an app without CORS): preflight-redirected",
      page: {
        url: 'http://localhost:8000/items/1/',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"name":"Saw","price":12}',
      },
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
    },
  ],
});

describe('scan: redirect-extra-roundtrip', () => {
  it('the route /orders/ called as /orders, served directly: the route line, a warning, the route patch', async () => {
    const dir = 'test/fixtures/fastapi/slash-redirect';
    const report = scanProject(await readProject(dir), {
      origins: ['http://localhost:3000'],
      request: { method: 'GET', headers: BEARER, url: ORDERS },
    });
    await attachPatches(dir, report.findings);
    const found = report.findings.filter((f) => f.code.startsWith('redirect-'));
    expect(found.map((f) => [f.code, f.severity, `${f.file}:${f.line}`])).toEqual([
      ['redirect-extra-roundtrip', 'warning', 'main.py:16'],
    ]);
    expect(found[0]?.message).toMatch(
      /Location http:\/\/localhost:8000\/orders\/: every request pays a second round trip/,
    );
    expect(found[0]?.fix?.patch).toMatch(/-@app\.get\("\/orders\/"\)\n\+@app\.get\("\/orders"\)/);
  });
});
