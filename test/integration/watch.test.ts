import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { startWatch, type WatchServer } from '../../src/watch/server.js';
import { sourceJoiner } from '../../src/watch/source.js';
import { FASTAPI_CASES, type FastapiCase } from '../fixtures/fastapi/cases.js';
import { runCli } from '../support/run-cli.js';

/**
 * `watch` in front of the real FastAPI fixture apps (uvicorn): the answers pass through unchanged (compared
 * with the app's direct answers, line by line), and each entry's verdict and first console line are those
 * real Chromium and Firefox print for a page that calls the API through the proxy.
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

/** The entries after `afterId`, once none of them waits for a request. */
async function settledAfter(watch: WatchServer, afterId: number): Promise<WatchEntry[]> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const newer = (await exchangesJson(watch)).filter((e) => e.id > afterId);
    if (newer.length > 0 && newer.every((e) => e.outcome !== 'pending')) return newer;
    if (Date.now() > deadline)
      throw new Error(`no settled entry after #${afterId}: ${JSON.stringify(newer)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
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

describe.skipIf(noFastapi !== undefined)('watch passes every answer through unchanged', () => {
  // Two instances of the app, in the same state: one asked directly, one through the proxy (a POST changes
  // what the next answer says).
  it.each(APPS)('%s: status, header lines in order and body equal the direct answers', async (app) => {
    const direct = await startApp(app);
    const behind = await startApp(app);
    const watch = await watchOf(behind.url);
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
      await watch.close();
      await Promise.all([direct.stop(), behind.stop()]);
    }
  });
});

for (const name of ['chrome', 'firefox'] as const) {
  const unavailable = noFastapi ?? (await browserUnavailableReason(name));
  if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and ${name}: ${unavailable}`);

  describe.skipIf(unavailable !== undefined)(`watch agrees with real ${name} on every fixture app`, () => {
    let browser: LaunchedBrowser;
    const shots = mkdtempSync(join(tmpdir(), 'cors-doctor-watch-shots-'));
    beforeAll(async () => {
      // Cookies for the API travel on cross-site requests, as in desktop browsers (the cookie rows).
      browser = await launchBrowser(name, { thirdPartyCookies: true, allowLocalNetworkAccess: true });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it.each(APPS)('%s', async (app) => {
      const server = await startApp(app);
      const watch = await watchOf(server.url);
      const pages = new Map<string, ObservationPage>();
      try {
        let lastId = 0;
        for (const c of casesOf(app)) {
          let page = pages.get(c.origin);
          if (!page) {
            page = await openObservationPage(browser, `${c.origin}/`, { servePage: true });
            pages.set(c.origin, page);
          }
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
          if (c.request.cookie !== undefined)
            expect(entry.credentials, 'the cookie was sent').toBe('include');
          // Without a cookie the proxy cannot tell the credentials mode: the entry says what `include` does.
          const shown =
            c.request.credentials === 'include' && entry.withCredentials ? entry.withCredentials : entry;
          expect(shown.outcome, c.title).toBe(real.outcome);
          expect(shown.messages[0], c.title).toBe(real.messages[0]);
        }
        if (name === 'chrome')
          await screenshotLivePage(browser, watch, join(shots, `${app.replace(/\W+/g, '-')}.png`));
      } finally {
        for (const page of pages.values()) await page.close();
        await watch.close();
        await server.stop();
      }
    });
  });
}

/** Opens the live page in Chromium: every entry rendered with its verdict and console line, nothing from the network. */
async function screenshotLivePage(
  launched: LaunchedBrowser,
  watch: WatchServer,
  file: string,
): Promise<void> {
  const entries = await exchangesJson(watch);
  const page = await launched.browser.newPage();
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  try {
    await page.goto(`${watch.url}/__cors-doctor/`, { waitUntil: 'load' });
    await page.waitForFunction(
      (n) => document.querySelectorAll('li.entry').length === n,
      { timeout: 5_000 },
      entries.length,
    );
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
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(5_000);
    expect(requested.every((u) => u.startsWith(watch.url))).toBe(true);
  } finally {
    await page.close();
  }
}

describe.skipIf(noFastapi !== undefined)('watch: the live data, the proxy limits and bad input', () => {
  let server: UvicornServer;
  let watch: WatchServer;
  beforeAll(async () => {
    server = await startApp('examples/auth-wraps-cors');
    watch = await watchOf(server.url, { maxExchanges: 4 });
  });
  afterAll(async () => {
    await watch?.close();
    await server?.stop();
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
  ])('bad option $args: one line, exit 2', async ({ args, says }) => {
    const { code, stderr } = await runCli(['watch', ...args]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(says);
  });

  it('Ctrl-C (SIGINT) stops the bundled CLI cleanly with exit 0', async () => {
    const bin = join(ROOT, 'bin/cors-doctor.cjs');
    expect(existsSync(join(ROOT, 'dist/cli/watch.cjs')), 'run npm run build').toBe(true);
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [bin, 'watch', '--target', 'http://127.0.0.1:9', '--port', String(port)],
      {
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 15_000;
    while (!stderr.includes('Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const answer = await send(`http://127.0.0.1:${port}/items`, 'GET', ['Host', `127.0.0.1:${port}`]);
    expect(answer.status).toBe(502);
    while (!stdout.includes('GET /items') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/GET \/items 502/);
    expect(stderr).toContain('stopped');
  });
});
