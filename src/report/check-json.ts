import type { Cause, Finding } from '../causes/types.js';
import type { PageFetch } from '../evidence/probe/probe.js';
import type { Exchange } from '../evidence/types.js';
import type { BrowserName, BrowserVerdict, SpecVerdict } from '../model/types.js';
import { maskExchange, maskHeaders } from './mask.js';

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
  offline?: { app: string; proxy?: string; starletteVersion: string; versionAssumed: boolean };
  /** With `--project`: the project that was read, and source findings no live cause accounts for. */
  project?: { root: string; starletteVersion: string; apps: number; otherFindings: Finding[] };
}

/** Masks secrets (Authorization, cookies, API keys) everywhere in the report unless asked not to. */
export function maskReport(report: CheckReport, showSecrets: boolean): CheckReport {
  if (showSecrets) return report;
  return {
    ...report,
    request: { ...report.request, headers: maskHeaders(report.request.headers) },
    exchanges: report.exchanges.map(maskExchange),
  };
}
