// The results the library hands to renderers: a check's report and a scan's report (the JSON contracts of
// docs/cli-contract.md).
import type { BrowserName, BrowserVerdict, SpecVerdict } from '../model/types.js';
import type { Cause, Finding } from './causes.js';
import type { Exchange } from './exchange.js';
import type { PageFetch } from './page.js';

/** The result of `check`, as the JSON contract (docs/cli-contract.md) gives it. */
export interface CheckReport {
  url: string;
  origin: string;
  request: { method: string; headers: PageFetch['headers']; credentials: PageFetch['credentials'] };
  browsers: Partial<Record<BrowserName, BrowserVerdict>>;
  spec: SpecVerdict;
  exchanges: Exchange[];
  causes: Cause[];
  /** Plain statements that are not causes ("CORS is fine; the API answered 401"). */
  notes: string[];
  /** With `--offline`: the app whose server model answered every request (nothing was sent). */
  offline?: {
    app: string;
    proxy?: string;
    starletteVersion: string;
    versionAssumed: boolean;
    /** Where the Starlette version was read, or why it is assumed (`ProjectStarletteVersion.source`). */
    versionSource?: string;
  };
  /** With `--project`: the project that was read, and source findings no live cause accounts for. */
  project?: {
    root: string;
    starletteVersion: string;
    /** Where the Starlette version was read, or why it is assumed. */
    versionSource?: string;
    apps: number;
    otherFindings: Finding[];
  };
}

/** An app as the `scan` JSON contract shows it. */
export interface ScannedApp {
  file: string;
  line: number;
  framework: 'fastapi' | 'starlette';
  variable: string;
  /** The middleware a request meets, outermost first. */
  middleware: Array<{
    name: string;
    kind: string;
    file?: string;
    line?: number;
    options?: Record<string, unknown>;
  }>;
  routes: number;
}

/** The result of `scan`. */
export interface ScanReport {
  root: string;
  starletteVersion: { version: string; source: string };
  apps: ScannedApp[];
  findings: Finding[];
  /** Proxy configuration files read (relative to the root). */
  proxies: string[];
  /** Files read with errors (still read as far as possible). */
  filesWithErrors: Array<{ file: string; line: number; message: string }>;
  /** Counts for progress and benchmarks. */
  stats: { filesSeen: number; filesParsed: number; skipped: number };
  /**
   * What the scan could not see: files it would have read and did not (with why; `notText`: not text, which
   * Python does not run either), symlinks out of the project it did not follow, bounds it hit. Those that may
   * hide a problem are also `scan-incomplete` findings.
   */
  unseen: {
    files: Array<{ file: string; why: string; notText?: boolean }>;
    outsideLinks: Array<{ file: string; target: string }>;
    bounds: string[];
  };
}
