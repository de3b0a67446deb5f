// The result of `fix`: each patch with its proof, the problems no patch was made for and why, and the
// page's request before and after.
import type { BrowserName } from '../model/types.js';
import type { CauseCode, Severity, SourceLocation } from './causes.js';

export type PredictedOutcome = 'allowed' | 'blocked' | 'unpredictable';

/** How a patch was proven: the same requests through the server and browser models, before and after. */
export interface PatchProof {
  /** What answered and what judged. */
  method: string;
  /** The page's request from each asked origin, before and after. */
  requests: Array<{
    origin: string;
    before: Partial<Record<BrowserName, PredictedOutcome>>;
    after: Partial<Record<BrowserName, PredictedOutcome>>;
  }>;
  /** Requests that worked before and still work (other origins of the configuration, methods, headers). */
  kept: number;
  /** Requests compared in all. */
  compared: number;
  /** Requests allowed after but not before that nobody asked for (a proven patch has none). */
  opened: string[];
  /** Requests allowed before but not after (a proven patch has none). */
  dropped: string[];
}

/** A problem of the project, where its fix is written. */
export interface FixTarget {
  code: CauseCode;
  severity: Severity;
  /** Where the fix is written first, then the related places. */
  locations: SourceLocation[];
  message: string;
  /** What to change, in one sentence. */
  summary: string;
}

export interface OfferedPatch extends FixTarget {
  /** A unified diff of this change, against the files as the earlier patches leave them. */
  patch: string;
  proof: PatchProof;
}

export interface WithoutPatch extends FixTarget {
  /** Why no patch is offered: not a mechanical change, or what the models showed. */
  reason: string;
  /** Code to write instead, where there is some (the frontend's, a whole middleware call). */
  snippet?: string;
  /** The proof that failed, when a patch was tried. */
  proof?: PatchProof;
}

/** The page's request from one origin, as the browsers judge it. */
export interface RequestVerdict {
  origin: string;
  browsers: Partial<Record<BrowserName, PredictedOutcome>>;
  /** The causes named for it (codes of docs/causes.md). */
  causes: CauseCode[];
}

export interface FixReport {
  root: string;
  url: string;
  origins: string[];
  request: { method: string; headers: Array<[string, string]>; credentials: string };
  starletteVersion: { version: string; source: string };
  /** What answered and judged every request. */
  method: string;
  /** The page's request before any patch, predicted by the models. */
  before: RequestVerdict[];
  /** The page's request with every offered patch applied, predicted by the models. */
  after: RequestVerdict[];
  patches: OfferedPatch[];
  withoutPatch: WithoutPatch[];
  /** The combined change of each file (what `--write` writes). */
  files: Array<{ file: string; patch: string }>;
  /** With `--write`: the files written. */
  written?: string[];
  /** With `--write` and `--url`: the live server's verdicts before and after the write. */
  live?: { before: RequestVerdict[]; after: RequestVerdict[]; note?: string };
  notes: string[];
}
