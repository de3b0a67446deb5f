/**
 * Fuzzes the Python project reader (with the evaluator and the static scan), the nginx parser and model,
 * and the scenario reader of `simulate` with random and mutated inputs: each must give a result or a
 * documented bad-input error, never another exception, a hang or a crashed parser.
 *
 *   npm run fuzz -- [--target all|python|nginx|scenarios] [--count 100000] [--seed 1] [--from 0]
 *                   [--slow-ms 10000] [--hang-ms 60000] [--max-failures 50] [--out DIR]
 *
 * Every input is made from (seed, index): `--seed S --from I --count 1` makes input I again. A failing
 * input's files are written under --out (a folder `cors-doctor scan` reads, a file `simulate` reads), with
 * FAILURE.txt saying what went wrong. An input taking more than --slow-ms of CPU time fails. Each target
 * runs in a child process watched from here: an input that never returns (--hang-ms) or that kills the
 * process (out of memory, a native crash) is named by its index, and the run goes on after it.
 * Exits 1 when any input failed, 2 on bad usage.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO } from '../test/unit/fuzz/common.js';
import { type Failure, type FuzzTarget, inputSeed, Random, runTarget } from '../test/unit/fuzz/kit.js';
import { TARGETS, type TargetName } from '../test/unit/fuzz/targets.js';

const usage = (): never => {
  process.stderr.write(
    'usage: npm run fuzz -- [--target all|python|nginx|scenarios] [--count N] [--seed N] [--from N]\n',
  );
  process.exit(2);
};
const OPTIONS = {
  target: { type: 'string', default: 'all' },
  count: { type: 'string', default: '100000' },
  seed: { type: 'string', default: '1' },
  from: { type: 'string', default: '0' },
  'slow-ms': { type: 'string', default: '10000' },
  'hang-ms': { type: 'string', default: '60000' },
  'max-failures': { type: 'string', default: '50' },
  out: { type: 'string', default: join(tmpdir(), 'cors-doctor-fuzz') },
  child: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;
function parse() {
  try {
    return parseArgs({ options: OPTIONS });
  } catch {
    return usage();
  }
}
const { values } = parse();
if (values.help || ![values.seed, values.count, values.from].every((v) => /^\d+$/.test(v))) usage();
const seed = Number(values.seed);
const count = Number(values.count);
const from = Number(values.from);
const out = values.out;
const targetNames: TargetName[] =
  values.target === 'all' ? (Object.keys(TARGETS) as TargetName[]) : [values.target as TargetName];
for (const name of targetNames) {
  if (!(name in TARGETS)) {
    process.stderr.write(`fuzz: no target ${name} (python, nginx, scenarios, all)\n`);
    usage();
  }
}

/** Writes a failing input's files where it can be replayed, and says so. */
function keep(target: FuzzTarget<unknown>, failure: Failure, input: unknown): string {
  const dir = join(out, `${failure.target}-seed${failure.seed}-input${failure.index}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [rel, bytes] of Object.entries(input === undefined ? {} : target.files(input))) {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
  }
  writeFileSync(join(dir, 'FAILURE.txt'), `${JSON.stringify(failure, null, 2)}\n`);
  return dir;
}

/** The child's exit status when it ran its inputs and some failed (any other non-zero status: it died). */
const FAILED = 3;

const heartbeatFile = (name: TargetName) => join(out, `.${name}-seed${seed}.at`);
const failuresFile = (name: TargetName) => join(out, `${name}-seed${seed}-failures.jsonl`);

if (values.child) {
  // The child: runs one target and beats the index of the input it is on into a file.
  const name = targetNames[0] as TargetName;
  const target = TARGETS[name]() as FuzzTarget<unknown>;
  await target.setup();
  const beat = openSync(heartbeatFile(name), 'w');
  const digits = Buffer.alloc(16);
  const started = Date.now();
  const failures = await runTarget(target, {
    seed,
    from,
    count,
    slowMs: Number(values['slow-ms']),
    maxFailures: Number(values['max-failures']),
    onInput(index) {
      digits.fill(0x20);
      digits.write(String(index));
      writeSync(beat, digits, 0, 16, 0);
      if (index > from && (index - from) % 5_000 === 0)
        process.stdout.write(
          `  ${name}: ${index - from} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
        );
    },
    onFailure(failure, input) {
      const dir = keep(target, failure, input);
      writeFileSync(failuresFile(name), `${JSON.stringify({ ...failure, dir })}\n`, { flag: 'a' });
      process.stdout.write(
        `  FAIL ${name} seed ${seed} input ${failure.index}: ${failure.error.split('\n')[0]}\n    ${dir}\n`,
      );
    },
  });
  closeSync(beat);
  await target.teardown();
  process.exit(failures.length > 0 ? FAILED : 0);
}

/** Runs a target's inputs [start, end) in a child; resolves with where it stopped and why. */
function runChild(
  name: TargetName,
  start: number,
  end: number,
): Promise<{ stoppedAt?: number; why?: string }> {
  writeFileSync(heartbeatFile(name), `${start}`);
  const child = spawn(
    join(REPO, 'node_modules/.bin/vite-node'),
    [
      join(REPO, 'scripts/fuzz.ts'),
      '--child',
      `--target=${name}`,
      `--seed=${seed}`,
      `--from=${start}`,
      `--count=${end - start}`,
      `--slow-ms=${values['slow-ms']}`,
      `--max-failures=${values['max-failures']}`,
      `--out=${out}`,
    ],
    {
      stdio: ['ignore', 'inherit', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=2048' },
    },
  );
  // Ending this run ends the child too.
  const stop = () => {
    child.kill('SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const at = () => Number(readFileSync(heartbeatFile(name), 'utf8').trim() || start);
  return new Promise((resolve) => {
    let last = at();
    let lastChange = Date.now();
    let hung = false;
    const watch = setInterval(() => {
      const now = at();
      if (now !== last) {
        last = now;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > Number(values['hang-ms'])) {
        hung = true;
        child.kill('SIGKILL');
      }
    }, 500);
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (hung) resolve({ stoppedAt: at(), why: `hang: no answer within ${values['hang-ms']} ms` });
      else if (code === 0 || code === FAILED) resolve({});
      else
        resolve({
          stoppedAt: at(),
          why: `the process died (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        });
    });
  });
}

mkdirSync(out, { recursive: true });
const maxFailures = Number(values['max-failures']);
const reportedFailures = (name: TargetName): number => {
  try {
    return readFileSync(failuresFile(name), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};
let failed = 0;
for (const name of targetNames) {
  rmSync(failuresFile(name), { force: true });
  const started = Date.now();
  process.stdout.write(`${name}: inputs ${from} to ${from + count - 1}, seed ${seed}\n`);
  let start = from;
  const died: Failure[] = [];
  while (start < from + count && reportedFailures(name) + died.length < maxFailures) {
    const result = await runChild(name, start, from + count);
    if (result.stoppedAt === undefined) break;
    // Name the input that hung or killed the process, keep its files, and go on after it.
    const target = TARGETS[name]() as FuzzTarget<unknown>;
    await target.setup();
    const input = target.make(new Random(inputSeed(seed, result.stoppedAt)));
    const failure: Failure = {
      target: name,
      seed,
      index: result.stoppedAt,
      how: target.describe(input),
      error: result.why ?? '',
      ms: 0,
    };
    const dir = keep(target, failure, input);
    await target.teardown();
    process.stdout.write(
      `  FAIL ${name} seed ${seed} input ${failure.index}: ${failure.error}\n    ${dir}\n`,
    );
    died.push(failure);
    start = result.stoppedAt + 1;
  }
  // The heartbeat holds the last input begun (a run stops early after --max-failures failures).
  const ran = Number(readFileSync(heartbeatFile(name), 'utf8').trim()) - from + 1;
  const total = reportedFailures(name) + died.length;
  failed += total;
  process.stdout.write(
    `${name}: ${ran} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s, ${total} failed${total ? ` (replay one: npx vite-node scripts/fuzz.ts --target ${name} --seed ${seed} --from INDEX --count 1)` : ''}\n`,
  );
}
process.exit(failed > 0 ? 1 : 0);
