import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_CANDIDATES, browserUnavailableReason, findBrowser } from '../../src/browsers/launch.js';
import { findBrowsers } from '../../src/browsers/verify.js';
import { parseCookieHeader, reachesLocalNetwork } from '../../src/browsers/verify-report.js';
import { fastapiAvailable, startUvicorn, type UvicornServer } from '../../src/local-servers/uvicorn.js';
import type { BrowserName } from '../../src/model/types.js';
import { runCli } from '../support/run-cli.js';

/**
 * `cors-doctor verify` against real FastAPI apps under uvicorn, in the real Chromium and Firefox ESR of this
 * machine: each row is one page fetch(), the outcome and the exact console lines each browser printed, and
 * the model's prediction agreeing with them. The CLI runs the browsers one after the other.
 */
const inCI = process.env.CI === 'true';
const FRONTEND = 'http://localhost:3000';
const PUBLIC_HTTPS = 'https://app.example.com';

const unavailable: Record<BrowserName, string | undefined> = {
  chrome: await browserUnavailableReason('chrome'),
  firefox: await browserUnavailableReason('firefox'),
};
const fastapi = await fastapiAvailable();
if (inCI && (fastapi || unavailable.chrome || unavailable.firefox)) {
  throw new Error(
    `CI needs FastAPI, uvicorn, Chromium and Firefox: ${[fastapi, unavailable.chrome, unavailable.firefox].filter(Boolean).join('; ')}`,
  );
}
const present = (['chrome', 'firefox'] as const).filter((b) => unavailable[b] === undefined);
const browserFlag = present.length === 2 ? 'all' : (present[0] ?? 'all');

/** A non-loopback IPv4 address of this machine: an http API there is mixed content for an https page. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

type Server = 'correct' | 'wildcard' | 'noCredentials' | 'noHeaders' | 'wildcardLan';
const APPS: Record<Server, { dir: string; host?: string }> = {
  correct: { dir: 'examples/correct' },
  wildcard: { dir: 'examples/wildcard-credentials' },
  noCredentials: { dir: 'test/fixtures/fastapi/credentials-not-allowed' },
  noHeaders: { dir: 'test/fixtures/fastapi/headers-not-allowed' },
  ...(lanAddress && { wildcardLan: { dir: 'examples/wildcard-credentials', host: lanAddress } }),
} as Record<Server, { dir: string; host?: string }>;

interface Row {
  title: string;
  server: Server;
  path: string;
  origin: string;
  args: string[];
  outcome: 'allowed' | 'blocked';
  /** The exact console lines, `{url}` standing for the request URL. */
  chrome: string[];
  firefox: string[];
  /** Text that must not appear in the output (secrets). */
  hidden?: string;
}

const chromeLine = (origin: string, rest: string) =>
  `Access to fetch at '{url}' from origin '${origin}' has been blocked by CORS policy: ${rest}`;
const firefoxLine = (reason: string) =>
  `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: ${reason}).`;
const DID_NOT_SUCCEED = `${firefoxLine('CORS request did not succeed')} Status code: (null).`;

const ROWS: Row[] = [
  {
    title: 'allowed: a simple GET from the listed origin',
    server: 'correct',
    path: '/items',
    origin: FRONTEND,
    args: [],
    outcome: 'allowed',
    chrome: [],
    firefox: [],
  },
  {
    title: 'blocked at the preflight: Authorization is not an allowed header (the token stays masked)',
    server: 'noHeaders',
    path: '/me',
    origin: FRONTEND,
    args: ['-H', 'Authorization: Bearer s3cr3t-token'],
    outcome: 'blocked',
    chrome: [
      chromeLine(
        FRONTEND,
        "Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
      ),
    ],
    firefox: [`${firefoxLine('CORS preflight response did not succeed')} Status code: 400.`, DID_NOT_SUCCEED],
    hidden: 's3cr3t-token',
  },
  {
    title: 'blocked at the preflight: a PUT with a header the app does not list',
    server: 'correct',
    path: '/items/1',
    origin: FRONTEND,
    args: ['-X', 'PUT', '--json-body', '{"name":"Saw","price":12}', '-H', 'X-Trace: 1'],
    outcome: 'blocked',
    chrome: [
      chromeLine(
        FRONTEND,
        "Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
      ),
    ],
    firefox: [`${firefoxLine('CORS preflight response did not succeed')} Status code: 400.`, DID_NOT_SUCCEED],
  },
  {
    // Starlette answers `*` without a cookie and echoes the origin with one: allowed only if the browser
    // really attached the cookie to this cross-site request.
    title: 'credentials: the cookie the browser holds for the API turns `*` into the echoed origin',
    server: 'wildcard',
    path: '/me',
    origin: FRONTEND,
    args: ['--credentials', 'include', '--cookie', 'session=c00kie-value'],
    outcome: 'allowed',
    chrome: [],
    firefox: [],
    hidden: 'c00kie-value',
  },
  {
    title: 'credentials: a cookie sent, but the app does not allow credentials',
    server: 'noCredentials',
    path: '/me',
    origin: FRONTEND,
    args: ['--credentials', 'include', '--cookie', 'session=abc'],
    outcome: 'blocked',
    chrome: [
      chromeLine(
        FRONTEND,
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
      ),
    ],
    firefox: [firefoxLine('expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’')],
  },
  {
    title: 'https page, loopback http API (not mixed content): allowed by `*`',
    server: 'wildcard',
    path: '/items',
    origin: PUBLIC_HTTPS,
    args: [],
    outcome: 'allowed',
    chrome: [],
    firefox: [],
  },
  {
    title: 'https page, loopback http API: its origin is not listed',
    server: 'correct',
    path: '/items',
    origin: PUBLIC_HTTPS,
    args: [],
    outcome: 'blocked',
    chrome: [
      chromeLine(
        PUBLIC_HTTPS,
        "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      ),
    ],
    firefox: [`${firefoxLine('CORS header ‘Access-Control-Allow-Origin’ missing')} Status code: 200.`],
  },
];

const MIXED_CONTENT: Row = {
  title: `https page, http API on a non-loopback address (${lanAddress ?? 'none here'}): mixed content, no CORS line`,
  server: 'wildcardLan',
  path: '/items',
  origin: PUBLIC_HTTPS,
  args: [],
  outcome: 'blocked',
  chrome: [],
  firefox: [],
};

describe('finding browsers', () => {
  it.each([
    ['chrome', 'apt-get install -y chromium'],
    ['firefox', 'apt-get install -y firefox-esr'],
  ] as const)('a missing %s is one line naming its package', (name, install) => {
    const location = findBrowser(name, undefined, {}, () => false);
    expect(location).toMatchObject({ found: false });
    const reason = (location as { reason: string }).reason;
    expect(reason).toContain(install);
    expect(reason).not.toContain('\n');
  });

  it('CHROME_PATH and FIREFOX_PATH come before the usual places', () => {
    const exists = (p: string) => p === '/opt/x/chrome' || BROWSER_CANDIDATES.chrome.includes(p);
    expect(findBrowser('chrome', undefined, { CHROME_PATH: '/opt/x/chrome' }, exists)).toMatchObject({
      found: true,
      executable: '/opt/x/chrome',
      via: 'environment',
    });
    expect(findBrowser('chrome', undefined, {}, exists)).toMatchObject({
      executable: '/usr/bin/chromium',
      via: 'usual place',
    });
    expect(findBrowser('firefox', undefined, {}, (p) => p === '/usr/bin/firefox')).toMatchObject({
      executable: '/usr/bin/firefox',
    });
    const missing = findBrowser('firefox', undefined, { FIREFOX_PATH: '/nowhere/firefox' }, () => false);
    expect((missing as { reason: string }).reason).toBe(
      'firefox: FIREFOX_PATH is /nowhere/firefox, which is not an executable file',
    );
  });

  it('neither browser: one line naming both packages', () => {
    const env = { CHROME_PATH: '/nowhere/chrome', FIREFOX_PATH: '/nowhere/firefox' };
    expect(() => findBrowsers(['chrome', 'firefox'], env)).toThrow(/apt-get install -y chromium firefox-esr/);
  });

  it('cookies and address spaces', () => {
    expect(parseCookieHeader('session=abc; theme=dark;')).toEqual([
      ['session', 'abc'],
      ['theme', 'dark'],
    ]);
    expect(reachesLocalNetwork('https://app.example.com', 'http://127.0.0.1:8000/items')).toBe(true);
    expect(reachesLocalNetwork('http://localhost:3000', 'http://127.0.0.1:8000/items')).toBe(false);
    expect(reachesLocalNetwork('https://app.example.com', 'http://192.168.1.5/items')).toBe(true);
    expect(reachesLocalNetwork('https://app.example.com', 'https://api.example.com/items')).toBe(false);
  });
});

describe('bad input', () => {
  it.each([
    [['--origin', 'null'], /--origin null cannot be served/],
    [['--format', 'sarif'], /--format of verify is text, json/],
    [['--browser', 'safari'], /--browser is chrome, firefox or all/],
  ])('%j: exit 2, one line', async (args, message) => {
    const { code, stdout, stderr } = await runCli(['verify', 'http://127.0.0.1:9/items', ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a browser that cannot be found: exit 2, one line naming what to install', async () => {
    const saved = process.env.CHROME_PATH;
    process.env.CHROME_PATH = '/nowhere/chromium';
    try {
      const { code, stdout, stderr } = await runCli([
        'verify',
        'http://127.0.0.1:9/items',
        '--browser',
        'chrome',
      ]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'cors-doctor: chrome: CHROME_PATH is /nowhere/chromium, which is not an executable file\n',
      );
    } finally {
      if (saved === undefined) delete process.env.CHROME_PATH;
      else process.env.CHROME_PATH = saved;
    }
  });
});

describe.skipIf(fastapi !== undefined || present.length === 0)(
  `verify in real ${present.join(' and ')} against live FastAPI apps`,
  () => {
    const servers = new Map<Server, UvicornServer>();
    beforeAll(async () => {
      for (const [name, app] of Object.entries(APPS) as Array<[Server, { dir: string; host?: string }]>) {
        servers.set(
          name,
          await startUvicorn({ appDir: app.dir, timeoutMs: 20_000, ...(app.host && { host: app.host }) }),
        );
      }
    }, 60_000);
    afterAll(async () => {
      for (const server of servers.values()) await server.stop();
    });

    const run = async (row: Row) => {
      const url = `${(servers.get(row.server) as UvicornServer).url}${row.path}`;
      const result = await runCli([
        'verify',
        url,
        '--origin',
        row.origin,
        ...row.args,
        '--browser',
        browserFlag,
        '--json',
      ]);
      return { url, ...result };
    };

    const table = [...ROWS, ...(lanAddress ? [MIXED_CONTENT] : [])];
    it.each(table.map((row) => ({ ...row, label: row.title })))(
      '$label',
      async (row) => {
        const { url, code, stdout, stderr } = await run(row);
        expect(stderr).toBe('');
        const report = JSON.parse(stdout);
        expect(report).toMatchObject({ url, origin: row.origin });
        expect(Object.keys(report.browsers)).toEqual(present);
        for (const name of present) {
          const b = report.browsers[name];
          const lines = row[name].map((l) => l.replaceAll('{url}', url));
          expect({ name, outcome: b.outcome, messages: b.messages }).toEqual({
            name,
            outcome: row.outcome,
            messages: lines,
          });
          expect(b.predicted).toMatchObject({ outcome: row.outcome, messages: lines });
          expect(b.agrees).toBe(true);
          expect(b.differences).toEqual([]);
          expect(b.executable).toBe((findBrowser(name) as { executable: string }).executable);
          expect(b.version).toMatch(/^\d+\.\d+/);
        }
        expect(code).toBe(row.outcome === 'allowed' ? 0 : 1);
        if (row.hidden) expect(stdout).not.toContain(row.hidden);
      },
      60_000,
    );

    it('text: each browser beside the prediction, the agreement stated', async () => {
      const url = `${(servers.get('correct') as UvicornServer).url}/items`;
      const { code, stdout } = await runCli([
        'verify',
        url,
        '--origin',
        PUBLIC_HTTPS,
        '--browser',
        browserFlag,
      ]);
      expect(code).toBe(1);
      for (const name of present)
        expect(stdout).toMatch(new RegExp(`^${name} +(Chromium|Chrome|Firefox)`, 'm'));
      expect(stdout).toContain(
        `Access to fetch at '${url}' from origin '${PUBLIC_HTTPS}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
      );
      expect(stdout).toMatch(/predicted {2}blocked at the actual stage/);
      expect(stdout).toContain(`✓ the model agrees with ${present.join(' and ')}`);
      expect(stdout).toContain('verify runs the browsers as a user who allows it');
      expect(stdout).not.toContain('DISAGREES');
    }, 60_000);

    it.skipIf(present.length < 2)(
      '--browser all with one browser missing runs the other and says so',
      async () => {
        const saved = process.env.FIREFOX_PATH;
        process.env.FIREFOX_PATH = '/nowhere/firefox';
        try {
          const url = `${(servers.get('correct') as UvicornServer).url}/items`;
          const { code, stdout, stderr } = await runCli(['verify', url, '--origin', FRONTEND, '--json']);
          expect(code).toBe(0);
          expect(stderr).toBe(
            'cors-doctor: firefox: FIREFOX_PATH is /nowhere/firefox, which is not an executable file; running the others\n',
          );
          const report = JSON.parse(stdout);
          expect(Object.keys(report.browsers)).toEqual(['chrome']);
          expect(report.browsers.chrome).toMatchObject({ outcome: 'allowed', agrees: true });
          expect(report.notFound).toEqual({
            firefox: 'firefox: FIREFOX_PATH is /nowhere/firefox, which is not an executable file',
          });
        } finally {
          if (saved === undefined) delete process.env.FIREFOX_PATH;
          else process.env.FIREFOX_PATH = saved;
        }
      },
      60_000,
    );
  },
);
