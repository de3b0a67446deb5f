import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

// Real local servers that misbehave after (or while) answering: redirect loops and long chains, a body that
// never ends, headers that never end or are far too large. Every row goes through the CLI and is bounded by the
// tool's own --timeout: the exit status, at most one line on stderr, no stack trace, no secret, no hang.
const TIMEOUT_MS = 4000;
const ORIGIN = 'http://localhost:3000';
const CORS = { 'Access-Control-Allow-Origin': '*' };
let base = '';
let raw = '';
let seen: IncomingHttpHeaders = {};
const timers = new Set<NodeJS.Timeout>();
const servers: Array<Server | NetServer> = [];
const emptyDir = mkdtempSync(join(tmpdir(), 'cors-doctor-check-bad-input-'));

/** An endless stream of writes, stopped when the client goes away (or the test ends). */
function forever(write: () => void, everyMs: number, stop: { on(event: 'close', f: () => void): unknown }) {
  const timer = setInterval(write, everyMs);
  timers.add(timer);
  stop.on('close', () => {
    clearInterval(timer);
    timers.delete(timer);
  });
}

beforeAll(async () => {
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (path === '/loop-a' || path === '/loop-b') {
      res.writeHead(302, { ...CORS, Location: path === '/loop-a' ? '/loop-b' : '/loop-a' });
      res.end();
    } else if (hop) {
      const left = Number(hop[1]);
      res.writeHead(left > 0 ? 302 : 200, { ...CORS, ...(left > 0 && { Location: `/hop/${left - 1}` }) });
      res.end(left > 0 ? '' : 'arrived');
    } else if (path === '/endless') {
      // Complete CORS headers, then a chunked body that never ends.
      res.writeHead(200, { ...CORS, 'Content-Type': 'text/plain' });
      forever(() => res.write('x'.repeat(512)), 5, res);
    } else if (path === '/trickle') {
      res.writeHead(200, { ...CORS, 'Content-Type': 'text/plain' });
      forever(() => res.write('.'), 100, res);
    } else {
      seen = req.headers;
      res.writeHead(200, CORS);
      res.end('{}');
    }
  });
  http.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  servers.push(http);

  // Raw HTTP for what node:http will not write: header blocks of any size, and headers that never end.
  const net = createNetServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (data) => {
      const path = data.toString('latin1').split(' ')[1] ?? '/';
      socket.write('HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n');
      if (path === '/slow-headers') {
        forever(() => socket.write(`X-Wait: ${Date.now()}\r\n`), 100, socket);
        return;
      }
      const kb = path === '/headers-10mb' ? 10 * 1024 : 100;
      const line = `X-Big: ${'y'.repeat(1013)}\r\n`;
      socket.end(`${line.repeat(kb)}Content-Length: 2\r\nConnection: close\r\n\r\nok`);
    });
  });
  await new Promise<void>((resolve) => net.listen(0, '127.0.0.1', resolve));
  raw = `http://127.0.0.1:${(net.address() as { port: number }).port}`;
  servers.push(net);
});
afterAll(() => {
  for (const timer of timers) clearInterval(timer);
  for (const server of servers) server.close();
  rmSync(emptyDir, { recursive: true, force: true });
});

interface Row {
  title: string;
  args: () => string[];
  status: number;
  /** What stdout (the report) must say. */
  stdout?: RegExp[];
  /** The one stderr line, when there is one. */
  stderr?: RegExp;
  /** Never printed, on either stream. */
  secrets?: string[];
  /** Decided well before the tool's own timeout. */
  fast?: boolean;
}

const check = (url: string, ...more: string[]) => [
  'check',
  url,
  '--origin',
  ORIGIN,
  '--timeout',
  String(TIMEOUT_MS),
  ...more,
];

const ROWS: Row[] = [
  {
    title: 'a redirect loop /loop-a -> /loop-b -> /loop-a',
    args: () => check(`${base}/loop-a`),
    status: 1,
    stdout: [
      /✗ Chrome \d+ +blocked at network\n {4}Failed to load resource: net::ERR_TOO_MANY_REDIRECTS/,
      /✗ Firefox \d+ +blocked at network\n {4}Cross-Origin Request Blocked: .* at http:\/\/127\.0\.0\.1:\d+\/loop-a\. \(Reason: CORS request did not succeed\)\. Status code: \(null\)\./,
      /Not a CORS problem: the request was redirected more than 20 times \(a redirect loop/,
      /▶ actual after redirect 20 /,
    ],
    fast: true,
  },
  {
    title: 'a chain of 25 redirects',
    args: () => check(`${base}/hop/25`),
    status: 1,
    stdout: [
      /blocked at network\n {4}Failed to load resource: net::ERR_TOO_MANY_REDIRECTS/,
      /remote resource at http:\/\/127\.0\.0\.1:\d+\/hop\/5\. \(Reason: CORS request did not succeed\)/,
      /redirected more than 20 times; browsers stop after 20 redirects/,
    ],
    fast: true,
  },
  {
    title: 'a chain of 20 redirects: the browsers follow every one',
    args: () => check(`${base}/hop/20`),
    status: 0,
    stdout: [/✓ Chrome \d+ +allowed/, /✓ Firefox \d+ +allowed/, /▶ actual after redirect 20 /],
    fast: true,
  },
  {
    title: 'an endless chunked body after complete CORS headers',
    args: () => check(`${base}/endless`),
    status: 0,
    stdout: [/< 200 OK/, /✓ Chrome \d+ +allowed/, /CORS is fine/],
    fast: true,
  },
  {
    title: 'a body that trickles a byte at a time, forever',
    args: () => check(`${base}/trickle`),
    status: 0,
    stdout: [/< 200 OK/, /✓ Firefox \d+ +allowed/],
    fast: true,
  },
  {
    title: '10 MB of response headers',
    args: () => check(`${raw}/headers-10mb`),
    status: 3,
    stdout: [/blocked at network/],
    stderr:
      /^cors-doctor: Not a CORS problem: 127\.0\.0\.1:\d+ answered with more than 256 KB of response headers: Chrome refuses such an answer \(net::ERR_RESPONSE_HEADERS_TOO_BIG\)/,
    fast: true,
  },
  {
    title: '100 KB of response headers: more than Node reads by default, less than browsers refuse',
    args: () => check(`${raw}/headers-100kb`),
    status: 0,
    stdout: [/✓ Chrome \d+ +allowed/, /< X-Big: y{20}/],
    fast: true,
  },
  {
    title: 'headers that never end',
    args: () => check(`${raw}/slow-headers`, '--timeout', '1500'),
    status: 3,
    stderr: /no answer from 127\.0\.0\.1:\d+ within 1500 ms/,
  },
  {
    title: 'forbidden request headers are dropped, and said',
    args: () =>
      check(`${base}/echo`, '-H', 'Cookie: session=s3cr3t', '-H', 'Host: evil.example', '-H', 'X-Ok: 1'),
    status: 1,
    stdout: [/fetch\(\) drops the forbidden request headers Cookie, Host: the browser sets them itself/],
    secrets: ['s3cr3t'],
    fast: true,
  },
  // Input fetch() throws a TypeError for: exit 2, one line, nothing sent.
  {
    title: 'credentials in the URL',
    args: () => check('http://user:hunter2@127.0.0.1:1/x'),
    status: 2,
    stderr:
      /^cors-doctor: fetch\(\) throws a TypeError for a URL with credentials \(http:\/\/user:\*\*\*@127\.0\.0\.1:1\/x\)/,
    secrets: ['hunter2'],
  },
  {
    title: 'a token as the URL user name, with --json',
    args: () => check('https://ghp_t0ken@127.0.0.1:1/x', '--json'),
    status: 2,
    stderr: /credentials \(https:\/\/\*\*\*@127\.0\.0\.1:1\/x\)/,
    secrets: ['ghp_t0ken'],
  },
  {
    title: '-X CONNECT',
    args: () => check(`${base}/echo`, '-X', 'CONNECT'),
    status: 2,
    stderr:
      /^cors-doctor: fetch\(\) throws a TypeError for the method CONNECT: browsers never send CONNECT, TRACE or TRACK$/,
  },
  {
    title: '-X trace',
    args: () => check(`${base}/echo`, '-X', 'trace'),
    status: 2,
    stderr: /the method trace:/,
  },
  {
    title: '-X TRACK',
    args: () => check(`${base}/echo`, '-X', 'TRACK'),
    status: 2,
    stderr: /the method TRACK:/,
  },
  {
    title: 'a header value with CR LF',
    args: () => check(`${base}/echo`, '-H', 'X: a\r\nAuthorization: Bearer sekr1t'),
    status: 2,
    stderr:
      /^cors-doctor: fetch\(\) throws a TypeError for the value of X: it holds a line break \(CR or LF\)/,
    secrets: ['sekr1t'],
  },
  {
    title: 'a header value that is no ByteString',
    args: () => check(`${base}/echo`, '-H', 'X-Api-Key: sekr1t€'),
    status: 2,
    stderr: /value of X-Api-Key: it holds U\+20AC, a character above U\+00FF/,
    secrets: ['sekr1t'],
  },
  {
    title: 'a malformed Authorization header',
    args: () => check(`${base}/echo`, '-H', 'Authorization Bearer sekr1t'),
    status: 2,
    stderr: /^cors-doctor: not a header: -H "Authorization …" has no colon after the name/,
    secrets: ['sekr1t'],
  },
  {
    title: 'an origin in upper case',
    args: () => ['check', `${base}/echo`, '--origin', 'HTTP://LOCALHOST:3000'],
    status: 2,
    stderr:
      /^cors-doctor: the origin "HTTP:\/\/LOCALHOST:3000" has upper case; .*: use http:\/\/localhost:3000$/,
  },
  // The same parsers for every command.
  {
    title: 'scan -X TRACE',
    args: () => ['scan', emptyDir, '-X', 'TRACE'],
    status: 2,
    stderr: /the method TRACE: browsers never send/,
  },
  {
    title: 'scan -H with a line break',
    args: () => ['scan', emptyDir, '-H', 'Authorization: Bearer sekr1t\nX: y'],
    status: 2,
    stderr: /value of Authorization: it holds a line break/,
    secrets: ['sekr1t'],
  },
  {
    title: 'scan --origin in upper case',
    args: () => ['scan', emptyDir, '--origin', 'HTTP://LOCALHOST:3000'],
    status: 2,
    stderr: /use http:\/\/localhost:3000$/,
  },
  {
    title: 'fix --origin in upper case',
    args: () => ['fix', emptyDir, '--origin', 'HTTP://LOCALHOST:3000'],
    status: 2,
    stderr: /use http:\/\/localhost:3000$/,
  },
  {
    title: 'gen-tests with credentials in the URL',
    args: () => ['gen-tests', 'http://a:hunter2@127.0.0.1:1/x', '--project', emptyDir],
    status: 2,
    stderr: /URL with credentials \(http:\/\/a:\*\*\*@127\.0\.0\.1:1\/x\)/,
    secrets: ['hunter2'],
  },
  {
    title: 'verify -X CONNECT',
    args: () => ['verify', `${base}/echo`, '-X', 'CONNECT'],
    status: 2,
    stderr: /the method CONNECT: browsers never send/,
  },
];

describe('check and its siblings on bad input and misbehaving servers', () => {
  it.each(ROWS)(
    '$title',
    async (row) => {
      const { code, stdout, stderr } = await runCli(row.args());
      expect(code).toBe(row.status);
      const lines = stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines.length).toBeLessThanOrEqual(1);
      if (row.stderr) expect(lines[0]).toMatch(row.stderr);
      if (row.status >= 2) expect(lines).toHaveLength(1);
      for (const pattern of row.stdout ?? []) expect(stdout).toMatch(pattern);
      for (const text of [stdout, stderr]) {
        expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
        expect(text).not.toMatch(/internal error/);
        for (const secret of row.secrets ?? []) expect(text).not.toContain(secret);
      }
      // Answered without waiting for --timeout: the tool's timeout never fired.
      if (row.fast) expect(`${stdout}${stderr}`).not.toMatch(/no answer from .* within/);
    },
    TIMEOUT_MS * 4,
  );
  it('the dropped headers never reach the server', async () => {
    await runCli(check(`${base}/echo`, '-H', 'Cookie: session=s3cr3t', '-H', 'Host: evil.example'));
    expect(seen.cookie).toBeUndefined();
    expect(seen.host).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
