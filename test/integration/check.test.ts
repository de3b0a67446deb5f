import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { HeaderList } from '../../src/model/types.js';
import type { CheckReport } from '../../src/report/check-json.js';
import { FASTAPI_CASES } from '../fixtures/fastapi/cases.js';

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

type Server = Awaited<ReturnType<typeof startUvicorn>>;
const apps = [...new Set(FASTAPI_CASES.map((c) => c.app))];
const servers = new Map<string, Server>();

describe.skipIf(unavailable !== undefined)(
  `check against real FastAPI apps under uvicorn${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const reports = new Map<number, CheckReport>();
    beforeAll(async () => {
      for (const app of apps) servers.set(app, await startUvicorn({ appDir: app, timeoutMs: 20_000 }));
      for (const [index, c] of FASTAPI_CASES.entries()) {
        const server = servers.get(c.app) as Server;
        const headers: HeaderList = Object.entries(c.request.headers ?? {});
        reports.set(
          index,
          await check(
            {
              url: `${server.url}${c.request.path}`,
              origin: c.origin,
              method: c.request.method,
              headers,
              credentials: c.request.credentials ?? 'same-origin',
              ...(c.request.body !== undefined && { body: c.request.body }),
              ...(c.request.cookie !== undefined && { cookie: c.request.cookie }),
            },
            { browsers: ['chrome', 'firefox'], timeoutMs: 5000 },
          ),
        );
      }
    });
    afterAll(async () => {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    });

    it.each(FASTAPI_CASES.map((c, index) => ({ ...c, index })))(
      '$app: $title',
      ({ index, expectedOutcome, expectedCause }) => {
        const report = reports.get(index) as CheckReport;
        expect(report.browsers.chrome?.outcome).toBe(expectedOutcome);
        expect(report.browsers.firefox?.outcome).toBe(expectedOutcome);
        const codes = report.causes.filter((c) => c.severity === 'error').map((c) => c.code);
        if (expectedCause) expect(codes).toContain(expectedCause);
        else expect(codes).toEqual([]);
      },
    );
  },
);
