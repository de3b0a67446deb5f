import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { browserUnavailableReason, type LaunchedBrowser, launchBrowser } from '../../src/browsers/launch.js';
import { type ObservedRun, observeFetch } from '../../src/browsers/observe.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { HeaderList } from '../../src/model/types.js';
import { FASTAPI_CASES } from '../fixtures/fastapi/cases.js';

/**
 * A sample of the live FastAPI cases, run for real in Chromium and in Firefox from a page served at the
 * case's origin: the outcome and the first console line `check` predicts must be what the browser does.
 */
const inCI = process.env.CI === 'true';

const SAMPLE = FASTAPI_CASES.filter((c) => c.request.cookie === undefined).filter((_, i) => i % 3 === 0);

for (const name of ['chrome', 'firefox'] as const) {
  const unavailable = (await fastapiAvailable()) ?? (await browserUnavailableReason(name));
  if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and ${name}: ${unavailable}`);

  describe.skipIf(unavailable !== undefined)(`check agrees with real ${name} on live FastAPI apps`, () => {
    let browser: LaunchedBrowser;
    beforeAll(async () => {
      browser = await launchBrowser(name);
    });
    afterAll(async () => {
      await browser?.close();
    });

    it.each(SAMPLE.map((c) => ({ ...c, label: `${c.app}: ${c.title}` })))('$label', async (c) => {
      const server = await startUvicorn({ appDir: c.app, timeoutMs: 20_000 });
      try {
        const url = `${server.url}${c.request.path}`;
        const headers: HeaderList = Object.entries(c.request.headers ?? {});
        const credentials = c.request.credentials ?? 'same-origin';
        const report = await check(
          {
            url,
            origin: c.origin,
            method: c.request.method,
            headers,
            credentials,
            ...(c.request.body !== undefined && { body: c.request.body }),
          },
          { browsers: [name], timeoutMs: 5000 },
        );
        const real: ObservedRun = await observeFetch(
          browser,
          `${c.origin}/`,
          {
            url,
            method: c.request.method,
            headers,
            credentials,
            ...(c.request.body !== undefined && { body: c.request.body }),
          },
          { servePage: true },
        );
        expect(report.browsers[name]?.outcome).toBe(real.outcome);
        expect(report.browsers[name]?.messages[0]).toBe(real.messages[0]);
      } finally {
        await server.stop();
      }
    });
  });
}
