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
