// The scenario reader of `simulate`: the bytes of a file or of standard input, streamed in chunks, must
// give what reading them whole gives (the same scenarios, or an error both ways), and the output printed
// piece by piece must be what rendering every result at once gives.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pc from 'picocolors';
import { SimulationPrinter } from '../../../src/cli/commands/simulate.js';
import { openInputStream, parseJsonInput } from '../../../src/cli/read-input.js';
import { BadInputError } from '../../../src/core/errors.js';
import { simulate } from '../../../src/model/simulate.js';
import type { Scenario } from '../../../src/model/types.js';
import { maskSecrets } from '../../../src/report/mask.js';
import { render } from '../../../src/report/renderers.js';
import { generateScenarios } from '../../../src/scenarios/generate.js';
import { parseScenarios } from '../../../src/scenarios/schema.js';
import { streamScenarios } from '../../../src/scenarios/stream.js';
import { expectDocumented, filesUnder, REPO } from './common.js';
import { FuzzFailure, type FuzzTarget, type MutationContext, mutate, type Random } from './kit.js';
import { type Json, scenarioText, scenarioValue } from './scenario-gen.js';

const JSON_TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '"',
  '\\',
  '\\u',
  '\\ud800',
  'null',
  'true',
  '1e999',
  '-',
  '.',
  'NaN',
  '\n',
];

const JSON_NESTS: Array<readonly [string, string]> = [
  ['[', ']'],
  ['{"a":', '}'],
  ['{"request":', '}'],
];

const JSON_LITERAL = (random: Random, size: number): string =>
  random.pick([
    () => `"${'a'.repeat(size)}"`,
    () => '9'.repeat(Math.min(size, 100_000)),
    () => `[${'0,'.repeat(Math.ceil(size / 2))}0]`,
    () => `"${'\\u00e9'.repeat(Math.ceil(size / 6))}"`,
  ])();

export interface ScenarioInput {
  how: string;
  bytes: Buffer | string;
  /** Where standard input cuts the bytes into chunks. */
  cuts: number[];
}

/** Bytes as standard input may hand them over: in chunks cut anywhere, inside a character too. */
async function* cutInto(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (at > from) yield bytes.subarray(from, at);
    from = Math.max(from, at);
  }
}

type Read = { ok: true; single: boolean; scenarios: Scenario[] } | { ok: false; error: unknown };

/** What `simulate` reads from a stream of chunks: every batch, or the error it stops at. */
async function readStream(
  open: () => Promise<{ name: string; chunks: AsyncIterable<Buffer> }>,
): Promise<Read> {
  const scenarios: Scenario[] = [];
  let single = false;
  try {
    const { name, chunks } = await open();
    for await (const batch of streamScenarios(chunks, name)) {
      single = batch.single;
      scenarios.push(...batch.scenarios);
    }
    return { ok: true, single, scenarios };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The same bytes read whole, as the documented behaviour: UTF-8 text without NUL, one JSON value. */
function readWhole(bytes: Buffer): Read {
  try {
    if (bytes.includes(0)) throw new BadInputError('a binary file');
    // One byte order mark may open the input (TextDecoder would drop one itself: a second is an error).
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).replace(/^\uFEFF/, '');
    const value = parseJsonInput(text, 'the input');
    const { scenarios, single } = parseScenarios(value);
    return { ok: true, single, scenarios };
  } catch (error) {
    return { ok: false, error };
  }
}

function agree(streamed: Read, whole: Read, how: string): void {
  if (!streamed.ok) expectDocumented(streamed.error);
  if (streamed.ok !== whole.ok)
    throw new FuzzFailure(
      `${how} ${streamed.ok ? 'reads' : 'refuses'} what a whole read ${whole.ok ? 'reads' : 'refuses'}: ${
        streamed.ok ? (whole as { error: Error }).error.message : (streamed.error as Error).message
      }`.slice(0, 300),
    );
  if (
    streamed.ok &&
    whole.ok &&
    (streamed.single !== whole.single || !isDeepStrictEqual(streamed.scenarios, whole.scenarios))
  )
    throw new FuzzFailure(`${how} reads other scenarios than a whole read`);
}

export function scenarioTarget({ short = false } = {}): FuzzTarget<ScenarioInput> {
  let seeds: Json[] = [];
  let corpus: Buffer[] = [];
  let scratch = '';
  const options = { style: pc.createColors(false), version: '0.0.0' };
  const ctx = (): MutationContext => ({
    corpus,
    tokens: JSON_TOKENS,
    nests: JSON_NESTS,
    literal: JSON_LITERAL,
    short,
  });
  return {
    name: 'scenarios',
    async setup() {
      const examples = filesUnder(join(REPO, 'examples/scenarios'), (rel) => rel.endsWith('.json')).map(
        (abs) => JSON.parse(readFileSync(abs, 'utf8')) as Json,
      );
      const generated = generateScenarios({
        seed: 7,
        count: 200,
        origin: 'http://localhost:3000',
        apiBase: 'http://api.test:8000',
      }).map((g) => JSON.parse(JSON.stringify(g.scenario)) as Json);
      seeds = [...examples, ...generated];
      corpus = seeds.slice(0, 60).map((s) => Buffer.from(JSON.stringify(s, null, 2)));
      scratch = mkdtempSync(join(tmpdir(), 'cors-doctor-fuzz-json-'));
    },
    async teardown() {
      rmSync(scratch, { recursive: true, force: true });
    },
    make(random) {
      const value = scenarioValue(random, seeds, short);
      const text = Buffer.from(scenarioText(random, value));
      const mutated = random.chance(0.5) ? undefined : mutate(text, random, ctx());
      const bytes = mutated?.bytes ?? text;
      const pieces = bytes.length < 4000 && random.chance(0.2) ? bytes.length : random.skewed(20);
      const cuts = Array.from({ length: pieces }, () => random.int(bytes.length + 1)).sort((a, b) => a - b);
      const how = `scenario values changed${mutated ? `, then ${mutated.done.join('+')}` : ''}, in ${cuts.length + 1} chunks`;
      return { how, bytes, cuts };
    },
    async run(input) {
      const bytes = Buffer.from(input.bytes);
      const file = join(scratch, 'scenarios.json');
      writeFileSync(file, bytes);
      const whole = readWhole(bytes);
      // As `simulate FILE` reads it, and as standard input may hand it over.
      const streamed = await readStream(() => openInputStream(file));
      agree(streamed, whole, 'the file streamed');
      agree(
        await readStream(async () => ({ name: 'standard input', chunks: cutInto(bytes, input.cuts) })),
        whole,
        'standard input cut in chunks',
      );
      if (!streamed.ok) return;
      // Printed piece by piece, the output is what rendering every result at once gives.
      for (const format of ['json', 'text'] as const) {
        const printer = new SimulationPrinter(format, options);
        let printed = '';
        const shown = streamed.scenarios.map((scenario) =>
          maskSecrets({ scenario, result: simulate(scenario) }),
        );
        for (const { scenario, result } of shown) printed += printer.next(scenario, result, streamed.single);
        printed += printer.end(streamed.single);
        const all = render(
          format,
          {
            command: 'simulate',
            scenarios: shown.map((s) => s.scenario),
            results: shown.map((s) => s.result),
            single: streamed.single,
          },
          options,
        );
        if (printed !== `${all}\n`)
          throw new FuzzFailure(`the ${format} printed piece by piece differs from the whole`);
      }
    },
    files: (input) => ({ 'scenarios.json': input.bytes, 'chunks.json': JSON.stringify(input.cuts) }),
    describe: (input) => input.how,
  };
}
