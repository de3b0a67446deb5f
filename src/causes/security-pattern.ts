/**
 * Origin patterns read for what they let in: the attack candidates a pattern admits, classified against
 * the origins it trusts (the frontends and the hosts it names), the repaired pattern that closes every
 * hole and keeps every trusted origin, and the sentence a security finding says. Pure; shared by the
 * readers of an app's CORSMiddleware, of middleware code and of nginx configurations.
 */
import type { CauseCode } from '../core/causes.js';
import {
  type Admitted,
  admittedAttacks,
  anchored,
  attackCandidates,
  escapeDots,
  exactOriginsPattern,
  hostingPlatformOf,
  httpsOnly,
  isLoopbackHost,
  namedHosts,
  namedLoopbackHosts,
  namedPorts,
  namedProjects,
  narrowWildcards,
  ownDeploymentsPattern,
  parseOrigin,
  type Trusted,
  trustedOf,
  withoutAlternatives,
} from '../fix/origin-attacks.js';
import { originRegexMatcher, type RegexMatchMode } from '../fix/regex.js';
import { pythonFullmatch } from '../servers/starlette-cors.js';
import type { FindingDraft } from './types.js';

export type SecurityDraft = FindingDraft & { code: CauseCode };

/** Codes in the order a pattern's holes are reported; an unrelated origin let in explains the others. */
export const ORDER: CauseCode[] = [
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

export const sentence = (code: CauseCode, origin: string, what: string): string =>
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

/**
 * Origins trusted by a pattern: the frontends, and `https://` plus each host the pattern names; a pattern
 * that names only localhost is meant for development, trusted as such unless a frontend is in production.
 */
function patternTrust(
  pattern: string,
  frontends: string[],
): { trusted: Trusted; names: string[]; loopback: string[] } {
  const named = namedHosts(pattern).filter((h) => !isLoopbackHost(h));
  const hosts = [...named, ...frontends.flatMap((o) => parseOrigin(o)?.host ?? [])];
  const production = frontends.some((o) => {
    const p = parseOrigin(o);
    return p !== undefined && !isLoopbackHost(p.host);
  });
  const devOnly = named.length === 0 && !production && /localhost|127\\?\.0\\?\.0\\?\.1/.test(pattern);
  const trusted = trustedOf([
    ...frontends,
    ...named
      .filter((h) => !hostingPlatformOf(`x.${h}`) || h.split('.').length > 2)
      .map((h) => `https://${h}`),
    ...(devOnly ? ['http://localhost'] : []),
  ]);
  return { trusted, names: [...new Set(hosts)], loopback: namedLoopbackHosts(pattern) };
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
  const { trusted, names, loopback } = patternTrust(pattern, frontends);
  const ports = [...namedPorts(pattern), ...frontends.flatMap((o) => parseOrigin(o)?.port || [])];
  const projects = namedProjects(pattern).filter((h) => !names.includes(h));
  const admitted = admittedAttacks(
    attackCandidates([...names, ...projects], ports, loopback),
    (o) => re.test(o),
    trusted,
  );
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
export const codeCompile =
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
