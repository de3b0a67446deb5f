import { pyList, setCorsKeyword, withEdits } from '../../fix/source-edits.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader } from '../../model/header-list.js';
import { isCorsSafelistedMethod, normalizeMethod } from '../../model/method.js';
import { corsEntries, stringItems } from '../../python/options.js';
import { firstBlocked, preflightOf, starletteRefusal, statusLine } from '../evidence.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

export const methodNotAllowed: CauseRule = {
  code: 'method-not-allowed',
  severity: 'error',
  title: "The preflight does not allow the request's method.",
  scan: scanMethodNotAllowed,
  detect(e) {
    const blocked = firstBlocked(e);
    const preflight = preflightOf(e)?.response;
    if (!blocked || !preflight) return undefined;
    const method = e.simulation.method;
    const allowed = getHeader(preflight.headers, 'Access-Control-Allow-Methods');
    const refusal = starletteRefusal(preflight);
    const byReason = /MethodDisallowed|CORSMethodNotFound|InvalidAllowMethods|CORSInvalidAllowMethod/.test(
      blocked.reason ?? '',
    );
    if (!refusal?.has('method') && !byReason) return undefined;
    const evidence = [`Access-Control-Allow-Methods: ${allowed ?? '(absent)'} does not contain ${method}`];
    if (refusal?.has('method'))
      evidence.unshift(`OPTIONS -> ${statusLine(preflight)} "${preflight.bodyExcerpt.trim()}"`);
    if (allowed === 'GET') evidence.push("GET alone is Starlette's default allow_methods");
    if (allowed?.toUpperCase().split(/,\s*/).includes(method.toUpperCase())) {
      evidence.push(`methods are compared case-sensitively: ${method} is not ${allowed}`);
    }
    return {
      summary: `The preflight does not allow the method ${method}.`,
      evidence,
      locations: [],
      fix: {
        summary: `Add "${method}" to allow_methods (Starlette's default is GET only).`,
        snippet: corsMiddlewareSnippet({ ...e.page, method }),
      },
    };
  },
};

/** Methods a browser preflights (every method but GET and HEAD; POST too, since API POSTs send JSON). */
function preflightedMethods(methods: string[]): string[] {
  return methods.filter((m) => m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS');
}

function scanMethodNotAllowed({ app, request }: ScanContext): FindingDraft[] {
  const entry = corsEntries(app)[0];
  if (!entry?.options) return [];
  const option = entry.options.allow_methods;
  const { shape, items } = stringItems(option);
  if (shape === 'unresolved') return [];
  const configured = shape === 'absent' ? ['GET'] : items.map((i) => i.value);
  if (configured.includes('*')) return [];
  const ref = option?.source ?? entry.source ?? app.source;
  const findings: FindingDraft[] = [];
  const lower = configured.filter((m) => m !== m.toUpperCase());
  if (lower.length > 0) {
    findings.push({
      file: ref.file,
      line: ref.line,
      message: `allow_methods has lower-case methods (${lower.join(', ')}); Starlette compares Access-Control-Request-Method case-sensitively and browsers send PUT, DELETE, ... in upper case.`,
      fix: withEdits(
        `Write them in upper case: ${JSON.stringify(configured.map((m) => m.toUpperCase()))}.`,
        setCorsKeyword(entry, 'allow_methods', pyList(configured.map((m) => m.toUpperCase())), option),
      ),
    });
  }
  const needed = new Set(preflightedMethods(app.routes.flatMap((r) => r.methods)));
  if (request?.method) {
    const method = normalizeMethod(request.method);
    if (!isCorsSafelistedMethod(method) || request.headers.length > 0) needed.add(method);
  }
  const missing = [...needed].filter((m) => !configured.includes(m));
  if (missing.length > 0) {
    findings.push({
      file: ref.file,
      line: ref.line,
      message: `${shape === 'absent' ? 'allow_methods is not set, so Starlette allows only GET' : `allow_methods is ${option?.expression}`}: preflights for ${missing.join(', ')} (used by routes) get 400 "Disallowed CORS method".`,
      evidence: app.routes
        .filter((r) => r.methods.some((m) => missing.includes(m)))
        .slice(0, 5)
        .map((r) => `${r.methods.join(',')} ${r.path} at ${r.source.file}:${r.source.line}`),
      fix: withEdits(
        `allow_methods=${pyList([...new Set([...configured.map((m) => m.toUpperCase()), ...missing])])}`,
        setCorsKeyword(
          entry,
          'allow_methods',
          pyList([...new Set([...configured.map((m) => m.toUpperCase()), ...missing])]),
          option,
        ),
      ),
    });
  }
  return findings;
}
