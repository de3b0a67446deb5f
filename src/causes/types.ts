import type { Cause, CauseCode, Finding, Severity } from '../core/causes.js';
import type { Exchange } from '../core/exchange.js';
import type { PageFetch } from '../core/page.js';
import type { BrowserName, CredentialsMode, HeaderList, SimulationResult } from '../model/types.js';
import type { NginxConfigFile } from '../proxy/nginx-config.js';
import type { PythonApp, PythonProject } from '../python/types.js';

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
