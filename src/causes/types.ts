import type { AuditEvidence, AuditFinding } from '../core/audit.js';
import type { Cause, CauseCode, Finding, Severity } from '../core/causes.js';
import type { Exchange } from '../core/exchange.js';
import type { PageFetch } from '../core/page.js';
import type { BrowserName, CredentialsMode, HeaderList, SimulationResult } from '../model/types.js';
import type { Project } from '../project/types.js';
import type { ProxyConfig } from '../proxy/types.js';
import type { PythonApp } from '../python/types.js';

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
  project: Project;
  app: PythonApp;
  /** Frontend origins that must work (`--origin`, repeatable). Empty: no origin-specific findings. */
  origins: string[];
  /**
   * A request the frontend makes (`--method`, `--header`, `--credentials`), when given; `url` when a
   * check names the URL it goes to.
   */
  request?: { method?: string; headers: HeaderList; credentials?: CredentialsMode; url?: string };
  /** The Starlette version the project resolves to (from lock files), or the newest when unknown. */
  starletteVersion: string;
}

/** What a proxy rule looks at: one nginx configuration of the project. */
export interface ProxyScanContext {
  config: ProxyConfig;
  /** An app of the project has CORSMiddleware (so the app itself sends CORS headers). */
  appHasCors: boolean;
  /** The project the configuration is part of (the apps behind it), when the scan reads one. */
  project?: Project;
  /** Frontend origins that must work, as for an app's scan. */
  origins?: string[];
  /** The request the frontend makes, as for an app's scan (`url`: where it goes, when a check names it). */
  request?: ScanContext['request'];
  /** The Starlette version of the project, as for an app's scan. */
  starletteVersion?: string;
}

/** A cause as a rule reports it: the framework stamps the rule's code, and its severity unless given. */
export type CauseDraft = Omit<Cause, 'code' | 'severity'> & { severity?: Severity };

/** A security finding as a rule reports it from audit probes: the framework stamps code and severity. */
export type AuditFindingDraft = Omit<AuditFinding, 'code' | 'severity'> & { severity?: Severity };

/** A finding as a rule reports it: the framework stamps the rule's code, and its severity unless given. */
export type FindingDraft = Omit<Finding, 'code' | 'severity'> & { severity?: Severity };

/**
 * One cause: a rule module (ESLint / Ruff style). It declares its code, its default severity, what it
 * supersedes and explains, and reads the evidence it needs through the hooks it defines: `detect` reads the
 * exchanges of a check, `scan` one app's source, `scanProxy` one proxy configuration. Its documentation is
 * `docs/causes/<code>.md`; its table of cases is `test/unit/causes/rules/<code>.test.ts`.
 */
export interface CauseRule {
  code: CauseCode;
  severity: Severity;
  /** One line: what is wrong. */
  title: string;
  /** Recognises the cause in the exchanges of a check (live, predicted or imported). */
  detect?(evidence: CheckEvidence): CauseDraft | undefined;
  /**
   * Causes this one explains when it is found: they are not reported next to it, whatever the order of
   * the rules. `'*'`: every other cause (nothing answered, so nothing else can be told).
   */
  supersedes?: CauseCode[] | '*';
  /**
   * Source findings that confirm this cause when a check reads the project (`--project`): the codes of
   * the root causes behind this symptom. Default: the rule's own code, when it reads source or proxies.
   */
  explainedBy?: CauseCode[];
  /** Recognises the cause (or its risk) in the source of one app. */
  scan?(context: ScanContext): FindingDraft[];
  /** Recognises the cause (or its risk) in a proxy configuration of the project. */
  scanProxy?(context: ProxyScanContext): FindingDraft[];
  /**
   * Recognises a security hole in the answers to audit probes: only what a browser could really send and
   * what lets the attacking page read what it should not, each finding naming the origin that got through.
   */
  audit?(evidence: AuditEvidence): AuditFindingDraft[];
}
