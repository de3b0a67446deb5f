import type { PageFetch } from '../evidence/probe/probe.js';
import type { Exchange } from '../evidence/types.js';
import type { BrowserName, CredentialsMode, HeaderList, SimulationResult } from '../model/types.js';
import type { NginxConfigFile } from '../proxy/nginx-config.js';
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

/**
 * A change to the project's source that fixes a finding, as an intent; `src/fix/edits.ts` turns it into
 * text (a unified diff, or the file written with `--write`).
 */
export type SourceEdit =
  /** Replace the first `from` at or after the start of `line` (within the statement there). */
  | { kind: 'replace-text'; file: string; line: number; from: string; to: string }
  /** Set keyword argument `keyword` of the call on `call.line` to `value` (added when absent). */
  | { kind: 'set-keyword'; call: SourceLocation; keyword: string; value: string }
  /** Move the statement on `statement.line` to just after the statement (or definition) on `after.line`. */
  | { kind: 'move-after'; statement: SourceLocation; after: SourceLocation }
  /** Insert `code` after the statement on `statement.line`, and `imports` after the file's last import. */
  | { kind: 'insert-after'; statement: SourceLocation; code: string[]; imports: string[] };

export interface Fix {
  summary: string;
  /** How to make the change in the source; turned into `patch` by scan. Not part of the JSON output. */
  edits?: SourceEdit[];
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

/** What a proxy rule looks at: one nginx configuration of the project. */
export interface ProxyScanContext {
  config: NginxConfigFile;
  /** An app of the project has CORSMiddleware (so the app itself sends CORS headers). */
  appHasCors: boolean;
}

/** A problem found in source, with its place. */
export interface Finding {
  code: CauseCode;
  severity: Severity;
  file: string;
  line: number;
  /** The app it concerns: where the app object is created (`main.py:5`). */
  app?: string;
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
  /**
   * Causes this one explains when it is found: their rules are not run. (A preflight that the proxy
   * answered is missing a header because of the proxy; a fix in the app's CORS layer would not help.)
   */
  supersedes?: CauseCode[];
  /** Recognises the cause (or its risk) in the source of one app. */
  scan?(context: ScanContext): Finding[];
  /** Recognises the cause (or its risk) in an nginx configuration of the project. */
  scanProxy?(context: ProxyScanContext): Finding[];
}
