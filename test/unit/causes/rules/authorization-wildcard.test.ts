import { authorizationWildcard } from '../../../../src/causes/rules/authorization-wildcard.js';
import { testRule } from '../../../support/rule-tester.js';
import { BEARER, http, JSON_BODY } from './wire.js';

// nginx does CORS for an app without it (examples/missing-middleware behind it):
//   if ($request_method = OPTIONS) {
//       add_header Access-Control-Allow-Origin $http_origin;
//       add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE";
//       add_header Access-Control-Allow-Headers *;
//       add_header Access-Control-Max-Age 86400;
//       return 204;
//   }
//   add_header Access-Control-Allow-Origin $http_origin always;
const STAR_HEADERS_204 = http(`
  HTTP/1.1 204 No Content
  Server: nginx/1.22.1
  Access-Control-Allow-Origin: http://localhost:3000
  Access-Control-Allow-Methods: GET, POST, PUT, DELETE
  Access-Control-Allow-Headers: *
  Access-Control-Max-Age: 86400`);

const PUT_ITEM = {
  url: 'http://localhost:8080/items/1',
  method: 'PUT',
  ...JSON_BODY,
  body: '{"name":"Saw","price":12}',
};

const ITEM_SAVED = http(`
  HTTP/1.1 200 OK
  Server: nginx/1.22.1
  Content-Type: application/json
  Content-Length: 34
  Access-Control-Allow-Origin: http://localhost:3000

  {"id":1,"name":"Saw","price":12.0}`);

testRule(authorizationWildcard, {
  invalid: [
    {
      name: "nginx's `Access-Control-Allow-Headers *` for a GET with Authorization (allowed today)",
      page: { url: 'http://localhost:8080/me', headers: BEARER },
      exchanges: [
        { kind: 'preflight', ...STAR_HEADERS_204 },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 27
            Access-Control-Allow-Origin: http://localhost:3000

            {"email":"dev@example.com"}`),
        },
      ],
      severity: 'warning',
      summary: /^Access-Control-Allow-Headers: \* does not cover Authorization in the Fetch standard/,
      evidence:
        /^Access-Control-Request-Headers includes authorization\nAccess-Control-Allow-Headers: \* without authorization listed$/,
    },
    {
      name: 'the same nginx, a JSON PUT with Authorization (authorization,content-type requested)',
      page: { ...PUT_ITEM, headers: [...JSON_BODY.headers, ...BEARER] },
      exchanges: [
        { kind: 'preflight', ...STAR_HEADERS_204 },
        { kind: 'actual', ...ITEM_SAVED },
      ],
      severity: 'warning',
    },
    {
      // response.headers["Access-Control-Allow-Headers"] = "*" in a hand-written middleware.
      name: 'a hand-written 204 with `access-control-allow-headers: *`, served by uvicorn',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            server: uvicorn
            access-control-allow-origin: http://localhost:3000
            access-control-allow-methods: GET, POST, PUT, DELETE
            access-control-allow-headers: *
            access-control-allow-credentials: true`),
        },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 27
            content-type: application/json
            access-control-allow-origin: http://localhost:3000
            access-control-allow-methods: GET, POST, PUT, DELETE
            access-control-allow-headers: *
            access-control-allow-credentials: true

            {"email":"dev@example.com"}`),
        },
      ],
    },
  ],
  valid: [
    {
      // test/fixtures/nginx/behind-proxy/app: allow_headers=["*"] echoes the requested names.
      name: 'Starlette\'s allow_headers=["*"] answers `authorization`, not `*`',
      page: { url: 'http://localhost:8000/orders', headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
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
            content-length: 23
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin

            [{"id":1,"item":"saw"}]`),
        },
      ],
    },
    {
      name: 'fixed: `*, Authorization` lists it by name',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            server: uvicorn
            access-control-allow-origin: http://localhost:3000
            access-control-allow-methods: GET, POST, PUT, DELETE
            access-control-allow-headers: *, Authorization`),
        },
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 27
            content-type: application/json
            access-control-allow-origin: http://localhost:3000
            access-control-allow-methods: GET, POST, PUT, DELETE
            access-control-allow-headers: *, Authorization

            {"email":"dev@example.com"}`),
        },
      ],
    },
    {
      name: 'the `*` nginx, a JSON PUT without Authorization: the wildcard covers content-type',
      page: PUT_ITEM,
      exchanges: [
        { kind: 'preflight', ...STAR_HEADERS_204 },
        { kind: 'actual', ...ITEM_SAVED },
      ],
    },
    {
      name: 'the `*` nginx with credentials: `*` is a literal name, the request is blocked (a blocking cause)',
      page: { url: 'http://localhost:8080/me', headers: BEARER, credentials: 'include' },
      exchanges: [{ kind: 'preflight', ...STAR_HEADERS_204 }],
    },
  ],
});
