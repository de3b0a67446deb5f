// The fuzzing kit: a seeded random source, byte mutations of real inputs, and the loop that runs a target
// on inputs drawn from (seed, index) so that any one input can be made again alone.
import { seededRandom } from '../../../src/scenarios/generate.js';

/** A seeded source of random choices (mulberry32 underneath). */
export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  /** In [0, 1). */
  float(): number {
    return this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  /** Small numbers often, large ones rarely: an integer in [0, max]. */
  skewed(max: number): number {
    return Math.floor((max + 1) ** this.next()) - 1;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  /** Some of `items`, in their order. */
  some<T>(items: readonly T[], p = 0.5): T[] {
    return items.filter(() => this.chance(p));
  }
}

/** The seed of input `index` of a run seeded `seed` (splitmix-style mixing: nearby indexes differ). */
export function inputSeed(seed: number, index: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Characters that break text in interesting ways: controls, BOMs, separators, surrogates, wide forms. */
export const ODD_TEXT: readonly string[] = [
  '\0',
  '\r',
  '\r\n',
  '\t',
  '\v',
  '\f',
  '\x1b',
  '\x7f',
  '\u00a0',
  '\u00e9',
  '\u0301',
  '\u200b',
  '\u200d',
  '\u2028',
  '\u2029',
  '\u202e',
  '\ufeff',
  '\ufffd',
  '\uff41\uff50\uff50', // ａｐｐ
  '\u{1f600}',
  '\u{10ffff}',
  '\ud800',
  '\udfff',
  'ß',
  'İ',
  'ǅ',
  '\u0130\u0131',
];

/** Raw byte sequences that are not valid UTF-8, or are byte order marks. */
const ODD_BYTES: readonly number[][] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xef, 0xbb, 0xbf],
  [0xff, 0xfe],
  [0xfe, 0xff],
  [0xe2, 0x82],
  [0x00],
];

export interface MutationContext {
  /** Other inputs of the same kind, for splices. */
  corpus: readonly Buffer[];
  /** Tokens that mean something to the target's grammar. */
  tokens: readonly string[];
  /** Openers for deep nesting, with their closers. */
  nests: ReadonlyArray<readonly [string, string]>;
  /** Makes a huge literal of about `size` characters, in the target's syntax. */
  literal(random: Random, size: number): string;
  /** The short run (inside the unit tests): sizes and depths a hundred times smaller at most. */
  short?: boolean;
}

const at = (buf: Buffer, random: Random): number => random.int(buf.length + 1);
const insert = (buf: Buffer, pos: number, piece: Buffer | string): Buffer =>
  Buffer.concat([buf.subarray(0, pos), Buffer.from(piece), buf.subarray(pos)]);

/** One mutation of bytes: each is a way real files go wrong. */
type Mutation = (buf: Buffer, random: Random, ctx: MutationContext) => Buffer;

const MUTATIONS: Record<string, Mutation> = {
  flipBits(buf, random) {
    if (buf.length === 0) return buf;
    const out = Buffer.from(buf);
    for (let k = random.between(1, 8); k > 0; k--) {
      const i = random.int(out.length);
      out[i] = (out[i] as number) ^ (1 << random.int(8));
    }
    return out;
  },
  setBytes(buf, random) {
    if (buf.length === 0) return buf;
    const out = Buffer.from(buf);
    for (let k = random.between(1, 4); k > 0; k--)
      out[random.int(out.length)] = random.pick([
        0,
        0x7f,
        0x80,
        0xff,
        0x0d,
        0x0a,
        0x22,
        0x27,
        random.int(256),
      ]);
    return out;
  },
  truncate(buf, random) {
    return buf.subarray(0, random.int(buf.length + 1));
  },
  deleteRange(buf, random) {
    const a = random.int(buf.length + 1);
    const b = Math.min(buf.length, a + random.skewed(200));
    return Buffer.concat([buf.subarray(0, a), buf.subarray(b)]);
  },
  duplicateRange(buf, random, ctx) {
    const a = random.int(buf.length + 1);
    const piece = buf.subarray(a, a + random.skewed(400));
    const times = random.chance(0.1) ? random.between(10, ctx.short ? 200 : 2000) : random.between(1, 3);
    return insert(buf, at(buf, random), Buffer.concat(Array.from({ length: times }, () => piece)));
  },
  spliceOther(buf, random, ctx) {
    const other = ctx.corpus.length > 0 ? random.pick(ctx.corpus) : buf;
    if (random.chance(0.5)) {
      // A prefix of this one, a suffix of the other.
      return Buffer.concat([
        buf.subarray(0, random.int(buf.length + 1)),
        other.subarray(random.int(other.length + 1)),
      ]);
    }
    const a = random.int(other.length + 1);
    return insert(buf, at(buf, random), other.subarray(a, a + random.skewed(2000)));
  },
  insertTokens(buf, random, ctx) {
    let out = buf;
    for (let k = random.between(1, 6); k > 0; k--)
      out = insert(out, at(out, random), random.pick(ctx.tokens));
    return out;
  },
  deepNesting(buf, random, ctx) {
    const [open, close] = random.pick(ctx.nests);
    const depth = random.pick([
      20,
      50,
      100,
      200,
      500,
      1000,
      1000,
      5000,
      ...(ctx.short ? [] : [20_000, 100_000]),
    ]);
    const balanced = random.chance(0.6);
    const pos = at(buf, random);
    const inner = random.chance(0.5) ? random.pick(ctx.tokens) : '';
    const piece = open.repeat(depth) + inner + (balanced ? close.repeat(depth) : '');
    return insert(buf, pos, piece);
  },
  hugeLiteral(buf, random, ctx) {
    const size = random.pick([
      1000,
      1000,
      5000,
      10_000,
      10_000,
      50_000,
      ...(ctx.short ? [] : [100_000, 100_000, 500_000, 1_100_000]),
    ]);
    return insert(buf, at(buf, random), ctx.literal(random, size));
  },
  unicode(buf, random) {
    let out = buf;
    for (let k = random.between(1, 5); k > 0; k--) out = insert(out, at(out, random), random.pick(ODD_TEXT));
    return out;
  },
  oddBytes(buf, random) {
    let out = buf;
    for (let k = random.between(1, 3); k > 0; k--)
      out = insert(out, random.chance(0.2) ? 0 : at(out, random), Buffer.from(random.pick(ODD_BYTES)));
    return out;
  },
  nulBytes(buf, random) {
    let out = buf;
    for (let k = random.between(1, 3); k > 0; k--) out = insert(out, at(out, random), Buffer.from([0]));
    return out;
  },
  lineEndings(buf, random) {
    const text = buf.toString('latin1');
    const style = random.pick(['\r\n', '\r', '\n\r', '\u2028']);
    const changed = random.chance(0.5)
      ? text.replace(/\r?\n/g, style)
      : text.replace(/\r?\n/g, (m) => (random.chance(0.3) ? style : m));
    return Buffer.from(changed, style === '\u2028' ? 'utf8' : 'latin1');
  },
  unbalance(buf, random) {
    let out = buf;
    const marks = ['(', ')', '[', ']', '{', '}', '"', "'", '"""', "'''", '`', '\\', '<', '>'];
    for (let k = random.between(1, 4); k > 0; k--) out = insert(out, at(out, random), random.pick(marks));
    return out;
  },
  swapLines(buf, random) {
    const lines = buf.toString('latin1').split('\n');
    for (let k = random.between(1, 4); k > 0; k--) {
      const i = random.int(lines.length);
      const j = random.int(lines.length);
      [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
    }
    return Buffer.from(lines.join('\n'), 'latin1');
  },
  indentation(buf, random) {
    const text = buf.toString('latin1');
    const lines = text.split('\n').map((line) => {
      if (!random.chance(0.2)) return line;
      return (
        random.pick(['\t', ' ', '    ', '', '\f', ' \t']) +
        line.replace(/^[ \t]+/, random.chance(0.5) ? '' : '  ')
      );
    });
    return Buffer.from(lines.join('\n'), 'latin1');
  },
  caseFlip(buf, random) {
    const text = buf.toString('latin1');
    const a = random.int(text.length + 1);
    const b = Math.min(text.length, a + random.skewed(100));
    const piece = text.slice(a, b);
    const flipped = random.chance(0.5) ? piece.toUpperCase() : piece.toLowerCase();
    return Buffer.from(text.slice(0, a) + flipped + text.slice(b), 'latin1');
  },
};

export const MUTATION_NAMES = Object.keys(MUTATIONS);

/** One to four mutations of `seed`, stacked; returns the bytes and the names of what was done. */
export function mutate(
  seed: Buffer,
  random: Random,
  ctx: MutationContext,
): { bytes: Buffer; done: string[] } {
  let bytes = seed;
  const done: string[] = [];
  for (let k = random.pick([1, 1, 1, 2, 2, 3, 4]); k > 0; k--) {
    const name = random.pick(MUTATION_NAMES);
    bytes = (MUTATIONS[name] as Mutation)(bytes, random, ctx);
    done.push(name);
  }
  return { bytes, done };
}

/** What a target must do: make input `index` from its random source, run it, and write it out. */
export interface FuzzTarget<I> {
  name: string;
  /** Reads seeds, makes scratch folders. */
  setup(): Promise<void>;
  teardown(): Promise<void>;
  make(random: Random): I;
  /** Runs one input; resolves when it was handled as documented, throws FuzzFailure (or anything) when not. */
  run(input: I): Promise<void>;
  /** The input as files (name -> bytes), to write where a failure can be replayed. */
  files(input: I): Record<string, Buffer | string>;
  /** One line saying how the input was made. */
  describe(input: I): string;
}

/** A result that is not a crash but still breaks the contract (an internal error noted as a file's error). */
export class FuzzFailure extends Error {
  override name = 'FuzzFailure';
}

export interface Failure {
  target: string;
  seed: number;
  index: number;
  how: string;
  error: string;
  ms: number;
}

export interface RunOptions {
  seed: number;
  from?: number;
  count: number;
  /** An input taking more CPU time than this is a failure (superlinear work; a hang is the watchdog's). */
  slowMs: number;
  /** Called before each input (a watchdog's heartbeat). */
  onInput?(index: number): void;
  onFailure?(failure: Failure, input: unknown): void;
  /** Stop after this many failures. */
  maxFailures?: number;
}

/** Runs `count` inputs of a target; returns the failures (each reproducible from seed and index). */
export async function runTarget<I>(target: FuzzTarget<I>, options: RunOptions): Promise<Failure[]> {
  const failures: Failure[] = [];
  const from = options.from ?? 0;
  for (let index = from; index < from + options.count; index++) {
    options.onInput?.(index);
    // CPU time, not wall time: a loaded machine does not make an input slow.
    const started = process.cpuUsage();
    let error: string | undefined;
    let input: I | undefined;
    try {
      input = target.make(new Random(inputSeed(options.seed, index)));
      await target.run(input);
    } catch (thrown) {
      const e = thrown as Error;
      error = `${e?.name ?? 'Error'}: ${e?.message ?? String(thrown)}`.slice(0, 500);
      if (!(thrown instanceof FuzzFailure) && e?.stack)
        error += `\n${e.stack.split('\n').slice(1, 6).join('\n')}`;
    }
    const used = process.cpuUsage(started);
    const ms = (used.user + used.system) / 1000;
    if (error === undefined && ms > options.slowMs)
      error = `slow: ${ms.toFixed(0)} ms of CPU time (limit ${options.slowMs} ms)`;
    if (error !== undefined) {
      const failure = {
        target: target.name,
        seed: options.seed,
        index,
        how: input === undefined ? 'the input could not be made' : target.describe(input),
        error,
        ms,
      };
      failures.push(failure);
      options.onFailure?.(failure, input);
      if (failures.length >= (options.maxFailures ?? Number.POSITIVE_INFINITY)) break;
    }
  }
  return failures;
}
