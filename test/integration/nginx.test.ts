import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import { browserUnavailableReason, type LaunchedBrowser, launchBrowser } from '../../src/browsers/launch.js';
import { observeFetch } from '../../src/browsers/observe.js';
import { nginxAvailable, startNginx } from '../../src/local-servers/nginx.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { BrowserName, HeaderList } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';

const inCI = process.env.CI === 'true';
const unavailable = nginxAvailable() ?? (await fastapiAvailable());
if (unavailable && inCI) throw new Error(`CI needs nginx, FastAPI and uvicorn: ${unavailable}`);

const browserMissing = {
  chrome: await browserUnavailableReason('chrome'),
  firefox: await browserUnavailableReason('firefox'),
};
for (const [name, missing] of Object.entries(browserMissing)) {
  if (missing && inCI) throw new Error(`CI needs ${name}: ${missing}`);
}

const ORIGIN = 'http://localhost:3000';
const JSON_BODY: HeaderList = [['Content-Type', 'application/json']];
const ORDER = '{"item":"saw"}';

/** A real nginx configuration in front of a real FastAPI app (test/fixtures/nginx/). */
const SETUPS = {
  // nginx adds CORS headers without "always" to an app without CORS.
  'add-header-without-always': {
    app: 'test/fixtures/nginx/add-header-without-always/app',
    conf: 'test/fixtures/nginx/add-header-without-always/nginx.conf',
  },
  // The app's CORS is right; nginx answers OPTIONS itself with an empty 204.
  'answers-preflight': {
    app: 'test/fixtures/nginx/behind-proxy/app',
    conf: 'test/fixtures/nginx/behind-proxy/answers-preflight.conf',
  },
  // The app's CORS is right; nginx answers OPTIONS itself, with an origin and methods but no allowed headers.
  'answers-preflight-incompletely': {
    app: 'test/fixtures/nginx/behind-proxy/app',
    conf: 'test/fixtures/nginx/behind-proxy/answers-preflight-incompletely.conf',
  },
  // The app's CORS is right; nginx hides its Access-Control-Allow-Origin.
  'hides-allow-origin': {
    app: 'test/fixtures/nginx/behind-proxy/app',
    conf: 'test/fixtures/nginx/behind-proxy/hides-allow-origin.conf',
  },
  // The app's CORS is right; nginx adds a second Access-Control-Allow-Origin.
  'adds-allow-origin-too': {
    app: 'test/fixtures/nginx/behind-proxy/app',
    conf: 'test/fixtures/nginx/behind-proxy/adds-allow-origin-too.conf',
  },
} as const;
type Setup = keyof typeof SETUPS;

// Each row: the setup, a request the page makes, the outcome in both browsers and the cause named.
const TABLE: Array<{
  title: string;
  setup: Setup;
  method: string;
  path: string;
  headers?: HeaderList;
  body?: string;
  outcome: 'allowed' | 'blocked';
  cause?: string;
  /** The endpoint's own answer (a raised 404 or 500) decides: offline assumes 200 and says so. */
  endpointDecides?: true;
}> = [
  {
    title: 'a successful GET gets nginx CORS headers',
    setup: 'add-header-without-always',
    method: 'GET',
    path: '/orders',
    outcome: 'allowed',
  },
  {
    title: 'a JSON POST: nginx answers the preflight, the app fails with 500',
    setup: 'add-header-without-always',
    method: 'POST',
    path: '/orders',
    headers: JSON_BODY,
    body: ORDER,
    outcome: 'blocked',
    cause: 'proxy-headers-missing-on-errors',
    endpointDecides: true,
  },
  {
    title: 'a 404 from the app loses the CORS headers',
    setup: 'add-header-without-always',
    method: 'GET',
    path: '/orders/7',
    outcome: 'blocked',
    cause: 'proxy-headers-missing-on-errors',
    endpointDecides: true,
  },
  {
    title: 'a simple GET never meets the preflight',
    setup: 'answers-preflight',
    method: 'GET',
    path: '/orders',
    outcome: 'allowed',
  },
  {
    title: 'a JSON POST gets an empty 204 from nginx',
    setup: 'answers-preflight',
    method: 'POST',
    path: '/orders',
    headers: JSON_BODY,
    body: ORDER,
    outcome: 'blocked',
    cause: 'proxy-answers-preflight',
  },
  {
    title: "a JSON POST: nginx's 204 allows the origin but not Content-Type",
    setup: 'answers-preflight-incompletely',
    method: 'POST',
    path: '/orders',
    headers: JSON_BODY,
    body: ORDER,
    outcome: 'blocked',
    cause: 'proxy-answers-preflight',
  },
  {
    title: "a DELETE: nginx's 204 does not list the method",
    setup: 'answers-preflight-incompletely',
    method: 'DELETE',
    path: '/orders/7',
    outcome: 'blocked',
    cause: 'proxy-answers-preflight',
  },
  {
    title: 'a GET: Vary: Origin arrives, the ACAO does not',
    setup: 'hides-allow-origin',
    method: 'GET',
    path: '/orders',
    outcome: 'blocked',
    cause: 'proxy-strips-cors-headers',
  },
  {
    title: 'a JSON POST: the app allowed the preflight, nginx hid its ACAO',
    setup: 'hides-allow-origin',
    method: 'POST',
    path: '/orders',
    headers: JSON_BODY,
    body: ORDER,
    outcome: 'blocked',
    cause: 'proxy-strips-cors-headers',
  },
  {
    title: "the app's 404: its Vary: Origin arrives, its ACAO does not",
    setup: 'hides-allow-origin',
    method: 'GET',
    path: '/orders/7',
    outcome: 'blocked',
    cause: 'proxy-strips-cors-headers',
  },
  {
    title: 'a GET carries two ACAO lines',
    setup: 'adds-allow-origin-too',
    method: 'GET',
    path: '/orders',
    outcome: 'blocked',
    cause: 'duplicate-cors-headers',
  },
  {
    title: 'a JSON POST: the preflight carries two ACAO lines',
    setup: 'adds-allow-origin-too',
    method: 'POST',
    path: '/orders',
    headers: JSON_BODY,
    body: ORDER,
    outcome: 'blocked',
    cause: 'duplicate-cors-headers',
  },
];

describe.skipIf(unavailable !== undefined)(
  `check through a real nginx${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const apps = new Map<string, Awaited<ReturnType<typeof startUvicorn>>>();
    const proxies = new Map<Setup, Awaited<ReturnType<typeof startNginx>>>();
    beforeAll(async () => {
      for (const [setup, { app, conf }] of Object.entries(SETUPS) as Array<[Setup, (typeof SETUPS)[Setup]]>) {
        if (!apps.has(app)) apps.set(app, await startUvicorn({ appDir: app, timeoutMs: 20_000 }));
        proxies.set(setup, await startNginx(conf, (apps.get(app) as { port: number }).port));
      }
    });
    afterAll(async () => {
      for (const proxy of proxies.values()) await proxy.stop();
      for (const app of apps.values()) await app.stop();
    });

    const pageOf = (row: (typeof TABLE)[number]) => ({
      url: `${(proxies.get(row.setup) as { url: string }).url}${row.path}`,
      origin: ORIGIN,
      method: row.method,
      headers: row.headers ?? [],
      credentials: 'same-origin' as const,
      ...(row.body !== undefined && { body: row.body }),
    });

    it.each(TABLE)('$setup: $title', async (row) => {
      const report = await check(pageOf(row), { browsers: ['chrome', 'firefox'], timeoutMs: 5000 });
      expect(report.browsers.chrome?.outcome).toBe(row.outcome);
      expect(report.browsers.firefox?.outcome).toBe(row.outcome);
      const codes = report.causes.filter((c) => c.severity === 'error').map((c) => c.code);
      expect(codes).toEqual(row.cause ? [row.cause] : []);
    });

    // With the project (the app, and the nginx.conf in front of it as it runs): the proxy cause names the
    // line of nginx.conf that is responsible.
    const RESPONSIBLE: Partial<Record<string, RegExp>> = {
      'proxy-headers-missing-on-errors': /^\s*add_header Access-Control-Allow-Origin [^;]*;$/,
      'proxy-answers-preflight': /^\s*if \(\$request_method = OPTIONS\) \{$/,
      'proxy-strips-cors-headers': /^\s*proxy_hide_header Access-Control-Allow-Origin;$/,
      'duplicate-cors-headers': /^\s*add_header Access-Control-Allow-Origin \$http_origin always;$/,
    };
    const projects = new Map<Setup, string>();
    afterAll(() => {
      for (const dir of projects.values()) rmSync(dir, { recursive: true, force: true });
    });
    /** The setup as a project: its app, and its nginx.conf with the ports it runs on. */
    function projectOf(setup: Setup): { dir: string; text: string } {
      const { app, conf } = SETUPS[setup];
      const port = new URL((proxies.get(setup) as { url: string }).url).port;
      const upstream = String((apps.get(app) as { port: number }).port);
      const text = readFileSync(conf, 'utf8').replaceAll('@PORT@', port).replaceAll('@UPSTREAM@', upstream);
      let dir = projects.get(setup);
      if (!dir) {
        dir = mkdtempSync(join(tmpdir(), 'cors-doctor-nginx-project-'));
        projects.set(setup, dir);
        cpSync(app, join(dir, 'app'), { recursive: true });
        writeFileSync(join(dir, 'nginx.conf'), text);
      }
      return { dir, text };
    }
    it.each(TABLE.filter((row) => row.cause && RESPONSIBLE[row.cause]))(
      '--project: $setup: $title -> nginx.conf:line',
      async (row) => {
        const { dir, text } = projectOf(row.setup);
        const report = await checkWithSource(
          pageOf(row),
          { browsers: ['chrome', 'firefox'], timeoutMs: 5000 },
          await readProject(dir),
        );
        const cause = report.causes.find((c) => c.code === row.cause);
        const lines = text.split('\n');
        const inConf = (cause?.locations ?? []).filter((l) => l.file === 'nginx.conf');
        expect(inConf.length, JSON.stringify(cause)).toBeGreaterThan(0);
        for (const l of inConf) expect(lines[l.line - 1]).toMatch(RESPONSIBLE[row.cause as string] as RegExp);
        expect(cause?.confirmedBy).toBe('live evidence and source');
      },
    );

    // Offline, the nginx model in front of the app's model must give what nginx and uvicorn gave live.
    it.each(TABLE)('--offline: $setup: $title', async (row) => {
      const page = pageOf(row);
      const options = { browsers: ['chrome', 'firefox'] as BrowserName[], timeoutMs: 5000 };
      const live = await check(page, options);
      const offline = await checkWithSource(page, options, await readProject(projectOf(row.setup).dir), {
        offline: true,
      });
      expect(offline.offline?.proxy).toBe('nginx.conf');
      if (row.endpointDecides) {
        expect(offline.notes.some((n) => n.startsWith('offline: endpoints are not run'))).toBe(true);
        return;
      }
      expect(offline.browsers.chrome?.outcome).toBe(live.browsers.chrome?.outcome);
      expect(offline.browsers.firefox?.outcome).toBe(live.browsers.firefox?.outcome);
      expect(offline.browsers.chrome?.messages[0]).toBe(live.browsers.chrome?.messages[0]);
      const errors = (r: typeof live) => r.causes.filter((c) => c.severity === 'error').map((c) => c.code);
      expect(errors(offline)).toEqual(errors(live));
    });

    // The same requests in the real browsers, from a page served at the origin: the verdict and the first
    // console line check predicts must be what each browser does.
    for (const name of ['chrome', 'firefox'] as const) {
      const missing = browserMissing[name];
      describe.skipIf(missing !== undefined)(
        `in real ${name}${missing ? ` (skipped: ${missing})` : ''}`,
        () => {
          let browser: LaunchedBrowser;
          beforeAll(async () => {
            browser = await launchBrowser(name);
          });
          afterAll(async () => {
            await browser?.close();
          });

          it.each(TABLE)('$setup: $title', async (row) => {
            const page = pageOf(row);
            const report = await check(page, { browsers: [name], timeoutMs: 5000 });
            const real = await observeFetch(browser, `${ORIGIN}/`, page, { servePage: true });
            expect(report.browsers[name]?.outcome).toBe(real.outcome);
            expect(report.browsers[name]?.messages[0]).toBe(real.messages[0]);
          });
        },
      );
    }
  },
);
