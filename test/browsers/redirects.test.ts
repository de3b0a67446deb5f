import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../../src/browsers/launch.js';
import { type ReplayedScenario, replayScenarios } from '../../src/browsers/replay.js';
import { simulate } from '../../src/model/simulate.js';
import type { BrowserName, HeaderList, RedirectHop, Scenario } from '../../src/model/types.js';
import { startScenarioServers } from '../support/scenario-server.js';

const inCI = process.env.CI === 'true';
const servers = await startScenarioServers();
afterAll(() => servers.close());

const O = servers.pageOrigin;
const port = new URL(servers.apiBase).port;
const acao = (value = O): [string, string] => ['Access-Control-Allow-Origin', value];
const acac: [string, string] = ['Access-Control-Allow-Credentials', 'true'];
const json: HeaderList = [['Content-Type', 'application/json']];
const preflightOk: HeaderList = [
  acao(),
  ['Access-Control-Allow-Methods', 'PUT'],
  ['Access-Control-Allow-Headers', 'content-type'],
];

/** A redirect chain: the first answer redirects (to the same origin, or to 127.0.0.1 = another origin). */
interface RedirectCase {
  id: string;
  method?: string;
  headers?: HeaderList;
  credentials?: 'omit' | 'include';
  preflight?: HeaderList;
  status?: number;
  first: HeaderList;
  crossOrigin?: boolean;
  hops: RedirectHop[];
}

const ok = (headers: HeaderList = [acao()]): RedirectHop => ({ response: { status: 200, headers } });
const CASES: RedirectCase[] = [
  { id: 'same-origin hop, CORS headers on both', first: [acao()], hops: [ok()] },
  { id: 'redirect without ACAO', first: [], hops: [ok()] },
  { id: 'final answer without ACAO', first: [acao()], hops: [ok([])] },
  { id: 'final answer for another origin', first: [acao()], hops: [ok([acao('http://x.test')])] },
  { id: 'cross-origin hop: Origin becomes null', crossOrigin: true, first: [acao()], hops: [ok()] },
  { id: 'cross-origin hop answered with *', crossOrigin: true, first: [acao()], hops: [ok([acao('*')])] },
  {
    id: 'cross-origin hop answered with null',
    crossOrigin: true,
    first: [acao()],
    hops: [ok([acao('null')])],
  },
  { id: 'cross-origin hop without ACAO', crossOrigin: true, first: [acao()], hops: [ok([])] },
  {
    id: 'credentials, both hops right',
    credentials: 'include',
    first: [acao(), acac],
    hops: [ok([acao(), acac])],
  },
  {
    id: 'credentials, redirect without ACAC',
    credentials: 'include',
    first: [acao()],
    hops: [ok([acao(), acac])],
  },
  {
    id: 'credentials, cross-origin hop allows null',
    credentials: 'include',
    crossOrigin: true,
    first: [acao(), acac],
    hops: [ok([acao('null'), acac])],
  },
  {
    id: 'PUT 307: a second preflight to the new URL passes',
    method: 'PUT',
    headers: json,
    preflight: preflightOk,
    status: 307,
    first: [acao()],
    hops: [
      { preflight: { status: 200, headers: preflightOk }, response: { status: 200, headers: [acao()] } },
    ],
  },
  {
    id: 'PUT 307: the second preflight has no ACAO',
    method: 'PUT',
    headers: json,
    preflight: preflightOk,
    status: 307,
    first: [acao()],
    hops: [{ preflight: { status: 200, headers: [] }, response: { status: 200, headers: [acao()] } }],
  },
  {
    id: 'PUT 307 to another origin: the second preflight comes from null',
    crossOrigin: true,
    method: 'PUT',
    headers: json,
    preflight: preflightOk,
    status: 307,
    first: [acao()],
    hops: [
      { preflight: { status: 200, headers: preflightOk }, response: { status: 200, headers: [acao()] } },
    ],
  },
  {
    id: 'JSON POST 302 becomes GET (Firefox still preflights)',
    method: 'POST',
    headers: json,
    preflight: [acao(), ['Access-Control-Allow-Headers', 'content-type']],
    first: [acao()],
    hops: [{ preflight: { status: 404, headers: [] }, response: { status: 200, headers: [acao()] } }],
  },
];

function urlOf(id: string, hop: number, crossOrigin = false): string {
  const base = crossOrigin && hop > 0 ? `http://127.0.0.1:${port}` : servers.apiBase;
  return `${base}/s/redirect-${CASES.findIndex((c) => c.id === id)}${hop > 0 ? `-h${hop}` : ''}`;
}

const scenarios: Scenario[] = CASES.map((c) => {
  const next = urlOf(c.id, 1, c.crossOrigin);
  for (const [i, hop] of c.hops.entries()) {
    servers.register({
      origin: O,
      request: { url: urlOf(c.id, i + 1), method: 'GET' },
      ...(hop.preflight && { preflight: hop.preflight }),
      response: hop.response,
    });
  }
  return {
    origin: O,
    request: {
      url: urlOf(c.id, 0),
      method: c.method ?? 'GET',
      headers: c.headers ?? [],
      credentials: c.credentials ?? 'omit',
      ...(c.method && c.method !== 'GET' && { body: '{}' }),
    },
    ...(c.preflight && { preflight: { status: 200, headers: c.preflight } }),
    response: { status: c.status ?? 302, headers: [...c.first, ['Location', next]] },
    hops: c.hops,
  };
});

for (const browser of ['chrome', 'firefox'] as BrowserName[]) {
  const unavailable = await browserUnavailableReason(browser);
  if (unavailable && inCI) throw new Error(`CI needs ${browser}: ${unavailable}`);
  describe.skipIf(unavailable !== undefined)(`redirects: model agrees with real ${browser}`, () => {
    let observed: ReplayedScenario[] = [];
    beforeAll(async () => {
      observed = await replayScenarios(browser, scenarios, { host: servers });
    });
    it.each(CASES.map((c, index) => ({ id: c.id, index })))('$id', ({ index }) => {
      const real = observed[index] as ReplayedScenario;
      const model = simulate(scenarios[index] as Scenario)[browser];
      expect({ outcome: model.outcome, messages: model.messages }).toEqual({
        outcome: real.outcome,
        messages: real.messages,
      });
    });
  });
}
