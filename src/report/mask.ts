import type { Exchange } from '../core/exchange.js';
import type { CheckReport } from '../core/report.js';
import type { HeaderList } from '../model/types.js';

const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
];

/** Hides a secret value but keeps its shape: `Bearer ****`, `session=****; theme=****`. */
export function maskValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'cookie') return value.replace(/=([^;]*)/g, '=****');
  if (lower === 'set-cookie') return value.replace(/^([^=]*)=([^;]*)/, '$1=****');
  const scheme = /^(Bearer|Basic|Token|Digest|ApiKey)\s+/i.exec(value);
  return scheme ? `${scheme[1]} ****` : '****';
}

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.includes(name.toLowerCase());
}

export function maskHeaders(headers: HeaderList): HeaderList {
  return headers.map(([n, v]) => [n, isSecretHeader(n) ? maskValue(n, v) : v]);
}

/** The exchange with Authorization, cookies and API keys masked, for printing. */
export function maskExchange(exchange: Exchange): Exchange {
  return {
    ...exchange,
    request: { ...exchange.request, headers: maskHeaders(exchange.request.headers) },
    ...(exchange.response && {
      response: { ...exchange.response, headers: maskHeaders(exchange.response.headers) },
    }),
  };
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
