import type { BrowserVerdict, Scenario, SimulationResult } from '../model/types.js';
import type { Style } from './style.js';

/** The browser versions the model describes. */
export const BROWSER_LABELS = { chrome: 'Chrome 156', firefox: 'Firefox 153' } as const;

function verdictLine(label: string, verdict: BrowserVerdict, style: Style): string {
  const name = label.padEnd(12);
  if (verdict.outcome === 'allowed') return `  ${style.bold(name)} ${style.green('✓ allowed')}`;
  return `  ${style.bold(name)} ${style.red(`✗ blocked at ${verdict.stage ?? 'unknown stage'}`)}`;
}

/** A short readable verdict per browser for one scenario. */
export function renderSimulation(scenario: Scenario, result: SimulationResult, style: Style): string {
  const lines: string[] = [];
  const credentials = scenario.request.credentials ?? 'same-origin';
  lines.push(
    `${style.bold(`${result.method} ${scenario.request.url}`)}  ${style.dim(`from ${scenario.origin}, credentials: ${credentials}`)}`,
  );
  if (result.preflightRequest) {
    const acrh = result.accessControlRequestHeaders
      ? `, Access-Control-Request-Headers: ${result.accessControlRequestHeaders}`
      : '';
    const status = scenario.preflight ? String(scenario.preflight.status) : '404 (no answer given)';
    lines.push(
      `  preflight: OPTIONS with Access-Control-Request-Method: ${result.method}${acrh} -> ${status}`,
    );
  } else {
    lines.push('  no preflight: the request is CORS-safelisted');
  }
  if (result.droppedHeaders?.length) {
    lines.push(
      style.yellow(`  fetch() drops forbidden request headers: ${result.droppedHeaders.join(', ')}`),
    );
  }
  for (const browser of ['chrome', 'firefox'] as const) {
    const verdict = result[browser];
    lines.push(verdictLine(BROWSER_LABELS[browser], verdict, style));
    for (const message of verdict.messages) lines.push(`    ${style.red(message)}`);
    for (const warning of verdict.warnings) lines.push(`    ${style.yellow(`warning: ${warning}`)}`);
  }
  const { spec, chrome } = result;
  if (spec.outcome !== chrome.outcome || spec.stage !== chrome.stage) {
    const where = spec.outcome === 'blocked' ? `blocked at ${spec.stage}: ${spec.reason}` : 'allowed';
    lines.push(`  ${style.bold('Fetch standard'.padEnd(12))} ${style.cyan(where)} (today's browsers differ)`);
  }
  return lines.join('\n');
}
