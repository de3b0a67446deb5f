import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../../src/browsers/launch.js';
import { type ReplayedScenario, replayScenarios } from '../../src/browsers/replay.js';
import { simulate } from '../../src/model/simulate.js';
import type { BrowserName, HeaderList, RedirectHop, Scenario } from '../../src/model/types.js';
import { startScenarioServers } from '../support/scenario-server.js';

// More than 20 redirects is a network error in every browser: Chrome prints net::ERR_TOO_MANY_REDIRECTS (not a
// CORS line), Firefox "CORS request did not succeed" with no status at the last URL it requested.
const inCI = process.env.CI === 'true';
const servers = await startScenarioServers();
afterAll(() => servers.close());

const O = servers.pageOrigin;
const acao: HeaderList = [['Access-Control-Allow-Origin', O]];
const url = (path: string) => `${servers.apiBase}/s/${path}`;
const redirect = (to: string, status = 302): RedirectHop => ({
  response: { status, headers: [...acao, ['Location', url(to)]] },
});

interface LimitCase {
  id: string;
  /** Paths in the order the browser requests them, and the path each one redirects to (none: 200). */
  chain: Array<[string, string | undefined]>;
  method?: string;
  headers?: HeaderList;
  preflight?: HeaderList;
  status?: number;
  expected: 'allowed' | 'blocked';
}

/** A chain of `redirects` redirects from /s/<id>-0 to /s/<id>-<redirects>, which answers 200. */
const chainOf = (id: string, redirects: number): LimitCase['chain'] =>
  Array.from({ length: redirects + 1 }, (_, i) => [
    `${id}-${i}`,
    i < redirects ? `${id}-${i + 1}` : undefined,
  ]);

const CASES: LimitCase[] = [
  {
    id: 'a loop /a -> /b -> /a',
    chain: [
      ['loop-a', 'loop-b'],
      ['loop-b', 'loop-a'],
    ],
    expected: 'blocked',
  },
  { id: '20 redirects: the last one followed', chain: chainOf('twenty', 20), expected: 'allowed' },
  { id: '21 redirects: one too many', chain: chainOf('twentyone', 21), expected: 'blocked' },
  { id: '25 redirects', chain: chainOf('twentyfive', 25), expected: 'blocked' },
  {
    id: 'a PUT 307 loop, each hop preflighted',
    chain: [
      ['put-a', 'put-b'],
      ['put-b', 'put-a'],
    ],
    method: 'PUT',
    headers: [['Content-Type', 'application/json']],
    preflight: [
      ...acao,
      ['Access-Control-Allow-Methods', 'PUT'],
      ['Access-Control-Allow-Headers', 'content-type'],
    ],
    status: 307,
    expected: 'blocked',
  },
];

/** The answer to each request of the chain, as the browser meets them (a loop repeats its answers). */
function scenarioOf(c: LimitCase): Scenario {
  const answers = new Map(c.chain.map(([path, to]) => [path, to]));
  const preflight = c.preflight && { status: 200, headers: c.preflight };
  for (const [path, to] of c.chain) {
    servers.register({
      origin: O,
      request: { url: url(path), method: c.method ?? 'GET' },
      ...(preflight && { preflight }),
      response: to === undefined ? { status: 200, headers: acao } : redirect(to, c.status).response,
    });
  }
  const hops: RedirectHop[] = [];
  let path = c.chain[0]?.[0] as string;
  for (let i = 0; i < 21; i++) {
    const to = answers.get(path);
    if (to === undefined) break;
    const next = answers.get(to);
    hops.push({
      ...(preflight && { preflight }),
      response: next === undefined ? { status: 200, headers: acao } : redirect(next, c.status).response,
    });
    path = to;
  }
  const first = c.chain[0] as [string, string];
  return {
    origin: O,
    request: {
      url: url(first[0]),
      method: c.method ?? 'GET',
      headers: c.headers ?? [],
      credentials: 'omit',
      ...(c.method === 'PUT' && { body: '{}' }),
    },
    ...(preflight && { preflight }),
    response: redirect(first[1], c.status).response,
    hops,
  };
}

// Registered once: the scenario server answers every URL of every chain.
const scenarios = CASES.map(scenarioOf);

/** What the browser printed for the request: its CORS lines, then Chromium's network error line. */
const printed = (run: ReplayedScenario): string[] => [
  ...run.messages,
  ...run.otherConsole
    .filter((l) => /net::ERR_TOO_MANY_REDIRECTS/.test(l))
    .map((l) => l.replace(/^error: /, '')),
];

describe('the redirect limit in the model', () => {
  it.each(CASES.map((c, index) => ({ ...c, index })))('$id: $expected', ({ index, expected }) => {
    const model = simulate(scenarios[index] as Scenario);
    for (const browser of ['chrome', 'firefox'] as const) {
      expect(model[browser].outcome).toBe(expected);
      if (expected === 'blocked') {
        expect(model[browser].stage).toBe('network');
        expect(model[browser].reason).toBe('too-many-redirects');
        expect(model[browser].messages).toHaveLength(1);
      }
    }
    expect(model.spec.outcome).toBe(expected);
    if (expected === 'blocked') {
      expect(model.chrome.messages).toEqual(['Failed to load resource: net::ERR_TOO_MANY_REDIRECTS']);
      expect(model.firefox.messages[0]).toMatch(
        /\(Reason: CORS request did not succeed\)\. Status code: \(null\)\.$/,
      );
    }
  });
});

for (const browser of ['chrome', 'firefox'] as BrowserName[]) {
  const unavailable = await browserUnavailableReason(browser);
  if (unavailable && inCI) throw new Error(`CI needs ${browser}: ${unavailable}`);
  describe.skipIf(unavailable !== undefined)(`the redirect limit: model agrees with real ${browser}`, () => {
    let observed: ReplayedScenario[] = [];
    beforeAll(async () => {
      // replayScenarios registers each scenario's first URL again: the same answer as above.
      observed = await replayScenarios(
        browser,
        scenarios.map((s) => ({ ...s, hops: [] })),
        { host: servers },
      );
    }, 120_000);
    it.each(CASES.map((c, index) => ({ id: c.id, index })))('$id', ({ index }) => {
      const real = observed[index] as ReplayedScenario;
      const model = simulate(scenarios[index] as Scenario)[browser];
      expect({ outcome: model.outcome, messages: model.messages }).toEqual({
        outcome: real.outcome,
        messages: printed(real),
      });
    });
  });
}
