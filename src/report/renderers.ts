/**
 * Output formats as one table: every command hands its result to `render`, and a new format is one
 * renderer here (text, json, sarif, html).
 */

import type { AuditReport } from '../core/audit.js';
import { BadInputError } from '../core/errors.js';
import type { FixReport } from '../core/fix-report.js';
import type { CheckReport, ScanReport } from '../core/report.js';
import type { HarReport } from '../evidence/har/types.js';
import type { Scenario, SimulationResult } from '../model/types.js';
import { renderAudit } from './audit-text.js';
import { renderCheck } from './check-text.js';
import { renderFix } from './fix-text.js';
import { renderHar } from './har-text.js';
import { renderHtml } from './html/index.js';
import { auditToSarif, checkToSarif, toSarif } from './sarif.js';
import { renderScan } from './scan-text.js';
import { renderSimulation } from './simulate-text.js';
import type { Style } from './style.js';

/** What a command produced. */
export type CommandResult =
  | { command: 'check'; report: CheckReport }
  | { command: 'scan'; report: ScanReport }
  | { command: 'fix'; report: FixReport }
  | { command: 'har'; report: HarReport }
  | { command: 'audit'; report: AuditReport }
  | { command: 'simulate'; scenarios: Scenario[]; results: SimulationResult[]; single: boolean };

export interface RenderOptions {
  style: Style;
  /** cors-doctor's version, for SARIF logs. */
  version: string;
}

export type CommandName = CommandResult['command'];

export interface Renderer {
  /** One line for `--help`. */
  description: string;
  /** The commands whose results it renders. */
  commands: CommandName[];
  /** The text to print (called only for the commands above). */
  render(result: CommandResult, options: RenderOptions): string;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

export const RENDERERS = {
  text: {
    description: 'for people, coloured on a terminal',
    commands: ['check', 'scan', 'simulate', 'fix', 'audit', 'har'],
    render(result, { style }) {
      if (result.command === 'check') return renderCheck(result.report, style);
      if (result.command === 'har') return renderHar(result.report, style);
      if (result.command === 'audit') return renderAudit(result.report, style);
      if (result.command === 'fix') return renderFix(result.report, style);
      if (result.command === 'scan') return renderScan(result.report, style);
      return result.scenarios
        .map((scenario, i) => renderSimulation(scenario, result.results[i] as SimulationResult, style))
        .join('\n\n');
    },
  },
  json: {
    description: 'the JSON contract of docs/cli-contract.md',
    commands: ['check', 'scan', 'simulate', 'fix', 'audit', 'har'],
    render(result) {
      if (result.command === 'simulate') return json(result.single ? result.results[0] : result.results);
      return json(result.report);
    },
  },
  sarif: {
    description: 'SARIF 2.1.0, for code scanning (scan, check and audit)',
    commands: ['check', 'scan', 'audit'],
    render(result, { version }) {
      if (result.command === 'scan') return json(toSarif(result.report, version));
      if (result.command === 'audit') return json(auditToSarif(result.report, version));
      return json(checkToSarif((result as Extract<CommandResult, { command: 'check' }>).report, version));
    },
  },
  html: {
    description: 'one self-contained page (inline CSS and SVG, loads nothing), for people and for print',
    commands: ['check', 'scan', 'audit', 'har'],
    render: (result, { version }) => renderHtml(result, version),
  },
} satisfies Record<string, Renderer>;

export type OutputFormat = keyof typeof RENDERERS;

export const OUTPUT_FORMATS = Object.keys(RENDERERS) as OutputFormat[];

/** The formats a command's results can be rendered in. */
export const formatsFor = (command: CommandName): OutputFormat[] =>
  OUTPUT_FORMATS.filter((f) => (RENDERERS[f].commands as CommandName[]).includes(command));

/** `--format` (or `--json`) of a command, checked before any work is done. */
export function parseFormat(
  command: CommandName,
  format: string | undefined,
  jsonFlag: boolean | undefined,
): OutputFormat {
  const chosen = jsonFlag ? 'json' : (format ?? 'text');
  const formats = formatsFor(command);
  if (!(formats as string[]).includes(chosen))
    throw new BadInputError(`--format of ${command} is ${formats.join(', ')}, not ${JSON.stringify(chosen)}`);
  return chosen as OutputFormat;
}

/** The command's result in `format`. */
export function render(format: OutputFormat, result: CommandResult, options: RenderOptions): string {
  return RENDERERS[format].render(result, options);
}
