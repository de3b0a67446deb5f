// What `audit` gathers and reports: probes sent from attacking origins, the answers, and findings each
// proven by the origin that got through (the JSON contract of docs/cli-contract.md, section audit).
import type { HeaderList } from '../model/types.js';
import type { CauseCode, Fix, Severity, SourceLocation } from './causes.js';

/** One probe: an origin a browser could send, with or without a (dummy) cookie. */
export interface AuditProbe {
  origin: string;
  /** A dummy cookie rides along (never the user's). */
  credentials: boolean;
  /** `actual`: a GET (or the page's safe method); `preflight`: OPTIONS for a state-changing method. */
  kind: 'actual' | 'preflight';
  /** The method asked for (the actual request's, or Access-Control-Request-Method). */
  method: string;
  /** Access-Control-Request-Headers of a preflight (lower case). */
  requestHeaders: string[];
  /** Why this origin is tried: `prefix form of https://app.example.com`, `unrelated origin`, `null`. */
  why: string;
  /** The origin of `--origin` it derives from (absent for unrelated origins and `null`). */
  derivedFrom?: string;
}

/** A probe and what the server answered (the contract's `probes[]`). */
export interface AuditAnswer {
  probe: AuditProbe;
  /** 0 when nothing answered. */
  status: number;
  /** Access-Control-Allow-Origin, when exactly one was sent. */
  allowOrigin?: string;
  allowCredentials: boolean;
  allowMethods?: string;
  allowHeaders?: string;
  headers: HeaderList;
  ms: number;
  /** Set when nothing answered (refused, timeout, TLS). */
  error?: string;
}

/** Everything an audit learned: the answers, and what the legitimate origins get. */
export interface AuditEvidence {
  url: string;
  /** The frontend origins that must keep working (`--origin`). */
  origins: string[];
  answers: AuditAnswer[];
  /**
   * Whether reading the API needs the user's cookies: the same request without a cookie from a legitimate
   * origin is refused (401/403) or differs. Undefined when it cannot be told.
   */
  needsCookies?: boolean;
  /**
   * The addresses the URL's host name resolved to (absent for an address, or when it did not resolve): a
   * name of the intranet (`api.corp.example.com` at 10.0.0.5) makes access depend on network position.
   */
  addresses?: string[];
}

/** A security finding: proven by an origin that really got through. */
export interface AuditFinding {
  code: CauseCode;
  severity: Severity;
  /** The attacking origin that got through: sending it (with a cookie when `credentials`) reproduces it. */
  origin: string;
  credentials: boolean;
  /** One sentence: what an attacker's page can do. */
  impact: string;
  evidence: string[];
  locations: SourceLocation[];
  fix?: Fix;
  /** The curl command that reproduces it. */
  reproduce?: string;
}

/** The result of `audit` (docs/cli-contract.md). */
export interface AuditReport {
  url: string;
  origins: string[];
  probes: Array<{
    origin: string;
    credentials: boolean;
    kind: AuditProbe['kind'];
    status: number;
    allowOrigin?: string;
    allowCredentials: boolean;
    ms: number;
  }>;
  findings: AuditFinding[];
  notes: string[];
  /** With `--project`: the backend read, its paths the locations' root. */
  project?: { root: string; starletteVersion: string };
}
