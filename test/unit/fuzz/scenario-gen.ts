// Scenario JSON for `simulate`: valid scenarios from the generator and the examples, changed as JSON values
// (a field of another type, a key removed or unknown, odd strings, deep arrays, many copies) before they
// are written out as text.
import { ODD_TEXT, type Random } from './kit.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ODD_STRINGS = [
  '',
  'GET',
  'OPTIONS',
  'CONNECT',
  'http://localhost:3000',
  'http://localhost:3000/',
  'null',
  'https://api.test:99999/x',
  'javascript:alert(1)',
  'http://user:pw@api.test/',
  'http://[::1]/',
  'HTTP://API.TEST',
  'a\r\nb',
  'include',
  'omit',
  'no-cors',
  'same-origin',
  'Access-Control-Allow-Origin',
  '*',
  '__proto__',
  'constructor',
  'toString',
  'x'.repeat(70_000),
];

function oddString(random: Random): string {
  if (random.chance(0.5)) return random.pick(ODD_STRINGS);
  return Array.from({ length: random.between(1, 6) }, () =>
    random.chance(0.5) ? random.pick(ODD_TEXT) : random.pick(ODD_STRINGS).slice(0, 40),
  ).join('');
}

function oddValue(random: Random, depth = 0): Json {
  return random.pick<() => Json>([
    () => null,
    () => random.chance(0.5),
    () => random.pick([0, -1, 99, 100, 204, 599, 600, 1.5, 1e308, -0, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]),
    () => oddString(random),
    () => (depth > 3 ? [] : Array.from({ length: random.between(0, 3) }, () => oddValue(random, depth + 1))),
    () =>
      depth > 3
        ? {}
        : Object.fromEntries(
            Array.from({ length: random.between(0, 3) }, () => [
              oddString(random),
              oddValue(random, depth + 1),
            ]),
          ),
    () => [oddString(random), oddString(random)],
    () => [[oddString(random), oddString(random), oddString(random)]],
  ])();
}

/** Every path to a value inside `value` (a stack, not recursion: values nest deep here). */
function paths(value: Json): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const todo: Array<[Json, Array<string | number>]> = [[value, []]];
  for (let next = todo.pop(); next && out.length < 10_000; next = todo.pop()) {
    const [v, path] = next;
    out.push(path);
    if (Array.isArray(v)) for (const [i, item] of v.entries()) todo.push([item, [...path, i]]);
    else if (v && typeof v === 'object')
      for (const [k, item] of Object.entries(v)) todo.push([item, [...path, k]]);
  }
  return out;
}

function setAt(root: Json, path: Array<string | number>, change: (old: Json) => Json | undefined): Json {
  if (path.length === 0) return change(root) ?? null;
  const parent = path
    .slice(0, -1)
    .reduce<Json>((v, k) => (v as Record<string, Json>)[k as string] as Json, root);
  const key = path[path.length - 1] as string | number;
  const next = change((parent as Record<string, Json>)[key as string] as Json);
  if (Array.isArray(parent)) {
    if (next === undefined) parent.splice(key as number, 1);
    else parent[key as number] = next;
  } else if (parent && typeof parent === 'object') {
    if (next === undefined) delete parent[key as string];
    else parent[key as string] = next;
  }
  return root;
}

const KEYS = [
  'origin',
  'request',
  'url',
  'method',
  'headers',
  'credentials',
  'mode',
  'body',
  'preflight',
  'response',
  'hops',
  'status',
  '__proto__',
  'extra',
];

/** One change of a scenario value, as JSON. */
function change(value: Json, random: Random, short: boolean): Json {
  const all = paths(value);
  const path = random.pick(all);
  return random.pick<() => Json>([
    () => setAt(value, path, () => oddValue(random)),
    () => setAt(value, path, () => undefined),
    () =>
      setAt(value, path, (old) =>
        old && typeof old === 'object' && !Array.isArray(old)
          ? { ...old, [random.pick(KEYS)]: oddValue(random) }
          : old,
      ),
    () =>
      setAt(value, path, (old) =>
        typeof old === 'number' ? random.pick([old + 1, -old, old * 1000, old + 0.5]) : old,
      ),
    () => setAt(value, path, (old) => (typeof old === 'string' ? old + oddString(random) : old)),
    () => setAt(value, path, (old) => (typeof old === 'string' ? old.toUpperCase() : old)),
    () => setAt(value, path, (old) => [old]),
    // Deep nesting, where the schema reads a value: arrays and objects written in the text (see DEEP).
    () =>
      setAt(
        value,
        path,
        () =>
          `${DEEP}${random.pick([10, 500, 5000, ...(short ? [] : [100_000])])}:${random.pick(['[', '{"a":'])}`,
      ),
    () => setAt(value, path, (old) => (Array.isArray(old) ? [...old, ...old, ...old] : old)),
  ])();
}

/** A scenario input: one scenario or an array of them, changed a few times; sometimes many copies. */
export function scenarioValue(random: Random, seeds: readonly Json[], short = false): Json {
  let value: Json = structuredClone(random.pick(seeds));
  if (random.chance(0.3)) {
    const n = random.pick([0, 1, 2, 5, 50, short ? 100 : 2000]);
    value = Array.from({ length: n }, () => structuredClone(random.pick(seeds)));
  }
  for (let k = random.pick([0, 1, 1, 2, 3, 5]); k > 0; k--) value = change(value, random, short);
  return value;
}

/** A string value that stands for nesting this deep (too deep for JSON.stringify), written by scenarioText. */
const DEEP = '\u0001deep:';

/** The value as a file would hold it: compact, indented, or with odd but valid whitespace. */
export function scenarioText(random: Random, value: Json): string {
  const text = JSON.stringify(value, null, random.pick([0, 2, '\t'])).replace(
    /"\\u0001deep:(\d+):(\[|\{\\"a\\":)"/g,
    (_m, depth: string, open: string) => {
      const opener = open === '[' ? '[' : '{"a":';
      const closer = open === '[' ? ']' : '}';
      return `${opener.repeat(Number(depth))}0${closer.repeat(Number(depth))}`;
    },
  );
  return random.pick([
    () => text,
    () => `\ufeff${text}`,
    () => ` \r\n${text}\r\n`,
    () => text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  ])();
}

export type { Json };
