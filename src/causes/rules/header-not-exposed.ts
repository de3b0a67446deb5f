import { CORS_SAFELISTED_RESPONSE_HEADERS } from '../../model/expose.js';
import { corsEntries, stringItems } from '../../python/options.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

function scanHeaderNotExposed({ app }: ScanContext): FindingDraft[] {
  const cors = corsEntries(app)[0];
  if (!cors?.options) return [];
  const exposed = stringItems(cors.options.expose_headers);
  if (exposed.shape === 'unresolved') return [];
  const listed = new Set(exposed.items.map((i) => i.value.toLowerCase()));
  const findings: FindingDraft[] = [];
  for (const route of app.routes) {
    const hidden = route.setsHeaders.filter(
      (h) => !CORS_SAFELISTED_RESPONSE_HEADERS.includes(h.toLowerCase()) && !listed.has(h.toLowerCase()),
    );
    if (hidden.length === 0) continue;
    findings.push({
      file: route.source.file,
      line: route.source.line,
      message: `${route.methods.join(',')} ${route.path} sets ${hidden.join(', ')}, which is not in expose_headers: the page's JavaScript reads null for it (DevTools still shows it).`,
      fix: {
        summary: `expose_headers=${JSON.stringify([...listed, ...hidden.map((h) => h.toLowerCase())])}`,
      },
    });
  }
  return findings;
}

export const headerNotExposed: CauseRule = {
  code: 'header-not-exposed',
  severity: 'warning',
  title: 'A response header the page reads is not in Access-Control-Expose-Headers.',
  scan: scanHeaderNotExposed,
};
