import { EXIT } from '../../core/exit.js';
import { simulate } from '../../model/simulate.js';
import type { SimulationResult } from '../../model/types.js';
import { packageVersion } from '../../package-root.js';
import { parseFormat, render } from '../../report/renderers.js';
import type { Style } from '../../report/style.js';
import { parseJsonInput, readTextInput } from '../read-input.js';

export interface SimulateOptions {
  json?: boolean;
  format?: string;
}

/** `cors-doctor simulate [FILE|-]`: runs the browser model on scenarios. Returns the exit status. */
export async function runSimulate(source: string, options: SimulateOptions, style: Style): Promise<number> {
  const format = parseFormat('simulate', options.format, options.json);
  const { text, name } = await readTextInput(source);
  const input = parseJsonInput(text, name);
  const { parseScenarioInput } = await import('../../scenarios/schema.js');
  const parsed = parseScenarioInput(input, name);
  const results: SimulationResult[] = parsed.scenarios.map(simulate);
  const result = {
    command: 'simulate' as const,
    scenarios: parsed.scenarios,
    results,
    single: parsed.single,
  };
  process.stdout.write(`${render(format, result, { style, version: packageVersion() })}\n`);
  const blocked = results.some((r) => r.chrome.outcome === 'blocked' || r.firefox.outcome === 'blocked');
  return blocked ? EXIT.blocked : EXIT.ok;
}
