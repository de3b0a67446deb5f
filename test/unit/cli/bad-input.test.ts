import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-bad-input-'));
writeFileSync(join(dir, 'binary.json'), Buffer.from([0x7b, 0x00, 0x01, 0x02]));
writeFileSync(join(dir, 'broken.json'), '{"origin": ');
writeFileSync(
  join(dir, 'bad-origin.json'),
  JSON.stringify({ origin: 'http://localhost:3000/', request: { url: 'http://localhost:8000/' } }),
);
symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));

// Servers that misbehave, one per network failure: silent (timeout), closing at once, speaking another protocol,
// and HTTPS with a self-signed certificate (test/fixtures/tls).
const TLS = join(import.meta.dirname, '../../fixtures/tls');
const servers: Array<{ close(): unknown }> = [];
const ports = { silent: 0, closing: 0, notHttp: 0, selfSigned: 0 };
async function listen(server: Server, name: keyof typeof ports): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports[name] = (server.address() as { port: number }).port;
  servers.push(server);
}
beforeAll(async () => {
  await listen(
    createServer(() => undefined),
    'silent',
  );
  await listen(
    createServer((socket) => socket.destroy()),
    'closing',
  );
  await listen(
    createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n')),
    'notHttp',
  );
  const selfSigned = createHttpsServer(
    {
      key: readFileSync(join(TLS, 'self-signed.key')),
      cert: readFileSync(join(TLS, 'self-signed.crt')),
    },
    (_req, res) => res.end('ok'),
  );
  await listen(selfSigned as unknown as Server, 'selfSigned');
});
afterAll(() => {
  for (const server of servers) server.close();
  rmSync(dir, { recursive: true, force: true });
});

const check = (url: string) => ['check', url, '--origin', 'http://localhost:3000', '--timeout', '2000'];

// Each row: arguments, the exit status, and what the one stderr line must say.
const TABLE: Array<[string, () => string[], number, RegExp]> = [
  ['unknown command', () => ['frobnicate'], 2, /unknown command/],
  [
    'check: URL without a scheme',
    () => ['check', 'localhost:8000/items'],
    2,
    /has no scheme: write http:\/\/localhost:8000\/items/,
  ],
  ['check: not a URL', () => ['check', 'http://[bad'], 2, /not a valid URL/],
  [
    'check: origin without a scheme',
    () => ['check', 'http://127.0.0.1:1/x', '--origin', 'localhost:3000'],
    2,
    /origin "localhost:3000" has no scheme/,
  ],
  [
    'check: origin with a path',
    () => ['check', 'http://127.0.0.1:1/x', '--origin', 'http://localhost:3000/app'],
    2,
    /scheme, host and port only.*use http:\/\/localhost:3000/,
  ],
  [
    'check: origin with a trailing slash',
    () => ['check', 'http://127.0.0.1:1/x', '--origin', 'http://localhost:3000/'],
    2,
    /use http:\/\/localhost:3000/,
  ],
  [
    'check: malformed header',
    () => ['check', 'http://127.0.0.1:1/x', '--origin', 'http://localhost:3000', '-H', 'nocolon'],
    2,
    /not a header/,
  ],
  [
    'check: bad --credentials',
    () => ['check', 'http://127.0.0.1:1/x', '--origin', 'http://localhost:3000', '--credentials', 'yes'],
    2,
    /--credentials is omit, same-origin or include/,
  ],
  [
    'check: bad --timeout',
    () => ['check', 'http://127.0.0.1:1/x', '--origin', 'http://localhost:3000', '--timeout', 'soon'],
    2,
    /--timeout takes milliseconds/,
  ],
  [
    'check: body with GET',
    () => ['check', 'http://127.0.0.1:1/x', '--origin', 'http://localhost:3000', '-X', 'GET', '--data', 'x'],
    2,
    /cannot send a body with GET/,
  ],
  [
    'check: invalid --json-body',
    () => ['check', 'http://127.0.0.1:1/x', '--origin', 'http://localhost:3000', '--json-body', '{x'],
    2,
    /--json-body is not valid JSON/,
  ],
  [
    'check: connection refused',
    () => ['check', 'http://127.0.0.1:1/x', '--origin', 'http://localhost:3000'],
    3,
    /connection refused by 127\.0\.0\.1:1/,
  ],
  [
    'check: unknown host',
    () => ['check', 'http://no-such-host.invalid/x', '--origin', 'http://localhost:3000'],
    3,
    /cannot resolve host no-such-host\.invalid/,
  ],
  [
    'check: timeout',
    () => [
      'check',
      `http://127.0.0.1:${ports.silent}/x`,
      '--origin',
      'http://localhost:3000',
      '--timeout',
      '300',
    ],
    3,
    /no answer from 127\.0\.0\.1:\d+ within 300 ms/,
  ],
  [
    'check: the server closes the connection',
    () => check(`http://127.0.0.1:${ports.closing}/x`),
    3,
    /127\.0\.0\.1:\d+ closed the connection without answering/,
  ],
  [
    'check: the server does not speak HTTP',
    () => check(`http://127.0.0.1:${ports.notHttp}/x`),
    3,
    /127\.0\.0\.1:\d+ .*is it speaking HTTP on that port\?/,
  ],
  [
    'check: a self-signed certificate',
    () => check(`https://localhost:${ports.selfSigned}/x`),
    3,
    /TLS error talking to localhost:\d+ \(DEPTH_ZERO_SELF_SIGNED_CERT\): check the certificate/,
  ],
  [
    'check: https:// to a plain-HTTP server',
    () => check(`https://127.0.0.1:${ports.notHttp}/x`),
    3,
    /TLS error talking to 127\.0\.0\.1:\d+ .*use http:\/\/ for a plain-HTTP server/,
  ],
  ['simulate: missing file', () => ['simulate', join(dir, 'nope.json')], 2, /no such file/],
  ['simulate: binary file', () => ['simulate', join(dir, 'binary.json')], 2, /is a binary file/],
  ['simulate: broken JSON', () => ['simulate', join(dir, 'broken.json')], 2, /is not valid JSON/],
  ['simulate: a bad field', () => ['simulate', join(dir, 'bad-origin.json')], 2, /origin: must be an origin/],
  ['simulate: a directory', () => ['simulate', dir], 2, /is a directory/],
  ['simulate: a symlink loop', () => ['simulate', join(dir, 'loop-a')], 2, /symlink loop/],
];

describe('bad input gets one clear line and a documented exit status', () => {
  it.each(TABLE)('%s', async (_title, args, status, message) => {
    const { code, stderr } = await runCli(args());
    expect(code).toBe(status);
    const lines = stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('note:') && !l.startsWith('(run with'));
    expect(lines.at(-1)).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
