import { describe, expect, it } from 'vitest';
import { methodNotAllowed } from '../../../../src/causes/rules/method-not-allowed.js';
import { testRule } from '../../../support/rule-tester.js';
import { added, scanAfterFix, scanSource } from '../../../support/scan-source.js';
import { BEARER, http, JSON_BODY, nginxPage } from './wire.js';

const ITEM = '{"name":"Saw","price":12}';

// test/fixtures/fastapi/default-methods: CORSMiddleware without allow_methods (Starlette's default: GET). A
// refused method keeps the allowed origin in ACAO.
const GET_ONLY_REFUSAL = http(`
  HTTP/1.1 400 Bad Request
  server: uvicorn
  vary: Origin
  access-control-allow-methods: GET
  access-control-max-age: 600
  access-control-allow-credentials: true
  access-control-allow-origin: http://localhost:3000
  access-control-allow-headers: content-type
  content-length: 22
  content-type: text/plain; charset=utf-8

  Disallowed CORS method`);

testRule(methodNotAllowed, {
  invalid: [
    {
      name: 'default allow_methods: a PUT preflight gets 400 Disallowed CORS method',
      page: { url: 'http://localhost:8000/items/1', method: 'PUT', ...JSON_BODY, body: ITEM },
      exchanges: [{ kind: 'preflight', ...GET_ONLY_REFUSAL }],
      summary: /^The preflight does not allow the method PUT\.$/,
      evidence:
        /^OPTIONS -> 400 Bad Request "Disallowed CORS method"\nAccess-Control-Allow-Methods: GET does not contain PUT\nGET alone is Starlette's default allow_methods$/,
    },
    {
      name: 'default allow_methods: a JSON POST is preflighted, and Starlette checks POST too',
      page: { method: 'POST', ...JSON_BODY, body: ITEM },
      exchanges: [{ kind: 'preflight', ...GET_ONLY_REFUSAL }],
      summary: /the method POST\.$/,
    },
    {
      // test/fixtures/nginx/behind-proxy/app: allow_methods=["*"] stands for the upper-case names only.
      name: "fetch sends `method: 'patch'` as written; Starlette compares case-sensitively",
      page: { url: 'http://localhost:8000/orders', method: 'patch', ...JSON_BODY, body: '{"item":"saw"}' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            access-control-allow-headers: content-type
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS method`),
        },
      ],
      summary: /the method patch\.$/,
      evidence:
        /methods are compared case-sensitively: patch is not DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT/,
      // The fix is the page's: frontend-request-invalid names it and supersedes this cause.
      reported: false,
    },
    {
      // test/fixtures/broken/methods-comma-string: allow_methods=["DELETE,GET,POST,PUT"], one item.
      name: 'allow_methods=["DELETE,GET,POST,PUT"]: Starlette lists one item holding a comma list',
      page: {
        url: 'http://localhost:8000/notes/1',
        origin: 'http://localhost:5173',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"text":"x"}',
      },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE,GET,POST,PUT
            access-control-max-age: 600
            access-control-allow-headers: Accept, Accept-Language, Content-Language, Content-Type
            access-control-allow-origin: http://localhost:5173
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS method`),
        },
      ],
      summary: /the method PUT\.$/,
      evidence: /"DELETE,GET,POST,PUT" is one item of allow_methods holding a comma list/,
    },
    {
      // A hand-written middleware answers OPTIONS 204 with response.headers["Access-Control-Allow-Methods"] =
      // "GET, POST": a 2xx, so the browser names the method.
      name: 'a hand-written 204 lists GET, POST and the page sends DELETE',
      page: { url: 'http://localhost:8000/items/1', method: 'DELETE' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            server: uvicorn
            access-control-allow-origin: http://localhost:3000
            access-control-allow-methods: GET, POST
            access-control-allow-headers: Content-Type`),
        },
      ],
      summary: /the method DELETE\.$/,
      evidence: /^Access-Control-Allow-Methods: GET, POST does not contain DELETE$/,
    },
    {
      // The same refusal as a HAR keeps it: DevTools saves no preflight body, the allow-lists are there.
      name: "Starlette's 400 without its body (a HAR): Access-Control-Allow-Methods: GET names the refusal",
      page: { url: 'http://localhost:8000/items/1', method: 'PUT', ...JSON_BODY, body: ITEM },
      exchanges: [{ kind: 'preflight', ...GET_ONLY_REFUSAL, body: '' }],
      summary: /^The preflight does not allow the method PUT\.$/,
      evidence:
        /^OPTIONS http:\/\/localhost:8000\/items\/1 asked for PUT -> 400 Bad Request, a refusal that carries the CORS layer's allow-lists\nAccess-Control-Allow-Methods: GET does not contain PUT\nGET alone is Starlette's default allow_methods$/,
    },
    {
      // test/fixtures/broken/methods-comma-string, as a HAR keeps it: PUT is inside the one item, not an item.
      name: 'allow_methods=["DELETE,GET,POST,PUT"] without the body: Starlette\'s shape (400, Max-Age) tells the item',
      page: {
        url: 'http://localhost:8000/notes/1',
        origin: 'http://localhost:5173',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"text":"x"}',
      },
      exchanges: [
        {
          kind: 'preflight',
          ...http(
            `
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE,GET,POST,PUT
            access-control-max-age: 600
            access-control-allow-headers: Accept, Accept-Language, Content-Language, Content-Type
            access-control-allow-origin: http://localhost:5173
            content-length: 22
            content-type: text/plain; charset=utf-8`,
            '',
          ),
        },
      ],
      evidence: /"DELETE,GET,POST,PUT" is one item of allow_methods holding a comma list/,
    },
    {
      // nginx answers the preflight itself (test/fixtures/nginx/behind-proxy/answers-preflight-incompletely.conf):
      // proxy-answers-preflight names the nginx block to change, and supersedes this cause.
      name: "nginx's own 204 lists GET, POST, OPTIONS and the page sends DELETE",
      page: { url: 'http://localhost:8080/orders/7', method: 'DELETE' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            Server: nginx/1.22.1
            Access-Control-Allow-Origin: http://localhost:3000
            Access-Control-Allow-Methods: GET, POST, OPTIONS
            Access-Control-Max-Age: 1728000
            Content-Length: 0`),
        },
      ],
      reported: false,
    },
  ],
  valid: [
    {
      name: 'default allow_methods: a GET with Authorization passes (GET is allowed)',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: GET
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            access-control-allow-headers: authorization
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 27
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            {"email":"dev@example.com"}`),
        },
      ],
    },
    {
      name: 'default allow_methods: a text/plain POST is not preflighted, so methods are never checked',
      page: { method: 'POST', headers: [['Content-Type', 'text/plain;charset=UTF-8']], body: ITEM },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 422 Unprocessable Entity
            server: uvicorn
            content-length: 88
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            {"detail":[{"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"}]}`),
        },
      ],
    },
    {
      name: 'Starlette refuses a header, not the method: 400 Disallowed CORS headers (header-not-allowed)',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-headers: Accept, Accept-Language, Content-Language, Content-Type
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            content-length: 23
            content-type: text/plain; charset=utf-8

            Disallowed CORS headers`),
        },
      ],
    },
    {
      name: 'fixed: allow_methods=["GET", "POST", "PUT", "DELETE"] (examples/correct, with credentials)',
      page: {
        url: 'http://localhost:8000/items/1',
        method: 'PUT',
        ...JSON_BODY,
        body: ITEM,
        credentials: 'include',
      },
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
    {
      // nginx: `add_header Access-Control-Allow-Methods "GET,POST,PUT" always; return 401;` on the location.
      name: 'a 401 preflight listing GET,POST,PUT: PUT is listed, the method is not what was refused',
      page: { url: 'http://localhost:8080/items/1', method: 'PUT', ...JSON_BODY, body: ITEM },
      exchanges: [
        {
          kind: 'preflight',
          ...http(
            `
            HTTP/1.1 401 Unauthorized
            Server: nginx/1.22.1
            Content-Type: text/html
            Content-Length: 179
            Access-Control-Allow-Methods: GET,POST,PUT`,
            nginxPage('401 Authorization Required'),
          ),
        },
      ],
    },
    {
      // nginx: `add_header Access-Control-Allow-Methods "*" always; ...Headers "*" always; return 403;`.
      name: 'a 403 preflight whose Access-Control-Allow-Methods is * lists every method',
      page: { url: 'http://localhost:8080/items/1', method: 'PATCH', ...JSON_BODY, body: ITEM },
      exchanges: [
        {
          kind: 'preflight',
          ...http(
            `
            HTTP/1.1 403 Forbidden
            Server: nginx/1.22.1
            Content-Type: text/html
            Content-Length: 153
            Access-Control-Allow-Methods: *
            Access-Control-Allow-Headers: *`,
            nginxPage('403 Forbidden'),
          ),
        },
      ],
    },
    {
      // A 2xx is the browser's to judge: POST is CORS-safelisted and needs no listing. nginx: the origin,
      // `Access-Control-Allow-Methods "GET"` and `...Headers "Content-Type"` always, `return 204;`.
      name: 'a 204 listing GET only lets a JSON POST through: POST needs no listing',
      page: { url: 'http://localhost:8080/items', method: 'POST', ...JSON_BODY, body: ITEM },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            Server: nginx/1.22.1
            Access-Control-Allow-Origin: http://localhost:3000
            Access-Control-Allow-Methods: GET
            Access-Control-Allow-Headers: Content-Type`),
        },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 204 No Content
            Server: nginx/1.22.1
            Access-Control-Allow-Origin: http://localhost:3000
            Access-Control-Allow-Methods: GET
            Access-Control-Allow-Headers: Content-Type`),
        },
      ],
    },
  ],
});

// -------------------------------------------------------------------------------------------------
// Source: a comma list in one string becomes a list of methods, where it is written; once fixed, the
// project scans clean.

const HEAD =
  'from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI()\n';
const ROUTES = '\n\n@app.put("/notes/{note_id}")\ndef update(note_id: int):\n    return {}\n';

const SOURCE_CASES: Array<{
  name: string;
  files: Record<string, string>;
  request?: { method: string; headers: Array<[string, string]> };
  at: string;
  message: RegExp;
  /** The fixed line; null: no patch is offered. */
  fixed: string | null;
}> = [
  {
    name: 'allow_methods=["DELETE,GET,POST,PUT"]: one string, split into four methods (not "POST" appended)',
    files: {
      'main.py': `${HEAD}app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:5173"],
    allow_methods=["DELETE,GET,POST,PUT"],
)${ROUTES}`,
    },
    request: { method: 'POST', headers: [['Content-Type', 'application/json']] },
    at: 'main.py:8',
    message: /"DELETE,GET,POST,PUT" is one string holding a comma list/,
    fixed: '    allow_methods=["DELETE", "GET", "POST", "PUT"],',
  },
  {
    name: 'allow_methods="GET, POST": a string, split, and the route\'s PUT added',
    files: {
      'main.py': `${HEAD}app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"], allow_methods="GET, POST")${ROUTES}`,
    },
    at: 'main.py:5',
    message:
      /a string, not a list: Starlette tests `method in "GET, POST"` as a substring.*Routes also use PUT/,
    fixed:
      'app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"], allow_methods=["GET", "POST", "PUT"])',
  },
  {
    name: 'a constant holding "get,put": the constant line, upper-cased and split',
    files: {
      'main.py': `${HEAD}METHODS = ["get,put"]
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"], allow_methods=METHODS)${ROUTES}`,
    },
    at: 'main.py:5',
    message: /"get,put" is one string holding a comma list/,
    fixed: 'METHODS = ["GET", "PUT"]',
  },
  {
    name: 'a string from .env: split where the option is written',
    files: {
      '.env': 'CORS_METHODS=GET,PUT\n',
      'main.py': `import os
${HEAD}app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:5173"],
    allow_methods=os.getenv("CORS_METHODS", "GET"),
)${ROUTES}`,
    },
    at: 'main.py:9',
    message: /a string, not a list/,
    fixed:
      '    allow_methods=[method.strip() for method in os.getenv("CORS_METHODS", "GET").split(",") if method.strip()],',
  },
];

describe('rule method-not-allowed: malformed allow_methods in the source', () => {
  it.each(SOURCE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const scan = {
      files: c.files,
      origins: ['http://localhost:5173'],
      ...(c.request && { request: c.request }),
    };
    const findings = await scanSource('method-not-allowed', scan);
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual([c.at]);
    expect(findings[0]?.message).toMatch(c.message);
    if (c.fixed === null) {
      expect(findings[0]?.fix?.patch).toBeUndefined();
      return;
    }
    expect(added(findings[0]?.fix?.patch)).toEqual([c.fixed.trim()]);
    const { left } = await scanAfterFix('method-not-allowed', scan);
    expect(left.map((f) => f.message)).toEqual([]);
  });

  it("a lower-case `patch` from the page asks the backend for PATCH, never for 'patch'", async () => {
    const findings = await scanSource('method-not-allowed', {
      files: {
        'main.py': `${HEAD}app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"], allow_methods=["GET"])\n`,
      },
      origins: ['http://localhost:5173'],
      request: { method: 'patch', headers: [['Content-Type', 'application/json']] },
    });
    expect(findings.map((f) => f.fix?.summary)).toEqual(['allow_methods=["GET", "PATCH"]']);
  });

  it('allow_methods=["*"] stands for the upper-case names: a lower-case `patch` needs no backend change', async () => {
    const findings = await scanSource('method-not-allowed', {
      files: {
        'main.py': `${HEAD}app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"], allow_methods=["*"])\n`,
      },
      origins: ['http://localhost:5173'],
      request: { method: 'patch', headers: [] },
    });
    expect(findings).toEqual([]);
  });
});
