import { isCorsSafelistedMethod } from '../method.js';
import type { PreparedScenario } from '../request.js';
import type { Outcome, Stage } from '../types.js';

/** What one engine decided, before its failure is rendered as console text. */
export interface EngineVerdict<F, W> {
  outcome: Outcome;
  preflight: boolean;
  stage?: Stage;
  failure?: F;
  warnings: W[];
  /** The CORS-unsafe request-header names by this engine's safelist (sorted, lowercased). */
  unsafeNames: string[];
}

/** The checks that make an engine (Chrome, Firefox, the Fetch standard) different. */
export interface EngineChecks<F, W> {
  /** The request's CORS-unsafe header names, by this engine's rules. */
  unsafeNames: string[];
  checkPreflight(unsafeNames: string[]): { failure?: F; warnings: W[] };
  checkActual(): F | undefined;
}

/** The steps every engine takes: preflight when needed, then the CORS check on the response. */
export function runEngine<F, W>(s: PreparedScenario, checks: EngineChecks<F, W>): EngineVerdict<F, W> {
  const { unsafeNames } = checks;
  const preflight = !isCorsSafelistedMethod(s.method) || unsafeNames.length > 0;
  const warnings: W[] = [];
  if (preflight) {
    const result = checks.checkPreflight(unsafeNames);
    warnings.push(...result.warnings);
    if (result.failure !== undefined) {
      return {
        outcome: 'blocked',
        preflight,
        stage: 'preflight',
        failure: result.failure,
        warnings,
        unsafeNames,
      };
    }
  }
  const failure = checks.checkActual();
  if (failure !== undefined)
    return { outcome: 'blocked', preflight, stage: 'actual', failure, warnings, unsafeNames };
  return { outcome: 'allowed', preflight, warnings, unsafeNames };
}
