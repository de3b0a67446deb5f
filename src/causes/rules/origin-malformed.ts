import { actualOf, allowOrigin, firstBlocked, preflightOf } from '../evidence.js';
import type { CauseRule } from '../types.js';

/** Why an allowed-origin value can never equal a browser's Origin, or undefined when it is well formed. */
export function malformedOriginReason(value: string, pageOrigin?: string): string | undefined {
  if (value === '*' || value === 'null') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return /^[\w.-]+(:\d+)?$/.test(value) ? 'it has no scheme (http:// or https://)' : 'it is not an origin';
  }
  if (!/^https?:$/.test(url.protocol)) return undefined;
  if (value.endsWith('/') && value.slice(0, -1) === url.origin)
    return 'it ends with a slash; an origin never does';
  if (url.pathname !== '/' || url.search || url.hash)
    return 'it has a path; an origin is only scheme, host and port';
  if (value !== value.toLowerCase() && value.toLowerCase() === url.origin)
    return 'it has upper-case letters; browsers send the origin in lower case';
  if (/:(80|443)$/.test(value) && url.origin !== value)
    return 'it spells out the default port, which browsers leave out';
  if (pageOrigin && value !== url.origin) return 'it is not in the serialised form browsers send';
  return undefined;
}

export const originMalformed: CauseRule = {
  code: 'origin-malformed',
  severity: 'error',
  title: 'A configured origin can never match a browser origin.',
  detect(e) {
    if (!firstBlocked(e)) return undefined;
    for (const x of [preflightOf(e), actualOf(e)]) {
      const value = allowOrigin(x?.response);
      if (value === null || /[ ,]/.test(value)) continue;
      const why = malformedOriginReason(value, e.page.origin);
      if (!why) continue;
      return {
        code: 'origin-malformed',
        severity: 'error',
        summary: `The server answers Access-Control-Allow-Origin: ${value}, which can never match: ${why}.`,
        evidence: [
          `${x?.request.method} -> Access-Control-Allow-Origin: ${value}`,
          `the page's origin is ${e.page.origin}`,
        ],
        locations: [],
        fix: { summary: `Write the origin exactly as the browser sends it: "${e.page.origin}".` },
      };
    }
    return undefined;
  },
};
