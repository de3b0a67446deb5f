/**
 * The middleware fixes against real uvicorn: once `fix --write` has patched a copy of each broken setup, the
 * browser's preflight is answered by CORSMiddleware, and the auth check still refuses everything else (a
 * request without credentials, an OPTIONS that is not a preflight); an HTTPException once raised in a
 * middleware now comes back as its own status, with CORS headers. Raw requests, as curl sends them.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixProject } from '../../src/analysis/fix-project.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { HeaderList } from '../../src/model/types.js';

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

const work = await mkdtemp(path.join(tmpdir(), 'cors-doctor-middleware-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const ORIGIN = 'http://localhost:5173';

/** One raw request: its status and the Access-Control-Allow-Origin it got. */
function send(url: string, method: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve(`${res.statusCode} acao=${res.headers['access-control-allow-origin'] ?? '-'}`),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

interface Row {
  name: string;
  app?: string;
  page: { path: string; method: string; headers: HeaderList; credentials?: 'include' };
  /** Raw requests after the patch and what each must get. */
  after: Array<{ method: string; path: string; headers: Record<string, string>; expect: string }>;
}

const preflight = (method: string, requestHeaders: string) => ({
  Origin: ORIGIN,
  'Access-Control-Request-Method': method,
  'Access-Control-Request-Headers': requestHeaders,
});

const ROWS: Row[] = [
  {
    name: 'middleware-list-order',
    page: { path: '/api/orders', method: 'GET', headers: [['Authorization', 'Bearer t0k3n']] },
    after: [
      {
        method: 'OPTIONS',
        path: '/api/orders',
        headers: preflight('GET', 'authorization'),
        expect: `200 acao=${ORIGIN}`,
      },
      { method: 'GET', path: '/api/orders', headers: { Origin: ORIGIN }, expect: `401 acao=${ORIGIN}` },
    ],
  },
  {
    name: 'auth-middleware-dispatch',
    app: 'app.main:app',
    page: { path: '/invoices/7', method: 'DELETE', headers: [['Authorization', 'Bearer t0k3n']] },
    after: [
      {
        method: 'OPTIONS',
        path: '/invoices/7',
        headers: preflight('DELETE', 'authorization'),
        expect: `200 acao=${ORIGIN}`,
      },
      // The check still runs outside CORSMiddleware: its refusals carry no CORS headers, as before; an
      // OPTIONS without Access-Control-Request-Method is no preflight and meets it too.
      { method: 'DELETE', path: '/invoices/7', headers: { Origin: ORIGIN }, expect: '401 acao=-' },
      { method: 'OPTIONS', path: '/invoices/7', headers: { Origin: ORIGIN }, expect: '401 acao=-' },
      {
        method: 'DELETE',
        path: '/invoices/7',
        headers: { Origin: ORIGIN, Authorization: 'Bearer t0k3n' },
        expect: `200 acao=${ORIGIN}`,
      },
    ],
  },
  {
    name: 'auth-asgi-wrapper',
    page: {
      path: '/reports',
      method: 'POST',
      headers: [
        ['Content-Type', 'application/json'],
        ['X-API-Key', 'dev-key'],
      ],
    },
    after: [
      {
        method: 'OPTIONS',
        path: '/reports',
        headers: preflight('POST', 'content-type,x-api-key'),
        expect: `200 acao=${ORIGIN}`,
      },
      // The gate wraps the served object, outside CORSMiddleware: its refusals carry no CORS headers, as before.
      { method: 'POST', path: '/reports', headers: { Origin: ORIGIN }, expect: '403 acao=-' },
      { method: 'OPTIONS', path: '/reports', headers: { Origin: ORIGIN }, expect: '403 acao=-' },
    ],
  },
  {
    name: 'httpexception-in-middleware',
    page: { path: '/api/notes', method: 'GET', headers: [], credentials: 'include' },
    after: [
      { method: 'GET', path: '/api/notes', headers: { Origin: ORIGIN }, expect: `401 acao=${ORIGIN}` },
      {
        method: 'GET',
        path: '/api/notes',
        headers: { Origin: ORIGIN, Cookie: 'session=s3cr3t' },
        expect: `200 acao=${ORIGIN}`,
      },
    ],
  },
];

describe.skipIf(unavailable !== undefined)(
  `middleware fixes under uvicorn: preflights through, auth kept${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it.each(ROWS.map((r) => [r.name, r] as const))('%s', async (name, row) => {
      const copy = path.join(work, name);
      await cp(path.join('test/fixtures/broken', name), copy, { recursive: true });
      const fixed = await fixProject(copy, {
        request: {
          url: `http://localhost:8000${row.page.path}`,
          method: row.page.method,
          headers: row.page.headers,
          credentials: row.page.credentials ?? 'same-origin',
        },
        origins: [ORIGIN],
        browsers: ['chrome', 'firefox'],
        write: true,
      });
      expect(fixed.written?.length ?? 0, JSON.stringify(fixed.withoutPatch)).toBeGreaterThan(0);
      const server = await startUvicorn({
        appDir: copy,
        ...(row.app && { app: row.app }),
        timeoutMs: 20_000,
      });
      try {
        for (const r of row.after) {
          const got = await send(`${server.url}${r.path}`, r.method, r.headers);
          expect(got, `${r.method} ${r.path} ${JSON.stringify(r.headers)}`).toBe(r.expect);
        }
      } finally {
        await server.stop();
      }
    });
  },
);
