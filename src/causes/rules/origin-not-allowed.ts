import type { SourceEdit } from '../../core/causes.js';
import type { Exchange, RecordedResponse } from '../../core/exchange.js';
import {
  originRegexMatcher,
  patternConcerns,
  patternPlace,
  regexMatchMode,
  repairOriginRegex,
} from '../../fix/regex.js';
import {
  appendToList,
  pyList,
  replaceStringValue,
  setCorsKeyword,
  withEdits,
} from '../../fix/source-edits.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader } from '../../model/header-list.js';
import { corsEntries } from '../../python/options.js';
import type { MiddlewareEntry, ResolvedValue, SourceRef } from '../../python/types.js';
import {
  actualOf,
  allowOrigin,
  diagnosticOf,
  firstBlocked,
  hasCorsHeaders,
  preflightOf,
  proxyStrippedAllowOrigin,
  starletteRefusal,
  statusLine,
} from '../evidence.js';
import { starletteAllowsOrigin } from '../static-values.js';
import type { CauseRule, CheckEvidence, FindingDraft, ScanContext } from '../types.js';
import { canonicalOrigin, malformedOriginReason } from './origin-malformed.js';

/** How two origins differ, in the words a user needs (`localhost` vs `127.0.0.1`, another port, ...). */
export function originDifference(page: string, allowed: string): string | undefined {
  let a: URL;
  let b: URL;
  try {
    a = new URL(page);
    b = new URL(allowed);
  } catch {
    return undefined;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'];
  if (a.hostname !== b.hostname && loopback.includes(a.hostname) && loopback.includes(b.hostname)) {
    return `${b.hostname} is not ${a.hostname}: browsers compare origins as text, and these are different origins`;
  }
  if (a.protocol !== b.protocol) return `the scheme differs (${b.protocol} vs ${a.protocol})`;
  if (a.hostname !== b.hostname) return `another host (${b.hostname} vs ${a.hostname})`;
  if (a.port !== b.port) return `another port (${b.port || 'default'} vs ${a.port || 'default'})`;
  return undefined;
}

export const originNotAllowed: CauseRule = {
  code: 'origin-not-allowed',
  severity: 'error',
  title: "The page's exact origin is not in the allowed set.",
  // The source can name the root cause behind this symptom (an entry written wrongly, an env list split wrongly).
  explainedBy: ['origin-not-allowed', 'origin-malformed', 'env-origins-misparsed', 'cors-config-not-applied'],
  scan: scanOriginNotAllowed,
  detect(e) {
    if (!firstBlocked(e) || proxyStrippedAllowOrigin(e).length > 0) return undefined;
    const origin = e.page.origin;
    const evidence: string[] = [];
    for (const x of [preflightOf(e), diagnosticOf(e, 'OPTIONS')]) {
      const refusal = starletteRefusal(x?.response);
      if (x?.response && refusal?.has('origin')) {
        evidence.push(
          `OPTIONS -> ${statusLine(x.response)} "${x.response.bodyExcerpt.trim()}": Starlette's CORSMiddleware does not list ${origin}`,
        );
      }
    }
    for (const x of [preflightOf(e), actualOf(e)]) {
      const value = allowOrigin(x?.response);
      if (!x?.response) continue;
      if (
        value !== null &&
        value !== origin &&
        value !== '*' &&
        !/[ ,]/.test(value) &&
        malformedOriginReason(value, origin) === undefined
      ) {
        const why = originDifference(origin, value);
        evidence.push(
          `${x.request.method} -> Access-Control-Allow-Origin: ${value}${why ? ` (${why})` : ''}`,
        );
      }
      if (
        value === null &&
        evidence.length === 0 &&
        hasCorsHeaders(x.response.headers) &&
        !starletteRefusal(x.response)
      ) {
        const lines = x.response.headers
          .filter(([n]) => /^access-control-/i.test(n))
          .map(([n, v]) => `${n}: ${v}`);
        evidence.push(
          `${x.request.method} -> a CORS layer answered (${lines.join('; ')}) but sent no Access-Control-Allow-Origin for ${origin}`,
        );
      }
    }
    if (evidence.length === 0) evidence.push(...layerNeverAllows(e));
    if (evidence.length === 0) return undefined;
    const vary = getHeader(preflightOf(e)?.response?.headers ?? [], 'Vary');
    if (vary) evidence.push(`Vary: ${vary}`);
    return {
      summary: `The server's CORS configuration does not allow the origin ${origin}: the allowed origins must contain it exactly (scheme, host and port).`,
      evidence,
      locations: [],
      fix: {
        summary: `Add "${origin}" to allow_origins (exactly, with no trailing slash). If the list comes from an environment variable, check how it is split: a space after a comma, quotes or brackets left in the values keep an origin from matching, and the wire cannot show that (check --project DIR reads it).`,
        snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method, answered: e.exchanges }),
      },
    };
  },
};

/** `entry 3: `, where a recorded exchange is in its HAR. */
const entryOf = (x: Exchange): string => (x.recorded ? `entry ${x.recorded.entry}: ` : '');

/**
 * An answer without Access-Control-Allow-Origin, read with the preflights that ask the server's CORS layer
 * directly (`diagnostic`: the one `check` sends, or the page's other preflights to the same server that a HAR
 * recorded): a CORS layer answers them (Access-Control-* headers) and never allows the page's origin, in
 * them or in the request's own answers. Empty when they do not show that.
 */
function layerNeverAllows(e: CheckEvidence): string[] {
  const origin = e.page.origin;
  const asked = e.exchanges.filter(
    (x) =>
      x.kind === 'diagnostic' &&
      x.request.method === 'OPTIONS' &&
      x.response &&
      (getHeader(x.request.headers, 'Origin') ?? origin) === origin,
  );
  const own = e.exchanges.filter((x) => x.kind !== 'diagnostic');
  if (asked.length === 0 || [...own, ...asked].some((x) => allowOrigin(x.response) !== null)) return [];
  const answered = asked.filter(
    (x) => x.response && hasCorsHeaders(x.response.headers) && !starletteRefusal(x.response),
  );
  const withLists = answered.filter((x) =>
    getHeader(x.response?.headers ?? [], 'Access-Control-Allow-Methods'),
  );
  const shown = (withLists.length > 0 ? withLists : answered).slice(0, 2);
  if (shown.length === 0) return [];
  const actual = actualOf(e);
  const server = new URL(e.page.url).origin;
  return [
    ...(actual?.response && !hasCorsHeaders(actual.response.headers)
      ? [
          `${entryOf(actual)}${actual.request.method} ${actual.request.url} -> ${statusLine(actual.response)} with no CORS header at all`,
        ]
      : []),
    ...shown.map((x) => {
      const r = x.response as RecordedResponse;
      const lines = r.headers.filter(([n]) => /^access-control-/i.test(n)).map(([n, v]) => `${n}: ${v}`);
      const which = x.recorded
        ? `another request of the page to ${server}`
        : 'the preflight sent to ask the CORS layer';
      return `${entryOf(x)}OPTIONS ${x.request.url} (${which}) -> ${statusLine(r)}: a CORS layer answered (${lines.join('; ')}) but sent no Access-Control-Allow-Origin for ${origin}`;
    }),
  ];
}

/** Adds the origin to a literal allow_origins list (where it is written), or sets allow_origins when absent. */
function addOriginEdits(entry: MiddlewareEntry, origin: string): SourceEdit[] | undefined {
  const option = entry.options?.allow_origins;
  if (!option) return setCorsKeyword(entry, 'allow_origins', pyList([origin]), undefined);
  const value = option.value;
  if (value.kind !== 'list') return undefined;
  if (value.items.length === 0) return setCorsKeyword(entry, 'allow_origins', pyList([origin]), option);
  if (value.items.some((i) => i.value.kind !== 'str')) return undefined;
  // An entry that means this origin but is written wrongly ("http://localhost:3000/"): correct it in place.
  const meant = value.items.find(
    (i) => i.value.kind === 'str' && canonicalOrigin(i.value.value) === origin && i.value.value !== origin,
  );
  // Unless a type changed it on the way from where it is written (pydantic's URL types add a "/"): then the
  // code that reads it is what changes, not its text.
  if (meant && meant.value.kind === 'str')
    return meant.env && meant.expression.slice(1, -1) !== meant.value.value
      ? undefined
      : replaceStringValue(meant, meant.value.value, origin);
  return appendToList(value.items, [origin]) ?? appendToEnvText(option, origin);
}

/**
 * The origin appended to the environment variable's text the code splits (`A,B` in `.env` or compose
 * becomes `A,B,origin`), after its last item; undefined when that item's text could be another's part.
 */
function appendToEnvText(option: ResolvedValue, origin: string): SourceEdit[] | undefined {
  const env = option.env;
  const separator = option.via.map((v) => /^split\((["'])(.+?)\1\)$/.exec(v)).find((m) => m)?.[2];
  if (!env?.valueFrom || separator === undefined || option.via.some((v) => v.startsWith('JSON-decoded')))
    return undefined;
  if (option.value.kind !== 'list' || /[\s"'\\#$]/.test(origin)) return undefined;
  const read = option.value.items.filter((i) => i.env?.name === env.name);
  // Each item as written in the variable: a type that changes it on the way (a URL type's "/") is not appended to.
  const texts = read.flatMap((i) =>
    i.value.kind === 'str' && i.expression.slice(1, -1) === i.value.value ? [i.value.value] : [],
  );
  if (texts.length !== read.length) return undefined;
  const last = texts.at(-1);
  if (!last || texts.slice(0, -1).some((t) => t.includes(last))) return undefined;
  return [
    {
      kind: 'replace-text',
      file: env.valueFrom.file,
      line: env.valueFrom.line,
      from: last,
      to: `${last}${separator}${origin}`,
    },
  ];
}

/**
 * The regex written for these origins, repaired (anchors, escaping, a glob, a port, a scheme, the bare
 * domain), at the place the pattern is written: the literal, the constant or settings default, the `.env`
 * or compose line. Undefined when the regex is not about these origins.
 */
function regexFinding(
  entry: MiddlewareEntry,
  refused: string[],
  starletteVersion: string,
): { finding: FindingDraft; origins: string[] } | undefined {
  const option = entry.options?.allow_origin_regex;
  if (option?.value.kind !== 'str' || refused.length === 0) return undefined;
  const pattern = option.value.value;
  const mode = regexMatchMode(starletteVersion);
  const meant = refused.filter((o) => patternConcerns(pattern, o));
  const repair = repairOriginRegex(pattern, meant, mode);
  if (!repair) return undefined;
  const { place, edits } = patternPlace(option, repair.pattern);
  const related = [option.source, ...(entry.source ? [entry.source] : [])].filter(
    (r, i, all) =>
      (r.file !== place.file || r.line !== place.line) &&
      all.findIndex((x) => x.file === r.file && x.line === r.line) === i,
  );
  const where = option.env?.valueFrom
    ? `${option.env.name}=${repair.pattern} (${option.env.valueFrom.file}:${option.env.valueFrom.line})`
    : `allow_origin_regex=r"${repair.pattern}"`;
  return {
    origins: meant,
    finding: {
      file: place.file,
      line: place.line,
      ...(related.length > 0 && { related }),
      message: `${meant.join(', ')} ${meant.length === 1 ? 'does' : 'do'} not match allow_origin_regex r"${pattern}" (Starlette ${starletteVersion} tests it with re.${mode}): ${repair.changes.join('; ')}.`,
      evidence: [`allow_origin_regex = ${option.expression}`, ...option.via],
      fix: withEdits(`Fix the regex itself: ${where}.`, edits),
    },
  };
}

function scanOriginNotAllowed({ app, origins, starletteVersion }: ScanContext): FindingDraft[] {
  const entry = corsEntries(app)[0];
  if (!entry?.options) return [];
  const options = entry.options;
  // Before Starlette 0.13.1 the regex is applied with re.match: a prefix of the origin is enough.
  const regex = options.allow_origin_regex?.value;
  const byMatch = (o: string) => {
    if (regex?.kind !== 'str' || regexMatchMode(starletteVersion) === 'fullmatch') return false;
    try {
      return originRegexMatcher(regex.value, 'match').test(o);
    } catch {
      return false;
    }
  };
  const refused = origins.filter((o) => starletteAllowsOrigin(options, o).allowed === false && !byMatch(o));
  // Origins the regex is meant for get the regex repaired; others are added to allow_origins.
  const byRegex = regexFinding(entry, refused, starletteVersion);
  const findings: FindingDraft[] = byRegex ? [byRegex.finding] : [];
  for (const origin of refused) {
    if (byRegex?.origins.includes(origin)) continue;
    const decision = starletteAllowsOrigin(entry.options, origin);
    if (decision.allowed !== false) continue;
    const option = entry.options.allow_origins ?? undefined;
    const edits = addOriginEdits(entry, origin);
    // Where the origin is written: the edit's line (the literal, the `.env` or compose line), else the keyword.
    const written = edits?.find((e) => e.kind === 'replace-text');
    const ref =
      (written?.kind === 'replace-text' && { file: written.file, line: written.line }) ||
      (option?.source ?? entry.source ?? app.source);
    const related = [option?.source ?? entry.source].filter(
      (r): r is SourceRef => r !== undefined && (r.file !== ref.file || r.line !== ref.line),
    );
    findings.push({
      file: ref.file,
      line: ref.line,
      ...(related.length > 0 && { related }),
      message: `${origin} is not allowed: ${decision.how}.`,
      ...(option && { evidence: [`allow_origins = ${option.expression}`, ...option.via] }),
      fix: withEdits(
        `Add "${origin}" to allow_origins (exactly: scheme, host and port, no trailing slash).`,
        edits,
      ),
    });
  }
  return findings;
}
