import type { CheckReport } from '../core/report.js';
import { maskExchange, maskHeaders } from './mask.js';

/** Masks secrets (Authorization, cookies, API keys) everywhere in the report unless asked not to. */
export function maskReport(report: CheckReport, showSecrets: boolean): CheckReport {
  if (showSecrets) return report;
  return {
    ...report,
    request: { ...report.request, headers: maskHeaders(report.request.headers) },
    exchanges: report.exchanges.map(maskExchange),
  };
}
