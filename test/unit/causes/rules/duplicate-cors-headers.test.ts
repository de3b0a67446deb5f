import { duplicateCorsHeaders } from '../../../../src/causes/rules/duplicate-cors-headers.js';
import { testRule } from '../../../support/rule-tester.js';
import { COOKIE, http, JSON_BODY, ORDERS, WITH_COOKIE } from './wire.js';

testRule(duplicateCorsHeaders, {
  invalid: [
    {
      // test/fixtures/fastapi/duplicate-acao: an `@app.middleware("http")` registered after CORSMiddleware
      // calls response.headers.append("Access-Control-Allow-Origin", ...).
      name: 'a second middleware appends its own ACAO line after CORSMiddleware wrote one',
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 38
            content-type: application/json
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin
            access-control-allow-origin: http://localhost:3000

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
      ],
      summary:
        /^The response has more than one Access-Control-Allow-Origin value; browsers accept exactly one/,
      evidence:
        /^GET -> Access-Control-Allow-Origin: http:\/\/localhost:3000\nGET -> Access-Control-Allow-Origin: http:\/\/localhost:3000$/,
    },
    {
      name: 'the same middleware doubles the line on the preflight answer too',
      page: {
        url: 'http://localhost:8000/items/1',
        method: 'PUT',
        ...JSON_BODY,
        body: '{"name":"Saw","price":12}',
      },
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
            access-control-allow-headers: content-type
            content-length: 2
            content-type: text/plain; charset=utf-8
            access-control-allow-origin: http://localhost:3000

            OK`),
        },
      ],
      evidence: /^OPTIONS -> Access-Control-Allow-Origin: http:\/\/localhost:3000\nOPTIONS -> /,
    },
    {
      // test/fixtures/nginx/behind-proxy/adds-allow-origin-too.conf: `add_header Access-Control-Allow-Origin
      // $http_origin always;` in front of an app with CORSMiddleware.
      name: "nginx adds `Access-Control-Allow-Origin` next to uvicorn's lower-case line",
      page: { url: ORDERS },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 23
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            vary: Origin
            Access-Control-Allow-Origin: http://localhost:3000

            [{"id":1,"item":"saw"}]`),
        },
      ],
    },
    {
      name: "the same nginx doubles the line on Starlette's preflight answer",
      page: { url: ORDERS, method: 'POST', ...JSON_BODY, body: '{"item":"saw"}' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 2
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000
            access-control-allow-headers: content-type
            Access-Control-Allow-Origin: http://localhost:3000

            OK`),
        },
      ],
    },
    {
      name: 'one nginx line with two origins: `add_header Access-Control-Allow-Origin "http://localhost:3000, http://localhost:5173" always;`',
      page: { url: 'http://localhost:8080/items' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 38
            Access-Control-Allow-Origin: http://localhost:3000, http://localhost:5173

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
      ],
      evidence: /^GET -> Access-Control-Allow-Origin: http:\/\/localhost:3000, http:\/\/localhost:5173$/,
    },
  ],
  valid: [
    {
      name: 'CORSMiddleware alone: one line (examples/correct, with the session cookie)',
      page: { url: 'http://localhost:8000/me', credentials: 'include', cookie: COOKIE },
      exchanges: [
        {
          kind: 'actual',
          requestHeaders: WITH_COOKIE,
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
      name: 'nginx alone does CORS for an app without it: one line',
      page: { url: 'http://localhost:8080/items' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 38
            Access-Control-Allow-Origin: http://localhost:3000
            Access-Control-Allow-Methods: GET, POST, PUT, DELETE
            Access-Control-Allow-Headers: Content-Type, Authorization

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
      ],
    },
    {
      name: 'a redirect: one line on each hop is not two lines on one answer',
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
      name: 'one line naming another origin (origin-not-allowed)',
      page: { url: 'http://localhost:8080/items' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 38
            Access-Control-Allow-Origin: http://localhost:5173

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
      ],
    },
  ],
});
