import type { RecordedResponse } from '../../core/exchange.js';
import { pyList, setCorsKeyword, withEdits } from '../../fix/source-edits.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader } from '../../model/header-list.js';
import { splitListHeader } from '../../model/http-token.js';
import type { CredentialsMode } from '../../model/types.js';
import { corsEntries, stringItems } from '../../python/options.js';
import { firstBlocked, preflightOf, starletteRefusal, statusLine } from '../evidence.js';
import { aboutOtherRequests, needsPreflight, refusedInPreflight, requestWords } from '../request-scope.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';
import { listRefusalLines, malformedEdits, malformedNames } from './method-not-allowed.js';

export const headerNotAllowed: CauseRule = {
  code: 'header-not-allowed',
  severity: 'error',
  title: 'A request header that is not CORS-safelisted is not in Access-Control-Allow-Headers.',
  scan: scanHeaderNotAllowed,
  detect(e) {
    const blocked = firstBlocked(e);
    const exchange = preflightOf(e);
    const preflight = exchange?.response;
    if (!blocked || !exchange || !preflight) return undefined;
    const refusal = starletteRefusal(preflight);
    const byReason =
      /HeaderDisallowed|CORSMissingAllowHeader|InvalidAllowHeaders|CORSInvalidAllowHeader/.test(
        blocked.reason ?? '',
      );
    const lacking = headersListLacks(preflight, e.simulation.accessControlRequestHeaders, e.page.credentials);
    if (!refusal?.has('headers') && !byReason && lacking.length === 0) return undefined;
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
    else if (lacking.length > 0 && preflight.status >= 400)
      evidence.unshift(...listRefusalLines(exchange, preflight, lacking.join(', ')));
    // Starlette's set(allow_headers) of a string: its characters, one by one.
    const characters = [...allowed].filter((h) => h.length === 1);
    if (characters.length >= 3)
      evidence.push(
        `Access-Control-Allow-Headers lists single characters (${characters.join(', ')}): allow_headers is a string, not a list (("Authorization") is a string; ("Authorization",) or ["Authorization"] is a list)`,
      );
    if (allowed.has('*') && e.page.credentials === 'include')
      evidence.push('* is a literal name, not a wildcard, for requests with credentials');
    return {
      summary: `The preflight does not allow the request header${missing.length === 1 ? '' : 's'} ${missing.join(', ') || requested.join(', ')}.`,
      evidence,
      locations: [],
      fix: {
        summary:
          characters.length >= 3
            ? `Pass allow_headers a list of names: allow_headers=${pyList(missing.length > 0 ? missing : requested)}.`
            : `Add ${(missing.length > 0 ? missing : requested).map((h) => `"${h}"`).join(', ')} to allow_headers.`,
        snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method, answered: e.exchanges }),
      },
    };
  },
};

/**
 * The header names asked for (`Access-Control-Request-Headers`, lower case) that the preflight's
 * `Access-Control-Allow-Headers` does not allow, whether or not a body names the refusal (DevTools keeps no
 * preflight body). A refusal (an error status) was decided by the server on its own list (`*`: every name); a
 * 2xx is judged by the browser: `*` covers every name but Authorization, and none with credentials.
 * Empty when the answer has no such list.
 */
export function headersListLacks(
  preflight: RecordedResponse,
  asked: string | undefined,
  credentials: CredentialsMode,
): string[] {
  const value = getHeader(preflight.headers, 'Access-Control-Allow-Headers');
  const refused = preflight.status >= 400;
  if (value === null || (!refused && (preflight.status < 200 || preflight.status > 299))) return [];
  const names = splitListHeader(value).map((n) => n.toLowerCase());
  const wildcard = names.includes('*');
  return splitListHeader(asked ?? '')
    .map((n) => n.toLowerCase())
    .filter((n) => {
      if (names.includes(n)) return false;
      if (refused) return !wildcard;
      return !(wildcard && credentials !== 'include' && n !== 'authorization');
    });
}

const ALWAYS_ALLOWED = ['accept', 'accept-language', 'content-language', 'content-type'];

/**
 * With a request given, what does not concern it (a header only routes read, a request that needs no
 * preflight, headers CORSMiddleware allows) is about other requests: a warning.
 */
function scanHeaderNotAllowed(context: ScanContext): FindingDraft[] {
  const findings = headerFindings(context);
  const { request } = context;
  const entry = corsEntries(context.app)[0];
  if (!request || !entry || findings.length === 0) return findings;
  if (!needsPreflight(request))
    return findings.map((f) =>
      aboutOtherRequests(f, `${requestWords(request)} needs no preflight, so no header is checked`),
    );
  const refused = refusedInPreflight(entry, context);
  if (refused === undefined || refused.includes('headers')) return findings;
  return findings.map((f) =>
    aboutOtherRequests(f, `CORSMiddleware allows the headers of ${requestWords(request)}`),
  );
}

function headerFindings({ app, request }: ScanContext): FindingDraft[] {
  const entry = corsEntries(app)[0];
  if (!entry?.options) return [];
  const option = entry.options.allow_headers;
  const { shape, items } = stringItems(option);
  if (shape === 'unresolved') return [];
  // A string is iterated character by character by Starlette's set(allow_headers); a comma list in one
  // item is one name that no request header has.
  const malformed = malformedNames(shape, items, 'allow_headers');
  const configured = malformed ? malformed.meant : shape === 'str' ? [] : items.map((i) => i.value);
  const names = configured.map((h) => h.toLowerCase());
  if (names.includes('*') && !malformed) return [];
  const allowed = new Set([...ALWAYS_ALLOWED, ...names]);
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
  const missing = names.includes('*') ? [] : [...needed.keys()].filter((h) => !allowed.has(h));
  if (missing.length === 0 && !malformed) return [];
  const ref = option?.source ?? entry.source ?? app.source;
  const list = [...new Set([...configured, ...missing])];
  if (malformed) {
    const where = malformed.items[0]?.source ?? ref;
    return [
      {
        file: where.file,
        line: where.line,
        ...(where.line !== ref.line || where.file !== ref.file ? { related: [ref] } : {}),
        message: `allow_headers is ${option?.expression}: ${malformed.why}.${missing.length > 0 ? ` Requests also send ${missing.join(', ')}.` : ''}`,
        evidence: [
          ...(option ? [`allow_headers = ${option.expression}`, ...option.via] : []),
          ...missing.map((h) => `${h}: read by ${needed.get(h)}`),
        ],
        fix: withEdits(
          `Write each header as an item of its own: allow_headers=${pyList(list)}.`,
          malformedEdits(entry, 'allow_headers', option, malformed, list, missing.length === 0),
        ),
      },
    ];
  }
  return [
    {
      file: ref.file,
      line: ref.line,
      message: `allow_headers ${shape === 'absent' ? 'is not set' : `is ${option?.expression}`}: preflights that ask for ${missing.join(', ')} get 400 "Disallowed CORS headers".`,
      evidence: missing.map((h) => `${h}: read by ${needed.get(h)}`),
      fix: withEdits(
        `allow_headers=${pyList(list)}`,
        setCorsKeyword(entry, 'allow_headers', pyList(list), option),
      ),
    },
  ];
}
