import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleMessage, HTTPRequest, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, type LaunchedBrowser, launchBrowser } from '../../src/browsers/launch.js';
import { type ObservationPage, openObservationPage } from '../../src/browsers/observe.js';
import { apiCookies } from '../../src/browsers/verify.js';
import {
  fastapiAvailable,
  freePort,
  startUvicorn,
  type UvicornServer,
} from '../../src/local-servers/uvicorn.js';
import { readProject } from '../../src/project/read-project.js';
import type { WatchEntry } from '../../src/watch/entry.js';
import { CLIENT_KEEP_ALIVE_MS, startWatch, type WatchServer } from '../../src/watch/server.js';
import { sourceJoiner } from '../../src/watch/source.js';
import { FASTAPI_CASES, type FastapiCase } from '../fixtures/fastapi/cases.js';
import { runCli } from '../support/run-cli.js';

/**
 * `watch` in front of the real FastAPI fixture apps (uvicorn): the answers pass through unchanged (compared
 * with the app's direct answers, line by line), and each entry's verdict and first console line are those
 * real Chromium and Firefox print for a page that calls the API through the proxy; in Chromium, the live page
 * and report.html show the entries of exchanges.json and load nothing from the network. Each app runs once,
 * with its proxy, for the whole file; each browser is launched once and keeps one page per page origin.
 */
const ROOT = join(import.meta.dirname, '../..');
const inCI = process.env.CI === 'true';
const noFastapi = await fastapiAvailable();
if (noFastapi && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${noFastapi}`);

const CASES = FASTAPI_CASES;
const APPS = [...new Set(CASES.map((c) => c.app))];
const casesOf = (app: string) => CASES.filter((c) => c.app === app);

interface RawAnswer {
  status: number;
  statusMessage: string;
  /** Raw header lines, `date` values blanked (the clock moves between two requests). */
  lines: string[];
  body: string;
}

/** One request on its own connection, header lines sent as given; the answer as raw lines. */
function send(url: string, method: string, lines: string[], body?: string): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method,
        headers: lines as unknown as Record<string, string>,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = res.rawHeaders.map((v, i, all) =>
            i % 2 === 1 && /^date$/i.test(all[i - 1] ?? '') ? '<date>' : v,
          );
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            lines: raw,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

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

const exchangesJson = async (watch: WatchServer): Promise<WatchEntry[]> => {
  const answer = await send(`${watch.url}/__cors-doctor/exchanges.json`, 'GET', [
    'Host',
    new URL(watch.url).host,
  ]);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as WatchEntry[];
};

/**
 * The entries after `afterId` as `exchanges.json` serves them, once there is one and none of them waits for
 * a request (woken by the book's events, not by polling).
 */
async function settledAfter(watch: WatchServer, afterId: number): Promise<WatchEntry[]> {
  const settled = () => {
    const newer = watch.book.list().filter((e) => e.id > afterId);
    return newer.length > 0 && newer.every((e) => e.outcome !== 'pending');
  };
  if (!settled())
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no settled entry after #${afterId}: ${JSON.stringify(watch.book.list())}`));
      }, 8_000);
      const stop = watch.book.subscribe(() => {
        if (!settled()) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  return (await exchangesJson(watch)).filter((e) => e.id > afterId);
}

const startApp = (app: string): Promise<UvicornServer> =>
  startUvicorn({ appDir: join(ROOT, app), timeoutMs: 20_000 });
const watchOf = (target: string, extra: Partial<Parameters<typeof startWatch>[0]> = {}) =>
  startWatch({
    target: new URL(target),
    port: 0,
    host: '127.0.0.1',
    maxExchanges: 500,
    showSecrets: false,
    ...extra,
  });

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

describe.skipIf(noFastapi !== undefined)('watch: the live data, the proxy limits and bad input', () => {
  let server: UvicornServer;
  let watch: WatchServer;
  beforeAll(async () => {
    server = (await watchedApp('examples/auth-wraps-cors')).server;
    watch = await watchOf(server.url, { maxExchanges: 4 });
  });
  afterAll(async () => {
    await watch?.close();
  });
  const host = () => new URL(watch.url).host;
  const chrome =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36';

  it('exchanges.json: a blocked preflight is one entry, with the contract fields, secrets masked', async () => {
    const before = Math.max(0, ...(await exchangesJson(watch)).map((e) => e.id));
    const origin = 'http://localhost:3000';
    const answer = await send(`${watch.url}/me`, 'OPTIONS', [
      'Host',
      host(),
      'Origin',
      origin,
      'User-Agent',
      chrome,
      'Access-Control-Request-Method',
      'GET',
      'Access-Control-Request-Headers',
      'authorization',
    ]);
    expect(answer.status).toBe(401);
    const [entry] = await settledAfter(watch, before);
    expect(entry).toMatchObject({
      browser: 'chrome',
      origin,
      method: 'GET',
      url: `${watch.url}/me`,
      actual: null,
      outcome: 'blocked',
      stage: 'preflight',
      status: 401,
      causes: [{ code: 'preflight-rejected' }],
    });
    expect(typeof entry?.id).toBe('number');
    expect(Number.isNaN(Date.parse(entry?.time ?? ''))).toBe(false);
    expect(entry?.preflight?.request.method).toBe('OPTIONS');
    expect(entry?.preflight?.response?.status).toBe(401);
    expect(entry?.messages[0]).toContain(`Access to fetch at '${watch.url}/me' from origin '${origin}'`);
    expect(entry?.causes[0]?.fix?.summary).toBeTruthy();

    const secret = 'Bearer s3cr3t-t0ken-value';
    await send(`${watch.url}/me`, 'GET', [
      'Host',
      host(),
      'Origin',
      origin,
      'User-Agent',
      chrome,
      'Authorization',
      secret,
    ]);
    const text = JSON.stringify(await settledAfter(watch, entry?.id ?? 0));
    expect(text).not.toContain('s3cr3t');
    expect(text).toContain('Bearer ***');
  });

  it('the event stream brings each entry as it arrives; a browser the User-Agent does not name is judged as both', async () => {
    const events = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
      httpRequest(`${watch.url}/__cors-doctor/events`, { agent: false }, resolve).on('error', reject).end(),
    );
    expect(events.headers['content-type']).toContain('text/event-stream');
    let text = '';
    events.on('data', (d: Buffer) => {
      text += d.toString();
    });
    await send(`${watch.url}/health`, 'GET', [
      'Host',
      host(),
      'Origin',
      'http://localhost:3000',
      'User-Agent',
      'curl/8.5.0',
    ]);
    const deadline = Date.now() + 5_000;
    while (!/event: entry\n/.test(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    events.destroy();
    expect(text.startsWith('retry: 1000\nevent: snapshot\n')).toBe(true);
    const data = /event: entry\ndata: (.*)\n/.exec(text)?.[1] ?? '{}';
    const entry = JSON.parse(data) as WatchEntry;
    expect(entry).toMatchObject({ browser: 'unknown', path: '/health', outcome: 'allowed', status: 200 });
    expect(Object.keys(entry.browsers).sort()).toEqual(['chrome', 'firefox']);
  });

  it('keeps the last --max-exchanges entries, bodies cut to an excerpt', async () => {
    const big = `{"name":"${'x'.repeat(10_000)}","price":1}`;
    for (let i = 0; i < 6; i++)
      await send(
        `${watch.url}/items`,
        'POST',
        ['Host', host(), 'Content-Type', 'text/plain', 'Content-Length', String(big.length)],
        big,
      );
    const entries = await exchangesJson(watch);
    expect(entries).toHaveLength(4);
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => a - b));
    for (const e of entries)
      expect(Buffer.byteLength(e.actual?.request.body ?? '')).toBeLessThanOrEqual(2048);
  });

  it.each([
    {
      title: 'absolute-form request to another host',
      raw: 'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n',
      status: 403,
    },
    {
      title: 'CONNECT to another host',
      raw: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      status: 403,
    },
    {
      title: 'the live data asked under another host name (DNS rebinding)',
      raw: 'GET /__cors-doctor/exchanges.json HTTP/1.1\r\nHost: attacker.example:80\r\n\r\n',
      status: 403,
    },
    {
      title: 'absolute-form request to the target itself passes',
      raw: 'GET TARGET/health HTTP/1.1\r\nHost: HOST\r\n\r\n',
      status: 200,
    },
  ])('not an open proxy: $title → $status', async ({ raw, status }) => {
    const text = raw.replace('TARGET', server.url).replace('HOST', host());
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(watch.url).port), '127.0.0.1', () => socket.write(text));
      let got = '';
      socket.on('data', (d) => {
        got += d.toString('latin1');
        if (/\r\n\r\n/.test(got)) {
          socket.destroy();
          resolve(got);
        }
      });
      socket.on('error', reject);
    });
    expect(answer.split(' ')[1]).toBe(String(status));
    if (status === 403) expect(answer).toContain('\r\n\r\n');
  });

  it('--project: the cause names the line of the backend to change', async () => {
    const project = await readProject(join(ROOT, 'examples/auth-wraps-cors'));
    const joined = await watchOf(server.url, { enrich: sourceJoiner(project, new URL(server.url)) });
    try {
      await send(`${joined.url}/me`, 'OPTIONS', [
        'Host',
        new URL(joined.url).host,
        'Origin',
        'http://localhost:3000',
        'User-Agent',
        chrome,
        'Access-Control-Request-Method',
        'GET',
        'Access-Control-Request-Headers',
        'authorization',
      ]);
      const [entry] = await settledAfter(joined, 0);
      const cause = entry?.causes.find((c) => c.code === 'preflight-rejected');
      expect(cause?.locations[0]?.file).toBe('main.py');
      expect(cause?.confirmedBy).toBeTruthy();
    } finally {
      await joined.close();
    }
  });
});

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

describe('watch: a target that does not answer, a port in use, Ctrl-C', () => {
  it('an unreachable target: the page gets 502, the entry says why, the proxy keeps running', async () => {
    const port = await freePort();
    const watch = await watchOf(`http://127.0.0.1:${port}`);
    try {
      const lines = [
        'Host',
        new URL(watch.url).host,
        'Origin',
        'http://localhost:3000',
        'User-Agent',
        'Mozilla/5.0 Firefox/128.0',
      ];
      const first = await send(`${watch.url}/items`, 'GET', lines);
      expect(first.status).toBe(502);
      expect(first.body).toContain('did not answer');
      const [entry] = await settledAfter(watch, 0);
      expect(entry).toMatchObject({
        status: 502,
        outcome: 'blocked',
        browser: 'firefox',
        targetError: { code: 'ECONNREFUSED' },
      });
      expect(entry?.causes[0]?.code).toBe('server-unreachable');
      expect((await send(`${watch.url}/items`, 'GET', lines)).status).toBe(502);
      expect(await exchangesJson(watch)).toHaveLength(2);
    } finally {
      await watch.close();
    }
  });

  it('a port in use: one line, exit 2', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const { code, stderr } = await runCli([
        'watch',
        '--target',
        'http://127.0.0.1:9',
        '--port',
        String(port),
      ]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([
        `cors-doctor: port ${port} is in use on 127.0.0.1: stop what listens there, or pick another with --port`,
      ]);
    } finally {
      busy.close();
    }
  });

  it.each([
    { args: ['--target', 'localhost:8000'], says: '--target must be an http:// or https:// URL' },
    { args: ['--target', 'http://127.0.0.1:9', '--port', '70000'], says: '--port is a whole number' },
    {
      args: ['--target', 'http://127.0.0.1:9', '--max-exchanges', '0'],
      says: '--max-exchanges is a whole number',
    },
    {
      args: ['--target', 'http://127.0.0.1:9', '--format', 'json'],
      says: '--format of watch is text or html',
    },
  ])('bad option $args: one line, exit 2', async ({ args, says }) => {
    const { code, stderr } = await runCli(['watch', ...args]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(says);
  });

  it.each([
    { format: 'text', lines: 'stdout' },
    { format: 'html', lines: 'stderr' },
  ] as const)(
    'Ctrl-C (SIGINT) stops the bundled CLI cleanly with exit 0 (--format $format)',
    async ({ format, lines }) => {
      const bin = join(ROOT, 'bin/cors-doctor.cjs');
      expect(existsSync(join(ROOT, 'dist/cli/watch.cjs')), 'run npm run build').toBe(true);
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [bin, 'watch', '--target', 'http://127.0.0.1:9', '--port', String(port), '--format', format],
        { env: { ...process.env, NO_COLOR: '1' } },
      );
      const said = { stdout: '', stderr: '' };
      /** Resolves once `stream` has printed `text` (woken by its output). */
      const printed = (stream: 'stdout' | 'stderr', text: string) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (said[stream].includes(text)) resolve();
            else if (child.exitCode !== null)
              reject(new Error(`exited before printing ${text}: ${said.stderr}`));
            else return;
            child[stream].off('data', check);
          };
          child[stream].on('data', check);
          check();
        });
      child.stdout.on('data', (d) => {
        said.stdout += d;
      });
      child.stderr.on('data', (d) => {
        said.stderr += d;
      });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await printed('stderr', 'Ctrl-C');
      expect(said.stderr).toContain(`http://127.0.0.1:${port}/__cors-doctor/report.html`);
      const answer = await send(`http://127.0.0.1:${port}/items`, 'GET', ['Host', `127.0.0.1:${port}`]);
      expect(answer.status).toBe(502);
      await printed(lines, 'GET /items');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(said[lines]).toMatch(/GET \/items 502/);
      expect(said.stderr).toContain('stopped');
      if (format === 'html') {
        // The entries kept, as report.html serves them: one page on stdout, nothing else there.
        expect(said.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
        expect(said.stdout.trimEnd().endsWith('</html>')).toBe(true);
        expect(said.stdout).toContain('<code>GET /items</code>');
        expect(said.stdout).toContain('502 (target unreachable:');
      }
    },
  );
});
