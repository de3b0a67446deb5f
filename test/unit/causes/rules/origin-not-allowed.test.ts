import { describe, expect, it } from 'vitest';
import { originNotAllowed } from '../../../../src/causes/rules/origin-not-allowed.js';
import { type ExchangeSpec, testRule } from '../../../support/rule-tester.js';
import { added, scanSource } from '../../../support/scan-source.js';
import {
  BEARER,
  COOKIE,
  http,
  ITEMS_WITHOUT_ACAO,
  layerProbe,
  PUT_ITEM,
  refused,
  slashProbe,
  WITH_COOKIE,
} from './wire.js';

// Starlette 0.26 sends access-control-allow-credentials: true even to origins it does not allow.

/** A GET answered by an app whose CORSMiddleware has no credentials and does not list the origin. */
const ITEMS_NO_CORS = http(`
  HTTP/1.1 200 OK
  server: uvicorn
  content-length: 38
  content-type: application/json

  [{"id":1,"name":"Hammer","price":9.5}]`);

/**
 * The page's PUT of another item to the same server, its preflight refused by that app for the origin, as a
 * HAR keeps it (no body): a diagnostic exchange of the GET, as the har gatherer adds it.
 */
const PAGE_PUT_PREFLIGHT: ExchangeSpec = {
  kind: 'diagnostic',
  method: 'OPTIONS',
  url: 'http://localhost:8000/items/1',
  requestHeaders: [
    ['Origin', 'http://localhost:3000'],
    ['Access-Control-Request-Method', 'PUT'],
    ['Access-Control-Request-Headers', 'content-type'],
  ],
  ...http(
    `
    HTTP/1.1 400 Bad Request
    server: uvicorn
    vary: Origin
    access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
    access-control-max-age: 600
    access-control-allow-headers: Accept, Accept-Language, Content-Language, Content-Type
    content-length: 22
    content-type: text/plain; charset=utf-8`,
    '',
  ),
};

testRule(originNotAllowed, {
  invalid: [
    {
      // A HAR of a page on :3000 calling an app that lists :5173 without credentials: the GET's answer has no
      // CORS header at all, and the page's PUT to the same server was refused at its preflight, whose body
      // DevTools does not keep. That preflight is the question check's own diagnostic preflight asks.
      name: "a GET without any CORS header, and the page's other preflight refused by a CORS layer (no body)",
      exchanges: [{ kind: 'actual', ...ITEMS_NO_CORS }, PAGE_PUT_PREFLIGHT],
      evidence:
        /^GET http:\/\/localhost:8000\/items -> 200 OK with no CORS header at all\nOPTIONS http:\/\/localhost:8000\/items\/1 \(the preflight sent to ask the CORS layer\) -> 400 Bad Request: a CORS layer answered \(access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT; access-control-max-age: 600; access-control-allow-headers: Accept, Accept-Language, Content-Language, Content-Type\) but sent no Access-Control-Allow-Origin for http:\/\/localhost:3000$/,
    },
    {
      // test/fixtures/fastapi/other-port: allow_origins=["http://localhost:5173"].
      name: "a GET from :3000 to an app that lists :5173: ACAC only, and the probe's OPTIONS is refused",
      exchanges: [
        { kind: 'actual', ...ITEMS_WITHOUT_ACAO },
        { ...layerProbe(), ...refused() },
        { ...slashProbe(), ...refused() },
      ],
      summary:
        /^The server's CORS configuration does not allow the origin http:\/\/localhost:3000: the allowed origins must contain it exactly/,
      evidence:
        /^OPTIONS -> 400 Bad Request "Disallowed CORS origin": Starlette's CORSMiddleware does not list http:\/\/localhost:3000$/,
    },
    {
      name: 'the same app, a PUT: the preflight is refused 400 Disallowed CORS origin',
      page: PUT_ITEM,
      exchanges: [
        { kind: 'preflight', ...refused('content-type') },
        { ...slashProbe('PUT'), ...refused() },
      ],
      evidence:
        /"Disallowed CORS origin": Starlette's CORSMiddleware does not list http:\/\/localhost:3000\nVary: Origin$/,
    },
    {
      name: 'credentials: a GET with the session cookie gets ACAC true but no ACAO',
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

            {"email":"dev@example.com"}`),
        },
        { ...layerProbe(), ...refused() },
        { ...slashProbe(), ...refused() },
      ],
    },
    {
      // test/fixtures/fastapi/loopback-ip: allow_origins=["http://127.0.0.1:3000"].
      name: 'allow_origins has 127.0.0.1:3000, the page is on localhost:3000 (an Authorization preflight)',
      page: { url: 'http://localhost:8000/me', headers: BEARER },
      exchanges: [
        { kind: 'preflight', ...refused('authorization') },
        { ...slashProbe(), ...refused() },
      ],
    },
    {
      // test/fixtures/fastapi/env-origins-spaces: " http://localhost:3000" (a space from split(",")) never
      // matches; the wire shows an unlisted origin, the source shows why (env-origins-misparsed).
      name: 'an origin from the environment with a leading space',
      page: PUT_ITEM,
      exchanges: [
        { kind: 'preflight', ...refused('content-type') },
        { ...slashProbe('PUT'), ...refused() },
      ],
    },
    {
      name: 'nginx sends a fixed ACAO for another origin: `add_header Access-Control-Allow-Origin http://localhost:5173 always;`',
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
      evidence:
        /^GET -> Access-Control-Allow-Origin: http:\/\/localhost:5173 \(another port \(5173 vs 3000\)\)$/,
    },
    {
      // allow_origins=["http://localhost:3000/"] (test/fixtures/fastapi/trailing-slash): the probe's slash
      // spelling is allowed, so origin-malformed names the typo and supersedes this cause.
      name: 'allow_origins has the origin with a trailing slash',
      exchanges: [
        { kind: 'actual', ...ITEMS_WITHOUT_ACAO },
        { ...layerProbe(), ...refused() },
        {
          ...slashProbe(),
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true
            access-control-allow-origin: http://localhost:3000/
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
      ],
      reported: false,
    },
  ],
  valid: [
    {
      name: 'the listed origin (a page on :5173) is allowed',
      page: { ...PUT_ITEM, origin: 'http://localhost:5173' },
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
            access-control-allow-origin: http://localhost:5173
            access-control-allow-headers: content-type
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
            access-control-allow-origin: http://localhost:5173
            vary: Origin

            {"id":1,"name":"Saw","price":12.0}`),
        },
      ],
    },
    {
      name: "the app allows the origin, nginx's proxy_hide_header removes the ACAO (proxy-strips-cors-headers)",
      page: { url: 'http://localhost:8080/orders' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 23
            access-control-allow-credentials: true
            vary: Origin

            [{"id":1,"item":"saw"}]`),
        },
        {
          ...layerProbe(),
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 2
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true

            OK`),
        },
        {
          ...slashProbe(),
          ...http(`
            HTTP/1.1 400 Bad Request
            Server: nginx/1.22.1
            Content-Type: text/plain; charset=utf-8
            Content-Length: 22
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-credentials: true

            Disallowed CORS origin`),
        },
      ],
    },
    {
      name: 'no CORS layer at all: no access-control-* line anywhere (no-cors-middleware)',
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-length: 38
            content-type: application/json

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
        {
          ...layerProbe(),
          ...http(`
            HTTP/1.1 405 Method Not Allowed
            server: uvicorn
            allow: GET
            content-length: 31
            content-type: application/json

            {"detail":"Method Not Allowed"}`),
        },
      ],
    },
    {
      name: 'nginx sends the origin with a trailing slash (origin-malformed)',
      page: { url: 'http://localhost:8080/items' },
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 200 OK
            Server: nginx/1.22.1
            Content-Type: application/json
            Content-Length: 38
            Access-Control-Allow-Origin: http://localhost:3000/

            [{"id":1,"name":"Hammer","price":9.5}]`),
        },
      ],
    },
    {
      // The same app listing :3000: the page's PUT preflight is allowed, so the GET's 500 without CORS headers
      // is an error outside the CORS layer, not the origin.
      name: "a 500 without CORS headers, and the page's other preflight allows the origin",
      exchanges: [
        {
          kind: 'actual',
          ...http(`
            HTTP/1.1 500 Internal Server Error
            server: uvicorn
            content-length: 21
            content-type: text/plain; charset=utf-8

            Internal Server Error`),
        },
        {
          ...PAGE_PUT_PREFLIGHT,
          ...http(
            `
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-headers: Accept, Accept-Language, Content-Language, Content-Type
            access-control-allow-origin: http://localhost:3000
            content-length: 2
            content-type: text/plain; charset=utf-8`,
            '',
          ),
        },
      ],
    },
    {
      // examples/missing-middleware: the page's PUT preflight got the router's 405 (no-cors-middleware).
      name: "a GET without any CORS header, and the page's other preflight answered 405 by the router",
      exchanges: [
        { kind: 'actual', ...ITEMS_NO_CORS },
        {
          ...PAGE_PUT_PREFLIGHT,
          ...http(
            `
            HTTP/1.1 405 Method Not Allowed
            server: uvicorn
            allow: PUT
            content-length: 31
            content-type: application/json`,
            '',
          ),
        },
      ],
    },
  ],
});

// -------------------------------------------------------------------------------------------------
// Source: allow_origin_regex is repaired where the pattern is written, never answered with allow_origins.

const IMPORTS = 'from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n';
const REQUIREMENTS = 'fastapi==0.92.0\nstarlette==0.26.1\n';

const SOURCE_CASES: Array<{
  name: string;
  files: Record<string, string>;
  origin: string;
  /** file:line of the finding (where the fix is written); undefined: no finding. */
  at?: string;
  message?: RegExp;
  /** Lines the patch adds; null: no patch. */
  adds?: string[] | null;
}> = [
  {
    name: 'a regex literal without the port',
    files: {
      'requirements.txt': REQUIREMENTS,
      'main.py': `${IMPORTS}
app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://([a-z0-9-]+\\.)?shop\\.example|http://localhost",
    allow_credentials=True,
)
`,
    },
    origin: 'http://localhost:3000',
    at: 'main.py:7',
    message: /it has no port, and the page is on port 3000/,
    adds: ['allow_origin_regex=r"https://([a-z0-9-]+\\.)?shop\\.example|http://localhost(:3000)?",'],
  },
  {
    name: 'double escaping in a raw string held by a constant: the constant is fixed',
    files: {
      'requirements.txt': REQUIREMENTS,
      'main.py': `${IMPORTS}
ORIGIN_REGEX = r"https://.*\\\\.example\\\\.com"

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origin_regex=ORIGIN_REGEX)
`,
    },
    origin: 'https://app.example.com',
    at: 'main.py:4',
    message: /it escapes twice/,
    adds: ['ORIGIN_REGEX = r"https://.*\\.example\\.com"'],
  },
  {
    name: 'the pattern comes from .env: the .env line is fixed',
    files: {
      'requirements.txt': REQUIREMENTS,
      '.env': 'APP_NAME=shop\nCORS_ORIGIN_REGEX=https://.*\\.example\\.com\n',
      'main.py': `import os

${IMPORTS}
app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origin_regex=os.getenv("CORS_ORIGIN_REGEX"))
`,
    },
    origin: 'https://example.com',
    at: '.env:2',
    message: /it requires a subdomain/,
    adds: ['CORS_ORIGIN_REGEX=https://(.*\\.)?example\\.com'],
  },
  {
    name: 'a settings default, the variable set nowhere: the field is fixed',
    files: {
      'requirements.txt': REQUIREMENTS,
      'main.py': `from pydantic import BaseSettings

${IMPORTS}

class Settings(BaseSettings):
    cors_origin_regex: str = r"https://.*\\.example\\.com"


settings = Settings()
app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origin_regex=settings.cors_origin_regex)
`,
    },
    origin: 'http://staging.example.com',
    at: 'main.py:8',
    message: /it allows https:\/\/ only/,
    adds: ['cors_origin_regex: str = r"https?://.*\\.example\\.com"'],
  },
  {
    name: 'an origin the regex is not about: allow_origins gets it, the regex stays',
    files: {
      'requirements.txt': REQUIREMENTS,
      'main.py': `${IMPORTS}
app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://admin.internal.test"],
    allow_origin_regex=r"https://.*\\.example\\.com",
)
`,
    },
    origin: 'http://localhost:3000',
    at: 'main.py:7',
    message: /is not allowed/,
    adds: ['allow_origins=["https://admin.internal.test", "http://localhost:3000"],'],
  },
  {
    name: 'Starlette 0.12 applies the regex with re.match: the prefix http://localhost lets :3000 in',
    files: {
      'requirements.txt': 'fastapi==0.45.0\nstarlette==0.12.9\n',
      'main.py': `${IMPORTS}
app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origin_regex=r"http://localhost")
`,
    },
    origin: 'http://localhost:3000',
  },
  {
    name: 'the regex matches: nothing to fix',
    files: {
      'requirements.txt': REQUIREMENTS,
      'main.py': `${IMPORTS}
app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origin_regex=r"http://localhost(:\\d+)?")
`,
    },
    origin: 'http://localhost:5173',
  },
];

describe('rule origin-not-allowed: allow_origin_regex in the source', () => {
  it.each(SOURCE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const findings = await scanSource('origin-not-allowed', { files: c.files, origins: [c.origin] });
    if (c.at === undefined) {
      expect(findings).toEqual([]);
      return;
    }
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual([c.at]);
    const f = findings[0];
    if (c.message) expect(f?.message).toMatch(c.message);
    if (c.adds === null) expect(f?.fix?.patch).toBeUndefined();
    else if (c.adds) expect(added(f?.fix?.patch)).toEqual(c.adds);
  });
});
