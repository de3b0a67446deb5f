import { BadInputError } from '../../core/errors.js';
import { EXIT } from '../../core/exit.js';
import { simulate } from '../../model/simulate.js';
import type { SimulationResult } from '../../model/types.js';
import { renderSimulation } from '../../report/simulate-text.js';
import type { Style } from '../../report/style.js';
import { parseJsonInput, readTextInput } from '../read-input.js';

export interface SimulateOptions {
  json?: boolean;
}

/** `cors-doctor simulate [FILE|-]`: runs the browser model on scenarios. Returns the exit status. */
export async function runSimulate(source: string, options: SimulateOptions, style: Style): Promise<number> {
  const { text, name } = await readTextInput(source);
  const input = parseJsonInput(text, name);
  const { parseScenarios, ScenarioInputError } = await import('../../scenarios/schema.js');
  let parsed: ReturnType<typeof parseScenarios>;
  try {
    parsed = parseScenarios(input);
  } catch (error) {
    if (error instanceof ScenarioInputError) throw new BadInputError(`${name}: ${error.message}`);
    throw error;
  }
  const results: SimulationResult[] = parsed.scenarios.map(simulate);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(parsed.single ? results[0] : results, null, 2)}\n`);
  } else {
    const blocks = parsed.scenarios.map((scenario, i) =>
      renderSimulation(scenario, results[i] as SimulationResult, style),
    );
    process.stdout.write(`${blocks.join('\n\n')}\n`);
  }
  const blocked = results.some((r) => r.chrome.outcome === 'blocked' || r.firefox.outcome === 'blocked');
  return blocked ? EXIT.blocked : EXIT.ok;
}
