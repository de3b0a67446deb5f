/**
 * Checks `chromeRequestHeaderOrder` against real Chromium: replays fetches with random sets of
 * CORS-unsafe request headers against preflights that allow none or only some of them, and compares
 * the header Chromium's console message names ("Request header field X is not allowed…") with the
 * model's. Only cases where two or more headers are missing can tell orders apart; they are counted
 * separately.
 *
 *   npx vite-node scripts/chrome-header-order.ts [--seed N] [--count N] [--show N] [--dump N]
 *
 * `--dump N` prints N observed cases where Chromium did not name the first missing header in sorted
 * order, as JSON lines (material for test/unit/model/chrome-header-order.test.ts).
 */
import { parseArgs } from 'node:util';
import { replayScenarios } from '../src/browsers/replay.js';
import { simulate } from '../src/model/simulate.js';
import type { HeaderList, Scenario } from '../src/model/types.js';
import { seededRandom } from '../src/scenarios/generate.js';
import { startScenarioServers } from '../test/support/scenario-server.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '500' },
    show: { type: 'string', default: '10' },
    dump: { type: 'string', default: '0' },
  },
});

const random = seededRandom(Number(values.seed));
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const COMMON = [
  'Authorization',
  'X-Request-ID',
  'X-CSRF-Token',
  'X-Api-Key',
  'X-Requested-With',
  'X-Correlation-ID',
  'X-Client-Version',
  'If-None-Match',
  'Cache-Control',
  'X-Auth-Token',
  'X-Tenant',
  'Baggage',
  'Traceparent',
  'X-Amz-Date',
];
const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

function randomName(): string {
  const length = pick([1, 2, 3, int(4, 8), int(4, 12), int(9, 24), int(25, 60)]);
  let name = pick(['X-', 'x-', '', '']);
  while (name.length < length) name += pick([...TOKEN_CHARS]);
  name = name.slice(0, Math.max(length, 1));
  return /^(sec-|proxy-)/i.test(name) ? `Y${name}` : name;
}

function mixCase(name: string): string {
  const roll = random();
  if (roll < 0.2) return name.toLowerCase();
  if (roll < 0.3) return name.toUpperCase();
  return name;
}

function buildCase(origin: string, url: string): Scenario {
  const count = int(2, 5);
  const names = new Map<string, string>();
  if (random() < 0.3) names.set('content-type', 'Content-Type');
  while (names.size < count) {
    const name = random() < 0.45 ? pick(COMMON) : randomName();
    if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), mixCase(name));
  }
  const headers: HeaderList = [...names.values()].map((name) => [
    name,
    name.toLowerCase() === 'content-type' ? 'application/json' : 'v',
  ]);
  // Shuffle: the page's order must not matter.
  for (let i = headers.length - 1; i > 0; i--) {
    const j = int(0, i);
    [headers[i], headers[j]] = [headers[j] as [string, string], headers[i] as [string, string]];
  }
  const withBody = random() < 0.5;
  const allowed = [...names.keys()].filter(() => random() < 0.25);
  if (random() < 0.5) allowed.push('x-other');
  const preflight: HeaderList = [
    ['Access-Control-Allow-Origin', origin],
    ['Access-Control-Allow-Methods', 'GET, POST, PUT'],
  ];
  if (allowed.length > 0) preflight.push(['Access-Control-Allow-Headers', allowed.join(', ')]);
  return {
    origin,
    request: {
      url,
      method: withBody ? pick(['POST', 'PUT']) : 'GET',
      headers,
      credentials: 'omit',
      ...(withBody && { body: '{"x":1}' }),
    },
    preflight: { status: 204, headers: preflight },
    response: { status: 200, headers: [['Access-Control-Allow-Origin', origin]] },
  };
}

const NAMED = /Request header field (\S+) is not allowed/;

const servers = await startScenarioServers();
const scenarios = Array.from({ length: Number(values.count) }, (_, i) =>
  buildCase(servers.pageOrigin, `${servers.apiBase}/s/h${values.seed}-${i}`),
);
const observed = await replayScenarios('chrome', scenarios, { host: servers });
let named = 0;
let agree = 0;
let multi = 0;
let multiAgree = 0;
let multiSorted = 0;
const misses: string[] = [];
const dumps: string[] = [];
scenarios.forEach((scenario, i) => {
  const real = observed[i]?.messages[0]?.match(NAMED)?.[1];
  const model = simulate(scenario).chrome.messages[0]?.match(NAMED)?.[1];
  if (real === undefined && model === undefined) return;
  named++;
  const allowHeaders =
    scenario.preflight?.headers.find(([n]) => n === 'Access-Control-Allow-Headers')?.[1] ?? '';
  const allowed = new Set(allowHeaders.split(', '));
  const missing = (scenario.request.headers as HeaderList).filter(
    ([n, v]) => !allowed.has(n.toLowerCase()) && !(n.toLowerCase() === 'content-type' && v === 'text/plain'),
  );
  const several = missing.length >= 2;
  if (several) multi++;
  const firstSorted = missing.map(([n]) => n.toLowerCase()).sort()[0];
  if (several && real === firstSorted) multiSorted++;
  if (several && real !== undefined && real !== firstSorted) {
    const headers = (scenario.request.headers as HeaderList).map(([n, v]) => (v === 'v' ? n : `${n}: ${v}`));
    dumps.push(
      JSON.stringify({
        headers,
        body: scenario.request.body !== undefined,
        allow: allowHeaders,
        named: real,
      }),
    );
  }
  if (real === model) {
    agree++;
    if (several) multiAgree++;
  } else {
    misses.push(
      `${JSON.stringify(scenario.request.headers)} body=${scenario.request.body !== undefined} ACAH=${JSON.stringify(allowHeaders)}: real ${real}, model ${model}`,
    );
  }
});
process.stdout.write(
  `${scenarios.length} fetches; ${named} named a header: model agrees on ${agree}; with 2+ missing: ${multiAgree}/${multi} (first-in-sorted-order rule: ${multiSorted}/${multi})\n`,
);
for (const miss of misses.slice(0, Number(values.show))) process.stdout.write(`${miss}\n`);
for (const line of dumps.slice(0, Number(values.dump))) process.stdout.write(`${line}\n`);
await servers.close();
