import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, type LaunchedBrowser, launchBrowser } from '../../src/browsers/launch.js';
import { type ObservedRequest, type ObservedRun, openObservationPage } from '../../src/browsers/observe.js';
import type { Cause } from '../../src/core/causes.js';
import type { HarReport, HarRequestReport } from '../../src/evidence/har/types.js';
import { nginxAvailable, startNginx } from '../../src/local-servers/nginx.js';
import { fastapiAvailable, startUvicorn, type UvicornServer } from '../../src/local-servers/uvicorn.js';
import type { BrowserName, HeaderList } from '../../src/model/types.js';
import { FASTAPI_CASES, type FastapiCase } from '../fixtures/fastapi/cases.js';
import { ChromeHarRecorder, FirefoxHarRecorder } from '../fixtures/har/record.js';
import { runCli } from '../support/run-cli.js';

/**
 * HAR files recorded by real Chromium (DevTools protocol) and real Firefox (WebDriver BiDi) while a page at
 * the case's origin calls the live FastAPI fixture apps. Each browser opens one page per origin and makes
 * every case's request from it, as a user clicking through an app would; the recording is read twice:
 * whole (the HAR a user saves: every request of the page) and cut to each request alone (the page and that
 * one request). `har` must find each cross-origin request, reach the outcome the browser reached (and print
 * its first console line), and name the case's cause. Browsers run one at a time; each app runs once.
 * Then the broken setups of test/fixtures/broken (nginx in front of some) recorded by Chromium: the cause
 * from the HAR, and with --project at the line where its fix is written.
 */
const inCI = process.env.CI === 'true';

/** The cases a page can make without cookies in the browser's jar (cookies are covered by hand-written HARs). */
const CASES = FASTAPI_CASES.filter((c) => c.request.cookie === undefined);
const APPS = [...new Set(CASES.map((c) => c.app))];
const ORIGINS = [...new Set(CASES.map((c) => c.origin))];

/**
 * Where `har` names another cause than a live check does, and why: evidence a HAR does not hold (the
 * requests `check` adds: the origin written with a trailing slash, the preflight that asks the CORS layer
 * directly). Keyed by `app: title`. `alone`: the cause named from the HAR of that request alone; `session`:
 * from the HAR of the whole page (undefined: no cause can be named, the report says so and gives the
 * `cors-doctor check` command that finds it live). `--project` names the live check's cause in every row.
 */
const HAR_CAUSE: Record<string, { alone?: string; session?: string; why: string }> = {
  'examples/missing-middleware: GET /items: 200 without Access-Control-Allow-Origin': {
    session: 'no-cors-middleware',
    why: 'an answer without any CORS header: no CORS layer, or one that does not list the origin; alone, nothing tells which. The whole page holds the PUT whose preflight got 405 without CORS headers from the same server: no CORS layer',
  },
  'test/fixtures/fastapi/trailing-slash: allow_origins has "http://localhost:3000/": GET /items': {
    alone: 'origin-not-allowed',
    session: 'origin-not-allowed',
    why: 'the misspelt allow-list shows only in the answer to the origin written with a slash, which no browser sends',
  },
  'test/fixtures/fastapi/trailing-slash: allow_origins has "http://localhost:3000/": PUT preflight 400 Disallowed CORS origin':
    {
      alone: 'origin-not-allowed',
      session: 'origin-not-allowed',
      why: 'the same: the preflight is refused for the origin, and only the slash-spelt probe shows the typo',
    },
};

const key = (c: FastapiCase) => `${c.app}: ${c.title}`;

const inconclusive = await fastapiAvailable();
if (inconclusive && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${inconclusive}`);

let dir: string;
const servers = new Map<string, UvicornServer>();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cors-doctor-har-'));
  if (inconclusive) return;
  // Every app once, for both browsers, two at a time (the machine has two cores).
  for (let i = 0; i < APPS.length; i += 2) {
    const started = await Promise.all(
      APPS.slice(i, i + 2).map((app) => startUvicorn({ appDir: app, timeoutMs: 30_000 })),
    );
    for (const [j, server] of started.entries()) servers.set(APPS[i + j] as string, server);
  }
});
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

type Har = { log: { entries: unknown[] } & Record<string, unknown> };

interface Recorded {
  har: Har;
  runs: ObservedRun[];
  /** The entries each request added: `[from, to)`. */
  slices: Array<[number, number]>;
}

const entryCount = (recorder: ChromeHarRecorder | FirefoxHarRecorder, url: string) =>
  (recorder.har(url) as Har).log.entries.length;

/**
 * Opens a page at `origin`, records its network as DevTools would, and makes each request in turn (with
 * `pageCache`, as the page's own fetch() with the default cache mode: the preflight cache is used then).
 */
async function record(
  browser: LaunchedBrowser,
  origin: string,
  requests: ObservedRequest[],
  { pageCache = false }: { pageCache?: boolean } = {},
): Promise<Recorded> {
  const pageUrl = `${origin}/`;
  const created = new Promise<Page | null>((resolve) =>
    browser.browser.once('targetcreated', (target) => resolve(target.page())),
  );
  const opening = openObservationPage(browser, pageUrl, { servePage: true });
  const page = (await created) as Page;
  const recorder =
    browser.name === 'chrome' ? await ChromeHarRecorder.attach(page) : FirefoxHarRecorder.attach(page);
  const observation = await opening;
  try {
    const runs: ObservedRun[] = [];
    const slices: Array<[number, number]> = [];
    for (const request of requests) {
      const from = entryCount(recorder, pageUrl);
      if (!pageCache) runs.push(await observation.observe(request));
      else {
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
      slices.push([from, entryCount(recorder, pageUrl)]);
    }
    return { har: recorder.har(pageUrl) as Har, runs, slices };
  } finally {
    if (recorder instanceof ChromeHarRecorder) await recorder.detach();
    await observation.close();
  }
}

/** The HAR of the page and one of its requests: the entries before the first request, then that one's. */
function harOfOne(recorded: Recorded, index: number): Har {
  const [from, to] = recorded.slices[index] as [number, number];
  const page = recorded.har.log.entries.slice(0, recorded.slices[0]?.[0] ?? 0);
  return {
    ...recorded.har,
    log: { ...recorded.har.log, entries: [...page, ...recorded.har.log.entries.slice(from, to)] },
  };
}

function fetchOf(c: FastapiCase): ObservedRequest {
  const server = servers.get(c.app) as UvicornServer;
  const headers: HeaderList = Object.entries(c.request.headers ?? {});
  return {
    url: `${server.url}${c.request.path}`,
    method: c.request.method,
    headers,
    credentials: c.request.credentials ?? 'same-origin',
    ...(c.request.body !== undefined && { body: c.request.body }),
  };
}

let written = 0;
async function harReport(har: unknown, options: string[] = []): Promise<{ code: number; report: HarReport }> {
  const file = join(dir, `${++written}.har`);
  await writeFile(file, JSON.stringify(har, null, 2));
  const { code, stdout, stderr } = await runCli(['har', file, '--json', ...options]);
  if (code === 2 || stdout === '')
    throw new Error(`har ${options.join(' ')} gave ${code} for ${file}: ${stderr}`);
  return { code, report: JSON.parse(stdout) as HarReport };
}

/**
 * The verdict `har` gives in the browser's view: the mode judged, or, when the HAR cannot tell the mode
 * and the other one reaches what the browser did, that one (Firefox's HAR records no outcome for a
 * request refused after its answer).
 */
function verdictOf(request: HarRequestReport, browser: BrowserName, real: ObservedRun) {
  const verdict = request.browsers[browser];
  const other = request.har.credentials.other;
  if (verdict?.outcome !== real.outcome && other?.browsers[browser]?.outcome === real.outcome)
    return { verdict: other.browsers[browser], causes: other.causes, judged: false };
  return { verdict, causes: request.causes, judged: true };
}

/** A row of the cause table: what was expected and what `har` named. */
interface CauseRow {
  label: string;
  expected: string | undefined;
  named: string[];
  right: boolean;
}

/**
 * The cause is right: the expected one is named and no other error cause beside it; for a request the
 * browser allows, no error cause.
 */
function causeRow(label: string, expected: string | undefined, causes: Cause[]): CauseRow {
  const errors = causes.filter((c) => c.severity === 'error').map((c) => c.code);
  const named: string[] = causes
    .map((c) => c.code)
    .filter((code) => code !== 'frontend-request-invalid' || code === expected);
  const right =
    expected === undefined
      ? errors.length === 0
      : named.includes(expected) && errors.every((c) => c === expected);
  return { label, expected, named, right };
}

function printRate(title: string, rows: CauseRow[]): number {
  const right = rows.filter((r) => r.right).length;
  const misses = rows
    .filter((r) => !r.right)
    .map(
      (r) => `  ✗ ${r.label}: expected ${r.expected ?? 'no cause'}, named ${r.named.join(', ') || 'none'}`,
    );
  process.stdout.write(
    `${title}: cause right in ${right}/${rows.length} (${((100 * right) / rows.length).toFixed(1)}%)\n${misses.join('\n')}${misses.length ? '\n' : ''}`,
  );
  return right / rows.length;
}

for (const name of ['chrome', 'firefox'] as BrowserName[]) {
  const unavailable = inconclusive ?? (await browserUnavailableReason(name));
  if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and ${name}: ${unavailable}`);

  describe.skipIf(unavailable !== undefined)(`har on HAR files recorded by real ${name}`, () => {
    let browser: LaunchedBrowser;
    beforeAll(async () => {
      browser = await launchBrowser(name);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('every request found, with the outcome, console line and cause the browser shows, alone and in the whole page', async () => {
      const alone: CauseRow[] = [];
      const session: CauseRow[] = [];
      for (const origin of ORIGINS) {
        const cases = CASES.filter((c) => c.origin === origin);
        const recorded = await record(browser, origin, cases.map(fetchOf));
        const whole = await harReport(recorded.har);
        // The whole page: exactly one request per case (no two cases are the same request).
        expect(whole.report.requests.length, origin).toBe(cases.length);
        for (const [i, c] of cases.entries()) {
          const label = key(c);
          const real = recorded.runs[i] as ObservedRun;
          const url = `${servers.get(c.app)?.url}${c.request.path}`;
          const { code, report } = await harReport(harOfOne(recorded, i));
          // Exactly the one cross-origin fetch the page made.
          expect(
            report.requests.map((r) => [r.request.method, r.url]),
            label,
          ).toEqual([[c.request.method, url]]);
          const request = report.requests[0] as HarRequestReport;
          expect(request.har.count, label).toBe(1);
          const { verdict, causes: judgedCauses, judged } = verdictOf(request, name, real);
          const causes = judgedCauses.map((x) => x.code);
          expect(verdict?.outcome, label).toBe(real.outcome);
          expect(verdict?.messages[0], label).toBe(real.messages[0]);
          if (judged) expect(code, label).toBe(real.outcome === 'blocked' ? 1 : 0);
          // The same request in the whole page's HAR: the same outcome.
          const [from, to] = recorded.slices[i] as [number, number];
          const inWhole = whole.report.requests.find((r) =>
            r.har.entries.some((e) => e >= from && e < to),
          ) as HarRequestReport;
          expect([inWhole?.request.method, inWhole?.url], label).toEqual([c.request.method, url]);
          const wholeVerdict = verdictOf(inWhole, name, real);
          expect(wholeVerdict.verdict?.outcome, label).toBe(real.outcome);

          const row = HAR_CAUSE[label];
          const expected = c.expectedOutcome === 'blocked' ? c.expectedCause : undefined;
          alone.push(causeRow(label, expected, judgedCauses));
          session.push(causeRow(label, expected, wholeVerdict.causes));
          if (real.outcome !== 'blocked') continue;
          // The documented misses are exactly these: each row says what is named instead, and why.
          const aloneExpected = row ? row.alone : expected;
          const sessionExpected = row ? row.session : expected;
          if (aloneExpected) expect(causes, `${label} (alone)`).toContain(aloneExpected);
          else {
            // No cause the evidence cannot prove: none at all, and the command that finds it live.
            expect(
              causes.filter((x) => x !== 'frontend-request-invalid'),
              label,
            ).toEqual([]);
            expect(request.har.replay, label).toMatch(/^cors-doctor check /);
          }
          if (sessionExpected)
            expect(
              wholeVerdict.causes.map((x) => x.code),
              `${label} (whole page)`,
            ).toContain(sessionExpected);
          if (row) {
            // What the recording cannot show, the source does: --project names the live check's cause.
            const withSource = await harReport(harOfOne(recorded, i), ['--project', c.app]);
            const joined = withSource.report.requests[0]?.causes ?? [];
            expect(
              joined.map((x) => x.code),
              `${label} (--project)`,
            ).toContain(c.expectedCause);
            expect(joined.find((x) => x.code === c.expectedCause)?.locations[0]?.file, label).toBe('main.py');
          }
        }
      }
      expect(alone.length).toBe(CASES.length);
      const blocked = (rows: CauseRow[]) => rows.filter((r) => r.expected !== undefined);
      const rates = [
        printRate(`${name}, each request alone, every case`, alone),
        printRate(`${name}, each request alone, blocked cases`, blocked(alone)),
        printRate(`${name}, the whole page, every case`, session),
        printRate(`${name}, the whole page, blocked cases`, blocked(session)),
      ];
      // The misses are the documented rows, and no more.
      const undocumented = (rows: CauseRow[], field: 'alone' | 'session') =>
        rows
          .filter((r) => !r.right && (!HAR_CAUSE[r.label] || HAR_CAUSE[r.label]?.[field] === r.expected))
          .map((r) => `${r.label}: named ${r.named.join(', ') || 'none'}`);
      expect(undocumented(alone, 'alone')).toEqual([]);
      expect(undocumented(session, 'session')).toEqual([]);
      expect(rates[0]).toBeGreaterThanOrEqual(0.9);
      expect(rates[2]).toBeGreaterThanOrEqual(0.9);
      expect(rates[3]).toBeGreaterThanOrEqual(0.9);
    }, 240_000);

    it('a request sent on a cached preflight: no preflight in the HAR, and still allowed', async () => {
      const server = servers.get('examples/correct') as UvicornServer;
      const put = {
        url: `${server.url}/items/1`,
        method: 'PUT',
        headers: [['Content-Type', 'application/json']] as HeaderList,
        body: '{"name":"Saw","price":12}',
      };
      const { har, runs } = await record(browser, 'http://localhost:3000', [put, put], { pageCache: true });
      expect(runs.map((r) => r.outcome)).toEqual(['allowed', 'allowed']);
      const { code, report } = await harReport(har);
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
    });

    it('groups a failure repeated three times, beside the request that works', async () => {
      const server = servers.get('examples/missing-middleware') as UvicornServer;
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
      const { code, report } = await harReport(har);
      expect(code).toBe(1);
      const counts = report.requests.map((r) => [r.request.method, r.har.count, r.causes.map((c) => c.code)]);
      // The PUT's preflight (405, no CORS header) says the GETs' server has no CORS layer.
      expect(counts).toEqual([
        ['GET', 3, ['no-cors-middleware']],
        ['PUT', 1, ['no-cors-middleware']],
      ]);
      expect(report.requests[0]?.har.replay).toBe(
        `cors-doctor check ${server.url}/items --origin http://localhost:3000`,
      );
    });
  });
}

/** A broken setup of test/fixtures/broken: a tiny real project, and the request that fails against it. */
interface BrokenSetup {
  name: string;
  origin: string;
  request: {
    path: string;
    method: string;
    headers?: Record<string, string>;
    body?: string;
    credentials?: ObservedRequest['credentials'];
  };
  /** The cause `check --project` names, and the line where its fix is written. */
  cause: string;
  fixAt: string | null;
  serve?: { app?: string; env?: Record<string, string> };
  nginx?: string;
}

const BROKEN = 'test/fixtures/broken';
const SETUPS: BrokenSetup[] = readdirSync(BROKEN)
  .filter((name) => existsSync(join(BROKEN, name, 'cors-case.json')))
  .sort()
  .map((name) => ({ name, ...JSON.parse(readFileSync(join(BROKEN, name, 'cors-case.json'), 'utf8')) }));

/**
 * Setups whose cause only the source shows: `har` names what the wire shows (as `check` does without
 * --project), and --project names the setup's cause at the line of its fix.
 */
const SOURCE_ONLY: Record<string, { alone?: string; why: string }> = {
  'env-gate-production': {
    alone: 'no-cors-middleware',
    why: 'CORSMiddleware is added only in production: the answers show no CORS layer at all',
  },
  'env-prefix-mismatch': {
    alone: 'origin-not-allowed',
    why: 'the settings read another variable than the .env sets: the answers show a CORS layer that refuses the origin',
  },
  'env-unset-default': {
    alone: 'origin-not-allowed',
    why: 'the variable is set nowhere, and the default list lacks the origin',
  },
  'served-wrapper-object': {
    why: 'uvicorn serves the object without CORSMiddleware: one answer without any CORS header, and nothing else from that server',
  },
};

const chromeMissing = inconclusive ?? nginxAvailable() ?? (await browserUnavailableReason('chrome'));
if (chromeMissing && inCI) throw new Error(`CI needs FastAPI, uvicorn, nginx and chromium: ${chromeMissing}`);

describe.skipIf(chromeMissing !== undefined)(
  'har on HAR files recorded by real chrome against the broken setups',
  () => {
    let browser: LaunchedBrowser;
    beforeAll(async () => {
      browser = await launchBrowser('chrome');
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    /** The setup as deployed, in a copy: the app under uvicorn, nginx in front when it has one (its ports written in). */
    async function serve(
      setup: BrokenSetup,
    ): Promise<{ url: string; project: string; stop(): Promise<void> }> {
      const project = await mkdtemp(join(dir, `${setup.name}-`));
      cpSync(join(BROKEN, setup.name), project, { recursive: true });
      const app = await startUvicorn({
        appDir: project,
        ...(setup.serve?.app && { app: setup.serve.app }),
        ...(setup.serve?.env && { env: setup.serve.env }),
        timeoutMs: 30_000,
      });
      if (!setup.nginx) return { url: app.url, project, stop: () => app.stop() };
      const template = join(BROKEN, setup.name, setup.nginx);
      const proxy = await startNginx(template, app.port).catch(async (error) => {
        await app.stop();
        throw error;
      });
      const port = new URL(proxy.url).port;
      writeFileSync(
        join(project, setup.nginx),
        readFileSync(template, 'utf8').replaceAll('@PORT@', port).replaceAll('@UPSTREAM@', String(app.port)),
      );
      return {
        url: proxy.url,
        project,
        async stop() {
          await proxy.stop();
          await app.stop();
        },
      };
    }

    it('each setup: the outcome and console line Chromium shows; the cause from the HAR, and with --project at the line of its fix', async () => {
      const rows: CauseRow[] = [];
      // The next setup starts while the browser records the one before.
      let next: ReturnType<typeof serve> | undefined = serve(SETUPS[0] as BrokenSetup);
      try {
        for (const [i, setup] of SETUPS.entries()) {
          const server = await (next as ReturnType<typeof serve>);
          next = i + 1 < SETUPS.length ? serve(SETUPS[i + 1] as BrokenSetup) : undefined;
          try {
            // The browser's jar holds no cookie for the API's address: the page sends its credentials without one.
            const request: ObservedRequest = {
              url: `${server.url}${setup.request.path}`,
              method: setup.request.method,
              headers: Object.entries(setup.request.headers ?? {}),
              credentials: setup.request.credentials ?? 'same-origin',
              ...(setup.request.body !== undefined && { body: setup.request.body }),
            };
            const recorded = await record(browser, setup.origin, [request]);
            const real = recorded.runs[0] as ObservedRun;
            const { report } = await harReport(recorded.har);
            expect(
              report.requests.map((r) => [r.request.method, r.url]),
              setup.name,
            ).toEqual([[request.method, request.url]]);
            const { verdict, causes } = verdictOf(report.requests[0] as HarRequestReport, 'chrome', real);
            expect(verdict?.outcome, setup.name).toBe(real.outcome);
            expect(verdict?.messages[0], setup.name).toBe(real.messages[0]);
            rows.push(causeRow(setup.name, setup.cause, causes));
            const only = SOURCE_ONLY[setup.name];
            const alone = only ? only.alone : setup.cause;
            if (alone)
              expect(
                causes.map((c) => c.code),
                setup.name,
              ).toContain(alone);
            else
              expect(
                causes.filter((c) => c.severity === 'error'),
                setup.name,
              ).toEqual([]);
            // The source names the setup's cause, at the line where its fix is written.
            const withSource = await harReport(recorded.har, ['--project', server.project]);
            const joined = withSource.report.requests[0]?.causes.find((c) => c.code === setup.cause);
            const at = joined?.locations[0];
            expect(setup.fixAt === null ? joined !== undefined : `${at?.file}:${at?.line}`, setup.name).toBe(
              setup.fixAt ?? true,
            );
          } finally {
            await server.stop();
          }
        }
      } finally {
        await (await next?.catch(() => undefined))?.stop();
      }
      printRate('chrome, broken setups, the HAR alone', rows);
      expect(
        rows
          .filter((r) => !r.right && !SOURCE_ONLY[r.label])
          .map((r) => `${r.label}: named ${r.named.join(', ') || 'none'}`),
      ).toEqual([]);
    }, 180_000);
  },
);
