import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import type { Exchange } from '../../src/core/exchange.js';
import type { CheckReport } from '../../src/core/report.js';
import { appForUrl, modelTransport } from '../../src/evidence/offline.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { HeaderList } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';
import { projectStarletteVersion } from '../../src/python/starlette-version.js';
import { FASTAPI_CASES } from '../fixtures/fastapi/cases.js';

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

type Server = Awaited<ReturnType<typeof startUvicorn>>;
const apps = [...new Set(FASTAPI_CASES.map((c) => c.app))];
const servers = new Map<string, Server>();
const CASES = FASTAPI_CASES.map((c, index) => ({ ...c, index }));

// Causes the source shows (the other one happens at run time: an unhandled exception in a route).
const SOURCE_VISIBLE = [
  'no-cors-middleware',
  'preflight-rejected',
  'preflight-redirected',
  'wildcard-with-credentials',
  'origin-not-allowed',
  'method-not-allowed',
  'header-not-allowed',
  'credentials-not-allowed',
  'duplicate-cors-headers',
];

describe.skipIf(unavailable !== undefined)(
  `check against real FastAPI apps under uvicorn${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const reports = new Map<number, CheckReport>();
    beforeAll(async () => {
      for (const app of apps) servers.set(app, await startUvicorn({ appDir: app, timeoutMs: 20_000 }));
      for (const c of CASES) {
        const server = servers.get(c.app) as Server;
        const headers: HeaderList = Object.entries(c.request.headers ?? {});
        reports.set(
          c.index,
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

    it.each(CASES)('$app: $title', ({ index, expectedOutcome, expectedCause }) => {
      const report = reports.get(index) as CheckReport;
      expect(report.browsers.chrome?.outcome).toBe(expectedOutcome);
      expect(report.browsers.firefox?.outcome).toBe(expectedOutcome);
      const codes = report.causes.filter((c) => c.severity === 'error').map((c) => c.code);
      if (expectedCause) expect(codes).toContain(expectedCause);
      else expect(codes).toEqual([]);
    });

    it.each(CASES.filter((c) => c.expectedCause && SOURCE_VISIBLE.includes(c.expectedCause)))(
      '--project: $app: $title -> $expectedCause with file:line',
      async (c) => {
        const { app, expectedCause, sourceCause } = c;
        const server = servers.get(app) as Server;
        const joined = (
          await checkWithSource(
            pageOf(c, `${server.url}${c.request.path}`),
            { browsers: ['chrome', 'firefox'], timeoutMs: 5000 },
            await readProject(app),
          )
        ).causes;
        const cause = joined.find((c) => c.code === expectedCause);
        expect(cause?.locations.length).toBeGreaterThan(0);
        expect(cause?.confirmedBy).toBe('live evidence and source');
        // The finer root cause only the source shows is named too, with its place.
        if (sourceCause) {
          const root = joined.find((c) => c.code === sourceCause);
          expect(root?.locations.length, joined.map((c) => c.code).join(', ')).toBeGreaterThan(0);
          expect(root?.confirmedBy).toBe('live evidence and source');
        }
      },
    );

    // The server model (src/servers) against the real thing: the same browser requests, answered from the
    // app's source instead of the network, must carry the same statuses and CORS header lines.
    it.each(CASES)('server model: $app: $title', async (c) => {
      const live = reports.get(c.index) as CheckReport;
      const project = await readProject(c.app);
      const server = servers.get(c.app) as Server;
      const url = `${server.url}${c.request.path}`;
      const app = appForUrl(project, url);
      expect(app).toBeDefined();
      const predicted = await check(pageOf(c, url), {
        browsers: ['chrome', 'firefox'],
        timeoutMs: 5000,
        transport: modelTransport(app as NonNullable<typeof app>, {
          starletteVersion: projectStarletteVersion(project).version,
          // The model does not run endpoints: rows whose route fails are told so.
          endpoint: c.expectedCause === 'error-response-without-cors' ? 'raises' : 'returns',
        }),
      });
      expect(predicted.exchanges.map(shapeOf)).toEqual(
        live.exchanges.map((x, i) => shapeOf(x, i, predicted.exchanges)),
      );
      expect(predicted.browsers.chrome?.outcome).toBe(live.browsers.chrome?.outcome);
      expect(predicted.browsers.firefox?.outcome).toBe(live.browsers.firefox?.outcome);
      expect(predicted.browsers.chrome?.messages).toEqual(live.browsers.chrome?.messages);
    });
  },
);

function pageOf(c: (typeof CASES)[number], url: string) {
  return {
    url,
    origin: c.origin,
    method: c.request.method,
    headers: Object.entries(c.request.headers ?? {}) as HeaderList,
    credentials: c.request.credentials ?? 'same-origin',
    ...(c.request.body !== undefined && { body: c.request.body }),
    ...(c.request.cookie !== undefined && { cookie: c.request.cookie }),
  };
}

/**
 * What the model must reproduce of an exchange: the request, the status (unless it is the endpoint's own,
 * which the model assumes) and the CORS header lines in order. `others` are the predicted exchanges: a live
 * status is left out where the prediction says its status is assumed.
 */
function shapeOf(x: Exchange, index: number, others?: Exchange[]) {
  const assumed = (others ?? [])[index]?.predicted?.statusAssumed ?? x.predicted?.statusAssumed ?? false;
  return {
    kind: x.kind,
    request: `${x.request.method} ${x.request.url}`,
    status: assumed ? 'endpoint' : x.response?.status,
    cors: (x.response?.headers ?? [])
      .filter(([n]) => /^(access-control-|vary$)/i.test(n))
      .map(([n, v]) => `${n.toLowerCase()}: ${v}`),
  };
}
