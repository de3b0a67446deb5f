/**
 * Replays generated scenarios in real Chromium and Firefox and reports how often the model agrees:
 * outcome, preflight sent, first console line, all console lines.
 *
 *   npx vite-node scripts/agreement.ts [--seed N] [--count N] [--browser chrome|firefox|all] [--show N]
 */
import { parseArgs } from 'node:util';
import { type ReplayedScenario, replayScenarios } from '../src/browsers/replay.js';
import { simulate } from '../src/model/simulate.js';
import type { BrowserName } from '../src/model/types.js';
import { generateScenarios } from '../src/scenarios/generate.js';
import { startScenarioServers } from '../test/support/scenario-server.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '500' },
    browser: { type: 'string', default: 'all' },
    show: { type: 'string', default: '5' },
  },
});
const browsers: BrowserName[] =
  values.browser === 'all' ? ['chrome', 'firefox'] : [values.browser as BrowserName];
const servers = await startScenarioServers();
const generated = generateScenarios({
  seed: Number(values.seed),
  count: Number(values.count),
  origin: servers.pageOrigin,
  apiBase: servers.apiBase,
});
const pct = (n: number) => `${((100 * n) / generated.length).toFixed(2)}%`;

for (const browser of browsers) {
  const started = Date.now();
  const observed = await replayScenarios(
    browser,
    generated.map((g) => g.scenario),
    { host: servers },
  );
  let outcome = 0;
  let preflight = 0;
  let first = 0;
  let all = 0;
  const misses: string[] = [];
  generated.forEach((g, i) => {
    const real = observed[i] as ReplayedScenario;
    const model = simulate(g.scenario)[browser];
    if (model.outcome === real.outcome) outcome++;
    if (model.preflight === real.preflight) preflight++;
    if (model.messages[0] === real.messages[0]) first++;
    if (JSON.stringify(model.messages) === JSON.stringify(real.messages)) all++;
    else
      misses.push(
        `${g.id} ${g.mutation}\n  real:  ${real.messages.join('\n         ')}\n  model: ${model.messages.join('\n         ')}`,
      );
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `${browser}: ${generated.length} scenarios in ${seconds}s; outcome ${pct(outcome)}, preflight ${pct(preflight)}, first line ${pct(first)}, all lines ${pct(all)}\n`,
  );
  for (const miss of misses.slice(0, Number(values.show))) process.stdout.write(`${miss}\n`);
}
await servers.close();
