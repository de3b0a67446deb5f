/**
 * Security findings from source: the origins an app's CORS configuration lets read with credentials that
 * it should not, each with a counter-example origin computed from the configuration. Read: `allow_origins`
 * (`*` with credentials, `null`, `http://` and development origins, a string tested by substring),
 * `allow_origin_regex` under the matching rule of the project's Starlette version (`re.fullmatch` from
 * 0.13.1, `re.match` before), and middleware code that writes the request's Origin back. Each finding of
 * a regex carries the repaired pattern when one closes every hole and keeps every trusted origin working.
 * Every rule's scan hook takes its own code from this one reading.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CauseCode } from '../core/causes.js';
import { echoMiddlewareFix } from '../fix/echo-middleware.js';
import {
  type Admitted,
  admittedAttacks,
  anchored,
  attackCandidates,
  attackForm,
  escapeDots,
  exactOriginsPattern,
  hostingPlatformOf,
  httpsOnly,
  isLoopbackHost,
  namedHosts,
  namedPorts,
  narrowWildcards,
  ownDeploymentsPattern,
  parseOrigin,
  substringOrigins,
  type Trusted,
  trustedOf,
  UNRELATED_ORIGIN,
  withoutAlternatives,
} from '../fix/origin-attacks.js';
import { originRegexMatcher, patternPlace, type RegexMatchMode, regexMatchMode } from '../fix/regex.js';
import { dropOrigin, pyList, replaceOriginItem, setCorsKeyword, withEdits } from '../fix/source-edits.js';
import { at, boolOption, corsEntries, derivation, type StringItem, stringItems } from '../python/options.js';
import { versionAtLeast } from '../python/starlette-version.js';
import type { MiddlewareEntry, PythonApp, ResolvedValue } from '../python/types.js';
import { pythonFullmatch } from '../servers/starlette-cors.js';
import { aboutOtherRequests, requestWords } from './request-scope.js';
import { malformedEdits, splitNames } from './rules/method-not-allowed.js';
import type { FindingDraft, ScanContext } from './types.js';

export type SecurityDraft = FindingDraft & { code: CauseCode };

/** Codes in the order a pattern's holes are reported; an unrelated origin let in explains the others. */
const ORDER: CauseCode[] = [
  'reflects-any-origin',
  'null-origin-trusted',
  'origin-prefix-bypass',
  'origin-suffix-bypass',
  'regex-unescaped-dot',
  'hosting-platform-origin-trusted',
  'insecure-origin-trusted',
  'dev-origin-in-production',
];

const IMPACT: Partial<Record<CauseCode, string>> = {
  'reflects-any-origin': "any website can read responses with the visitor's cookies",
  'null-origin-trusted':
    "any website can read responses with the visitor's cookies from a sandboxed iframe (Origin: null)",
  'origin-prefix-bypass':
    "a site whose name begins with a trusted name can read responses with the visitor's cookies",
  'origin-suffix-bypass':
    "a site whose name ends like a trusted one can read responses with the visitor's cookies",
  'regex-unescaped-dot':
    "a look-alike host (a dot written as another character) can read responses with the visitor's cookies",
  'hosting-platform-origin-trusted':
    "anyone who deploys a page on the shared hosting domain can read responses with the visitor's cookies",
  'insecure-origin-trusted':
    "a network attacker who injects a script into the plain-http origin can read responses with the visitor's cookies",
  'dev-origin-in-production': "a page served on the visitor's own machine is trusted with credentials",
};

const sentence = (code: CauseCode, origin: string, what: string): string =>
  `${what} lets ${origin === 'null' ? 'Origin: null' : origin} in with credentials: ${IMPACT[code] ?? 'another site can read responses'}.`;

// -------------------------------------------------------------------------------------------------
// Patterns.

export interface PatternReading {
  /** The holes, one per code (the first origin that proves each). */
  holes: Admitted[];
  /** The pattern with every hole closed and every trusted origin kept, when one was found. */
  repaired?: string;
  trusted: Trusted;
}

/** Origins trusted by a pattern: the frontends, and `https://` plus each host the pattern names. */
function patternTrust(pattern: string, frontends: string[]): { trusted: Trusted; names: string[] } {
  const named = namedHosts(pattern).filter((h) => !isLoopbackHost(h));
  const hosts = [...named, ...frontends.flatMap((o) => parseOrigin(o)?.host ?? [])];
  const devOnly = named.length === 0 && /localhost|127\\?\.0\\?\.0\\?\.1/.test(pattern);
  const trusted = trustedOf([
    ...frontends,
    ...named
      .filter((h) => !hostingPlatformOf(`x.${h}`) || h.split('.').length > 2)
      .map((h) => `https://${h}`),
    ...(devOnly ? ['http://localhost'] : []),
  ]);
  return { trusted, names: [...new Set(hosts)] };
}

/**
 * What a pattern lets in that it should not. `test(pattern)` is how the pattern is applied (Starlette's
 * `fullmatch` or `match`, nginx's unanchored search); `mode` says which anchoring a repair adds.
 */
export function readPattern(
  pattern: string,
  frontends: string[],
  compile: (p: string) => RegExp | undefined,
  anchoring: 'none' | 'end' | 'both',
): PatternReading | undefined {
  const re = compile(pattern);
  if (!re) return undefined;
  const { trusted, names } = patternTrust(pattern, frontends);
  const ports = [...namedPorts(pattern), ...frontends.flatMap((o) => parseOrigin(o)?.port || [])];
  const admitted = admittedAttacks(attackCandidates(names, ports), (o) => re.test(o), trusted);
  if (admitted.length === 0) return { holes: [], trusted };
  const dotless = compile(escapeDots(pattern));
  // The code names the repair: a form that escaping the dots closes is an unescaped dot, and a look-alike
  // of a dot that escaping does not close is let in by a wildcard (a suffix or prefix form).
  const closedByEscaping = (origin: string) => dotless !== undefined && !dotless.test(origin);
  const classified = admitted.map((a): Admitted => {
    if (
      (a.code === 'origin-suffix-bypass' || a.code === 'origin-prefix-bypass') &&
      closedByEscaping(a.origin)
    )
      return { ...a, code: 'regex-unescaped-dot' };
    if (a.code === 'regex-unescaped-dot' && !closedByEscaping(a.origin)) {
      const host = parseOrigin(a.origin)?.host ?? '';
      const suffix = trusted.sites.some((site) => host.endsWith(site));
      return { ...a, code: suffix ? 'origin-suffix-bypass' : 'origin-prefix-bypass' };
    }
    return a;
  });
  const broad = classified.find((a) => a.code === 'reflects-any-origin');
  const holes = broad ? [broad] : ORDER.flatMap((code) => classified.find((a) => a.code === code) ?? []);
  const repaired = repairPattern(pattern, holes, classified, frontends, trusted, compile, anchoring, re);
  return { holes, trusted, ...(repaired !== undefined && { repaired }) };
}

function repairPattern(
  pattern: string,
  holes: Admitted[],
  all: Admitted[],
  frontends: string[],
  trusted: Trusted,
  compile: (p: string) => RegExp | undefined,
  anchoring: 'none' | 'end' | 'both',
  original: RegExp,
): string | undefined {
  const codes = new Set(holes.map((h) => h.code));
  let p: string | undefined = pattern;
  if (codes.has('reflects-any-origin')) {
    if (frontends.length === 0) return undefined;
    p = exactOriginsPattern(frontends);
  } else {
    if (codes.has('regex-unescaped-dot')) p = escapeDots(p);
    if (codes.has('origin-suffix-bypass') || (codes.has('origin-prefix-bypass') && anchoring === 'none'))
      p = narrowWildcards(p);
    if (codes.has('null-origin-trusted')) p = withoutAlternatives(p, (a) => /^\^?\(?null\)?\$?$/.test(a));
    if (p && codes.has('insecure-origin-trusted') && !frontends.some((o) => o.startsWith('http://')))
      p = httpsOnly(p);
    if (p && codes.has('hosting-platform-origin-trusted')) {
      const bad = all.filter((a) => a.code === 'hosting-platform-origin-trusted').map((a) => a.origin);
      p = withoutAlternatives(p, (alt) => {
        const re = compile(alt);
        return re !== undefined && bad.some((o) => re.test(o));
      });
    }
    if (p && codes.has('dev-origin-in-production'))
      p = withoutAlternatives(p, (alt) => /localhost|127\\?\.0/.test(alt));
  }
  const kept = [...new Set([...frontends, ...trusted.origins.filter((o) => original.test(o))])];
  const tailored = p === undefined ? undefined : closes(anchoring !== 'none' ? anchored(p, anchoring) : p);
  if (tailored !== undefined || kept.length === 0) return tailored;
  // Nothing narrower keeps the trusted origins: exactly those the pattern was meant for.
  const exact = codes.has('hosting-platform-origin-trusted')
    ? ownDeploymentsPattern(kept, (o) => original.test(o))
    : exactOriginsPattern(kept);
  return closes(anchoring !== 'none' ? anchored(exact, anchoring) : exact);

  function closes(candidate: string): string | undefined {
    const re = compile(candidate);
    if (!re) return undefined;
    // Closed: no attack of any form gets through; kept: every frontend, and every trusted origin it allowed.
    if (all.some((a) => re.test(a.origin))) return undefined;
    if (!kept.every((o) => re.test(o))) return undefined;
    const names = [...new Set([...trusted.sites, ...frontends.flatMap((o) => parseOrigin(o)?.host ?? [])])];
    if (admittedAttacks(attackCandidates(names), (o) => re.test(o), trusted).length > 0) return undefined;
    return candidate;
  }
}

/** Python's `re.fullmatch`, `re.match` or `re.search` of code as a compiler of pattern text. */
const codeCompile =
  (mode: 'fullmatch' | 'match' | 'search') =>
  (p: string): RegExp | undefined => {
    if (mode !== 'search') return starletteCompile(mode)(p);
    try {
      return new RegExp(pythonFullmatch(p).source.replace(/^\^\(\?:|\)\$$/g, ''), pythonFullmatch(p).flags);
    } catch {
      return undefined;
    }
  };

/** Starlette's test of `allow_origin_regex` as a compiler of pattern text. */
export const starletteCompile =
  (mode: RegexMatchMode) =>
  (p: string): RegExp | undefined => {
    try {
      return originRegexMatcher(p, mode);
    } catch {
      return undefined;
    }
  };

// -------------------------------------------------------------------------------------------------
// An app's CORSMiddleware.

function wildcardFinding(
  context: ScanContext,
  entry: MiddlewareEntry,
  option: ResolvedValue,
  star: StringItem | undefined,
): SecurityDraft {
  const { starletteVersion: version, origins: frontends } = context;
  const always = versionAtLeast(version, '1.0.0');
  const edits =
    frontends.length === 0
      ? undefined
      : star && option.value.kind !== 'str'
        ? replaceOriginItem(option, star.resolved, frontends)
        : setCorsKeyword(entry, 'allow_origins', pyList(frontends), option);
  return {
    code: 'wildcard-credentials-reflection',
    file: (star?.resolved.env?.valueFrom ?? star?.source ?? option.source).file,
    line: (star?.resolved.env?.valueFrom ?? star?.source ?? option.source).line,
    origin: UNRELATED_ORIGIN,
    message: `allow_origins=${option.expression} with allow_credentials=True: Starlette ${version} echoes any origin with Access-Control-Allow-Credentials: true ${always ? 'on every request' : 'whenever the request carries a cookie'}, so ${UNRELATED_ORIGIN} can read responses with the visitor's cookies.`,
    evidence: [
      `allow_origins: ${derivation(option)}`,
      `Starlette ${version}: ${always ? 'the origin is echoed on every response' : 'with a Cookie header the origin is echoed (without one: *)'}`,
    ],
    fix: withEdits(
      frontends.length > 0
        ? `List the frontends instead of "*": allow_origins=${pyList(frontends)}, keeping allow_credentials=True.`
        : 'List the frontend origins instead of "*" (give them with --origin for a patch), or drop allow_credentials=True if no client needs cookies.',
      edits,
    ),
  };
}

function listFindings(
  context: ScanContext,
  entry: MiddlewareEntry,
  option: ResolvedValue,
  items: StringItem[],
): SecurityDraft[] {
  const frontends = context.origins;
  const values = items.map((i) => i.value);
  const trusted = trustedOf([...values.filter((v) => v !== 'null'), ...frontends]);
  const secure =
    values.some((v) => v.startsWith('https://')) || frontends.some((o) => o.startsWith('https://'));
  const production = values.some((v) => {
    const p = parseOrigin(v);
    return p !== undefined && !isLoopbackHost(p.host);
  });
  const out: SecurityDraft[] = [];
  const judged = new Set<CauseCode>();
  for (const item of items) {
    if (frontends.includes(item.value)) continue;
    const o = parseOrigin(item.value);
    let code: CauseCode | undefined;
    if (item.value === 'null') code = 'null-origin-trusted';
    else if (o && isLoopbackHost(o.host))
      code =
        production && !frontends.some((f) => isLoopbackHost(parseOrigin(f)?.host ?? ''))
          ? 'dev-origin-in-production'
          : undefined;
    else if (o?.scheme === 'http' && secure) code = 'insecure-origin-trusted';
    if (!code) continue;
    const form = attackForm(item.value, {
      ...trusted,
      origins: trusted.origins.filter((v) => v !== item.value),
    });
    out.push({
      code,
      file: (item.resolved.env?.valueFrom ?? item.source).file,
      line: (item.resolved.env?.valueFrom ?? item.source).line,
      origin: item.value,
      message: sentence(code, item.value, `allow_origins lists "${item.value}"`),
      evidence: [`allow_origins: ${derivation(option)}`, ...(form ? [`${item.value} is ${form.form}`] : [])],
      fix: withEdits(
        `Remove "${item.value}" from allow_origins.`,
        judged.has(code) ? undefined : dropOrigin(entry, option, items, item.value),
      ),
    });
    judged.add(code);
  }
  return out;
}

function stringFindings(
  context: ScanContext,
  entry: MiddlewareEntry,
  option: ResolvedValue,
  text: string,
  items: StringItem[],
): SecurityDraft[] {
  const meant = splitNames(text);
  const trusted = trustedOf([...meant.filter((v) => v !== 'null'), ...context.origins]);
  const seen = new Set<CauseCode>();
  const out: SecurityDraft[] = [];
  for (const origin of substringOrigins(text)) {
    const form = attackForm(origin, trusted);
    // What a substring test lets in imitates a configured name: a host of one label or a truncation of a
    // development origin is no site an attacker can own.
    const host = parseOrigin(origin)?.host ?? '';
    const registrable = origin === 'null' || /\.[a-z]{2,}$/.test(host);
    if (!form || !registrable || seen.has(form.code)) continue;
    if (form.code === 'dev-origin-in-production' || form.code === 'reflects-any-origin') continue;
    seen.add(form.code);
    out.push({
      code: form.code,
      file: option.source.file,
      line: option.source.line,
      origin,
      message: sentence(
        form.code,
        origin,
        `allow_origins is a string (${option.expression}), which Starlette tests as a substring: it`,
      ),
      evidence: [
        `allow_origins: ${derivation(option)}`,
        `"${origin}" in ${JSON.stringify(text)} is True: ${origin} is ${form.form}`,
      ],
      fix: withEdits(
        `Pass a list of origins: allow_origins=${pyList(meant.filter((v) => v !== 'null'))}.`,
        malformedEdits(
          entry,
          'allow_origins',
          option,
          { items },
          meant.filter((v) => v !== 'null'),
          true,
        ),
      ),
    });
  }
  return out;
}

function regexFindings(context: ScanContext, option: ResolvedValue): SecurityDraft[] {
  if (option.value.kind !== 'str') return [];
  const pattern = option.value.value;
  const mode = regexMatchMode(context.starletteVersion);
  const reading = readPattern(
    pattern,
    context.origins,
    starletteCompile(mode),
    mode === 'match' ? 'end' : 'none',
  );
  if (!reading) return [];
  const placed =
    reading.repaired !== undefined ? patternPlace(option, reading.repaired) : { place: option.source };
  const rule =
    mode === 'fullmatch' ? 're.fullmatch' : `re.match (Starlette ${context.starletteVersion}, before 0.13.1)`;
  return reading.holes.map((hole) => ({
    code: hole.code,
    file: placed.place.file,
    line: placed.place.line,
    origin: hole.origin,
    message: sentence(
      hole.code,
      hole.origin,
      `allow_origin_regex=${option.expression} (applied with ${rule})`,
    ),
    evidence: [
      `allow_origin_regex: ${derivation(option)}`,
      `${hole.origin} is ${hole.form}, and the pattern lets it in`,
    ],
    fix: withEdits(
      reading.repaired !== undefined
        ? `Use allow_origin_regex=r"${reading.repaired}": it keeps the trusted origins and lets none of these forms in.${hole.code === 'hosting-platform-origin-trusted' ? ' On a shared platform a name belongs to whoever takes it first: give each preview deployment you need with --origin to keep it.' : ''}`
        : 'List the frontend origins in allow_origins instead of a pattern, or anchor the pattern and escape its dots (give the frontends with --origin for a patch).',
      placed.edits,
    ),
  }));
}

// -------------------------------------------------------------------------------------------------
// Middleware code that writes the request's Origin back.

/** The function around `line` in `text`, up to `line` (1-based), as lines. */
function functionBefore(text: string, line: number): string[] {
  const lines = text.split('\n');
  let start = line - 1;
  while (start > 0 && !/^\s*(async\s+)?def\s/.test(lines[start] ?? '')) start--;
  return lines.slice(start, line);
}

interface OriginCheck {
  admits: (origin: string) => boolean;
  /** The literal texts the check names. */
  literals: string[];
  line: number;
  text: string;
  /** A regex check, with how it is applied. */
  regex?: { pattern: string; mode: 'fullmatch' | 'match' | 'search' };
}

/** How middleware code decides to write the origin back, from the lines before the write. */
function originCheck(lines: string[], firstLine: number, name: string): OriginCheck | 'exact' | undefined {
  const v = name.replace(/[.]/g, '\\.');
  const lit = `[rRbBuU]?(["'])(.*?)\\1`;
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lines[i] as string;
    if (!new RegExp(`\\b${v}\\b`).test(text) || !/\bif\b|\band\b|\bor\b|=/.test(text)) continue;
    const line = firstLine + i;
    const ends = new RegExp(`${v}\\.endswith\\(\\s*${lit}`).exec(text);
    if (ends)
      return { admits: (o) => o.endsWith(ends[2] as string), literals: [ends[2] as string], line, text };
    const starts = new RegExp(`${v}\\.startswith\\(\\s*${lit}`).exec(text);
    if (starts)
      return {
        admits: (o) => o.startsWith(starts[2] as string),
        literals: [starts[2] as string],
        line,
        text,
      };
    const inside = new RegExp(`${lit}\\s+in\\s+${v}\\b`).exec(text);
    if (inside)
      return { admits: (o) => o.includes(inside[2] as string), literals: [inside[2] as string], line, text };
    const re = new RegExp(
      `re\\.(match|search|fullmatch)\\(\\s*${lit.replace('\\1', '\\2')}\\s*,\\s*${v}\\b`,
    ).exec(text);
    if (re) {
      const mode = re[1] as 'fullmatch' | 'match' | 'search';
      const pattern = (re[3] as string).replace(/\\\\/g, '\\');
      try {
        const full = originRegexMatcher(pattern, 'fullmatch');
        const compiled =
          mode === 'search'
            ? new RegExp(pattern)
            : mode === 'match'
              ? originRegexMatcher(pattern, 'match')
              : full;
        return { admits: (o) => compiled.test(o), literals: [pattern], line, text, regex: { pattern, mode } };
      } catch {
        return undefined;
      }
    }
    if (new RegExp(`\\b${v}\\s+(not\\s+)?in\\b|==\\s*${v}\\b|\\b${v}\\s*==`).test(text)) return 'exact';
  }
  return undefined;
}

function middlewareFindings(context: ScanContext): SecurityDraft[] {
  const out: SecurityDraft[] = [];
  for (const m of context.app.middleware) {
    const writes = m.behaviour?.writesHeaders ?? [];
    const acao = writes.find((w) => /^access-control-allow-origin$/i.test(w.name) && w.value === undefined);
    const credentials = writes.some(
      (w) => /^access-control-allow-credentials$/i.test(w.name) && /^true$/i.test(w.value ?? ''),
    );
    if (!acao || !credentials) continue;
    let text: string;
    try {
      text = readFileSync(join(context.project.root, acao.source.file), 'utf8');
    } catch {
      continue;
    }
    const lines = functionBefore(text, acao.source.line);
    const written = /=\s*([\w.]+(?:\([^)]*\))?)\s*$/.exec(lines.at(-1) ?? '')?.[1] ?? '';
    const direct = /headers(\.get\(|\[)\s*["']origin["']/i.test(written);
    const variable = direct ? undefined : written;
    const fromOrigin =
      direct ||
      (variable !== undefined &&
        lines.some((l) =>
          new RegExp(`\\b${variable.replace(/[.]/g, '\\.')}\\s*=.*["']origin["']`, 'i').test(l),
        ));
    if (!fromOrigin) continue;
    const firstLine = acao.source.line - lines.length + 1;
    const check = direct ? undefined : originCheck(lines.slice(0, -1), firstLine, variable as string);
    if (check === 'exact') continue;
    const frontends = context.origins;
    const names = check ? check.literals.flatMap(namedHosts) : [];
    const trusted = trustedOf([...frontends, ...names.map((h) => `https://${h}`)]);
    const candidates = attackCandidates([...names, ...frontends.flatMap((o) => parseOrigin(o)?.host ?? [])]);
    const admitted = admittedAttacks(candidates, check ? check.admits : () => true, trusted);
    const broad = admitted.find((a) => a.code === 'reflects-any-origin');
    // A string test has no dot to escape: a look-alike of a dot gets in as a suffix or prefix form.
    const sites = trusted.sites;
    const forms = admitted.map((a): Admitted => {
      if (a.code !== 'regex-unescaped-dot' || check?.regex) return a;
      const host = parseOrigin(a.origin)?.host ?? '';
      return {
        ...a,
        code: sites.some((site) => host.endsWith(site)) ? 'origin-suffix-bypass' : 'origin-prefix-bypass',
      };
    });
    const regex = check?.regex;
    const holes = regex
      ? (readPattern(regex.pattern, frontends, codeCompile(regex.mode), 'none')?.holes ?? [])
      : broad
        ? [broad]
        : ORDER.flatMap((code) => forms.find((a) => a.code === code) ?? []);
    const repair = (p: string) => readPattern(p, frontends, starletteCompile('fullmatch'), 'none');
    const fix = echoMiddlewareFix(text, m, frontends, context.app.framework, { check, named: names, repair });
    for (const hole of holes) {
      out.push({
        code: hole.code,
        file: acao.source.file,
        line: check ? check.line : acao.source.line,
        related: [{ file: acao.source.file, line: acao.source.line }],
        origin: hole.origin,
        message: sentence(
          hole.code,
          hole.origin,
          check
            ? `${m.name} writes the request's Origin back when \`${check.text.trim()}\` holds, which`
            : `${m.name} writes the request's Origin back unchecked, with Access-Control-Allow-Credentials: true, which`,
        ),
        evidence: [
          `${hole.origin} is ${hole.form}`,
          `Access-Control-Allow-Origin written at ${at(acao.source)}`,
        ],
        fix,
      });
    }
  }
  return out;
}

/** Every security finding of one app's source. */
export function scanSecurity(context: ScanContext): SecurityDraft[] {
  const out: SecurityDraft[] = [];
  for (const entry of corsEntries(context.app)) {
    if (boolOption(entry.options?.allow_credentials) !== true) continue;
    const option = entry.options?.allow_origins;
    const { shape, items } = stringItems(option);
    const star = items.find((i) => i.value === '*');
    if (option && (star || (shape === 'str' && items[0]?.value.includes('*')))) {
      out.push(wildcardFinding(context, entry, option, shape === 'str' ? undefined : star));
      continue;
    }
    if (option && shape === 'str')
      out.push(...stringFindings(context, entry, option, items[0]?.value ?? '', items));
    else if (option) out.push(...listFindings(context, entry, option, items));
    const regex = entry.options?.allow_origin_regex;
    if (regex) out.push(...regexFindings(context, regex));
  }
  out.push(...middlewareFindings(context));
  return out;
}

const cache = new WeakMap<PythonApp, { key: string; findings: SecurityDraft[] }>();

/** The findings of one code, as a scan hook returns them. */
export function scanFor(code: CauseCode, context: ScanContext): FindingDraft[] {
  const key = JSON.stringify([context.origins, context.starletteVersion, context.project.root]);
  let cached = cache.get(context.app);
  if (!cached || cached.key !== key) {
    cached = { key, findings: scanSecurity(context) };
    cache.set(context.app, cached);
  }
  const { request } = context;
  return cached.findings
    .filter((f) => f.code === code)
    .map(({ code: _code, ...draft }) =>
      request
        ? aboutOtherRequests(
            draft,
            `it is about what other sites can read, not about ${requestWords(request)}`,
          )
        : draft,
    );
}
