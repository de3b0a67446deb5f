/**
 * Repairs an `allow_origin_regex` that does not match origins it must match, with the smallest change to
 * the pattern itself: the mistakes people really make (a JavaScript `/.../` literal, double escaping
 * inside a raw string, a glob `https://*.example.com`, a trailing slash), then what the asked origin
 * needs (a missing port, the other scheme, the bare domain, `127.0.0.1` for `localhost`, another port).
 * A repair never widens the pattern to a wildcard: every new part names what the asked origins carry, and
 * a repair that lets a look-alike origin in (a suffix, a prefix, an unescaped dot, another port) is
 * refused. Pure: Python's matching is reproduced by the server model's translation of the pattern.
 */
import type { SourceEdit } from '../core/causes.js';
import { versionAtLeast } from '../python/starlette-version.js';
import { decodeEscapes } from '../python/strings.js';
import type { ResolvedValue, SourceRef } from '../python/types.js';
import { pythonFullmatch } from '../servers/starlette-cors.js';

/**
 * How Starlette applies the pattern: `re.fullmatch` since 0.13.1 (encode/starlette#801), `re.match`
 * (anchored at the start only) before.
 */
export type RegexMatchMode = 'fullmatch' | 'match';

export const FULLMATCH_SINCE = '0.13.1';

export const regexMatchMode = (starletteVersion: string): RegexMatchMode =>
  versionAtLeast(starletteVersion, FULLMATCH_SINCE) ? 'fullmatch' : 'match';

/** The JavaScript RegExp that accepts exactly what Starlette's test of `pattern` accepts; throws when untranslatable. */
export function originRegexMatcher(pattern: string, mode: RegexMatchMode): RegExp {
  const full = pythonFullmatch(pattern);
  return mode === 'fullmatch' ? full : new RegExp(full.source.replace(/\$$/, ''), full.flags);
}

function matcher(pattern: string, mode: RegexMatchMode): RegExp | undefined {
  try {
    return originRegexMatcher(pattern, mode);
  } catch {
    return undefined;
  }
}

export interface RegexRepair {
  /** The repaired pattern (the regex's value, not a Python literal). */
  pattern: string;
  /** What was changed and why, one line each. */
  changes: string[];
}

/** Text of an origin as a regex: dots (and IPv6 brackets) escaped. */
export const escapeOrigin = (origin: string): string => origin.replace(/[.[\]]/g, '\\$&');

// -------------------------------------------------------------------------------------------------
// The pattern's structure: where each alternative ends, skipping escapes and character classes.

interface Alternative {
  /** Offset where a part may be appended to this alternative (before a closing `$`). */
  end: number;
  /** Group depth: 0 for top-level alternatives. */
  depth: number;
}

/** Offset after the character class that opens at `i` (`[`). */
function classEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++;
  while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** The alternatives of the pattern and of each capturing or non-capturing group (not lookarounds). */
function alternatives(p: string): Alternative[] {
  const out: Alternative[] = [];
  const stack: Array<{ skip: boolean }> = [];
  const close = (at: number) => {
    if (stack.some((g) => g.skip)) return;
    const before = p.slice(0, at);
    const end = /(?<!\\)\$$/.test(before) ? at - 1 : /\\Z$/.test(before) ? at - 2 : at;
    out.push({ end, depth: stack.length });
  };
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') i += 2;
    else if (c === '[') i = classEnd(p, i);
    else if (c === '(') {
      const look = /^\(\?(?:[=!]|<[=!])/.test(p.slice(i));
      const flags = /^\(\?[aiLmsux]+\)/.exec(p.slice(i));
      if (flags) {
        i += flags[0].length;
        continue;
      }
      stack.push({ skip: look });
      i++;
    } else if (c === '|') {
      close(i);
      i++;
    } else if (c === ')') {
      close(i);
      stack.pop();
      i++;
    } else i++;
  }
  close(p.length);
  return out;
}

/** Offsets of `://` (or `:\/\/`) in the pattern, as written. */
function schemeSeparators(p: string): number[] {
  const out: number[] = [];
  for (const m of p.matchAll(/:(?:\/\/|\\\/\\\/)/g)) out.push((m.index as number) + m[0].length);
  return out;
}

// -------------------------------------------------------------------------------------------------
// Mistakes that keep a pattern from matching any browser origin, whatever the origin asked.

interface Step {
  pattern: string;
  change: string;
  /** What the change widens: the host (at most one such change per repair), the scheme or the port. */
  widens?: 'host' | 'scheme' | 'port';
}

/** `/^https:\/\/.*\.example\.com$/i`: a JavaScript literal, whose slashes Python takes as text. */
function jsLiteral(p: string): Step | undefined {
  const m = /^\/(.+)\/([gimsuy]*)$/.exec(p);
  if (!m) return undefined;
  const body = m[1] as string;
  return {
    pattern: `${m[2]?.includes('i') ? '(?i)' : ''}${body}`,
    change: `it was written as a JavaScript literal (/.../): Python reads the slashes as characters of the origin`,
  };
}

/** `\\.` in a raw string: a literal backslash, which no origin has, then any character. */
function doubleEscaped(p: string): Step | undefined {
  if (!/\\\\/.test(p)) return undefined;
  return {
    pattern: p.replace(/\\\\/g, '\\'),
    change:
      'it escapes twice (\\\\. inside a raw string is a backslash, which no origin contains, then any character): one backslash is enough in r"..."',
  };
}

/** `https://*.example.com`, `http://localhost:*`: glob stars, where a regex `*` repeats the `/` or `:` before it. */
function glob(p: string): Step | undefined {
  if (!/(?<!\\)[/:]\*/.test(p)) return undefined;
  let out = p
    .replace(/(?<!\\)\/\*(?:\\?\.)/g, '/([a-z0-9-]+\\.)+')
    .replace(/(?<!\\)\/\*/g, '/[a-z0-9-]+')
    .replace(/(?<!\\):\*/g, '');
  // A pure glob: its dots are dots.
  if (!/\\\./.test(p)) out = out.replace(/(?<![\\\]])\.(?![*+?{])/g, '\\.');
  return {
    pattern: out,
    change:
      'it is written as a glob (*.example.com, :*): in a regex * repeats the character before it; a subdomain is ([a-z0-9-]+\\.)+ and dots are escaped',
  };
}

/** `https://example\.com/`, `https://example\.com/.*`: an origin never has a path, not even `/`. */
function trailingPath(p: string): Step | undefined {
  const m = /(?<!\\)(?:\\?\/)(?:\.\*|\.\+|\?)?(\$?)$/.exec(p);
  if (!m || /:(?:\/\/|\\\/\\\/)$/.test(p.slice(0, m.index + 1 + (p[m.index] === '\\' ? 1 : 0))))
    return undefined;
  if (/\/\?\$?$/.test(p)) return undefined; // an optional slash does no harm
  return {
    pattern: p.slice(0, m.index) + (m[1] ?? ''),
    change: 'it requires a path after the host (/ ...): an origin is only scheme, host and port',
  };
}

/** `https://example\.com:443`: browsers leave the scheme's default port out of the origin. */
function defaultPort(p: string): Step | undefined {
  const https = /https:(?:\/\/|\\\/\\\/)[^|]*?(?<!\\):443(?!\d)/.test(p);
  const http = /http:(?:\/\/|\\\/\\\/)[^|]*?(?<!\\):80(?!\d)/.test(p);
  if (!https && !http) return undefined;
  return {
    pattern: p.replace(https ? /(?<!\\):443(?!\d)/g : /(?<!\\):80(?!\d)/g, ''),
    change: `it requires the default port (${https ? ':443' : ':80'}), which browsers leave out of the origin`,
  };
}

const MISTAKES = [jsLiteral, doubleEscaped, glob, trailingPath, defaultPort];

// -------------------------------------------------------------------------------------------------
// Changes an asked origin needs: each makes the pattern accept what that origin carries.

function parsed(origin: string): { scheme: string; host: string; port: string } | undefined {
  const m = /^(https?):\/\/([^/:]+|\[[^\]]+\])(?::(\d+))?$/.exec(origin);
  return m ? { scheme: m[1] as string, host: m[2] as string, port: m[3] ?? '' } : undefined;
}

const LOOPBACK = '127\\.0\\.0\\.1';

/** Every single change the origin could need, in order of preference. */
function candidates(p: string, origin: string): Step[] {
  const o = parsed(origin);
  if (!o) return [];
  const out: Step[] = [];
  // The scheme: http:// where https:// is asked, or the reverse.
  for (const m of p.matchAll(/https?(?=:(?:\/\/|\\\/\\\/))/g)) {
    const at = m.index as number;
    if (p.slice(at - 1, at) === '(' && /^https?\)/.test(p.slice(at))) continue;
    out.push({
      pattern: `${p.slice(0, at)}https?${p.slice(at + m[0].length)}`,
      change: `it allows ${m[0]}:// only, and the page is served over ${o.scheme}://`,
      widens: 'scheme',
    });
  }
  // localhost and 127.0.0.1 are different origins.
  const written =
    o.host === 'localhost' ? /127\\?\.0\\?\.0\\?\.1/g : o.host === '127.0.0.1' ? /localhost/g : undefined;
  for (const m of written ? p.matchAll(written) : []) {
    const at = m.index as number;
    out.push({
      widens: 'host',
      pattern: `${p.slice(0, at)}(localhost|${LOOPBACK})${p.slice(at + m[0].length)}`,
      change: `it allows ${m[0].replace(/\\/g, '')} only: localhost and 127.0.0.1 are different origins for a browser`,
    });
  }
  // The bare domain, where the pattern requires a subdomain before it.
  for (const start of schemeSeparators(p)) {
    for (const m of p.slice(start).matchAll(/\\\./g)) {
      const end = start + (m.index as number) + 2;
      const part = p.slice(start, end);
      if (/[/:]/.test(part.replace(/\\\./g, ''))) break;
      out.push({
        pattern: `${p.slice(0, start)}(${part})?${p.slice(end)}`,
        change: `it requires a subdomain (${part}), and ${o.host} has none`,
        widens: 'host',
      });
    }
  }
  // One more label in front of the listed host: www.example.com where example.com is listed.
  const label = /^([a-z0-9-]+)\.[^.]+\.[^.]+$/.exec(o.host)?.[1];
  if (label) {
    for (const start of schemeSeparators(p)) {
      out.push({
        pattern: `${p.slice(0, start)}(${label}\\.)?${p.slice(start)}`,
        change: `it names the domain without ${label}., and the page is on ${o.host}`,
        widens: 'host',
      });
    }
  }
  // Another fixed port: :3000 where :5173 is asked.
  if (o.port) {
    for (const m of p.matchAll(/(?<!\\):(\d+)(?![\d}])/g)) {
      const at = m.index as number;
      out.push({
        pattern: `${p.slice(0, at)}:(${m[1]}|${o.port})${p.slice(at + m[0].length)}`,
        change: `it allows port ${m[1]} only, and the page is on port ${o.port}`,
        widens: 'port',
      });
    }
    // A missing port: appended, optional, to the alternative that names the host (innermost first).
    const ends = alternatives(p).sort((a, b) => b.depth - a.depth || b.end - a.end);
    for (const { end } of ends) {
      out.push({
        pattern: `${p.slice(0, end)}(:${o.port})?${p.slice(end)}`,
        change: `it has no port, and the page is on port ${o.port} (an origin carries its port unless it is the scheme's default)`,
        widens: 'port',
      });
    }
  }
  return out;
}

/** Look-alike origins of `origin` that a repair must not let in (unless the pattern already did). */
export function lookAlikes(origin: string): string[] {
  const o = parsed(origin);
  if (!o) return [];
  const port = o.port ? `:${o.port}` : '';
  const labels = o.host.split('.');
  const registrable = labels.length > 2 ? labels.slice(-2).join('.') : o.host;
  const out = [
    `${o.scheme}://${o.host}.attacker.test${port}`,
    `${o.scheme}://attacker${registrable}${port}`,
    `${o.scheme}://attacker-${registrable}${port}`,
    `${o.scheme}://${o.host}${port ? ':1' : ':8'}`,
    `${o.scheme}://${o.host}:${o.port ? `${o.port}1` : '80800'}`,
    'null',
  ];
  if (labels.length > 1) out.push(`${o.scheme}://${labels.slice(0, -1).join('.')}x${labels.at(-1)}${port}`);
  if (labels.length > 2) out.push(`${o.scheme}://${registrable}${port}`);
  return out;
}

/** The pattern's text with escapes removed: what it names, roughly. */
const named = (p: string): string => p.replace(/\\/g, '').toLowerCase();

/** The origin is what the pattern is about (same registrable domain, or both loopback). */
export function patternConcerns(pattern: string, origin: string): boolean {
  const o = parsed(origin);
  if (!o) return false;
  const text = named(pattern);
  if (o.host === 'localhost' || o.host === '127.0.0.1')
    return text.includes('localhost') || text.includes('127.0.0.1');
  const labels = o.host.split('.');
  return text.includes(labels.length > 2 ? labels.slice(-2).join('.') : o.host);
}

/**
 * The smallest repair of `pattern` that makes every origin of `origins` match under `mode`, or undefined
 * when none is safe (the pattern then is not about these origins, or cannot be read). Already-matching
 * origins need nothing: undefined when all match.
 */
export function repairOriginRegex(
  pattern: string,
  origins: string[],
  mode: RegexMatchMode,
): RegexRepair | undefined {
  const original = matcher(pattern, mode);
  const failing = (p: string) => {
    const re = matcher(p, mode);
    return re ? origins.filter((o) => !re.test(o)) : origins;
  };
  if (failing(pattern).length === 0) return undefined;

  let current = pattern;
  const changes: string[] = [];
  for (const mistake of MISTAKES) {
    const step = mistake(current);
    if (step && matcher(step.pattern, mode)) {
      current = step.pattern;
      changes.push(step.change);
    }
  }
  // What the author meant, mistakes corrected: what it lets in is not new (regex-unescaped-dot and the
  // audit judge that); what the asked origins add must not let a look-alike in.
  const intended = matcher(current, mode) ?? original;
  for (const origin of origins) {
    if (!failing(current).includes(origin)) continue;
    if (!patternConcerns(current, origin)) return undefined;
    const found = search(current, origin, mode, (p) => safe(p, intended, origins, mode));
    if (found) {
      current = found.pattern;
      changes.push(...found.changes);
      continue;
    }
    // A branch of its own for this exact origin.
    const branch = `${current}|${escapeOrigin(origin)}${mode === 'match' ? '$' : ''}`;
    if (!safe(branch, intended, origins, mode)) return undefined;
    current = branch;
    changes.push(`it does not cover ${origin}: added as an alternative of its own`);
  }
  if (failing(current).length > 0 || !safe(current, intended, origins, mode)) return undefined;
  return { pattern: current, changes };
}

/** Breadth-first over single changes (at most three), so the fewest changes win. */
function search(
  start: string,
  origin: string,
  mode: RegexMatchMode,
  isSafe: (p: string) => boolean,
): RegexRepair | undefined {
  type Node = RegexRepair & { widened: Set<string> };
  let frontier: Node[] = [{ pattern: start, changes: [], widened: new Set() }];
  const seen = new Set([start]);
  for (let depth = 0; depth < 3; depth++) {
    const next: Node[] = [];
    for (const node of frontier) {
      for (const step of candidates(node.pattern, origin)) {
        // Each of host, scheme and port is widened once at most: two host changes make a new pattern.
        if (seen.has(step.pattern) || (step.widens && node.widened.has(step.widens))) continue;
        seen.add(step.pattern);
        const re = matcher(step.pattern, mode);
        if (!re) continue;
        const widened = new Set(node.widened);
        if (step.widens) widened.add(step.widens);
        const repair = { pattern: step.pattern, changes: [...node.changes, step.change], widened };
        if (re.test(origin) && isSafe(step.pattern))
          return { pattern: repair.pattern, changes: repair.changes };
        next.push(repair);
      }
    }
    frontier = next;
  }
  return undefined;
}

/** No look-alike of an asked origin is let in that the pattern as meant kept out. */
function safe(p: string, original: RegExp | undefined, origins: string[], mode: RegexMatchMode): boolean {
  const re = matcher(p, mode);
  if (!re) return false;
  return origins
    .flatMap(lookAlikes)
    .filter((x) => !origins.includes(x))
    .every((x) => !re.test(x) || original?.test(x) === true);
}

// -------------------------------------------------------------------------------------------------
// Where the pattern is written, and the edit that writes the repaired one there.

/** `NAME at file:line`, `Settings.x field at file:line`, `os.getenv("X") at file:line`. */
const STEP_AT = / at ([^\s:]+):(\d+)$/;

/** A Python literal for `value`, in the prefix and quotes of `literal` (undefined when they cannot hold it). */
export function pythonStringLike(literal: string, value: string): string | undefined {
  const m = /^([rRuU]?)(["'])(?!\2\2)/.exec(literal);
  if (!m || /[\n\r]/.test(value)) return undefined;
  const [, prefix = '', quote = '"'] = m;
  if (!literal.endsWith(quote)) return undefined;
  if (/[rR]/.test(prefix)) {
    if (value.includes(quote) || /(?<!\\)(?:\\\\)*\\$/.test(value)) return undefined;
    return `${prefix}${quote}${value}${quote}`;
  }
  // Unknown escapes (\. \d) keep their backslash in Python: written as they are, like the original.
  const escaped = decodeEscapes(value) === value ? value : value.replace(/\\/g, '\\\\');
  return `${prefix}${quote}${escaped.replaceAll(quote, `\\${quote}`)}${quote}`;
}

/**
 * Where the pattern of `rv` is written (the literal, the `.env` or compose line, the constant or settings
 * default it comes from) and the edit that replaces it by `to` there, when one can be made safely.
 */
export function patternPlace(rv: ResolvedValue, to: string): { place: SourceRef; edits?: SourceEdit[] } {
  const from = rv.value.kind === 'str' ? rv.value.value : undefined;
  if (from === undefined) return { place: rv.source };
  const env = rv.env?.valueFrom;
  if (env) {
    if (/["'\n]/.test(to)) return { place: env };
    return { place: env, edits: [{ kind: 'replace-text', file: env.file, line: env.line, from, to }] };
  }
  if (!rv.env && /^[rRuU]?["']/.test(rv.expression)) {
    const literal = pythonStringLike(rv.expression, to);
    return literal
      ? {
          place: rv.source,
          edits: [
            {
              kind: 'replace-text',
              file: rv.source.file,
              line: rv.source.line,
              from: rv.expression,
              to: literal,
            },
          ],
        }
      : { place: rv.source };
  }
  const step = [...rv.via].reverse().find((v) => STEP_AT.test(v));
  const at = step ? STEP_AT.exec(step) : null;
  if (!at) return { place: rv.source };
  const place = { file: at[1] as string, line: Number(at[2]) };
  // The literal there is not in view: its text is the value only if both read the same raw or not.
  const verbatim = (s: string) => decodeEscapes(s) === s && !/["'\n]/.test(s);
  if (!verbatim(to) || (!verbatim(from) && !/\\\\/.test(from))) return { place };
  return { place, edits: [{ kind: 'replace-text', file: place.file, line: place.line, from, to }] };
}
