// check --from against real FastAPI apps under uvicorn, with copies made by Chromium's own DevTools: each
// fixture request is run by a page in real Chromium, and the DevTools frontend that Chromium serves (the
// Network panel's NetworkLogView.generateCurlCommand and generateFetchCall, the code behind "Copy as cURL
// (bash)", "Copy as cURL (cmd)", "Copy as fetch" and "Copy as fetch (Node.js)") writes the copies of the
// request it recorded. `check --from` on each copy must name the same outcome per browser and the same
// causes as `check` with the equivalent flags. Where a copy cannot tell the credentials mode or the cookie
// values, the note must say which flag to add, and with that flag the verdict must be the same.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, type LaunchedBrowser, launchBrowser } from '../../src/browsers/launch.js';
import { parseCopyAs } from '../../src/evidence/copy-as/index.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import { FASTAPI_CASES, type FastapiCase } from '../fixtures/fastapi/cases.js';
import { runCli } from '../support/run-cli.js';
import { type FirefoxRequest, loadFirefoxCopyAs } from '../unit/copy-as/firefox-devtools.js';

const inCI = process.env.CI === 'true';
const unavailable = (await fastapiAvailable()) ?? (await browserUnavailableReason('chrome'));
if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and Chromium: ${unavailable}`);

type Server = Awaited<ReturnType<typeof startUvicorn>>;
const FORMATS = ['curl-bash', 'curl-cmd', 'fetch', 'fetch-node'] as const;
type Format = (typeof FORMATS)[number];

interface Recorded {
  /** What the page's fetch() did in Chromium. */
  real: 'allowed' | 'blocked';
  copies: Record<Format, string>;
  /** `check --json` with the equivalent flags. */
  expected: Verdict;
}

interface Verdict {
  chrome: string | undefined;
  firefox: string | undefined;
  causes: string[];
}

function verdictOf(json: string): Verdict & { notes: string[] } {
  const report = JSON.parse(json) as {
    browsers: Record<string, { outcome: string } | undefined>;
    causes: Array<{ code: string; severity: string }>;
    notes: string[];
  };
  return {
    chrome: report.browsers.chrome?.outcome,
    firefox: report.browsers.firefox?.outcome,
    causes: report.causes
      .filter((c) => c.severity === 'error')
      .map((c) => c.code)
      .sort(),
    notes: report.notes,
  };
}

/** The cases' request URL: a cookie is sent only to the page's own site, so cookie cases use localhost. */
const urlOf = (c: FastapiCase, server: Server): string =>
  `${c.request.cookie !== undefined ? server.url.replace('127.0.0.1', 'localhost') : server.url}${c.request.path}`;

/** The flags of `check` for the case's fetch(). */
function flagsOf(c: FastapiCase, url: string): string[] {
  return [
    url,
    '--origin',
    c.origin,
    '-X',
    c.request.method,
    ...Object.entries(c.request.headers ?? {}).flatMap(([n, v]) => ['-H', `${n}: ${v}`]),
    ...(c.request.body !== undefined ? ['--data', c.request.body] : []),
    '--credentials',
    c.request.credentials ?? 'same-origin',
    ...(c.request.cookie !== undefined ? ['--cookie', c.request.cookie] : []),
  ];
}

/** A page at `origin`, served by request interception (every other request goes to the network). */
async function openPage(launched: LaunchedBrowser, origin: string): Promise<Page> {
  const page = await launched.browser.newPage();
  const pageUrl = `${origin}/`;
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.isInterceptResolutionHandled()) return;
    if (request.isNavigationRequest() && request.url() === pageUrl) {
      void request.respond({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>page</title>',
      });
    } else void request.continue();
  });
  await page.goto(pageUrl, { waitUntil: 'load' });
  return page;
}

/** A page at `origin` (served by request interception) and a DevTools frontend attached to it. */
async function openInspectedPage(
  launched: LaunchedBrowser,
  origin: string,
): Promise<{ page: Page; tools: Page }> {
  const { browser } = launched;
  const page = await openPage(launched, origin);
  const session = await page.createCDPSession();
  const { targetInfo } = await session.send('Target.getTargetInfo');
  await session.detach();
  const host = new URL(browser.wsEndpoint()).host;
  const tools = await browser.newPage();
  // Chromium serves its DevTools frontend on the debugging port; ws= attaches it to the page.
  await tools.goto(`http://${host}/devtools/inspector.html?ws=${host}/devtools/page/${targetInfo.targetId}`, {
    waitUntil: 'load',
  });
  const deadline = Date.now() + 20_000;
  // Strings, not functions: the frontend's modules are imported in the page, not by the test's bundler.
  while (
    (await tools.evaluate(`(async () => {
      const SDK = await import('/devtools/core/sdk/sdk.js');
      return Boolean(SDK.TargetManager.TargetManager.instance().primaryPageTarget());
    })()`)) !== true
  ) {
    if (Date.now() > deadline) throw new Error('the DevTools frontend did not attach to the page');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { page, tools };
}

/** The case's fetch() run by the page: whether the page could read the answer. */
async function runFetch(page: Page, c: FastapiCase, url: string): Promise<'allowed' | 'blocked'> {
  return page.evaluate(
    async (input) => {
      try {
        await fetch(input.url, input.init as RequestInit);
        return 'allowed' as const;
      } catch {
        return 'blocked' as const;
      }
    },
    {
      url,
      init: {
        method: c.request.method,
        headers: c.request.headers ?? {},
        credentials: c.request.credentials ?? 'same-origin',
        mode: 'cors',
        ...(c.request.body !== undefined && { body: c.request.body }),
      },
    },
  );
}

/** Runs the case's fetch() in the page; then DevTools' own copy-as code writes the request it recorded. */
async function runAndCopy(
  inspected: { page: Page; tools: Page },
  c: FastapiCase,
  url: string,
): Promise<Pick<Recorded, 'real' | 'copies'>> {
  const { page, tools } = inspected;
  if (c.request.cookie !== undefined) {
    const session = await page.createCDPSession();
    for (const pair of c.request.cookie.split(/;\s*/)) {
      const [name, value] = pair.split('=') as [string, string];
      await session.send('Network.setCookie', { name, value, url: new URL(url).origin });
    }
    await session.detach();
  }
  const real = await runFetch(page, c, url);
  const copies = (await tools.evaluate(`(async (url, method) => {
    const Logs = await import('/devtools/models/logs/logs.js');
    const Network = await import('/devtools/panels/network/network.js');
    const deadline = Date.now() + 5000;
    let request;
    for (;;) {
      request = Logs.NetworkLog.NetworkLog.instance().requests()
        .filter((r) => r.url() === url && r.requestMethod === method).at(-1);
      if ((request && request.finished) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!request) throw new Error('DevTools recorded no ' + method + ' ' + url);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const View = Network.NetworkLogView.NetworkLogView;
    return {
      'curl-bash': await View.generateCurlCommand(request, 'linux'),
      'curl-cmd': await View.generateCurlCommand(request, 'win'),
      fetch: await View.prototype.generateFetchCall.call(null, request, 0),
      'fetch-node': await View.prototype.generateFetchCall.call(null, request, 1),
    };
  })(${JSON.stringify(url)}, ${JSON.stringify(c.request.method)})`)) as Record<Format, string>;
  return { real, copies };
}

/**
 * The flags a copy needs beside it, from what it could not tell (each one named by a note of the copy), or
 * none when the copy holds the whole request.
 */
function flagsTheNotesAskFor(c: FastapiCase, text: string): { flags: string[]; notes: RegExp[] } {
  const copy = parseCopyAs(text);
  const caseIncludes = c.request.credentials === 'include';
  const copyIncludes = copy.credentials === 'include';
  if (caseIncludes && !copyIncludes) {
    return {
      flags: [
        '--credentials',
        'include',
        ...(c.request.cookie !== undefined ? ['--cookie', c.request.cookie] : []),
      ],
      notes: [/add --credentials include/],
    };
  }
  if (!caseIncludes && copyIncludes) {
    return {
      flags: ['--credentials', c.request.credentials ?? 'same-origin'],
      notes: [/add --credentials same-origin/],
    };
  }
  if (c.request.cookie !== undefined && copy.cookie === undefined) {
    return { flags: ['--cookie', c.request.cookie], notes: [/add --cookie/] };
  }
  return { flags: [], notes: [] };
}

const CASES = FASTAPI_CASES.map((c, index) => ({ ...c, index, label: `${c.app}: ${c.title}` }));

describe.skipIf(unavailable !== undefined)(
  `check --from with copies made by Chromium's DevTools${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const servers = new Map<string, Server>();
    const recorded = new Map<number, Recorded>();
    let launched: LaunchedBrowser | undefined;
    let folder = '';

    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'cors-doctor-copy-as-'));
      for (const app of new Set(CASES.map((c) => c.app)))
        servers.set(app, await startUvicorn({ appDir: app, timeoutMs: 20_000 }));
      launched = await launchBrowser('chrome');
      const pages = new Map<string, { page: Page; tools: Page }>();
      for (const c of CASES) {
        let inspected = pages.get(c.origin);
        if (!inspected) {
          inspected = await openInspectedPage(launched, c.origin);
          pages.set(c.origin, inspected);
        }
        const url = urlOf(c, servers.get(c.app) as Server);
        const { real, copies } = await runAndCopy(inspected, c, url);
        const baseline = await runCli(['check', ...flagsOf(c, url), '--json']);
        const { chrome, firefox, causes } = verdictOf(baseline.stdout);
        recorded.set(c.index, { real, copies, expected: { chrome, firefox, causes } });
      }
    }, 300_000);

    afterAll(async () => {
      await launched?.close();
      await Promise.all([...servers.values()].map((s) => s.stop()));
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    it.each(CASES)('Chromium did what the fixture says: $label', (c) => {
      const { real, expected } = recorded.get(c.index) as Recorded;
      expect(real).toBe(c.expectedOutcome);
      expect(expected.chrome).toBe(c.expectedOutcome);
      if (c.request.cookie !== undefined)
        expect(parseCopyAs((recorded.get(c.index) as Recorded).copies['curl-bash']).cookie).toBe(
          c.request.cookie,
        );
    });

    it('the secrets of a copy are masked in every output (URL, Authorization, cookie, body)', async () => {
      const server = servers.get('examples/correct') as Server;
      const file = join(folder, 'secrets.txt');
      await writeFile(
        file,
        [
          `curl --url '${server.url}/me?access_token=SEKRETQUERY' \\`,
          "  -X 'POST' \\",
          "  -H 'Authorization: Bearer SEKRETBEARER' \\",
          "  -b 'session=SEKRETCOOKIE' \\",
          "  -H 'Origin: http://localhost:3000' \\",
          `  --data-raw '{"password":"SEKRETPW"}'`,
        ].join('\n'),
      );
      for (const format of ['text', 'json', 'sarif']) {
        const { stdout, stderr } = await runCli(['check', '--from', file, '--format', format]);
        expect(stdout.length).toBeGreaterThan(0);
        expect(`${stdout}${stderr}`).not.toMatch(/SEKRET/);
      }
    });

    it('--from - reads the copy from standard input (the bundled command)', () => {
      const c = CASES.find((x) => x.expectedCause === 'preflight-rejected') as (typeof CASES)[number];
      const { copies, expected } = recorded.get(c.index) as Recorded;
      const result = runBundle(['check', '--from', '-', '--json'], copies['curl-bash']);
      expect(result.status).toBe(1);
      const { chrome, firefox, causes } = verdictOf(result.stdout);
      expect({ chrome, firefox, causes }).toEqual(expected);
    });

    it.each(CASES.flatMap((c) => FORMATS.map((format) => ({ ...c, format }))))(
      '$format: $label',
      async (c) => {
        const { copies, expected } = recorded.get(c.index) as Recorded;
        const text = copies[c.format];
        expect(parseCopyAs(text).format).toBe(c.format);
        const file = join(folder, `${c.index}-${c.format}.txt`);
        await writeFile(file, text);
        const { flags, notes } = flagsTheNotesAskFor(c, text);
        const first = await runCli(['check', '--from', file, '--json']);
        const alone = verdictOf(first.stdout);
        for (const note of notes) expect(alone.notes.join('\n')).toMatch(note);
        const given =
          flags.length === 0
            ? alone
            : verdictOf((await runCli(['check', '--from', file, ...flags, '--json'])).stdout);
        expect({ chrome: given.chrome, firefox: given.firefox, causes: given.causes }).toEqual(expected);
        // A copy checked in the wrong credentials mode says that the verdict depends on it.
        if (
          flags.includes('--credentials') &&
          (alone.chrome !== expected.chrome || alone.firefox !== expected.firefox)
        )
          expect(alone.notes.join('\n')).toMatch(
            /the verdict depends on the credentials mode the copy cannot tell/,
          );
        if (flags.length > 0) expect(given.notes.join('\n')).toMatch(/given explicitly, .* override/);
      },
    );
  },
);

// Firefox: the request Firefox sent, as WebDriver BiDi reports it, written by Firefox's own copy-as code
// (curl.js and the network monitor's generateFetchString, loaded from the installed browser).
const firefoxCode = loadFirefoxCopyAs();
const firefoxUnavailable =
  (await fastapiAvailable()) ??
  (await browserUnavailableReason('firefox')) ??
  (typeof firefoxCode === 'string' ? firefoxCode : undefined);
if (firefoxUnavailable && inCI)
  throw new Error(`CI needs FastAPI, uvicorn and Firefox: ${firefoxUnavailable}`);
const FIREFOX_FORMATS = ['curl-bash', 'curl-cmd', 'fetch'] as const;

/** BiDi (through puppeteer) lower-cases header names; Firefox writes its own headers in this case. */
const FIREFOX_NAMES = new Map(
  [
    'Host',
    'User-Agent',
    'Accept',
    'Accept-Language',
    'Accept-Encoding',
    'Referer',
    'Content-Type',
    'Content-Length',
    'Authorization',
    'Origin',
    'Connection',
    'Cookie',
    'Sec-Fetch-Dest',
    'Sec-Fetch-Mode',
    'Sec-Fetch-Site',
    'Priority',
    'Pragma',
    'Cache-Control',
  ].map((name) => [name.toLowerCase(), name]),
);

describe.skipIf(firefoxUnavailable !== undefined)(
  `check --from with copies made by Firefox's DevTools code${firefoxUnavailable ? ` (skipped: ${firefoxUnavailable})` : ''}`,
  () => {
    const code = firefoxCode as Exclude<typeof firefoxCode, string>;
    const servers = new Map<string, Server>();
    const recorded = new Map<number, Omit<Recorded, 'copies'> & { copies: Record<string, string> }>();
    let launched: LaunchedBrowser | undefined;
    let folder = '';

    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'cors-doctor-copy-as-firefox-'));
      for (const app of new Set(CASES.map((c) => c.app)))
        servers.set(app, await startUvicorn({ appDir: app, timeoutMs: 20_000 }));
      launched = await launchBrowser('firefox');
      const pages = new Map<string, Page>();
      for (const c of CASES) {
        let page = pages.get(c.origin);
        if (!page) {
          page = await openPage(launched, c.origin);
          pages.set(c.origin, page);
        }
        const url = urlOf(c, servers.get(c.app) as Server);
        if (c.request.cookie !== undefined) {
          for (const pair of c.request.cookie.split(/;\s*/)) {
            const [name, value] = pair.split('=') as [string, string];
            await page.setCookie({ name, value, url: new URL(url).origin });
          }
        }
        let sent: Record<string, string> | undefined;
        const listen = (request: { url(): string; method(): string; headers(): Record<string, string> }) => {
          if (request.url() === url && request.method() === c.request.method) sent = request.headers();
        };
        page.on('request', listen);
        const real = await runFetch(page, c, url);
        page.off('request', listen);
        if (!sent) throw new Error(`Firefox reported no ${c.request.method} ${url}`);
        const pageNames = new Map(Object.keys(c.request.headers ?? {}).map((n) => [n.toLowerCase(), n]));
        const request: FirefoxRequest = {
          url,
          method: c.request.method,
          headers: Object.entries(sent).map(([name, value]) => ({
            name: FIREFOX_NAMES.get(name) ?? pageNames.get(name) ?? name,
            value,
          })),
          ...(c.request.body !== undefined && { postDataText: c.request.body }),
        };
        const copies = {
          'curl-bash': code.curl(request, 'Linux'),
          'curl-cmd': code.curl(request, 'WINNT'),
          fetch: await code.fetch(request),
        };
        const baseline = verdictOf((await runCli(['check', ...flagsOf(c, url), '--json'])).stdout);
        const { chrome, firefox, causes } = baseline;
        recorded.set(c.index, { real, copies, expected: { chrome, firefox, causes } });
      }
    }, 300_000);

    afterAll(async () => {
      await launched?.close();
      await Promise.all([...servers.values()].map((s) => s.stop()));
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    it.each(CASES)('Firefox did what the fixture says: $label', (c) => {
      const { real, expected } = recorded.get(c.index) as Recorded;
      expect(real).toBe(c.expectedOutcome);
      expect(expected.firefox).toBe(c.expectedOutcome);
      // The cookie the browser holds went out with the request, and into the copy.
      if (c.request.cookie !== undefined)
        expect(parseCopyAs((recorded.get(c.index) as Recorded).copies['curl-bash']).cookie).toBe(
          c.request.cookie,
        );
    });

    it.each(CASES.flatMap((c) => FIREFOX_FORMATS.map((format) => ({ ...c, format }))))(
      '$format: $label',
      async (c) => {
        const { copies, expected } = recorded.get(c.index) as Recorded;
        const text = copies[c.format];
        expect(parseCopyAs(text).format).toBe(c.format);
        const file = join(folder, `${c.index}-${c.format}.txt`);
        await writeFile(file, text);
        const { flags, notes } = flagsTheNotesAskFor(c, text);
        const alone = verdictOf((await runCli(['check', '--from', file, '--json'])).stdout);
        for (const note of notes) expect(alone.notes.join('\n')).toMatch(note);
        const given =
          flags.length === 0
            ? alone
            : verdictOf((await runCli(['check', '--from', file, ...flags, '--json'])).stdout);
        expect({ chrome: given.chrome, firefox: given.firefox, causes: given.causes }).toEqual(expected);
        // A copy checked in the wrong credentials mode says that the verdict depends on it.
        if (
          flags.includes('--credentials') &&
          (alone.chrome !== expected.chrome || alone.firefox !== expected.firefox)
        )
          expect(alone.notes.join('\n')).toMatch(
            /the verdict depends on the credentials mode the copy cannot tell/,
          );
      },
    );
  },
);

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/cors-doctor.cjs');

/** The command users run (bin/cors-doctor.cjs and the bundle `npm run build` writes), as its own process. */
function runBundle(args: string[], input: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    input,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

// Each row: the text given to --from (a file, or standard input with -) and the one line it gets: exit 2,
// nothing on standard output, no stack trace.
const REFUSED: Array<{
  name: string;
  from: 'file' | 'stdin' | 'folder' | 'missing';
  text?: string;
  line: RegExp;
}> = [
  {
    name: 'a wget command on standard input',
    from: 'stdin',
    text: "wget 'http://127.0.0.1:8000/items'",
    line: /^cors-doctor: standard input is not a curl command or a fetch\(\) call \(it starts with "wget"\): in DevTools' Network panel, right-click the failing request and use Copy > Copy as cURL/,
  },
  {
    name: 'nothing on standard input',
    from: 'stdin',
    text: '',
    line: /standard input is empty: paste the text of Copy as cURL or Copy as fetch/,
  },
  {
    name: 'a HAR file',
    from: 'file',
    text: '{"log": {"version": "1.2", "entries": []}}',
    line: /request\.txt is not a curl command or a fetch\(\) call/,
  },
  {
    name: 'Copy all as cURL',
    from: 'file',
    text: "curl 'http://127.0.0.1:8000/a' -H 'A: 1' ;\ncurl 'http://127.0.0.1:8000/b' -H 'A: 1'",
    line: /more than one curl command \("Copy all as cURL"\): copy only the failing request/,
  },
  {
    name: 'a fetch() with code in it',
    from: 'file',
    text: 'fetch(API + "/items", { method: "GET" })',
    line: /the fetch\(\) call cannot be read \(expected a string at line 1, column 7\)/,
  },
  {
    name: 'a curl command whose -H holds no header',
    from: 'file',
    text: "curl 'http://127.0.0.1:8000/a' -H 'Bearer s3cr3t-value'",
    line: /-H without a colon \(its text is not shown: it may hold a secret\)/,
  },
  { name: 'a folder', from: 'folder', line: /is a folder: give the file that holds the copied request/ },
  { name: 'no such file', from: 'missing', line: /cannot read .*missing\.txt: no such file or folder/ },
];

describe('check --from: a text that is not one copied request', () => {
  const work = join(tmpdir(), `cors-doctor-from-${process.pid}`);
  beforeAll(async () => {
    await mkdir(join(work, 'a-folder'), { recursive: true });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('the bundle is built (run npm run build)', () => {
    expect(existsSync(join(ROOT, 'dist/cli/main.cjs'))).toBe(true);
  });

  it.each(REFUSED)('$name: exit 2 and one line', async ({ from, text, line }) => {
    let source = '-';
    if (from === 'file') {
      source = join(work, 'request.txt');
      await writeFile(source, text ?? '');
    } else if (from === 'folder') source = join(work, 'a-folder');
    else if (from === 'missing') source = join(work, 'missing.txt');
    const result = runBundle(['check', '--from', source, '--json'], from === 'stdin' ? (text ?? '') : '');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^cors-doctor: [^\n]+\n$/);
    expect(result.stderr).toMatch(line);
    expect(result.stderr).not.toContain('s3cr3t');
  });

  it('no URL and no --from: exit 2 and one line', () => {
    const result = runBundle(['check'], '');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "cors-doctor: missing required argument 'url'; run cors-doctor check --help\n",
    );
  });
});
