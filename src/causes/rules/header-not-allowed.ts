import { pyList, setCorsKeyword, withEdits } from '../../fix/source-edits.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader } from '../../model/header-list.js';
import { splitListHeader } from '../../model/http-token.js';
import { corsEntries, stringItems } from '../../python/options.js';
import { firstBlocked, preflightOf, starletteRefusal, statusLine } from '../evidence.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

export const headerNotAllowed: CauseRule = {
  code: 'header-not-allowed',
  severity: 'error',
  title: 'A request header that is not CORS-safelisted is not in Access-Control-Allow-Headers.',
  scan: scanHeaderNotAllowed,
  detect(e) {
    const blocked = firstBlocked(e);
    const preflight = preflightOf(e)?.response;
    if (!blocked || !preflight) return undefined;
    const refusal = starletteRefusal(preflight);
    const byReason =
      /HeaderDisallowed|CORSMissingAllowHeader|InvalidAllowHeaders|CORSInvalidAllowHeader/.test(
        blocked.reason ?? '',
      );
    if (!refusal?.has('headers') && !byReason) return undefined;
    const requested = (e.simulation.accessControlRequestHeaders ?? '').split(',').filter(Boolean);
    const allowedValue = getHeader(preflight.headers, 'Access-Control-Allow-Headers');
    const allowed = new Set(splitListHeader(allowedValue).map((h) => h.toLowerCase()));
    const missing = requested.filter((h) => !allowed.has(h));
    const evidence = [
      `Access-Control-Request-Headers: ${requested.join(',')}`,
      `Access-Control-Allow-Headers: ${allowedValue ?? '(absent)'}`,
    ];
    if (refusal?.has('headers'))
      evidence.unshift(`OPTIONS -> ${statusLine(preflight)} "${preflight.bodyExcerpt.trim()}"`);
    if (allowed.has('*') && e.page.credentials === 'include')
      evidence.push('* is a literal name, not a wildcard, for requests with credentials');
    return {
      summary: `The preflight does not allow the request header${missing.length === 1 ? '' : 's'} ${missing.join(', ') || requested.join(', ')}.`,
      evidence,
      locations: [],
      fix: {
        summary: `Add ${(missing.length > 0 ? missing : requested).map((h) => `"${h}"`).join(', ')} to allow_headers.`,
        snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method }),
      },
    };
  },
};

const ALWAYS_ALLOWED = ['accept', 'accept-language', 'content-language', 'content-type'];

function scanHeaderNotAllowed({ app, request }: ScanContext): FindingDraft[] {
  const entry = corsEntries(app)[0];
  if (!entry?.options) return [];
  const option = entry.options.allow_headers;
  const { shape, items } = stringItems(option);
  if (shape === 'unresolved') return [];
  // A string is iterated character by character by Starlette's set(allow_headers).
  const configured = shape === 'str' ? [] : items.map((i) => i.value.toLowerCase());
  if (configured.includes('*')) return [];
  const allowed = new Set([...ALWAYS_ALLOWED, ...configured]);
  const needed = new Map<string, string>();
  for (const route of app.routes) {
    for (const header of route.readsHeaders)
      needed.set(
        header.toLowerCase(),
        `${route.methods.join(',')} ${route.path} at ${route.source.file}:${route.source.line}`,
      );
  }
  for (const [name] of request?.headers ?? [])
    needed.set(name.toLowerCase(), 'the request given with --header');
  const missing = [...needed.keys()].filter((h) => !allowed.has(h));
  if (missing.length === 0 && shape !== 'str') return [];
  const ref = option?.source ?? entry.source ?? app.source;
  return [
    {
      file: ref.file,
      line: ref.line,
      message:
        shape === 'str'
          ? `allow_headers is a string (${option?.expression}): Starlette turns it into a set of single characters, so no custom header is allowed.`
          : `allow_headers ${shape === 'absent' ? 'is not set' : `is ${option?.expression}`}: preflights that ask for ${missing.join(', ')} get 400 "Disallowed CORS headers".`,
      evidence: missing.map((h) => `${h}: read by ${needed.get(h)}`),
      fix: withEdits(
        `allow_headers=${pyList([...new Set([...configured, ...missing])])}`,
        setCorsKeyword(entry, 'allow_headers', pyList([...new Set([...configured, ...missing])]), option),
      ),
    },
  ];
}
