import type { Finding } from '../../core/causes.js';
import { headerValues } from '../../model/header-list.js';
import { at, corsEntries } from '../../python/options.js';
import type { PythonApp } from '../../python/types.js';
import { firstBlocked } from '../evidence.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';
import { scanNginxDuplicate } from './proxy-duplicate.js';

export const duplicateCorsHeaders: CauseRule = {
  code: 'duplicate-cors-headers',
  severity: 'error',
  title: 'Two layers both send Access-Control-Allow-Origin, so the browser sees several values.',
  scan: scanDuplicateCors,
  scanProxy: scanNginxDuplicate,
  detect(e) {
    if (!firstBlocked(e)) return undefined;
    for (const x of e.exchanges) {
      if (!x.response || x.kind === 'diagnostic') continue;
      const values = headerValues(x.response.headers, 'Access-Control-Allow-Origin');
      const several = values.length > 1 || (values.length === 1 && /,/.test(values[0] as string));
      if (!several) continue;
      return {
        summary:
          'The response has more than one Access-Control-Allow-Origin value; browsers accept exactly one. Two layers (a proxy and the app, or two middlewares) both add CORS headers.',
        evidence: values.map((v) => `${x.request.method} -> Access-Control-Allow-Origin: ${v}`),
        locations: [],
        fix: {
          summary:
            'Let exactly one layer handle CORS: remove the headers the proxy (or the second middleware) adds.',
        },
      };
    }
    return undefined;
  },
};

function scanDuplicateCors({ app }: ScanContext): FindingDraft[] {
  return [...secondMiddleware(app), ...appendedOutsideCors(app)];
}

/**
 * Middleware code that appends `Access-Control-Allow-Origin` (`response.headers.append(...)`) outside
 * CORSMiddleware: CORSMiddleware has already written its own line, so the response carries two.
 * (Inside CORSMiddleware the line is replaced, not doubled.)
 */
function appendedOutsideCors(app: PythonApp): FindingDraft[] {
  const firstCors = app.middleware.findIndex((m) => m.kind === 'cors');
  if (firstCors < 0) return [];
  const cors = app.middleware[firstCors];
  return app.middleware.slice(0, firstCors).flatMap((layer) =>
    (layer.behaviour?.writesHeaders ?? [])
      .filter((w) => w.mode === 'append' && /^access-control-/i.test(w.name))
      .map((w) => ({
        severity: (/^access-control-allow-origin$/i.test(w.name)
          ? 'error'
          : 'warning') as Finding['severity'],
        file: w.source.file,
        line: w.source.line,
        message: `${layer.name} appends ${w.name}${w.value !== undefined ? `: ${w.value}` : ''} outside CORSMiddleware (at ${at(cors?.source)}), which has already written its own: the response carries two ${w.name} lines and browsers reject it.`,
        evidence: [`request order: ${app.middleware.map((m) => m.name).join(' -> ')}`],
        fix: {
          summary: `Remove the ${w.name} line from ${layer.name}: CORSMiddleware already sets it for allowed origins.`,
        },
      })),
  );
}

function secondMiddleware(app: PythonApp): FindingDraft[] {
  const entries = corsEntries(app);
  if (entries.length < 2) return [];
  const [outer, ...inner] = entries;
  return inner.map((entry) => ({
    severity: 'warning' as const,
    file: entry.source?.file ?? app.source.file,
    line: entry.source?.line ?? app.source.line,
    message: `A second CORSMiddleware: the outer one (at ${at(outer?.source)}) answers every preflight, so this one's preflight settings never apply; both rewrite Access-Control-Allow-Origin on responses.`,
    fix: { summary: 'Keep one CORSMiddleware with the settings you mean.' },
  }));
}
