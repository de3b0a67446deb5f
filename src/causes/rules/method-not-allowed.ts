import type { SourceEdit } from '../../core/causes.js';
import type { Exchange, RecordedResponse } from '../../core/exchange.js';
import { pyList, replaceLiteral, setCorsKeyword, withEdits } from '../../fix/source-edits.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader } from '../../model/header-list.js';
import { splitListHeader } from '../../model/http-token.js';
import { isCorsSafelistedMethod, normalizeMethod } from '../../model/method.js';
import type { CredentialsMode } from '../../model/types.js';
import { corsEntries, type Shape, type StringItem, stringItems } from '../../python/options.js';
import type { MiddlewareEntry, ResolvedValue } from '../../python/types.js';
import { firstBlocked, preflightOf, starletteRefusal, statusLine } from '../evidence.js';
import { aboutOtherRequests, needsPreflight, refusedInPreflight, requestWords } from '../request-scope.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

export const methodNotAllowed: CauseRule = {
  code: 'method-not-allowed',
  severity: 'error',
  title: "The preflight does not allow the request's method.",
  scan: scanMethodNotAllowed,
  detect(e) {
    const blocked = firstBlocked(e);
    const exchange = preflightOf(e);
    const preflight = exchange?.response;
    if (!blocked || !exchange || !preflight) return undefined;
    const method = e.simulation.method;
    const allowed = getHeader(preflight.headers, 'Access-Control-Allow-Methods');
    const refusal = starletteRefusal(preflight);
    const byReason = /MethodDisallowed|CORSMethodNotFound|InvalidAllowMethods|CORSInvalidAllowMethod/.test(
      blocked.reason ?? '',
    );
    const byList = methodListLacks(preflight, method, e.page.credentials);
    if (!refusal?.has('method') && !byReason && !byList) return undefined;
    const evidence = [`Access-Control-Allow-Methods: ${allowed ?? '(absent)'} does not contain ${method}`];
    if (refusal?.has('method'))
      evidence.unshift(`OPTIONS -> ${statusLine(preflight)} "${preflight.bodyExcerpt.trim()}"`);
    else if (byList && preflight.status >= 400)
      evidence.unshift(...listRefusalLines(exchange, preflight, method));
    if (allowed === 'GET') evidence.push("GET alone is Starlette's default allow_methods");
    // Starlette joins allow_methods with ", ": an item holding "DELETE,GET" shows as one name.
    const listed = (allowed ?? '').split(/,\s+/);
    const joined =
      refusal?.has('method') || starletteListRefusal(preflight)
        ? listed.find((i) => splitNames(i).length > 1)
        : undefined;
    if (joined && splitNames(joined).includes(method.toUpperCase())) {
      evidence.push(
        `"${joined}" is one item of allow_methods holding a comma list (Starlette separates items with ", "): ${method} is not that item`,
      );
    }
    const names = listed.flatMap(splitNames);
    if (!names.includes(method) && names.some((m) => m.toUpperCase() === method.toUpperCase())) {
      evidence.push(`methods are compared case-sensitively: ${method} is not ${allowed}`);
    }
    const fix = joined
      ? `Write each method as an item of its own: allow_methods=${pyList(splitNames(joined))}.`
      : `Add "${method.toUpperCase()}" to allow_methods (Starlette's default is GET only).`;
    return {
      summary: `The preflight does not allow the method ${method}.`,
      evidence,
      locations: [],
      fix: {
        summary: fix,
        snippet: corsMiddlewareSnippet({ ...e.page, method, answered: e.exchanges }),
      },
    };
  },
};

/**
 * The preflight's answer carries the CORS layer's allow-lists and its `Access-Control-Allow-Methods` does
 * not allow `method`, whether or not a body names the refusal (DevTools keeps no preflight body). A refusal
 * (an error status) was decided by the server on its own lists: the method is not listed (`*` lists every
 * method), or, in Starlette's shape (400 with Access-Control-Max-Age), not one of its items. A 2xx is judged
 * by the browser: a CORS-safelisted method needs no listing, and `*` is a name, not a wildcard, with
 * credentials. A redirect is another story (preflight-redirected).
 */
export function methodListLacks(
  preflight: RecordedResponse,
  method: string,
  credentials: CredentialsMode,
): boolean {
  const value = getHeader(preflight.headers, 'Access-Control-Allow-Methods');
  if (value === null || method === '') return false;
  const names = splitListHeader(value);
  if (preflight.status >= 400) {
    if (names.includes('*')) return false;
    if (!names.includes(method)) return true;
    return starletteListRefusal(preflight) && !value.split(/,\s+/).includes(method);
  }
  if (preflight.status < 200 || preflight.status > 299 || isCorsSafelistedMethod(method)) return false;
  return !names.includes(method) && !(names.includes('*') && credentials !== 'include');
}

/** A 400 in the shape of Starlette's refusal: its allow-lists and Access-Control-Max-Age, whatever the body. */
export const starletteListRefusal = (r: RecordedResponse): boolean =>
  r.status === 400 &&
  getHeader(r.headers, 'Access-Control-Allow-Methods') !== null &&
  getHeader(r.headers, 'Access-Control-Max-Age') !== null;

/**
 * The lines that show a refusal read from the allow-lists of its answer: where it was recorded, what it asked
 * for, and, when a HAR kept no body for it, that the lists say what Starlette's body would have said.
 */
export function listRefusalLines(exchange: Exchange, preflight: RecordedResponse, asked: string): string[] {
  const entry = exchange.recorded ? `entry ${exchange.recorded.entry}: ` : '';
  const lines = [
    `${entry}OPTIONS ${exchange.request.url} asked for ${asked} -> ${statusLine(preflight)}, a refusal that carries the CORS layer's allow-lists`,
  ];
  if (exchange.recorded && preflight.bodyExcerpt.trim() === '')
    lines.push(
      'the HAR keeps no body for this preflight (DevTools saves none), where Starlette writes "Disallowed CORS ...": the allow-lists of the same answer say what was refused',
    );
  return lines;
}

/** Methods a browser preflights (every method but GET and HEAD; POST too, since API POSTs send JSON). */
function preflightedMethods(methods: string[]): string[] {
  return methods.filter((m) => m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS');
}

/** Names written together in one string (`"DELETE,GET"`, `"GET POST"`): what was meant is each of them. */
export const splitNames = (value: string): string[] => value.split(/[\s,]+/).filter(Boolean);

/**
 * A list option written wrongly: a string where a list belongs (`"GET,POST"`, `("GET")`: Starlette tests
 * `in` on the text and joins its characters), or items that hold a comma list (`["DELETE,GET"]`). Returns
 * the names meant, or undefined when the option is well formed.
 */
export function malformedNames(
  shape: Shape,
  items: StringItem[],
  keyword: 'allow_methods' | 'allow_headers',
): { meant: string[]; why: string; items: StringItem[] } | undefined {
  if (shape === 'str') {
    const text = items[0]?.value ?? '';
    if (text === '*') return undefined;
    return {
      meant: splitNames(text),
      why:
        keyword === 'allow_methods'
          ? `a string, not a list: Starlette tests \`method in ${JSON.stringify(text)}\` as a substring, and the preflight's Access-Control-Allow-Methods lists its characters one by one`
          : `a string, not a list: Starlette takes the set of its characters (${[...new Set(text)].slice(0, 4).join(', ')}, ...) as the header names, so no real header is allowed`,
      items,
    };
  }
  const joined = items.filter((i) => splitNames(i.value).length > 1);
  if (joined.length === 0) return undefined;
  return {
    meant: items.flatMap((i) => splitNames(i.value)),
    why: `${joined.map((i) => JSON.stringify(i.value)).join(', ')} ${joined.length === 1 ? 'is one string' : 'are strings'} holding a comma list: Starlette compares the requested name with each item as a whole, so none of the names inside is allowed`,
    items: joined,
  };
}

/**
 * Edits that write `list` for a malformed option: the keyword's literal at the call, else each joined item
 * split where it is written (a constant), else the string read from the environment split in the code.
 */
export function malformedEdits(
  entry: MiddlewareEntry,
  keyword: 'allow_methods' | 'allow_headers' | 'allow_origins',
  option: ResolvedValue | undefined,
  malformed: { items: StringItem[] },
  list: string[],
  onlyMeant: boolean,
): SourceEdit[] | undefined {
  const atCall = setCorsKeyword(entry, keyword, pyList(list), option);
  if (atCall) return atCall;
  if (!option || !onlyMeant) return undefined;
  if (option.value.kind === 'str') {
    // A string from the environment or a settings field: split it where the option is written.
    const name = keyword.replace(/^allow_(\w+)s$/, '$1');
    if (!option.env || (!option.env.valueFrom && !option.env.defaultUsed)) return undefined;
    return [
      {
        kind: 'replace-text',
        file: option.source.file,
        line: option.source.line,
        from: option.expression,
        to: `[${name}.strip() for ${name} in ${option.expression}.split(",") if ${name}.strip()]`,
      },
    ];
  }
  const edits: SourceEdit[] = [];
  for (const item of malformed.items) {
    const quote = /["']/.exec(item.resolved.expression)?.[0] ?? '"';
    const split = splitNames(item.value).map(
      (n) => `${quote}${keyword === 'allow_methods' ? n.toUpperCase() : n}${quote}`,
    );
    const edit = replaceLiteral(item.resolved, split.join(', '));
    if (!edit) return undefined;
    edits.push(...edit);
  }
  return edits;
}

/**
 * With a request given, what does not concern it (a method only routes use, a request that needs no
 * preflight, a method CORSMiddleware allows) is about other requests: a warning.
 */
function scanMethodNotAllowed(context: ScanContext): FindingDraft[] {
  const findings = methodFindings(context);
  const { request } = context;
  const entry = corsEntries(context.app)[0];
  if (!request || !entry || findings.length === 0) return findings;
  if (!needsPreflight(request))
    return findings.map((f) =>
      aboutOtherRequests(f, `${requestWords(request)} needs no preflight, so no method is checked`),
    );
  const refused = refusedInPreflight(entry, context);
  if (refused === undefined || refused.includes('method')) return findings;
  const method = normalizeMethod(request.method ?? 'GET');
  return findings.map((f) => aboutOtherRequests(f, `CORSMiddleware allows ${method}`));
}

function methodFindings({ app, request }: ScanContext): FindingDraft[] {
  const entry = corsEntries(app)[0];
  if (!entry?.options) return [];
  const option = entry.options.allow_methods;
  const { shape, items } = stringItems(option);
  if (shape === 'unresolved') return [];
  const malformed = malformedNames(shape, items, 'allow_methods');
  const configured = malformed
    ? malformed.meant.map((m) => m.toUpperCase())
    : shape === 'absent'
      ? ['GET']
      : items.map((i) => i.value);
  if (configured.includes('*') && !malformed) return [];
  const ref = option?.source ?? entry.source ?? app.source;
  const needed = new Set(preflightedMethods(app.routes.flatMap((r) => r.methods)));
  if (request?.method) {
    // The method as the frontend must send it: `patch` is a frontend change (frontend-request-invalid).
    const method = normalizeMethod(request.method).toUpperCase();
    if (needsPreflight(request)) needed.add(method);
  }
  const missing = configured.includes('*') ? [] : [...needed].filter((m) => !configured.includes(m));
  if (malformed) {
    const list = [...new Set([...configured, ...missing])];
    const where = malformed.items[0]?.source ?? ref;
    return [
      {
        file: where.file,
        line: where.line,
        ...(where.line !== ref.line || where.file !== ref.file ? { related: [ref] } : {}),
        message: `allow_methods is ${option?.expression}: ${malformed.why}.${missing.length > 0 ? ` Routes also use ${missing.join(', ')}.` : ''}`,
        evidence: option ? [`allow_methods = ${option.expression}`, ...option.via] : [],
        fix: withEdits(
          `Write each method as an item of its own: allow_methods=${pyList(list)}.`,
          malformedEdits(entry, 'allow_methods', option, malformed, list, missing.length === 0),
        ),
      },
    ];
  }
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
  const upperMissing = missing.filter((m) => !configured.map((c) => c.toUpperCase()).includes(m));
  if (upperMissing.length > 0) {
    const list = [...new Set([...configured.map((m) => m.toUpperCase()), ...upperMissing])];
    findings.push({
      file: ref.file,
      line: ref.line,
      message: `${shape === 'absent' ? 'allow_methods is not set, so Starlette allows only GET' : `allow_methods is ${option?.expression}`}: preflights for ${upperMissing.join(', ')} (used by routes) get 400 "Disallowed CORS method".`,
      evidence: app.routes
        .filter((r) => r.methods.some((m) => upperMissing.includes(m)))
        .slice(0, 5)
        .map((r) => `${r.methods.join(',')} ${r.path} at ${r.source.file}:${r.source.line}`),
      fix: withEdits(
        `allow_methods=${pyList(list)}`,
        setCorsKeyword(entry, 'allow_methods', pyList(list), option),
      ),
    });
  }
  return findings;
}
