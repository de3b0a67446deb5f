/**
 * Security findings of middleware code that writes the request's Origin back into
 * Access-Control-Allow-Origin with credentials: the check it runs first (endswith, startswith, a
 * substring, a regex, a membership test), what that check lets in, and the fix (CORSMiddleware in its
 * place, or a snippet when the middleware does more than CORS).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { echoMiddlewareFix } from '../fix/echo-middleware.js';
import {
  type Admitted,
  admittedAttacks,
  attackCandidates,
  namedHosts,
  parseOrigin,
  trustedOf,
} from '../fix/origin-attacks.js';
import { originRegexMatcher } from '../fix/regex.js';
import { at } from '../python/options.js';
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

export function middlewareFindings(context: ScanContext): SecurityDraft[] {
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
