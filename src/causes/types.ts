import type { PageFetch } from '../evidence/probe/probe.js';
import type { Exchange } from '../evidence/types.js';
import type { BrowserName, SimulationResult } from '../model/types.js';

/** Stable root-cause codes (docs/causes.md). */
export type CauseCode =
  | 'no-cors-middleware'
  | 'origin-not-allowed'
  | 'origin-malformed'
  | 'env-origins-misparsed'
  | 'wildcard-with-credentials'
  | 'credentials-not-allowed'
  | 'method-not-allowed'
  | 'header-not-allowed'
  | 'preflight-rejected'
  | 'preflight-redirected'
  | 'error-response-without-cors'
  | 'proxy-strips-cors-headers'
  | 'proxy-answers-preflight'
  | 'proxy-headers-missing-on-errors'
  | 'duplicate-cors-headers'
  | 'server-unreachable'
  | 'mixed-content'
  | 'local-network-access'
  | 'authorization-wildcard'
  | 'redirect-extra-roundtrip'
  | 'header-not-exposed'
  | 'preflight-cache-short';

export type Severity = 'error' | 'warning' | 'info';

export interface SourceLocation {
  file: string;
  line: number;
}

export interface Fix {
  summary: string;
  /** A unified diff, when one can be made (with the project's source). */
  patch?: string;
  /** Code to use instead, when no patch can be made. */
  snippet?: string;
}

/** A root cause named from evidence. */
export interface Cause {
  code: CauseCode;
  severity: Severity;
  summary: string;
  /** Lines of evidence, each a fact seen in the exchanges. */
  evidence: string[];
  locations: SourceLocation[];
  fix?: Fix;
}

/** Everything `check` learned: what the page does, what went over the wire, what the browsers do with it. */
export interface CheckEvidence {
  page: PageFetch;
  browsers: BrowserName[];
  exchanges: Exchange[];
  simulation: SimulationResult;
  unreachable: boolean;
}

/** One cause: its code, and how to recognise it in live evidence. */
export interface CauseRule {
  code: CauseCode;
  severity: Severity;
  /** One line: what is wrong. */
  title: string;
  detect(evidence: CheckEvidence): Cause | undefined;
}
