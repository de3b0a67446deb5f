import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readHar } from '../../../src/evidence/har/index.js';
import { HarEntrySplitter, parseEntry, readSkeleton } from '../../../src/evidence/har/stream.js';

/** The entries and skeleton the splitter gives for `text` fed in chunks of `size` bytes. */
function split(text: string | Buffer, size: number): { entries: unknown[]; skeleton: unknown } {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const splitter = new HarEntrySplitter('t.har');
  const entries: unknown[] = [];
  for (let i = 0; i < bytes.length; i += size)
    for (const piece of splitter.push(bytes.subarray(i, i + size))) entries.push(parseEntry(piece, 't.har'));
  return { entries, skeleton: splitter.end() };
}

async function* chunks(text: string, size = 7): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const TRICKY = JSON.stringify({
  log: {
    version: '1.2',
    creator: { name: 'WebInspector', version: '537.36' },
    pages: [{ id: 'page_1', title: 'http://localhost:3000/', entries: ['not', 'these'] }],
    comment: 'a "log" with "entries": [ ] { } in text',
    entries: [
      {
        request: { url: 'http://a/x?q=[1]', note: 'quote \\" bracket ] brace } comma ,' },
        entries: [1, [2]],
      },
      { request: { url: 'http://a/é€😀' }, response: { content: { text: '\\\\' } } },
      {},
    ],
    after: { entries: [3] },
  },
});

describe('HarEntrySplitter: log.entries cut out as the bytes arrive', () => {
  it.each([1, 2, 3, 7, 64, 65536])('chunks of %i bytes give what JSON.parse gives', (size) => {
    const whole = JSON.parse(TRICKY);
    const { entries, skeleton } = split(TRICKY, size);
    expect(entries).toEqual(whole.log.entries);
    expect(skeleton).toEqual({ ...whole, log: { ...whole.log, entries: [] } });
  });

  it('reads a recorded-shape HAR the same in any chunking, byte order mark included', async () => {
    const text = await readFile('test/fixtures/har/chrome-put-preflight-401.har', 'utf8');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    for (const size of [1, 5, 4096])
      expect(split(withBom, size).entries).toEqual(JSON.parse(text).log.entries);
  });

  it('keeps no entry in memory after it is handed over (the skeleton holds [] in its place)', () => {
    const big = JSON.stringify({
      log: {
        version: '1.2',
        creator: { name: 'x' },
        entries: Array.from({ length: 50 }, () => ({ t: 'x'.repeat(1000) })),
      },
    });
    const splitter = new HarEntrySplitter('t.har');
    let count = 0;
    for (let i = 0; i < big.length; i += 100)
      count += splitter.push(Buffer.from(big.slice(i, i + 100))).length;
    expect(count).toBe(50);
    expect(JSON.stringify(splitter.end()).length).toBeLessThan(100);
  });
});

/** Bad input: one line that says what is wrong, exit status 2. */
const BAD: Array<[string, string, RegExp]> = [
  ['empty', '', /is empty: a HAR file is JSON/],
  ['blank', '  \n', /is empty/],
  ['not JSON', 'GET /items HTTP/1.1', /is not a HAR file: it does not start with \{, byte 0 is "G"/],
  ['an HTML page', '<!doctype html>', /does not start with \{/],
  ['a JSON array', '[{"log":{}}]', /is a JSON array, and a HAR file is an object/],
  ['binary', '\u0000\u0001', /it is a binary file/],
  ['no log', '{"entries":[]}', /has no "log" object/],
  ['log without entries', '{"log":{"version":"1.2"}}', /its "log" has no "entries" array/],
  ['entries not an array', '{"log":{"version":"1.2","entries":{}}}', /its "log" has no "entries" array/],
  [
    'version 2.0',
    '{"log":{"version":"2.0","entries":[]}}',
    /is HAR version "2\.0": cors-doctor reads HAR 1\.2 \(and 1\.1\)/,
  ],
  ['no version', '{"log":{"entries":[]}}', /is HAR version \(none given\)/],
  [
    'truncated in an entry',
    '{"log":{"version":"1.2","entries":[{"a":1},{"request":{"url":"ht',
    /is truncated: it ends inside log\.entries, in entry 1 \(1 complete entries before it\)/,
  ],
  [
    'truncated after the entries',
    '{"log":{"version":"1.2","entries":[{"a":1}]',
    /is truncated: the JSON ends before its closing brackets \(after 1 entries\)/,
  ],
  ['truncated before the entries', '{"log":{"version":"1.', /is truncated/],
  [
    'a broken entry',
    '{"log":{"version":"1.2","entries":[{"a":1},{"a":}]}}',
    /not valid JSON \(log\.entries\[1\], which starts at byte 43: /,
  ],
  [
    'a missing entry',
    '{"log":{"version":"1.2","entries":[{"a":1},,{}]}}',
    /a value is missing in log\.entries at byte 43/,
  ],
  ['data after the object', '{"log":{"version":"1.2","entries":[]}} x', /it is not valid JSON/],
];

describe('bad HAR input', () => {
  it.each(BAD)('%s', async (_, text, message) => {
    const error = await readHar(chunks(text), 'x.har').then(
      () => undefined,
      (e: Error & { exitStatus?: number }) => e,
    );
    expect(error?.message).toMatch(message);
    expect(error?.message).toMatch(/^x\.har/);
    expect(error?.message).not.toMatch(/\n/);
    expect(error?.exitStatus).toBe(2);
  });

  it('reads HAR 1.1 (Firefox wrote it once) and 1.2', () => {
    for (const version of ['1.1', '1.2'])
      expect(readSkeleton({ log: { version, entries: [], creator: { name: 'Firefox' } } }, 'x').version).toBe(
        version,
      );
  });
});
