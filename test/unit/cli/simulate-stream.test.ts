import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulate } from '../../../src/model/simulate.js';
import type { Scenario } from '../../../src/model/types.js';
import { type OutputFormat, render } from '../../../src/report/renderers.js';
import { makeStyle } from '../../../src/report/style.js';
import { generateScenarios } from '../../../src/scenarios/generate.js';
import { parseScenarios } from '../../../src/scenarios/schema.js';
import { streamScenarios, TopLevelArraySplitter } from '../../../src/scenarios/stream.js';
import { runCli } from '../../support/run-cli.js';

const EXAMPLES = join(import.meta.dirname, '../../../examples/scenarios');
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(EXAMPLES, f), 'utf8') }));
const generated = generateScenarios({
  seed: 11,
  count: 300,
  origin: 'http://localhost:3000',
  apiBase: 'http://localhost:8000',
}).map((g) => g.scenario);

const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-simulate-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fileWith = (content: string | Buffer): string => {
  const path = join(dir, `input-${files++}.json`);
  writeFileSync(path, content);
  return path;
};

/** What `simulate` printed before it streamed: the input parsed whole, every result rendered at once. */
function wholeOutput(text: string, format: OutputFormat): { stdout: string; code: number } {
  const parsed = parseScenarios(JSON.parse(text.replace(/^\uFEFF/, '')));
  const results = parsed.scenarios.map(simulate);
  const result = { command: 'simulate' as const, ...parsed, results };
  const blocked = results.some((r) => r.chrome.outcome === 'blocked' || r.firefox.outcome === 'blocked');
  return {
    stdout: `${render(format, result, { style: makeStyle(), version: '0.1.0' })}\n`,
    code: blocked ? 1 : 0,
  };
}

// Each input: every example alone (one scenario, as written), all of them in one array (pretty and
// compact), generated scenarios, an empty array, and arrays with a BOM, odd whitespace and strings holding
// brackets, commas, quotes, escapes and non-ASCII text.
const tricky: Scenario = {
  origin: 'http://localhost:3000',
  request: {
    url: 'http://localhost:8000/a,b]/c}{"d"',
    method: 'POST',
    headers: [['X-Note', 'caf\u00e9 \\ "[,]" \u00e9\u00e8']],
    body: '{"a": [1, 2, "]"], "b": "\\"}"}',
  },
  response: { status: 200, headers: [['access-control-allow-origin', 'http://localhost:3000']] },
};
const exampleArray = `[${examples.map((e) => e.text.trim()).join(',\n')}]`;
const INPUTS: Array<[string, string]> = [
  ...examples.map((e): [string, string] => [`example ${e.name}`, e.text]),
  ['every example, one array', exampleArray],
  ['every example, compact', JSON.stringify(JSON.parse(exampleArray))],
  ['300 generated scenarios', JSON.stringify(generated, null, 2)],
  ['an empty array', '[]'],
  ['an empty array with spaces', ' \n[ \t\r\n ]\n'],
  [
    'a BOM and whitespace everywhere',
    `\uFEFF \n [\n\n${JSON.stringify(tricky)} \t,\r\n${examples[0]?.text} ] \n\n`,
  ],
  ['brackets, quotes and escapes in strings', JSON.stringify([tricky, tricky, tricky])],
];

describe('simulate streams its input and output, byte for byte what the whole-input renderer prints', () => {
  for (const format of ['json', 'text'] as const) {
    it.each(INPUTS)(`--format ${format}: %s`, async (_title, text) => {
      const want = wholeOutput(text, format);
      const got = await runCli(['simulate', '--format', format, fileWith(text)]);
      expect(got.stderr).toBe('');
      expect(got.stdout).toBe(want.stdout);
      expect(got.code).toBe(want.code);
    });
  }
});

/** All the scenarios streamScenarios reads from `bytes` cut into chunks of `size` bytes. */
async function readInChunks(
  bytes: Buffer,
  size: number,
): Promise<{ single: boolean; scenarios: Scenario[] }> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  const scenarios: Scenario[] = [];
  let single = false;
  for await (const batch of streamScenarios(chunks(), 'input.json')) {
    single = batch.single;
    scenarios.push(...batch.scenarios);
  }
  return { single, scenarios };
}

describe('the split into elements does not depend on where the chunks end', () => {
  const cases = INPUTS.filter(([title]) => !title.startsWith('300'));
  it.each(cases)('%s, in chunks of 1, 2, 3, 7 and 64 bytes', async (_title, text) => {
    const want = parseScenarios(JSON.parse(text.replace(/^\uFEFF/, '')));
    for (const size of [1, 2, 3, 7, 64]) {
      expect(await readInChunks(Buffer.from(text), size)).toEqual(want);
    }
  });

  it('cuts a UTF-8 input at every byte, multi-byte characters included', () => {
    const text = JSON.stringify([{ a: '\u00e9\u4e2d\u{1f600}', b: ['x', { c: '"]' }] }, 'z', 3]);
    const bytes = Buffer.from(text);
    const splitter = new TopLevelArraySplitter('input.json');
    const texts: string[] = [];
    for (let i = 0; i < bytes.length; i++)
      for (const piece of splitter.push(bytes.subarray(i, i + 1)))
        if (piece.kind === 'element') texts.push(piece.text);
    expect(splitter.end()).toEqual([]);
    expect(texts.map((t) => JSON.parse(t))).toEqual(JSON.parse(text));
  });
});

const good = JSON.stringify({ origin: 'http://localhost:3000', request: { url: 'http://localhost:8000/a' } });
const badOrigin = JSON.stringify({
  origin: 'http://localhost:3000/',
  request: { url: 'http://localhost:8000/a' },
});
// Each row: the input, then what the one line on stderr says.
const BAD: Array<[string, string | Buffer, RegExp]> = [
  [
    'a bad field in element [2]',
    `[${good},${good},${badOrigin},${good}]`,
    /: \[2\]\.origin: must be an origin/,
  ],
  [
    'a bad URL in element [1] of a pretty array',
    JSON.stringify(
      [JSON.parse(good), { origin: 'http://localhost:3000', request: { url: 'localhost' } }],
      null,
      2,
    ),
    /: \[1\]\.request\.url: must be an absolute http:\/\/ or https:\/\/ URL/,
  ],
  [
    'broken JSON in element [1]',
    `[${good},{"origin": "http://localhost:3000", "request": {]},${good}]`,
    /is not valid JSON \(element \[1\], which starts at byte \d+: .+\): fix the syntax/,
  ],
  [
    'two values without a comma',
    `[${good} ${good}]`,
    /is not valid JSON \(element \[0\], which starts at byte 1:/,
  ],
  ['a trailing comma', `[${good},]`, /is not valid JSON \(a value is missing before the '\]' at byte \d+\)/],
  [
    'a missing element',
    `[${good},,${good}]`,
    /is not valid JSON \(a value is missing before the ',' at byte \d+\)/,
  ],
  [
    'an array never closed',
    `[${good},${good}`,
    /is not valid JSON \(the input ends inside the top-level array, inside element \[1\]\)/,
  ],
  ['an array opened only', '  [  ', /the input ends inside the top-level array, before its first element/],
  ['data after the array', `[${good}] x`, /unexpected data after the array's closing '\]', at byte \d+/],
  ['a second array', `[${good}][${good}]`, /unexpected data after the array's closing '\]'/],
  [
    'an element that is not a scenario',
    `[${good}, 42]`,
    /: \[1\]: Invalid input: expected object, received number/,
  ],
  [
    // Found by fuzzing: masking the value as a secret threw (a lone surrogate is no URI component).
    'a header value above U+00FF, which fetch() refuses',
    `[${good}, ${JSON.stringify({ origin: 'http://localhost:3000', request: { url: 'http://localhost:8000/a', headers: [['X-Api-Key', 'key\udfff']] } })}]`,
    /: \[1\]\.request\.headers\[0\]\[1\]: header values are bytes/,
  ],
  ['a lone bad scenario', badOrigin, /: origin: must be an origin/],
  ['a lone broken scenario', '{"origin": ', /is not valid JSON \(.+\): fix the syntax and retry/],
  ['nothing but whitespace', ' \n\t ', /is empty: expected a JSON scenario or an array of them/],
  [
    'a NUL byte after good elements',
    Buffer.concat([Buffer.from(`[${good},`), Buffer.from([0, 1])]),
    /is a binary file/,
  ],
];

describe('bad input in the middle of the stream: one line naming the element, exit 2', () => {
  it.each(BAD)('%s', async (_title, content, message) => {
    const { code, stderr } = await runCli(['simulate', '--json', fileWith(content)]);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toContain('input-');
  });

  it('prints the results of the elements before the bad one', async () => {
    const { code, stdout } = await runCli(['simulate', '--json', fileWith(`[${good},${good},${badOrigin}]`)]);
    expect(code).toBe(2);
    expect(stdout.startsWith('[\n  {\n')).toBe(true);
  });

  it('refuses an element larger than the bound, naming it', () => {
    const splitter = new TopLevelArraySplitter('input.json', 1024);
    splitter.push(Buffer.from(`[${good},`));
    expect(() => splitter.push(Buffer.from(`{"a": "${'x'.repeat(2000)}"}`))).toThrow(
      /input\.json: element \[1\] is larger than/,
    );
  });
});
