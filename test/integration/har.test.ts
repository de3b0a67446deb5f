import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, type LaunchedBrowser, launchBrowser } from '../../src/browsers/launch.js';
import { type ObservedRun, openObservationPage } from '../../src/browsers/observe.js';
import type { HarReport } from '../../src/evidence/har/types.js';
import { fastapiAvailable, startUvicorn, type UvicornServer } from '../../src/local-servers/uvicorn.js';
import type { BrowserName, HeaderList } from '../../src/model/types.js';
import { FASTAPI_CASES, type FastapiCase } from '../fixtures/fastapi/cases.js';
import { ChromeHarRecorder, FirefoxHarRecorder } from '../fixtures/har/record.js';
import { runCli } from '../support/run-cli.js';

/**
 * HAR files recorded by real Chromium (DevTools protocol) and real Firefox (WebDriver BiDi) while a page at
 * the case's origin calls a live FastAPI fixture app: `har` must find the cross-origin request, reach the
 * outcome the browser reached (and print its first console line), and name the case's cause. Browsers run
 * one at a time.
 */
const inCI = process.env.CI === 'true';

/** The cases a page can make without cookies in the browser's jar (cookies are covered by hand-written HARs). */
const CASES = FASTAPI_CASES.filter((c) => c.request.cookie === undefined);
const APPS = [...new Set(CASES.map((c) => c.app))];

/**
 * The cause `har` names where a live check names a finer one from evidence a HAR does not hold: the
 * extra requests `check` sends (the preflight that asks the CORS layer directly, the origin with a trailing
 * slash) and the body of a preflight answer (Chrome's HAR has none; Starlette names the refused method or
 * header there). Keyed by `app: title`; `cause` undefined: no cause can be named, the report says so and
 * gives the `cors-doctor check` command that finds it live.
 */
const HAR_CAUSE: Record<string, { cause?: string; why: string }> = {
  'examples/missing-middleware: GET /items: 200 without Access-Control-Allow-Origin': {
    why: 'an answer without any CORS header: no CORS layer, or one that does not list the origin; only a preflight sent to ask it tells',
  },
  'test/fixtures/fastapi/trailing-slash: allow_origins has "http://localhost:3000/": GET /items': {
    cause: 'origin-not-allowed',
    why: 'the misspelt allow-list shows only in the answer to the origin written with a slash, which no browser sends',
  },
  'test/fixtures/fastapi/trailing-slash: allow_origins has "http://localhost:3000/": PUT preflight 400 Disallowed CORS origin':
    {
      cause: 'origin-not-allowed',
      why: 'the same: the preflight is refused for the origin, and only the slash-spelt probe shows the typo',
    },
};

/** What the preflight's body says, which Firefox's BiDi events and Chrome's HAR do not hold. */
const NEEDS_PREFLIGHT_BODY = new Set(['method-not-allowed', 'header-not-allowed']);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cors-doctor-har-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Recorded {
  har: unknown;
  runs: ObservedRun[];
}

/** Opens a page at `origin`, records its network as DevTools would, and runs each request `times` times. */
async function record(
  browser: LaunchedBrowser,
  origin: string,
  requests: Array<Parameters<Awaited<ReturnType<typeof openObservationPage>>['observe']>[0]>,
  { pageCache = false }: { pageCache?: boolean } = {},
): Promise<Recorded> {
  const created = new Promise<Page | null>((resolve) =>
    browser.browser.once('targetcreated', (target) => resolve(target.page())),
  );
  const opening = openObservationPage(browser, `${origin}/`, { servePage: true });
  const page = (await created) as Page;
  const recorder =
    browser.name === 'chrome' ? await ChromeHarRecorder.attach(page) : FirefoxHarRecorder.attach(page);
  const observation = await opening;
  try {
    const runs: ObservedRun[] = [];
    for (const request of requests) {
      if (!pageCache) {
        runs.push(await observation.observe(request));
        continue;
      }
      // fetch() with the default cache mode: a browser keeps and uses its preflight cache only then.
      const ok = await page.evaluate(async (r) => {
        const init: RequestInit = { method: r.method, headers: r.headers as [string, string][] };
        if (r.body !== undefined) init.body = r.body;
        return fetch(r.url, init).then(
          (response) => response.ok,
          () => false,
        );
      }, request);
      runs.push({
        outcome: ok ? 'allowed' : 'blocked',
        messages: [],
        warnings: [],
        otherConsole: [],
        issues: [],
      });
    }
    await recorder.settle();
    return { har: recorder.har(`${origin}/`), runs };
  } finally {
    if (recorder instanceof ChromeHarRecorder) await recorder.detach();
    await observation.close();
  }
}

function fetchOf(c: FastapiCase, server: UvicornServer) {
  const headers: HeaderList = Object.entries(c.request.headers ?? {});
  return {
    url: `${server.url}${c.request.path}`,
    method: c.request.method,
    headers,
    credentials: c.request.credentials ?? 'same-origin',
    ...(c.request.body !== undefined && { body: c.request.body }),
  };
}

async function harReport(
  har: unknown,
  name: string,
  options: string[] = [],
): Promise<{ code: number; report: HarReport }> {
  const file = join(dir, `${name}.har`);
  await writeFile(file, JSON.stringify(har, null, 2));
  const { code, stdout, stderr } = await runCli(['har', file, '--json', ...options]);
  if (code === 2) throw new Error(`har refused ${file}: ${stderr}`);
  return { code, report: JSON.parse(stdout) as HarReport };
}

for (const name of ['chrome', 'firefox'] as BrowserName[]) {
  const unavailable = (await fastapiAvailable()) ?? (await browserUnavailableReason(name));
  if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and ${name}: ${unavailable}`);

  describe.skipIf(unavailable !== undefined)(`har on HAR files recorded by real ${name}`, () => {
    let browser: LaunchedBrowser;
    beforeAll(async () => {
      browser = await launchBrowser(name);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it.each(APPS)('%s: every request found, with the outcome and cause the browser shows', async (app) => {
      const server = await startUvicorn({ appDir: app, timeoutMs: 20_000 });
      try {
        for (const [i, c] of CASES.filter((x) => x.app === app).entries()) {
          const label = `${app}: ${c.title}`;
          const { har, runs } = await record(browser, c.origin, [fetchOf(c, server)]);
          const real = runs[0] as ObservedRun;
          const { code, report } = await harReport(har, `${name}-${app.replace(/\W+/g, '-')}-${i}`);
          // Exactly the one cross-origin fetch the page made.
          expect(
            report.requests.map((r) => [r.request.method, r.url]),
            label,
          ).toEqual([[c.request.method, `${server.url}${c.request.path}`]]);
          const request = report.requests[0] as HarReport['requests'][number];
          expect(request.har.count, label).toBe(1);
          const verdict = request.browsers[name];
          const credentials = request.har.credentials;
          if (name === 'firefox' && !credentials.known && credentials.other) {
            // Firefox's HAR cannot tell the mode here: both are judged, and one of them is what Firefox did.
            const outcomes = [verdict?.outcome, credentials.other.browsers[name]?.outcome];
            expect(outcomes, label).toContain(real.outcome);
            continue;
          }
          expect(verdict?.outcome, label).toBe(real.outcome);
          expect(verdict?.messages[0], label).toBe(real.messages[0]);
          expect(code, label).toBe(real.outcome === 'blocked' ? 1 : 0);
          if (real.outcome !== 'blocked') continue;
          const codes = request.causes.map((x) => x.code);
          const row = HAR_CAUSE[`${app}: ${c.title}`];
          const needsBody = c.expectedCause !== undefined && NEEDS_PREFLIGHT_BODY.has(c.expectedCause);
          const expected = row ? row.cause : needsBody ? undefined : c.expectedCause;
          if (expected !== c.expectedCause && c.expectedCause) {
            // What the recording cannot show, the source does: --project names the live check's cause.
            const withSource = await harReport(har, `${name}-${app.replace(/\W+/g, '-')}-${i}-project`, [
              '--project',
              app,
            ]);
            const joined = withSource.report.requests[0]?.causes ?? [];
            expect(
              joined.map((x) => x.code),
              `${label} (--project)`,
            ).toContain(c.expectedCause);
            expect(joined.find((x) => x.code === c.expectedCause)?.locations[0]?.file, label).toBe('main.py');
          }
          if (expected) expect(codes, label).toContain(expected);
          // No cause the evidence cannot prove: none at all, and the command that finds it live.
          else {
            expect(
              codes.filter((code) => code !== 'frontend-request-invalid'),
              label,
            ).toEqual([]);
            expect(request.har.replay, label).toMatch(/^cors-doctor check /);
          }
        }
      } finally {
        await server.stop();
      }
    });

    it('a request sent on a cached preflight: no preflight in the HAR, and still allowed', async () => {
      const server = await startUvicorn({ appDir: 'examples/correct', timeoutMs: 20_000 });
      try {
        const put = {
          url: `${server.url}/items/1`,
          method: 'PUT',
          headers: [['Content-Type', 'application/json']] as HeaderList,
          body: '{"name":"Saw","price":12}',
        };
        const { har, runs } = await record(browser, 'http://localhost:3000', [put, put], { pageCache: true });
        expect(runs.map((r) => r.outcome)).toEqual(['allowed', 'allowed']);
        const { code, report } = await harReport(har, `${name}-cached-preflight`);
        expect(code).toBe(0);
        const kinds = report.requests.map((r) => [
          r.har.count,
          r.exchanges.map((x) => `${x.kind}${x.predicted ? ` (${x.predicted.answeredBy})` : ''}`),
        ]);
        const entries = (har as { log: { entries: Array<{ request: { method: string } }> } }).log.entries;
        const options = entries.filter((e) => e.request.method === 'OPTIONS').length;
        // Chromium sent the second PUT on the strength of the first preflight (Starlette's max_age 600);
        // Firefox, driven over BiDi with request interception, sends the preflight again.
        expect(options).toBe(name === 'chrome' ? 1 : 2);
        expect(kinds).toEqual(
          options === 1
            ? [
                [1, ['preflight', 'actual']],
                [1, ["preflight (the browser's preflight cache)", 'actual']],
              ]
            : [[2, ['preflight', 'actual']]],
        );
        for (const r of report.requests) expect(r.browsers[name]?.outcome).toBe('allowed');
      } finally {
        await server.stop();
      }
    });

    it('groups a failure repeated three times, beside the request that works', async () => {
      const server = await startUvicorn({ appDir: 'examples/missing-middleware', timeoutMs: 20_000 });
      try {
        const failing = { url: `${server.url}/items`, method: 'GET' };
        const { har, runs } = await record(browser, 'http://localhost:3000', [
          failing,
          failing,
          {
            url: `${server.url}/items/1`,
            method: 'PUT',
            headers: [['Content-Type', 'application/json']],
            body: '{}',
          },
          failing,
        ]);
        expect(runs.map((r) => r.outcome)).toEqual(['blocked', 'blocked', 'blocked', 'blocked']);
        const { code, report } = await harReport(har, `${name}-grouped`);
        expect(code).toBe(1);
        const counts = report.requests.map((r) => [r.request.method, r.har.count]);
        expect(counts).toEqual([
          ['GET', 3],
          ['PUT', 1],
        ]);
        expect(report.requests[0]?.har.replay).toBe(
          `cors-doctor check ${server.url}/items --origin http://localhost:3000`,
        );
      } finally {
        await server.stop();
      }
    });
  });
}
