import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
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

// A server that accepts connections and never answers: for the timeout case.
let silent: Server;
let silentPort = 0;
beforeAll(async () => {
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(() => {
  silent.close();
});

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
      `http://127.0.0.1:${silentPort}/x`,
      '--origin',
      'http://localhost:3000',
      '--timeout',
      '300',
    ],
    3,
    /no answer from 127\.0\.0\.1:\d+ within 300 ms/,
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
