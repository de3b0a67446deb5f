// The short fuzzing run: 1,000 random and mutated inputs for each reader, the same ones every time (seeded),
// each handled as documented: a result, or a one-line bad-input error; never an exception of another kind,
// a hang, a crashed parser, or output that differs between two ways of reading the same bytes.
// `npm run fuzz` runs 100,000 of each, bigger ones, in a watched process (scripts/fuzz.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Failure, type FuzzTarget, runTarget } from './kit.js';
import { TARGETS, type TargetName } from './targets.js';

/** The seed of the short run (the long run's default is 1: they try different inputs). */
const SEED = 20_240_611;
const COUNT = 1000;

const lines = (failures: Failure[]) =>
  failures.map(
    (f) =>
      `seed ${f.seed} input ${f.index} (${f.how}): ${f.error.split('\n')[0]}; replay it with npx vite-node scripts/fuzz.ts --target ${f.target} --seed ${f.seed} --from ${f.index} --count 1`,
  );

describe.each(Object.keys(TARGETS) as TargetName[])('fuzzing the %s reader', (name) => {
  const target = TARGETS[name]({ short: true }) as FuzzTarget<unknown>;
  beforeAll(() => target.setup());
  afterAll(() => target.teardown());

  it(`handles ${COUNT} random and mutated inputs as documented`, async () => {
    const failures = await runTarget(target, { seed: SEED, count: COUNT, slowMs: 5000, maxFailures: 5 });
    expect(lines(failures)).toEqual([]);
  }, 120_000);
});
