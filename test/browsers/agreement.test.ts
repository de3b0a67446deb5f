import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../../src/browsers/launch.js';
import { type ReplayedScenario, replayScenarios } from '../../src/browsers/replay.js';
import { simulate } from '../../src/model/simulate.js';
import type { BrowserName } from '../../src/model/types.js';
import { generateScenarios } from '../../src/scenarios/generate.js';
import { startScenarioServers } from '../support/scenario-server.js';

/** The fixed seed and size of the agreement suite. */
const SEED = 20261122;
const COUNT = 320;
const inCI = process.env.CI === 'true';

const servers = await startScenarioServers();
afterAll(() => servers.close());

const generated = generateScenarios({
  seed: SEED,
  count: COUNT,
  origin: servers.pageOrigin,
  apiBase: servers.apiBase,
});

for (const browser of ['chrome', 'firefox'] as BrowserName[]) {
  const unavailable = await browserUnavailableReason(browser);
  if (unavailable && inCI) throw new Error(`CI needs ${browser}: ${unavailable}`);

  describe.skipIf(unavailable !== undefined)(
    `model agrees with real ${browser}${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    () => {
      let observed: ReplayedScenario[] = [];
      beforeAll(async () => {
        observed = await replayScenarios(
          browser,
          generated.map((g) => g.scenario),
          { host: servers },
        );
      });

      it.each(generated.map((g, index) => ({ ...g, index })))('$id $mutation', ({ scenario, index }) => {
        const real = observed[index] as ReplayedScenario;
        const predicted = simulate(scenario);
        const model = predicted[browser];
        expect({
          outcome: model.outcome,
          preflight: model.preflight,
          messages: model.messages,
        }).toEqual({ outcome: real.outcome, preflight: real.preflight, messages: real.messages });
        if (real.preflight) {
          expect(predicted.accessControlRequestHeaders).toBe(
            real.server.preflightRequest?.accessControlRequestHeaders,
          );
        }
      });
    },
  );
}
