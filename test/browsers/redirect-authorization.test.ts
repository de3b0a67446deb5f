// What a redirect does to `Authorization` in real browsers, beside the model (src/model/redirect.ts): a
// same-origin hop keeps it; a hop to another origin (here localhost -> 127.0.0.1) removes it and sends
// `Origin: null`. The causes redirect-drops-authorization and redirect-to-other-origin rest on this.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../../src/browsers/launch.js';
import { type ReplayedScenario, replayScenarios } from '../../src/browsers/replay.js';
import { getHeader } from '../../src/model/header-list.js';
import { afterPreflight, firstRequest, nextRequest } from '../../src/model/plan.js';
import { simulate } from '../../src/model/simulate.js';
import type { BrowserName, HeaderList, Scenario, ServerAnswer } from '../../src/model/types.js';
import { startScenarioServers } from '../support/scenario-server.js';

const inCI = process.env.CI === 'true';
const servers = await startScenarioServers();
afterAll(() => servers.close());

const O = servers.pageOrigin;
const port = new URL(servers.apiBase).port;
const BROWSERS: BrowserName[] = ['chrome', 'firefox'];
const BEARER: HeaderList = [['Authorization', 'Bearer t0k3n']];
/** The answer a bearer-token API gives every origin (`allow_origins=["*"]`, `allow_headers=["*"]`). */
const ANY: HeaderList = [['Access-Control-Allow-Origin', '*']];
const PREFLIGHT_OK: HeaderList = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Allow-Methods', 'GET'],
  ['Access-Control-Allow-Headers', 'authorization'],
];

interface Case {
  id: string;
  /** The hop goes to 127.0.0.1 (another origin than the page's API URL on localhost). */
  crossOrigin: boolean;
  status: number;
  /** What the browser sends on the hop. */
  hopAuthorization: boolean;
  hopOrigin: string;
}

const CASES: Case[] = [
  {
    id: 'same-origin 307 keeps Authorization',
    crossOrigin: false,
    status: 307,
    hopAuthorization: true,
    hopOrigin: O,
  },
  {
    id: 'cross-origin 307 drops Authorization',
    crossOrigin: true,
    status: 307,
    hopAuthorization: false,
    hopOrigin: 'null',
  },
  {
    id: 'cross-origin 301 drops Authorization',
    crossOrigin: true,
    status: 301,
    hopAuthorization: false,
    hopOrigin: 'null',
  },
];

const path = (i: number, hop: number) => `/s/redirect-authorization-${i}${hop > 0 ? '-h1' : ''}`;
const hopUrl = (c: Case, i: number) =>
  `${c.crossOrigin ? `http://127.0.0.1:${port}` : servers.apiBase}${path(i, 1)}`;

const HOP = { preflight: { status: 200, headers: PREFLIGHT_OK }, response: { status: 200, headers: ANY } };

/** Registers each hop afresh: a log left by another browser's run must not count. */
function registerHops(): void {
  for (const i of CASES.keys()) {
    servers.register({
      origin: O,
      request: { url: `${servers.apiBase}${path(i, 1)}`, method: 'GET' },
      ...HOP,
    });
  }
}

const scenarios: Scenario[] = CASES.map((c, i) => ({
  origin: O,
  request: { url: `${servers.apiBase}${path(i, 0)}`, method: 'GET', headers: BEARER, credentials: 'omit' },
  preflight: { status: 200, headers: PREFLIGHT_OK },
  response: { status: c.status, headers: [...ANY, ['Location', hopUrl(c, i)]] },
  hops: [HOP],
}));

describe('the model: Authorization and Origin on the hop', () => {
  it.each(CASES.map((c, i) => ({ ...c, i })))('$id', (c) => {
    const scenario = scenarios[c.i] as Scenario;
    expect(simulate(scenario).redirects?.[0]?.origin).toBe(c.hopOrigin);
    const first = afterPreflight(firstRequest(scenario), scenario.preflight as ServerAnswer, BROWSERS);
    const next = nextRequest(first.request, scenario.response as ServerAnswer, BROWSERS);
    expect(getHeader(next?.headerLines ?? [], 'Authorization') !== null).toBe(c.hopAuthorization);
  });
});

for (const browser of BROWSERS) {
  const unavailable = await browserUnavailableReason(browser);
  if (unavailable && inCI) throw new Error(`CI needs ${browser}: ${unavailable}`);
  describe.skipIf(unavailable !== undefined)(`redirects and Authorization in real ${browser}`, () => {
    let observed: ReplayedScenario[] = [];
    beforeAll(async () => {
      registerHops();
      observed = await replayScenarios(browser, scenarios, { host: servers });
    });
    it.each(CASES.map((c, i) => ({ ...c, i })))('$id', (c) => {
      const real = observed[c.i] as ReplayedScenario;
      const hop = servers.log(path(c.i, 1)).actual;
      expect(hop, 'the browser followed the redirect').toBeDefined();
      const sent = hop?.headers ?? [];
      expect(getHeader(sent, 'Authorization') !== null).toBe(c.hopAuthorization);
      expect(getHeader(sent, 'Origin')).toBe(c.hopOrigin);
      const model = simulate(scenarios[c.i] as Scenario)[browser];
      expect({ outcome: model.outcome, messages: model.messages }).toEqual({
        outcome: real.outcome,
        messages: real.messages,
      });
    });
  });
}
