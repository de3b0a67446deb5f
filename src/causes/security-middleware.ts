/**
 * Security findings of middleware code that writes the request's Origin back into
 * Access-Control-Allow-Origin with credentials: the check it runs first (endswith, startswith, a
 * substring, a regex, a membership test), what that check lets in, and the fix (CORSMiddleware in its
 * place, or a snippet when the middleware does more than CORS).
 */
import type { CauseCode, SourceLocation } from '../core/causes.js';
import { echoMiddlewareFix } from '../fix/echo-middleware.js';
import {
  type Admitted,
  admittedAttacks,
  attackCandidates,
  attackForm,
  isLoopbackHost,
  namedHosts,
  parseOrigin,
  trustedOf,
} from '../fix/origin-attacks.js';
import { originRegexMatcher } from '../fix/regex.js';
import { at } from '../python/options.js';
import type { MiddlewareEntry } from '../python/types.js';
import {
  codeCompile,
  ORDER,
  readPattern,
  type SecurityDraft,
  sentence,
  starletteCompile,
} from './security-pattern.js';
import type { ScanContext } from './types.js';

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
  /** A membership test of a list of string literals: the origins, and where each is written. */
  list?: Array<{ value: string; line: number }>;
}

/** The string literals of a bracketed literal starting at `open` in `text`, with their lines. */
function literalItems(text: string, open: number): Array<{ value: string; line: number }> | undefined {
  const close = { '[': ']', '(': ')', '{': '}' }[text[open] as '[' | '(' | '{'];
  let depth = 0;
  let end = open;
  for (; end < text.length; end++) {
    if (text[end] === text[open]) depth++;
    else if (text[end] === close && --depth === 0) break;
  }
  if (end >= text.length) return undefined;
  const body = text.slice(open + 1, end).replace(/#[^\n]*/g, (c) => ' '.repeat(c.length));
  const items: Array<{ value: string; line: number }> = [];
  let rest = body;
  for (const m of body.matchAll(/[rRuU]?(["'])([^"'\\\n]*)\1/g)) {
    items.push({
      value: m[2] as string,
      line: text.slice(0, open + 1 + (m.index as number)).split('\n').length,
    });
    rest = rest.replace(m[0], '');
  }
  // Only literals and separators: anything else (a name, a call, an f-string) is not read.
  return /^[\s,]*$/.test(rest) ? items : undefined;
}

/** The items of the list, tuple or set `name` is bound to at module level in `text` (`frozenset({...})` too). */
function moduleList(text: string, name: string): Array<{ value: string; line: number }> | undefined {
  const bound = new RegExp(
    `^${name}\\s*(?::[^=\\n]*)?=\\s*(?:frozenset\\(|set\\(|tuple\\(|list\\()?\\s*(?=[\\[({])`,
    'm',
  ).exec(text);
  if (!bound) return undefined;
  // Bound twice: which binding the test reads is not known from the text.
  if (new RegExp(`^${name}\\s*(?::[^=\\n]*)?=`, 'gm').exec(text.slice(bound.index + 1))) return undefined;
  return literalItems(text, bound.index + bound[0].length);
}

type RegexMode = 'fullmatch' | 'match' | 'search';

/** A check by a regex applied with `mode`, or undefined when the pattern is not read. */
function regexCheck(pattern: string, mode: RegexMode, line: number, text: string): OriginCheck | undefined {
  try {
    const compiled =
      mode === 'search'
        ? new RegExp(pattern)
        : originRegexMatcher(pattern, mode === 'match' ? 'match' : 'fullmatch');
    return { admits: (o) => compiled.test(o), literals: [pattern], line, text, regex: { pattern, mode } };
  } catch {
    return undefined;
  }
}

/**
 * The pattern `name` is compiled from at module level (`name = re.compile(r"...")`, `re.I` read as
 * `(?i)`), when it is bound once to a plain literal and no other flag.
 */
function compiledPattern(module: string, name: string): string | undefined {
  const bindings = module.match(new RegExp(`^${name}\\s*(?::[^=\\n]*)?=`, 'gm')) ?? [];
  const m = new RegExp(
    `^${name}\\s*(?::[^=\\n]*)?=\\s*re\\.compile\\(\\s*([rR]?)(["'])([^"'\\n]*)\\2\\s*(?:,\\s*(?:flags\\s*=\\s*)?([\\w.]+)\\s*)?,?\\s*\\)`,
    'm',
  ).exec(module);
  if (!m || bindings.length !== 1) return undefined;
  const pattern = m[1] ? (m[3] as string) : (m[3] as string).replace(/\\\\/g, '\\');
  if (m[4] === undefined) return pattern;
  return /^re\.(I|IGNORECASE)$/.test(m[4]) ? `(?i)${pattern}` : undefined;
}

/** The host parsed from the origin `v`: `urlparse(v).hostname`, `(urlsplit(v).netloc or "")`. */
const HOST_OF = (v: string, capture: boolean): string =>
  `\\(?\\s*(?:urllib\\.parse\\.)?(?:urlparse|urlsplit)\\(\\s*${v}\\s*\\)\\.(${capture ? '' : '?:'}hostname|netloc)(?:\\s+or\\s+(?:""|''))?\\s*\\)?`;

/**
 * A line with the origin's case and space changes left out (`origin.lower().strip()` read as `origin`):
 * browsers send origins in lower case without spaces, so they change nothing a test admits.
 */
const plain = (line: string, name: string): string =>
  line.replace(
    new RegExp(
      `(?<![\\w.])${name.replace(/[.]/g, '\\.')}(?:\\.(?:lower|casefold|strip|rstrip|lstrip)\\(\\s*(?:"[^"]*"|'[^']*')?\\s*\\))+`,
      'g',
    ),
    name,
  );

/**
 * A condition on the origin that none of the tests read here explains (`if origin_allowed(origin):`, a
 * host parsed from it): what it lets in is not known, so no finding is made from the write it guards.
 * Tests read: endswith, startswith, a literal in it, re.match/search/fullmatch, a compiled pattern,
 * membership, equality, and whether it is given at all.
 */
function unreadGuard(written: string[], name: string): boolean {
  const lines = written.map((l) => plain(l, name));
  const v = name.replace(/[.]/g, '\\.');
  const word = (n: string) => new RegExp(`(?<![\\w.])${n.replace(/[.]/g, '\\.')}\\b`);
  // Names bound from the origin (`host = urlparse(origin).hostname`) stand for it too.
  const names = [
    name,
    ...lines.flatMap((l) => {
      const m = /^\s*([A-Za-z_]\w*)\s*=(?!=)(.*)$/.exec(l);
      return m && m[1] !== name && word(name).test(m[2] as string) ? [m[1] as string] : [];
    }),
  ];
  const lit = `[rRbBuU]?(?:"[^"]*"|'[^']*')`;
  const read = [
    `${v}\\.(?:endswith|startswith)\\(\\s*(?:${lit}|\\([^()]*\\))\\s*\\)`,
    `${lit}\\s+in\\s+${v}\\b`,
    `${HOST_OF(v, false)}\\.(?:endswith|startswith)\\(\\s*${lit}\\s*\\)`,
    `re\\.(?:match|search|fullmatch)\\(\\s*${lit}\\s*,\\s*${v}\\s*(?:,[^()]*)?\\)`,
    `[A-Za-z_]\\w*\\.(?:match|search|fullmatch)\\(\\s*${v}\\s*\\)`,
    `${v}\\s+(?:not\\s+)?in\\s+(?:[\\w.]+|\\[[^\\]]*\\]|\\([^)]*\\)|\\{[^}]*\\})`,
    `${v}\\s*[!=]=\\s*(?:${lit}|[\\w.]+)`,
    `(?:${lit}|[\\w.]+)\\s*[!=]=\\s*${v}\\b`,
    `${v}\\s+is\\s+(?:not\\s+)?None\\b`,
    `\\bnot\\s+${v}\\b`,
    // The origin as an operand of its own (`if origin and ...`, `(origin or ...)`), not a call's argument.
    `(?:^|\\band\\b|\\bor\\b|(?<![\\w.)\\]])\\()\\s*${v}\\s*(?=$|\\band\\b|\\bor\\b|\\)|:)`,
  ].map((r) => new RegExp(r, 'g'));
  return lines.some((l) => {
    const condition = /^\s*(?:el)?if\b(.*?):?\s*(?:#.*)?$/.exec(l)?.[1];
    if (condition === undefined) return false;
    const left = read.reduce((text, r) => text.replace(r, ' True '), condition);
    return names.some((n) => word(n).test(left));
  });
}

/** How middleware code decides to write the origin back, from the lines before the write. */
function originCheck(
  lines: string[],
  firstLine: number,
  name: string,
  module: string,
): OriginCheck | 'exact' | 'unread' | undefined {
  const v = name.replace(/[.]/g, '\\.');
  const lit = `[rRbBuU]?(["'])(.*?)\\1`;
  if (unreadGuard(lines, name)) return 'unread';
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lines[i] as string;
    const probe = plain(text, name);
    if (!new RegExp(`\\b${v}\\b`).test(probe) || !/\bif\b|\band\b|\bor\b|=/.test(probe)) continue;
    const line = firstLine + i;
    // The host parsed from the origin (`urlparse(origin).hostname.endswith(".example.com")`): any scheme.
    const host = new RegExp(`${HOST_OF(v, true)}\\.(endswith|startswith)\\(\\s*[rRuU]?(["'])(.*?)\\3`).exec(
      text,
    );
    if (host) {
      const [, part, test, , literal = ''] = host;
      const admits = (o: string) => {
        const p = parseOrigin(o);
        const h = p && (part === 'netloc' && p.port ? `${p.host}:${p.port}` : p?.host);
        return h ? (test === 'endswith' ? h.endsWith(literal) : h.startsWith(literal)) : false;
      };
      return { admits, literals: [literal], line, text };
    }
    const ends = new RegExp(`${v}\\.endswith\\(\\s*${lit}`).exec(probe);
    if (ends)
      return { admits: (o) => o.endsWith(ends[2] as string), literals: [ends[2] as string], line, text };
    const starts = new RegExp(`${v}\\.startswith\\(\\s*${lit}`).exec(probe);
    if (starts)
      return {
        admits: (o) => o.startsWith(starts[2] as string),
        literals: [starts[2] as string],
        line,
        text,
      };
    const inside = new RegExp(`${lit}\\s+in\\s+${v}\\b`).exec(probe);
    if (inside)
      return { admits: (o) => o.includes(inside[2] as string), literals: [inside[2] as string], line, text };
    const re = new RegExp(
      `re\\.(match|search|fullmatch)\\(\\s*${lit.replace('\\1', '\\2')}\\s*,\\s*${v}\\b`,
    ).exec(probe);
    if (re) return regexCheck((re[3] as string).replace(/\\\\/g, '\\'), re[1] as RegexMode, line, text);
    // A pattern compiled at module level: `TRUSTED = re.compile(r"...")`, then `TRUSTED.match(origin)`.
    const method = new RegExp(`\\b([A-Za-z_]\\w*)\\.(match|search|fullmatch)\\(\\s*${v}\\b`).exec(probe);
    const compiled = method && method[1] !== 're' ? compiledPattern(module, method[1] as string) : undefined;
    if (method && compiled !== undefined) return regexCheck(compiled, method[2] as RegexMode, line, text);
    const member = new RegExp(`\\b${v}\\s+in\\s+(?:([A-Za-z_]\\w*)\\b|(?=[[({]))`).exec(probe);
    if (member) {
      const start = firstLine - 1;
      const offset =
        module
          .split('\n')
          .slice(0, start + i)
          .join('\n').length + (start + i > 0 ? 1 : 0);
      const list = member[1]
        ? moduleList(module, member[1])
        : probe === text
          ? literalItems(module, offset + member.index + member[0].length)
          : undefined;
      if (list)
        return {
          admits: (o) => list.some((item) => item.value === o),
          literals: list.map((item) => item.value),
          line,
          text,
          list,
        };
    }
    if (new RegExp(`\\b${v}\\s+(not\\s+)?in\\b|==\\s*${v}\\b|\\b${v}\\s*==`).test(probe)) return 'exact';
  }
  return undefined;
}

/**
 * An origin compared with a list of literals before it is written back: what the list names that it
 * should not (`null`, the http:// twin of a trusted origin, a development origin beside production ones).
 */
function listedFindings(
  context: ScanContext,
  m: MiddlewareEntry,
  text: string,
  written: SourceLocation,
  check: OriginCheck,
): SecurityDraft[] {
  const frontends = context.origins;
  const list = check.list ?? [];
  const loopback = (v: string) => isLoopbackHost(parseOrigin(v)?.host ?? '');
  const trusted = trustedOf([
    ...frontends,
    ...list.map((i) => i.value).filter((v) => v !== 'null' && !loopback(v)),
  ]);
  const holes = list.flatMap((item) => {
    if (frontends.includes(item.value)) return [];
    const form = attackForm(item.value, {
      ...trusted,
      origins: trusted.origins.filter((o) => o !== item.value),
    });
    if (!form || !LISTED.includes(form.code)) return [];
    if (form.code === 'dev-origin-in-production' && trusted.sites.length === 0) return [];
    return [{ ...form, origin: item.value, line: item.line }];
  });
  if (holes.length === 0) return [];
  const bad = new Set(holes.map((h) => h.origin));
  const kept = [...new Set([...frontends, ...list.map((i) => i.value).filter((v) => !bad.has(v))])];
  const fix = echoMiddlewareFix(text, m, kept, context.app.framework);
  return ORDER.flatMap((code) => holes.find((h) => h.code === code) ?? []).map((hole) => ({
    code: hole.code,
    file: written.file,
    line: check.line,
    related: [
      { file: written.file, line: hole.line },
      { file: written.file, line: written.line },
    ],
    origin: hole.origin,
    message: sentence(
      hole.code,
      hole.origin,
      `${m.name} writes the request's Origin back when \`${check.text.trim()}\` holds, and the list names "${hole.origin}", which`,
    ),
    evidence: [
      `${hole.origin === 'null' ? 'null' : hole.origin} is ${hole.form}, listed at ${written.file}:${hole.line}`,
      `Access-Control-Allow-Origin written at ${at(written)}`,
    ],
    fix,
  }));
}

/** What a list of origins can name that it should not. */
const LISTED: CauseCode[] = ['null-origin-trusted', 'insecure-origin-trusted', 'dev-origin-in-production'];

/** A middleware that writes the request's Origin back with credentials, and the test it runs first. */
interface OriginEcho {
  m: MiddlewareEntry;
  text: string;
  acao: SourceLocation;
  /** The test read; undefined: the origin is written back unchecked. */
  check: OriginCheck | 'exact' | 'unread' | undefined;
}

/** The middleware of `app` that write the request's Origin back with credentials, each with its test. */
function originEchoes(project: ScanContext['project'], app: ScanContext['app']): OriginEcho[] {
  const out: OriginEcho[] = [];
  for (const m of app.middleware) {
    const writes = m.behaviour?.writesHeaders ?? [];
    const acao = writes.find((w) => /^access-control-allow-origin$/i.test(w.name) && w.value === undefined);
    const credentials = writes.some(
      (w) => /^access-control-allow-credentials$/i.test(w.name) && /^true$/i.test(w.value ?? ''),
    );
    if (!acao || !credentials) continue;
    // The text the project reader read (the overlay of a change included): its lines are the entry's.
    const text = project.middlewareSources?.get(acao.source.file);
    if (text === undefined) continue;
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
    const check = direct ? undefined : originCheck(lines.slice(0, -1), firstLine, variable as string, text);
    out.push({ m, text, acao: acao.source, check });
  }
  return out;
}

/**
 * What the app's own middleware code does with a credentialed request from `origin`, as read from its
 * source: `true` when a middleware writes that Origin back with Access-Control-Allow-Credentials: true,
 * `false` when every such middleware's test refuses it, undefined when a test is not read (or none echoes).
 * The server model does not run this code: this is what its source says.
 */
export function handWrittenEchoAdmits(
  project: ScanContext['project'],
  app: ScanContext['app'],
  origin: string,
): boolean | undefined {
  const echoes = originEchoes(project, app);
  if (echoes.length === 0) return undefined;
  let unknown = false;
  for (const { check } of echoes) {
    if (check === undefined) return true;
    if (check === 'exact' || check === 'unread') unknown = true;
    else if (check.admits(origin)) return true;
  }
  return unknown ? undefined : false;
}

export function middlewareFindings(context: ScanContext): SecurityDraft[] {
  const out: SecurityDraft[] = [];
  for (const { m, text, acao, check } of originEchoes(context.project, context.app)) {
    if (check === 'exact' || check === 'unread') continue;
    if (check?.list) {
      out.push(...listedFindings(context, m, text, acao, check));
      continue;
    }
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
        file: acao.file,
        line: check ? check.line : acao.line,
        related: [{ file: acao.file, line: acao.line }],
        origin: hole.origin,
        message: sentence(
          hole.code,
          hole.origin,
          check
            ? `${m.name} writes the request's Origin back when \`${check.text.trim()}\` holds, which`
            : `${m.name} writes the request's Origin back unchecked, with Access-Control-Allow-Credentials: true, which`,
        ),
        evidence: [`${hole.origin} is ${hole.form}`, `Access-Control-Allow-Origin written at ${at(acao)}`],
        fix,
      });
    }
  }
  return out;
}
