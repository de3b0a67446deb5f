import { EXIT } from '../../core/exit.js';
import { simulate } from '../../model/simulate.js';
import type { Scenario, SimulationResult } from '../../model/types.js';
import { packageVersion } from '../../package-root.js';
import { maskSecrets } from '../../report/mask.js';
import { type OutputFormat, parseFormat, type RenderOptions, render } from '../../report/renderers.js';
import type { Style } from '../../report/style.js';
import { openInputStream } from '../read-input.js';

export interface SimulateOptions {
  json?: boolean;
  format?: string;
  showSecrets?: boolean;
}

/**
 * The output of `simulate` piece by piece: each scenario's result rendered alone, then framed so that the
 * whole is byte for byte what rendering all the results at once gives (`render` of the renderers' table):
 * for JSON an array of results indented as JSON.stringify indents it (or the lone result), for text the
 * results separated by a blank line.
 */
export class SimulationPrinter {
  private count = 0;

  constructor(
    private readonly format: OutputFormat,
    private readonly options: RenderOptions,
  ) {}

  /** The text for one more result (`single`: the input is one scenario, not an array). */
  next(scenario: Scenario, result: SimulationResult, single: boolean): string {
    const text = render(
      this.format,
      { command: 'simulate', scenarios: [scenario], results: [result], single: true },
      this.options,
    );
    const first = this.count++ === 0;
    if (single || this.format !== 'json') return first ? text : `\n\n${text}`;
    return `${first ? '[\n' : ',\n'}  ${text.replace(/\n/g, '\n  ')}`;
  }

  /** The text that closes the output. */
  end(single: boolean): string {
    if (single || this.format !== 'json') return '\n';
    return this.count === 0 ? '[]\n' : '\n]\n';
  }
}

/** Writes to standard output, waiting while its buffer is full; nothing once its reader has gone (`| head`). */
async function print(text: string): Promise<void> {
  const out = process.stdout;
  if (text === '' || out.destroyed) return;
  if (out.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

/**
 * `cors-doctor simulate [FILE|-]`: runs the browser model on scenarios. The input is streamed: a top-level
 * array is read, validated, simulated and printed element by element, so memory stays bounded however
 * many scenarios it holds. Returns the exit status.
 */
export async function runSimulate(source: string, options: SimulateOptions, style: Style): Promise<number> {
  const format = parseFormat('simulate', options.format, options.json);
  const input = await openInputStream(source);
  const { streamScenarios } = await import('../../scenarios/stream.js');
  const printer = new SimulationPrinter(format, { style, version: packageVersion() });
  let blocked = false;
  let single = false;
  for await (const batch of streamScenarios(input.chunks, input.name)) {
    single = batch.single;
    let text = '';
    for (const scenario of batch.scenarios) {
      const result = simulate(scenario);
      if (result.chrome.outcome === 'blocked' || result.firefox.outcome === 'blocked') blocked = true;
      if (process.stdout.destroyed) continue;
      // Each scenario masked with its result: a token in its URL is hidden in the console lines too.
      const shown = options.showSecrets ? { scenario, result } : maskSecrets({ scenario, result });
      text += printer.next(shown.scenario, shown.result, single);
    }
    await print(text);
  }
  await print(printer.end(single));
  return blocked ? EXIT.blocked : EXIT.ok;
}
