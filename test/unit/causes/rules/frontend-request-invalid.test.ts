// frontend-request-invalid: fixes that belong to the page's code. Live rows are answers recorded from
// uvicorn (test/fixtures/broken/frontend-lowercase-patch) and hand-written servers; source rows are tiny
// projects whose serve commands show the port the app is served on.
import { describe, expect, it } from 'vitest';
import { scanProject } from '../../../../src/analysis/scan.js';
import { correlate } from '../../../../src/causes/correlate.js';
import { diagnose } from '../../../../src/causes/index.js';
import {
  fetchSnippet,
  frontendRequestInvalid,
  servedPort,
  unnormalisedMethod,
} from '../../../../src/causes/rules/frontend-request-invalid.js';
import { readProject } from '../../../../src/project/read-project.js';
import type { ServeCommand } from '../../../../src/project/serve-commands.js';
import { evidenceOf, PAGE, testRule } from '../../../support/rule-tester.js';
import { scanSource } from '../../../support/scan-source.js';
import { http, JSON_BODY } from './wire.js';

const TASK = { url: 'http://localhost:8000/tasks/1', origin: 'http://localhost:5173', ...JSON_BODY };

// allow_methods=["*"]: Starlette expands it to the upper-case names and refuses `patch` with 400.
const STAR_METHODS_REFUSAL = http(`
  HTTP/1.1 400 Bad Request
  server: uvicorn
  vary: Origin
  access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
  access-control-max-age: 600
  access-control-allow-headers: content-type
  access-control-allow-credentials: true
  access-control-allow-origin: http://localhost:5173
  content-length: 22
  content-type: text/plain; charset=utf-8

  Disallowed CORS method`);

testRule(frontendRequestInvalid, {
  invalid: [
    {
      name: 'fetch(url, {method: \'patch\'}) against allow_methods=["*"]: 400 Disallowed CORS method',
      page: { ...TASK, method: 'patch', body: '{"done":true}', credentials: 'include' },
      exchanges: [{ kind: 'preflight', ...STAR_METHODS_REFUSAL }],
      summary: /method 'patch'.*Fix it in the frontend: method: 'PATCH'\.$/,
      evidence:
        /Access-Control-Request-Method: patch[\s\S]*the server allows PATCH, and methods are compared case-sensitively/,
    },
    {
      name: "'patch' against Starlette's default GET only: the frontend change, and the backend must list PATCH",
      page: { ...TASK, method: 'patch', body: '{"done":true}' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: GET
            access-control-max-age: 600
            access-control-allow-headers: Accept, Accept-Language, Content-Language, Content-Type
            access-control-allow-origin: http://localhost:5173
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS method`),
        },
      ],
      evidence:
        /the server does not allow PATCH either: once the page sends PATCH, allow_methods must list it/,
    },
    {
      name: "a hand-written 204 lists PATCH and the page sends 'Patch' (Chrome: Method Patch is not allowed)",
      page: { ...TASK, method: 'Patch', headers: [], body: 'done' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 204 No Content
            server: uvicorn
            access-control-allow-origin: http://localhost:5173
            access-control-allow-methods: GET, POST, PATCH`),
        },
      ],
      summary: /method 'Patch'/,
    },
    {
      name: "a custom verb in lower case: 'purge' where the server lists PURGE",
      page: { ...TASK, url: 'http://localhost:8000/cache', method: 'purge', headers: [] },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: GET, PURGE
            access-control-max-age: 600
            access-control-allow-origin: http://localhost:5173
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS method`),
        },
      ],
      summary: /method: 'PURGE'/,
    },
  ],
  valid: [
    {
      name: '\'PATCH\' in upper case is allowed by allow_methods=["*"]',
      page: { ...TASK, method: 'PATCH', body: '{"done":true}' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT
            access-control-max-age: 600
            access-control-allow-headers: content-type
            access-control-allow-origin: http://localhost:5173
            content-length: 2
            content-type: text/plain; charset=utf-8

            OK`),
        },
        {
          kind: 'actual',
          method: 'PATCH',
          ...http(`
            HTTP/1.1 200 OK
            server: uvicorn
            content-type: application/json
            access-control-allow-origin: http://localhost:5173
            vary: Origin

            {"id":1,"done":true}`),
        },
      ],
    },
    {
      // fetch() upper-cases delete: the missing DELETE is the backend's (method-not-allowed).
      name: "'delete' is upper-cased by fetch(): a refusal of DELETE is not the frontend's",
      page: { ...TASK, method: 'delete', headers: [] },
      exchanges: [
        {
          kind: 'preflight',
          requestHeaders: [
            ['Access-Control-Request-Method', 'DELETE'],
            ['Origin', 'http://localhost:5173'],
          ],
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: GET
            access-control-max-age: 600
            access-control-allow-origin: http://localhost:5173
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS method`),
        },
      ],
    },
    {
      name: "'patch' refused for its origin, not its method: 400 Disallowed CORS origin",
      page: { ...TASK, origin: 'http://localhost:3000', method: 'patch', body: '{}' },
      exchanges: [
        {
          kind: 'preflight',
          ...http(`
            HTTP/1.1 400 Bad Request
            server: uvicorn
            vary: Origin
            access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, patch
            access-control-max-age: 600
            content-length: 22
            content-type: text/plain; charset=utf-8

            Disallowed CORS origin`),
        },
      ],
    },
    {
      name: 'nothing answered (server-unreachable)',
      page: { ...TASK, method: 'patch', body: '{}' },
      exchanges: [{ kind: 'preflight', error: { code: 'ECONNREFUSED', message: 'connection refused' } }],
    },
  ],
});

describe('rule frontend-request-invalid: the methods fetch() sends as written', () => {
  it.each([
    ['patch', 'PATCH'],
    ['Patch', 'PATCH'],
    ['purge', 'PURGE'],
    ['PATCH', undefined],
    ['delete', undefined],
    ['post', undefined],
    ['options', undefined],
  ] as const)('%s -> %s', (method, upper) => {
    expect(unnormalisedMethod(method)).toBe(upper);
  });

  it('the snippet is the page call with the method upper-cased and secrets left out', () => {
    expect(
      fetchSnippet(
        {
          ...PAGE,
          method: 'patch',
          headers: [
            ['Content-Type', 'application/json'],
            ['Authorization', 'Bearer t0k3n'],
          ],
          credentials: 'include',
          body: '{}',
        },
        'PATCH',
      ),
    ).toBe(`await fetch('http://localhost:8000/items', {
  method: 'PATCH', // fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT
  headers: {
    'Content-Type': 'application/json',
    'Authorization': '…',
  },
  credentials: 'include',
  body,
});`);
  });

  it('the cause supersedes method-not-allowed: no backend change is offered', () => {
    const causes = diagnose(
      evidenceOf({
        name: 'patch against allow_methods=["*"]',
        page: { ...TASK, method: 'patch', body: '{"done":true}', credentials: 'include' },
        exchanges: [{ kind: 'preflight', ...STAR_METHODS_REFUSAL }],
      }),
    );
    expect(causes.map((c) => c.code)).toEqual(['frontend-request-invalid']);
    expect(causes[0]?.fix?.patch).toBeUndefined();
    expect(causes[0]?.locations).toEqual([]);
  });
});

describe('rule frontend-request-invalid: a lower-case method against the methods the source lists', () => {
  const app = (methods: string) =>
    `from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n    allow_origins=["http://localhost:5173"],\n    ${methods}\n)\n`;
  const scanWith = (methods: string, method: string) =>
    scanSource('frontend-request-invalid', {
      files: { 'main.py': app(methods) },
      origins: ['http://localhost:5173'],
      request: {
        method,
        headers: [['Content-Type', 'application/json']],
        url: 'http://localhost:8000/tasks/1',
      },
    });

  it.each([
    [
      'allow_methods=["*"],',
      /allow_methods \["\*"\] stands for PATCH, never 'patch'/,
      /^In the frontend's fetch\(\)[\s\S]*method: 'PATCH'\.[\s\S]*spelling no other client uses\.$/,
    ],
    [
      'allow_methods=["GET", "POST"],',
      /does not list PATCH either/,
      /The server must list PATCH too \(method-not-allowed\)\.$/,
    ],
  ])('%s', async (methods, message, fix) => {
    const findings = await scanWith(methods, 'patch');
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['main.py:8']);
    expect(findings[0]?.message).toMatch(message);
    expect(findings[0]?.fix?.summary).toMatch(fix);
    expect(findings[0]?.fix?.patch).toBeUndefined();
    expect(findings[0]?.fix?.snippet).toMatch(
      /method: 'PATCH'[\s\S]*'Content-Type': 'application\/json'[\s\S]*body,/,
    );
  });

  it.each([
    ['the page writes PATCH', 'allow_methods=["*"],', 'PATCH'],
    ['fetch() upper-cases delete', 'allow_methods=["*"],', 'delete'],
    ['the server lists the lower-case spelling the page sends', 'allow_methods=["GET", "patch"],', 'patch'],
  ])('no finding: %s', async (_name, methods, method) => {
    expect(await scanWith(methods, method)).toEqual([]);
  });
});

// -------------------------------------------------------------------------------------------------
// The wrong port: the page calls a loopback port the project does not serve the app on.

const APP = `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"], allow_methods=["*"])


@app.get("/api/items")
def items():
    return []
`;

const command = (file: string, text: string): ServeCommand => ({
  file,
  line: 1,
  server: 'uvicorn',
  module: 'main',
  attribute: 'app',
  text,
});

describe('rule frontend-request-invalid: the port the app is served on', () => {
  it.each([
    ['start.sh', 'uvicorn main:app --reload --port 8001', 8001],
    ['start.sh', 'uvicorn main:app --port=9000', 9000],
    ['Makefile', 'uvicorn main:app --reload', 8000],
    ['main.py', 'uvicorn.run("main:app", host="127.0.0.1", port=8080, reload=True)', 8080],
    ['run.sh', 'gunicorn -k uvicorn.workers.UvicornWorker -b 127.0.0.1:8002 main:app', 8002],
    ['run.sh', 'hypercorn main:app --bind 0.0.0.0:7000', 7000],
    ['start.sh', 'uvicorn main:app --port $PORT', undefined],
    ['Dockerfile', 'CMD ["uvicorn", "main:app", "--port", "80"]', undefined],
    ['docker-compose.yml', 'uvicorn main:app --port 8000', undefined],
    ['Procfile', 'web: uvicorn main:app --port 5000', undefined],
  ] as const)('%s: %s -> %s', (file, text, port) => {
    expect(servedPort(command(file, text))).toBe(port);
  });

  it.each<{ name: string; files: Record<string, string>; url: string; at: string; fix: RegExp }>([
    {
      name: 'start.sh serves on 8001 and the page calls 8080: the serve command shows the port',
      files: { 'main.py': APP, 'start.sh': '#!/bin/sh\nuvicorn main:app --reload --port 8001\n' },
      url: 'http://localhost:8080/api/items',
      at: 'start.sh:2',
      fix: /point the API base URL at http:\/\/localhost:8001[\s\S]*Vite server: \{ proxy: \{ '\/api': 'http:\/\/localhost:8001' \} \}/,
    },
    {
      name: 'uvicorn.run(port=8000) in main.py, the page calls 127.0.0.1:3001',
      files: {
        'main.py': `${APP}\n\nif __name__ == "__main__":\n    import uvicorn\n\n    uvicorn.run(app, port=8000)\n`,
      },
      url: 'http://127.0.0.1:3001/api/items',
      at: 'main.py:16',
      fix: /http:\/\/127\.0\.0\.1:8000/,
    },
  ])('$name', async (c) => {
    const findings = await scanSource('frontend-request-invalid', {
      files: c.files,
      origins: ['http://localhost:5173'],
      request: { headers: [], url: c.url },
    });
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual([c.at]);
    expect(findings[0]?.fix?.summary).toMatch(c.fix);
    expect(findings[0]?.fix?.patch).toBeUndefined();
    expect(findings[0]?.fix?.snippet).toMatch(/"proxy": "http:\/\/(localhost|127\.0\.0\.1):800\d"/);
  });

  it.each<{ name: string; files: Record<string, string>; url: string | undefined }>([
    {
      name: 'the page calls the port the app is served on',
      files: { 'main.py': APP, 'start.sh': 'uvicorn main:app --port 8001\n' },
      url: 'http://localhost:8001/api/items',
    },
    {
      name: 'a remote host: the port the platform serves on is not in the project',
      files: { 'main.py': APP, 'start.sh': 'uvicorn main:app --port 8001\n' },
      url: 'https://api.example.com/api/items',
    },
    {
      name: 'only a Dockerfile: the container port is not the host port',
      files: {
        'main.py': APP,
        Dockerfile: 'FROM python:3.12\nCMD ["uvicorn", "main:app", "--port", "80"]\n',
      },
      url: 'http://localhost:8080/api/items',
    },
    {
      name: 'no URL given (scan): nothing to compare',
      files: { 'main.py': APP, 'start.sh': 'uvicorn main:app --port 8001\n' },
      url: undefined,
    },
  ])('no finding: $name', async (c) => {
    const findings = await scanSource('frontend-request-invalid', {
      files: c.files,
      origins: ['http://localhost:5173'],
      request: { headers: [], ...(c.url && { url: c.url }) },
    });
    expect(findings).toEqual([]);
  });

  it('check --project: the refused connection is explained by the wrong port, at the serve command', async () => {
    const files = { 'main.py': APP, 'start.sh': '#!/bin/sh\nuvicorn main:app --reload --port 8001\n' };
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = mkdtempSync(join(tmpdir(), 'cors-doctor-port-'));
    for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
    const url = 'http://localhost:8080/api/items';
    const evidence = evidenceOf({
      name: 'connection refused on 8080',
      page: { url, origin: 'http://localhost:5173' },
      exchanges: [
        { kind: 'actual', error: { code: 'ECONNREFUSED', message: 'connection refused by localhost:8080' } },
      ],
    });
    const scan = scanProject(await readProject(root), {
      origins: ['http://localhost:5173'],
      request: { method: 'GET', headers: [], url },
    });
    const { causes } = correlate(diagnose(evidence), scan);
    expect(causes.map((c) => `${c.code} ${c.locations.map((l) => `${l.file}:${l.line}`).join(' ')}`)).toEqual(
      ['server-unreachable start.sh:2', 'frontend-request-invalid start.sh:2'],
    );
  });
});
