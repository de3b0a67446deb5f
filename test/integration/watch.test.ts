import { mkdtempSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleMessage, HTTPRequest, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, type LaunchedBrowser, launchBrowser } from '../../src/browsers/launch.js';
import { type ObservationPage, openObservationPage } from '../../src/browsers/observe.js';
import { apiCookies } from '../../src/browsers/verify.js';
import { fastapiAvailable, startUvicorn, type UvicornServer } from '../../src/local-servers/uvicorn.js';
import type { WatchEntry } from '../../src/watch/entry.js';
import { CLIENT_KEEP_ALIVE_MS, type WatchServer } from '../../src/watch/server.js';
import { FASTAPI_CASES, type FastapiCase } from '../fixtures/fastapi/cases.js';
import { exchangesJson, ROOT, send, settledAfter, watchOf } from './watch-kit.js';

/**
 * `watch` in front of the real FastAPI fixture apps (uvicorn): the answers pass through unchanged (compared
 * with the app's direct answers, line by line), and each entry's verdict and first console line are those
 * real Chromium and Firefox print for a page that calls the API through the proxy; in Chromium, the live page
 * and report.html show the entries of exchanges.json and load nothing from the network. Each app runs once,
 * with its proxy, for the whole file; each browser is launched once and keeps one page per page origin.
 */
const inCI = process.env.CI === 'true';
const noFastapi = await fastapiAvailable();
if (noFastapi && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${noFastapi}`);

const CASES = FASTAPI_CASES;
const APPS = [...new Set(CASES.map((c) => c.app))];
const casesOf = (app: string) => CASES.filter((c) => c.app === app);

/** The preflight and the request a browser sends for a case, as raw header lines (Host given). */
function browserRequests(
  c: FastapiCase,
  host: string,
): Array<{ method: string; lines: string[]; body?: string }> {
  const headers = Object.entries(c.request.headers ?? {});
  const unsafe = headers
    .map(([n, v]) => [n.toLowerCase(), v] as const)
    .filter(([n, v]) => !(n === 'content-type' && v.startsWith('text/plain')))
    .map(([n]) => n)
    .sort();
  const base = ['Host', host, 'Origin', c.origin, 'User-Agent', 'cors-doctor-test', 'Accept', '*/*'];
  const preflight = [...base, 'Access-Control-Request-Method', c.request.method];
  if (unsafe.length > 0) preflight.push('Access-Control-Request-Headers', unsafe.join(','));
  const actual = [...base, ...headers.flat()];
  if (c.request.cookie !== undefined) actual.push('Cookie', c.request.cookie);
  if (c.request.body !== undefined) actual.push('Content-Length', String(Buffer.byteLength(c.request.body)));
  return [
    { method: 'OPTIONS', lines: preflight },
    {
      method: c.request.method,
      lines: actual,
      ...(c.request.body !== undefined && { body: c.request.body }),
    },
  ];
}

const startApp = (app: string): Promise<UvicornServer> =>
  startUvicorn({ appDir: join(ROOT, app), timeoutMs: 20_000 });
/** Each fixture app runs once for the whole file, with the proxy in front of it. */
interface Watched {
  server: UvicornServer;
  watch: WatchServer;
}
const running = new Map<string, Promise<Watched>>();
const watchedApp = (app: string): Promise<Watched> => {
  let started = running.get(app);
  if (!started) {
    started = startApp(app).then(async (server) => ({ server, watch: await watchOf(server.url) }));
    running.set(app, started);
  }
  return started;
};
afterAll(async () => {
  for (const started of running.values()) {
    const { server, watch } = await started;
    await watch.close();
    await server.stop();
  }
});

/**
 * A connection from the page, kept alive and left idle from the start of the file to its end (past Node's
 * 5 s default keep-alive, which closed it and reset a request a busy client sent on it at that moment).
 */
const IDLE_MS = 6_000;
let idle: { socket: Socket; answers: string[]; closed: boolean; since: number; host: string } | undefined;
const idleRequest = () =>
  `GET /items HTTP/1.1\r\nHost: ${idle?.host}\r\nOrigin: http://localhost:3000\r\nConnection: keep-alive\r\n\r\n`;
/** Resolves once the idle connection has `n` answers (status lines counted), rejects if it closes first. */
const answersOnIdle = (n: number) =>
  new Promise<void>((resolve, reject) => {
    const state = idle as NonNullable<typeof idle>;
    const check = () => {
      if ((state.answers.join('').match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= n) resolve();
      else if (state.closed)
        reject(new Error(`the proxy closed the idle connection: ${state.answers.join('')}`));
      else return;
      state.socket.off('data', check).off('close', check);
    };
    state.socket.on('data', check).on('close', check);
    check();
  });
beforeAll(async () => {
  if (noFastapi) return;
  const { watch } = await watchedApp('examples/correct');
  const host = new URL(watch.url).host;
  const socket = connect(Number(new URL(watch.url).port), '127.0.0.1');
  idle = { socket, answers: [], closed: false, since: 0, host };
  const state = idle;
  socket.on('data', (d: Buffer) => state.answers.push(d.toString('latin1')));
  socket.on('close', () => {
    state.closed = true;
  });
  socket.write(idleRequest());
  await answersOnIdle(1);
  idle.since = Date.now();
});
afterAll(() => idle?.socket.destroy());

describe.skipIf(noFastapi !== undefined)('watch passes every answer through unchanged', () => {
  // A second instance of the app, in the same state, is asked directly (a POST changes what the next answer
  // says); it stops once compared.
  it.each(APPS)('%s: status, header lines in order and body equal the direct answers', async (app) => {
    const [direct, { watch }] = await Promise.all([startApp(app), watchedApp(app)]);
    try {
      const proxyHost = new URL(watch.url).host;
      for (const c of casesOf(app)) {
        for (const r of browserRequests(c, proxyHost)) {
          const expected = await send(`${direct.url}${c.request.path}`, r.method, r.lines, r.body);
          const proxied = await send(`${watch.url}${c.request.path}`, r.method, r.lines, r.body);
          expect(proxied, `${c.title}: ${r.method}`).toEqual(expected);
        }
      }
    } finally {
      await direct.stop();
    }
  });
});

for (const name of ['chrome', 'firefox'] as const) {
  const unavailable = noFastapi ?? (await browserUnavailableReason(name));
  if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and ${name}: ${unavailable}`);

  describe.skipIf(unavailable !== undefined)(`watch agrees with real ${name} on every fixture app`, () => {
    // One browser, one page per page origin, and (Chromium) one tab for the proxy's own pages, for every app.
    let browser: LaunchedBrowser;
    const pages = new Map<string, ObservationPage>();
    let viewer: Page | undefined;
    const shots = mkdtempSync(join(tmpdir(), 'cors-doctor-watch-shots-'));
    beforeAll(async () => {
      // Cookies for the API travel on cross-site requests, as in desktop browsers (the cookie rows).
      browser = await launchBrowser(name, { thirdPartyCookies: true, allowLocalNetworkAccess: true });
      if (name === 'chrome') viewer = await browser.browser.newPage();
    });
    afterAll(async () => {
      for (const page of pages.values()) await page.close();
      await viewer?.close().catch(() => undefined);
      await browser?.close();
    });
    const pageAt = async (origin: string): Promise<ObservationPage> => {
      let page = pages.get(origin);
      if (!page) {
        page = await openObservationPage(browser, `${origin}/`, { servePage: true });
        pages.set(origin, page);
      }
      return page;
    };

    it.each(APPS)('%s', async (app) => {
      const { watch } = await watchedApp(app);
      let lastId = Math.max(0, ...watch.book.list().map((e) => e.id));
      for (const c of casesOf(app)) {
        const page = await pageAt(c.origin);
        const headers = Object.entries(c.request.headers ?? {});
        const credentials = c.request.credentials ?? 'same-origin';
        const url = `${watch.url}${c.request.path}`;
        // The session cookie the API set for the page earlier, as `verify --cookie` sets it.
        const cookies = apiCookies(
          {
            url,
            origin: c.origin,
            method: c.request.method,
            headers,
            credentials,
            ...(c.request.cookie !== undefined && { cookie: c.request.cookie }),
          },
          name,
        );
        if (cookies.length > 0) await browser.browser.setCookie(...cookies);
        const real = await page.observe({
          url,
          method: c.request.method,
          headers,
          credentials,
          ...(c.request.body !== undefined && { body: c.request.body }),
        });
        if (cookies.length > 0) await browser.browser.deleteCookie(...(await browser.browser.cookies()));
        const newer = await settledAfter(watch, lastId);
        lastId = Math.max(...newer.map((e) => e.id));
        // Every exchange appears once: the preflight and its request are one entry.
        expect(
          newer.filter((e) => e.crossOrigin),
          c.title,
        ).toHaveLength(1);
        const entry = newer.find((e) => e.crossOrigin) as WatchEntry;
        expect(entry.browser).toBe(name);
        expect(`${entry.method} ${entry.path}`).toBe(`${c.request.method} ${c.request.path}`);
        if (c.request.cookie !== undefined) expect(entry.credentials, 'the cookie was sent').toBe('include');
        // Without a cookie the proxy cannot tell the credentials mode: the entry says what `include` does.
        const shown =
          c.request.credentials === 'include' && entry.withCredentials ? entry.withCredentials : entry;
        expect(shown.outcome, c.title).toBe(real.outcome);
        expect(shown.messages[0], c.title).toBe(real.messages[0]);
      }
      if (viewer) {
        // Every entry settled (an earlier one may wait for a redirect's next hop until its window ends).
        await settledAfter(watch, 0);
        // A tab behind the others paints no frame, and a screenshot of it waits for one.
        await viewer.bringToFront();
        await checkLivePage(viewer, watch, join(shots, `${app.replace(/\W+/g, '-')}.png`));
        await checkReportPage(viewer, watch);
      }
    });
  });
}

/** What a page of the proxy asked the network for, and the lines its console printed, while `load` ran. */
async function watching(
  page: Page,
  load: () => Promise<unknown>,
): Promise<{ requested: string[]; printed: string[] }> {
  const requested: string[] = [];
  const printed: string[] = [];
  const onRequest = (r: HTTPRequest) => requested.push(r.url());
  const onConsole = (m: ConsoleMessage) => printed.push(`${m.type()}: ${m.text()}`);
  page.on('request', onRequest);
  page.on('console', onConsole);
  try {
    await load();
  } finally {
    page.off('request', onRequest);
    page.off('console', onConsole);
  }
  return { requested, printed };
}

/** The live page in Chromium: every entry rendered with its verdict and console line, nothing from the network. */
async function checkLivePage(page: Page, watch: WatchServer, file: string): Promise<void> {
  const entries = await exchangesJson(watch);
  const { requested, printed } = await watching(page, async () => {
    await page.goto(`${watch.url}/__cors-doctor/`, { waitUntil: 'load' });
    await page.waitForFunction(
      (n) => document.querySelectorAll('li.entry').length === n,
      { timeout: 5_000 },
      entries.length,
    );
  });
  const shown = await page.$$eval('li.entry', (items) =>
    items.map((li) => ({
      id: Number(li.id.slice(6)),
      outcome: li.getAttribute('data-outcome'),
      verdict: li.querySelector('.verdict')?.textContent,
      console: [...li.querySelectorAll('pre.console')].map((p) => p.textContent),
    })),
  );
  for (const e of entries) {
    const item = shown.find((s) => s.id === e.id);
    expect(item?.outcome).toBe(e.outcome ?? 'none');
    if (e.outcome === 'blocked') {
      expect(item?.verdict).toBe('BLOCKED');
      expect(item?.console[0]).toBe(e.messages[0]);
    }
  }
  expect(await page.$eval('a#report', (a) => (a as HTMLAnchorElement).href)).toBe(
    `${watch.url}/__cors-doctor/report.html`,
  );
  await page.screenshot({ path: file, fullPage: true });
  expect(statSync(file).size).toBeGreaterThan(5_000);
  // The page and its event stream, from the proxy itself.
  expect(requested.every((u) => u.startsWith(`${watch.url}/__cors-doctor/`))).toBe(true);
  expect(printed).toEqual([]);
}

/**
 * `report.html` in Chromium: one self-contained page that loads nothing (only the document is requested, and
 * no load is refused by its Content-Security-Policy either), with a row per entry of `exchanges.json` (same
 * number, request, status and verdict) and each blocked entry in full with the browser's first console line.
 */
async function checkReportPage(page: Page, watch: WatchServer): Promise<void> {
  const entries = await exchangesJson(watch);
  const url = `${watch.url}/__cors-doctor/report.html`;
  let status: number | undefined;
  let policy: string | undefined;
  const { requested, printed } = await watching(page, async () => {
    const answer = await page.goto(url, { waitUntil: 'load' });
    status = answer?.status();
    policy = answer?.headers()['content-security-policy'];
  });
  expect(status).toBe(200);
  expect(policy).toBe("default-src 'none'; style-src 'unsafe-inline'");
  expect(requested).toEqual([url]);
  expect(printed).toEqual([]);
  // The first table lists the entries; the blocked ones' own sections hold tables of headers.
  const rows = await page.$eval('table', (table) =>
    [...table.querySelectorAll('tbody > tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
    ),
  );
  expect(rows.map((r) => Number(r[0]))).toEqual(entries.map((e) => e.id));
  entries.forEach((e, i) => {
    const [, time, , request, status, verdict, causes] = rows[i] as string[];
    expect(time).toBe(e.time);
    expect(request?.startsWith(`${e.method} ${e.path}`)).toBe(true);
    expect(status?.startsWith(String(e.status ?? '—'))).toBe(true);
    if (e.crossOrigin && e.outcome === 'blocked') expect(verdict).toMatch(/✗/);
    if (e.crossOrigin && e.outcome === 'allowed') expect(verdict).toMatch(/✓/);
    expect(causes).toBe(e.causes.map((c) => c.code).join(', '));
  });
  const blocked = entries.filter((e) => e.crossOrigin && e.outcome === 'blocked');
  const sections = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent ?? ''));
  expect(sections.filter((h) => h.startsWith('✗ #'))).toEqual(
    blocked.map((e) => `✗ #${e.id} blocked: ${e.method} ${e.url}`),
  );
  const text = await page.$eval('main', (m) => m.textContent ?? '');
  for (const e of blocked) for (const line of e.messages.slice(0, 1)) expect(text).toContain(line);
}

describe.skipIf(noFastapi !== undefined)('watch keeps the page’s connections open', () => {
  it('a connection idle for longer than Node’s 5 s default still carries the next request', async () => {
    const state = idle as NonNullable<typeof idle>;
    // The rest of the file ran meanwhile; only what is left of the idle time is waited for.
    const left = state.since + IDLE_MS - Date.now();
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    // A file that ran longer than the proxy keeps a connection idle has seen it closed, as it should.
    if (Date.now() - state.since >= CLIENT_KEEP_ALIVE_MS) {
      expect(state.closed).toBe(true);
      return;
    }
    expect(state.closed).toBe(false);
    state.socket.write(idleRequest());
    await answersOnIdle(2);
    expect(state.answers.join('').match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
  });
});
