import type { PageFetch } from '../evidence/probe/probe.js';
import type { Exchange } from '../evidence/types.js';
import type { BrowserName, CredentialsMode, HeaderList, SimulationResult } from '../model/types.js';
import type { PythonApp, PythonProject } from '../python/types.js';

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
  /** Set when the source (`--project`) confirms the cause found on the wire. */
  confirmedBy?: string;
}

/** Everything `check` learned: what the page does, what went over the wire, what the browsers do with it. */
export interface CheckEvidence {
  page: PageFetch;
  browsers: BrowserName[];
  exchanges: Exchange[];
  simulation: SimulationResult;
  unreachable: boolean;
}

/** What `scan` looks at: one app of the project, and the requests the frontend must be able to make. */
export interface ScanContext {
  project: PythonProject;
  app: PythonApp;
  /** Frontend origins that must work (`--origin`, repeatable). Empty: no origin-specific findings. */
  origins: string[];
  /** A request the frontend makes (`--method`, `--header`, `--credentials`), when given. */
  request?: { method?: string; headers: HeaderList; credentials?: CredentialsMode };
  /** The Starlette version the project resolves to (from lock files), or the newest when unknown. */
  starletteVersion: string;
}

/** A problem found in source, with its place. */
export interface Finding {
  code: CauseCode;
  severity: Severity;
  file: string;
  line: number;
  message: string;
  /** Facts behind the finding (resolved values, how they were derived). */
  evidence?: string[];
  fix?: Fix;
}

/** One cause: its code, and how to recognise it in live evidence and in source. */
export interface CauseRule {
  code: CauseCode;
  severity: Severity;
  /** One line: what is wrong. */
  title: string;
  /** Recognises the cause in what a live probe saw. */
  detect?(evidence: CheckEvidence): Cause | undefined;
  /** Recognises the cause (or its risk) in the source of one app. */
  scan?(context: ScanContext): Finding[];
}
