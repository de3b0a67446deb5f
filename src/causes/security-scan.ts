/**
 * Security findings from source: the origins an app's CORS configuration lets read with credentials that
 * it should not, each with a counter-example origin computed from the configuration. Read here:
 * `allow_origins` (`*` with credentials, `null`, `http://` and development origins, a string tested by
 * substring) and `allow_origin_regex` under the matching rule of the project's Starlette version
 * (`re.fullmatch` from 0.13.1, `re.match` before), read by security-pattern.ts; middleware code that writes
 * the request's Origin back is read by security-middleware.ts. Each finding of a regex carries the repaired
 * pattern when one closes every hole and keeps every trusted origin working. Every rule's scan hook takes
 * its own code from this one reading.
 */
import type { CauseCode } from '../core/causes.js';
import {
  attackForm,
  isLoopbackHost,
  parseOrigin,
  substringOrigins,
  trustedOf,
  UNRELATED_ORIGIN,
} from '../fix/origin-attacks.js';
import { patternPlace, regexMatchMode } from '../fix/regex.js';
import { dropOrigin, pyList, replaceOriginItem, setCorsKeyword, withEdits } from '../fix/source-edits.js';
import { boolOption, corsEntries, derivation, type StringItem, stringItems } from '../python/options.js';
import { versionAtLeast } from '../python/starlette-version.js';
import type { MiddlewareEntry, PythonApp, ResolvedValue } from '../python/types.js';
import { aboutOtherRequests, requestWords } from './request-scope.js';
import { malformedEdits, splitNames } from './rules/method-not-allowed.js';
import { middlewareFindings } from './security-middleware.js';
import { readPattern, type SecurityDraft, sentence, starletteCompile } from './security-pattern.js';
import type { FindingDraft, ScanContext } from './types.js';

export { readPattern, type SecurityDraft, starletteCompile };

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
