/**
 * A hand-written middleware that writes the request's Origin back as Access-Control-Allow-Origin, replaced
 * by CORSMiddleware with the trusted origins listed. Offered only when the middleware does nothing else:
 * its body awaits the inner app, reads the Origin header, tests it, writes Access-Control-* and Vary
 * headers (the Origin, or literals that become CORSMiddleware's options) and returns the response. The
 * server model runs CORSMiddleware; it does not run the code of a hand-written middleware, so a guarded
 * echo (`if origin in TRUSTED_ORIGINS:`) could not be proven: when the middleware does more, no patch is
 * made and the reason says why. Pure: text in, edits out.
 */
import type { Fix, SourceEdit } from '../core/causes.js';
import { blockExtent, lineNumberAt, lineStart, statementExtent } from './python-text.js';
import { originRegexMatcher } from './regex.js';

export interface EchoReplacement {
  edits?: SourceEdit[];
  /** Why no edit is made, when none is. */
  why?: string;
  /** The CORSMiddleware registration, as code (also when no edit is made). */
  code?: string[];
  /** Origins the middleware's test names (its sets of origins, its literals), for the change by hand. */
  trusted?: string[];
}

/** The middleware as the app reader sees it. */
export interface EchoMiddleware {
  name: string;
  registration: string;
  source?: { file: string; line: number };
}

/** A plain string literal's value (no escapes, no f-string), else undefined. */
function literal(expression: string): string | undefined {
  const m = /^[rRuU]?(["'])([^"'\\]*)\1$/.exec(expression.trim());
  return m ? (m[2] as string) : undefined;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

const pyStrings = (values: string[]): string => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;

/** What the CORS headers the middleware writes as literals say, as CORSMiddleware options. */
interface Written {
  credentials: boolean;
  methods?: string[];
  headers?: string[];
  expose?: string[];
  maxAge?: number;
  echoed: boolean;
}

/** Reads one header write (`NAME`, value expression); an error text when it is not a CORS header it can carry over. */
function carryOver(written: Written, name: string, value: string, origin: Set<string>): string | undefined {
  const header = name.toLowerCase();
  if (header === 'access-control-allow-origin') {
    if (!origin.has(value.trim())) return `it writes Access-Control-Allow-Origin as ${value.trim()}`;
    written.echoed = true;
    return undefined;
  }
  if (header !== 'vary' && !header.startsWith('access-control-'))
    return `it writes ${name}, which CORSMiddleware does not write`;
  const text = literal(value);
  if (text === undefined) return `it writes ${name} with a value that is not a literal (${value.trim()})`;
  switch (header) {
    case 'access-control-allow-credentials':
      written.credentials = /^true$/i.test(text);
      return undefined;
    case 'access-control-allow-methods':
      written.methods = list(text).map((m) => m.toUpperCase());
      return undefined;
    case 'access-control-allow-headers':
      written.headers = list(text);
      return undefined;
    case 'access-control-expose-headers':
      written.expose = list(text);
      return undefined;
    case 'access-control-max-age':
      if (!/^\d+$/.test(text)) return `it writes Access-Control-Max-Age: ${text}`;
      written.maxAge = Number(text);
      return undefined;
    case 'vary':
      return /^origin$/i.test(text) ? undefined : `it writes Vary: ${text}`;
  }
  return `it writes ${name}, which CORSMiddleware does not write the same way`;
}

/** Where the middleware's code is and how it is registered. */
interface Shape {
  /** `app` of `app.add_middleware(...)` / `@app.middleware("http")`. */
  app: string;
  /** The function that handles the request: its `def` line and the extent of its block. */
  handler: { line: number; end: number };
  /** The line of the definition that goes (its decorator, or its class), and of the registration. */
  definition: number;
  registration?: number;
  /** The text outside what goes, where the name must not be used. */
  outside: string;
}

/** The first `def` line after `from` (1-based) within `[.., end)`, skipping decorators: undefined if another decorator is met. */
function defLine(text: string, lines: string[], from: number, end: number): number | undefined {
  for (let line = from; line <= lines.length && lineStart(text, line) < end; line++) {
    const l = lines[line - 1] ?? '';
    if (/^\s*(async\s+)?def\s/.test(l)) return line;
  }
  return undefined;
}

/** `@app.middleware("http")` over a function, or `app.add_middleware(Class)` of a BaseHTTPMiddleware class of the same file. */
function shapeOf(text: string, entry: EchoMiddleware): Shape | string {
  const where = entry.source as { file: string; line: number };
  const lines = text.split('\n');
  if (entry.registration === 'decorator') {
    const decorator = /^\s*@([\w.]+)\.middleware\(\s*["']http["']\s*\)\s*(#.*)?$/.exec(
      lines[where.line - 1] ?? '',
    );
    if (!decorator) return `${entry.name} is not registered by @app.middleware("http") on its own`;
    if (/^\s*@/.test(lines[where.line - 2] ?? '')) return `${entry.name} has other decorators`;
    const block = blockExtent(text, where.line);
    const def = defLine(text, lines, where.line + 1, block.end);
    if (def === undefined || lines.slice(where.line, def - 1).some((l) => /^\s*@/.test(l)))
      return `${entry.name} has other decorators`;
    return {
      app: decorator[1] as string,
      handler: { line: def, end: block.end },
      definition: where.line,
      outside: text.slice(0, block.start) + text.slice(block.end),
    };
  }
  if (entry.registration !== 'add_middleware') return `${entry.name} is not registered with add_middleware`;
  const call = statementExtent(text, where.line);
  const registered = new RegExp(
    `^\\s*([\\w.]+)\\.add_middleware\\(\\s*${entry.name}\\s*,?\\s*\\)\\s*(#.*)?\\n?$`,
  ).exec(text.slice(call.start, call.end));
  if (!registered) return `${entry.name} is registered with arguments or inside another statement`;
  const head = lines.findIndex((l) =>
    new RegExp(`^class\\s+${entry.name}\\s*\\(\\s*([\\w.]+\\.)?BaseHTTPMiddleware\\s*\\)\\s*:`).test(l),
  );
  if (head < 0) return `${entry.name} is not a BaseHTTPMiddleware class defined at the top of ${where.file}`;
  const block = blockExtent(text, head + 1);
  if (block.end > call.start) return `${entry.name} is defined after its registration`;
  const methods = lines
    .slice(head + 1, lineNumberAt(text, block.end))
    .filter((l) => /^\s+(async\s+)?def\s/.test(l));
  const def = defLine(text, lines, head + 2, block.end);
  if (methods.length !== 1 || def === undefined || !/\bdispatch\s*\(/.test(lines[def - 1] ?? ''))
    return `${entry.name} defines other methods than dispatch`;
  return {
    app: registered[1] as string,
    handler: { line: def, end: block.end },
    definition: head + 1,
    registration: where.line,
    outside: text.slice(0, block.start) + text.slice(block.end, call.start) + text.slice(call.end),
  };
}

/**
 * The edit that replaces the middleware by `CORSMiddleware` with `origins`, when its code does nothing
 * but write CORS headers; else why not. `framework` picks the import (`fastapi` or `starlette`).
 */
export function corsMiddlewareInstead(
  text: string,
  entry: EchoMiddleware,
  origins: string[],
  framework: string,
  pattern?: string,
): EchoReplacement {
  const where = entry.source;
  if (!where) return { why: `where ${entry.name} is registered is not known` };
  const shape = shapeOf(text, entry);
  if (typeof shape === 'string') return { why: shape };
  const header = statementExtent(text, shape.handler.line);
  const params = /\(([^)]*)\)/.exec(text.slice(header.start, header.end))?.[1] ?? '';
  const [request, callNext] = params
    .split(',')
    .map((p) => p.split(':')[0]?.trim() ?? '')
    .filter((p) => p !== 'self');
  if (!request || !callNext) return { why: `${entry.name} does not take (request, call_next)` };
  // Used elsewhere (called, registered again): the definition stays.
  if (new RegExp(`(?<![\\w.])${entry.name}\\b`).test(shape.outside.replace(/#.*$/gm, '')))
    return { why: `${entry.name} is used elsewhere in ${where.file}` };
  const names = { request, callNext, pattern: pattern !== undefined };
  const written = readBody(text, shape.handler.line, header.end, shape.handler.end, names);
  if (typeof written === 'object' && 'test' in written)
    return {
      trusted: written.trusted,
      why: `its test of the origin (${where.file}:${written.test}) decides on more than CORSMiddleware ${pattern !== undefined ? `with allow_origin_regex=r"${pattern}"` : `with allow_origins=${pyStrings(origins)}`} would: replacing it would drop origins it lets in`,
    };
  if (typeof written === 'string')
    return {
      why: `${entry.name} does more than write CORS headers (${where.file}:${written}); the server model does not run a hand-written middleware's code, so a change that keeps it (comparing the origin with a set of trusted origins before writing it back) cannot be proven`,
    };
  if (!written.echoed) return { why: `${entry.name} does not write the Origin back as it is` };
  const code = [
    `${shape.app}.add_middleware(`,
    '    CORSMiddleware,',
    pattern !== undefined
      ? `    allow_origin_regex=r"${pattern}",`
      : `    allow_origins=${pyStrings(origins)},`,
    ...(written.credentials ? ['    allow_credentials=True,'] : []),
    ...(written.methods ? [`    allow_methods=${pyStrings(written.methods)},`] : []),
    ...(written.headers ? [`    allow_headers=${pyStrings(written.headers)},`] : []),
    ...(written.expose ? [`    expose_headers=${pyStrings(written.expose)},`] : []),
    ...(written.maxAge !== undefined ? [`    max_age=${written.maxAge},`] : []),
    ')',
  ];
  if (origins.length === 0) return { code, why: 'no frontend origin was given (--origin) to list' };
  const imports = [
    `from ${framework === 'fastapi' ? 'fastapi' : 'starlette'}.middleware.cors import CORSMiddleware`,
  ];
  const at = (line: number) => ({ file: where.file, line });
  const edits: SourceEdit[] =
    shape.registration === undefined
      ? [{ kind: 'replace-definition', statement: at(shape.definition), code, imports }]
      : [
          // The registration (below the class) first: removing the class moves the lines under it.
          { kind: 'replace-definition', statement: at(shape.registration), code, imports: [] },
          { kind: 'replace-definition', statement: at(shape.definition), code: [], imports },
        ];
  return { code, edits };
}

/** The Python keywords and constants a test of the origin may use. */
const TEST_WORDS = new Set(['and', 'or', 'not', 'in', 'is', 'None', 'True', 'False', 'if', 'elif']);

/** What a test of the origin can call on the origin or its parsed URL, and the functions that parse it. */
const ORIGIN_READS = /^(endswith|startswith|lower|casefold|strip|rstrip|lstrip|hostname|netloc|scheme|port)$/;
const URL_PARSERS = /^(urlparse|urlsplit|urllib\.parse\.(urlparse|urlsplit)|parse\.(urlparse|urlsplit))$/;

/**
 * Why an `if` test decides on more than CORSMiddleware with the fix's origins would, or undefined: it names
 * something else than the origin, the request's method, literals, `re` and a pattern compiled at module
 * level (`TRUSTED.match(origin)`), or a module-level collection of origins when it is the whole test of the
 * origin (`origin in ALLOWED`, whose items the fix lists); it joins several tests of the origin with `or`.
 */
function testBeyond(
  module: string,
  statement: string,
  { request, origin, pattern }: { request: string; origin: Set<string>; pattern: boolean },
): { why: string; trusted: string[] } | undefined {
  const test = statement.replace(/^(if|elif)\s+/, '').replace(/:$/, '');
  // The https origins it names, kept by the change by hand.
  const trusted = [...test.matchAll(/["'](https:\/\/[A-Za-z0-9.-]+(?::\d+)?)["']/g)].map(
    (m) => m[1] as string,
  );
  const refuse = (why: string) => ({ why, trusted: [...new Set(trusted)] });
  if (/\b[fF][rR]?["']|\b[rR][fF]["']/.test(test)) return refuse('builds a string with an f-string');
  const bare = test.replace(/[rRbBuU]?("|')(?:\\.|(?!\1)[^\\])*\1/g, '""');
  const variables = new Set([...origin].filter((o) => /^\w+$/.test(o)));
  const collections: string[] = [];
  for (const m of bare.matchAll(/(?<![\w.])[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*/g)) {
    const name = m[0].replace(/\s+/g, '');
    const [head = '', ...rest] = name.split('.');
    if (TEST_WORDS.has(name) || URL_PARSERS.test(name)) continue;
    if (variables.has(head) && rest.every((r) => ORIGIN_READS.test(r))) continue;
    if (name === `${request}.method` || name === `${request}.headers.get` || name === `${request}.headers`)
      continue;
    if (/^re\.(search|match|fullmatch)$/.test(name)) continue;
    if (rest.length === 1 && /^(search|match|fullmatch)$/.test(rest[0] as string)) {
      if (new RegExp(`^${head}\\s*=\\s*re\\.compile\\(`, 'm').test(module)) continue;
    }
    const items = rest.length === 0 ? moduleCollection(module, head) : undefined;
    if (items) {
      collections.push(head);
      trusted.push(...items.filter((i) => /^https:\/\/[A-Za-z0-9.-]+(?::\d+)?$/.test(i)));
      continue;
    }
    return refuse(`names ${name}`);
  }
  const tests = bare.match(/\.(endswith|startswith|match|search|fullmatch)\(|\bin\b|[!=]=/g) ?? [];
  if (tests.length > 1 && /\bor\b/.test(bare)) return refuse('joins several tests of the origin with `or`');
  if (collections.length > 0 && (pattern || tests.length > 1 || /\(/.test(bare) || /""/.test(bare)))
    return refuse(`tests the origin against ${collections.join(', ')} and more`);
  return undefined;
}

/** The items of the list, tuple, set or frozenset of string literals `name` is bound to once at module level. */
function moduleCollection(module: string, name: string): string[] | undefined {
  const bindings = module.match(new RegExp(`^${name}\\s*(?::[^=\\n]*)?=(?!=)`, 'gm')) ?? [];
  if (bindings.length !== 1) return undefined;
  const bound = new RegExp(
    `^${name}\\s*(?::[^=\\n]*)?=\\s*(?:frozenset|set|tuple|list)?\\(?\\s*([\\[({])([^\\])}]*)[\\])}]`,
    'm',
  ).exec(module);
  if (!bound) return undefined;
  const body = (bound[2] as string).replace(/#.*$/gm, '');
  const literal = /[rRuU]?("|')((?:\\.|(?!\1)[^\\])*)\1/g;
  if (!/^[\s,]*$/.test(body.replace(literal, ''))) return undefined;
  return [...body.matchAll(literal)].map((m) => m[2] as string);
}

/**
 * What the handler's body writes, when it does nothing but await the inner app (or answer a preflight
 * itself under a test of the OPTIONS method), read the Origin, test it, write CORS headers and return the
 * response; else `LINE: why` of the first statement that does more.
 */
function readBody(
  text: string,
  defLineNumber: number,
  from: number,
  to: number,
  { request, callNext, pattern }: { request: string; callNext: string; pattern: boolean },
): Written | string | { test: string; trusted: string[] } {
  const origin = new Set<string>();
  const responses = new Set<string>();
  const written: Written = { credentials: false, echoed: false };
  /** A test of the method for OPTIONS was met: a response made there answers preflights. */
  let preflights = false;
  const headerRead = `${request}\\.headers(?:\\.get\\(\\s*["']origin["']\\s*(?:,[^)]*)?\\)|\\[\\s*["']origin["']\\s*\\])`;
  let offset = from;
  while (offset < to) {
    const line = lineNumberAt(text, offset);
    const { end } = statementExtent(text, line);
    const statement = text.slice(offset, Math.min(end, to)).replace(/#.*$/gm, '').trim();
    offset = end > offset ? end : to;
    if (statement === '' || statement === 'pass' || /^[rRuU]?("""|''')[\s\S]*\1$/.test(statement)) continue;
    if (/^(async\s+)?def\s/.test(statement) && line !== defLineNumber) return `${line}: a nested function`;
    let m = new RegExp(`^(\\w+)\\s*(?::[^=]+)?=\\s*await\\s+${callNext}\\(\\s*${request}\\s*\\)$`).exec(
      statement,
    );
    if (m) {
      responses.add(m[1] as string);
      continue;
    }
    m = new RegExp(`^(\\w+)\\s*(?::[^=]+)?=\\s*${headerRead}$`, 'i').exec(statement);
    if (m) {
      origin.add(m[1] as string);
      continue;
    }
    if (/^(if|elif)\s[\s\S]*:$/.test(statement)) {
      if (/\bawait\b|:=/.test(statement) || new RegExp(`\\b${callNext}\\b`).test(statement))
        return `${line}: \`${statement}\``;
      if (new RegExp(`\\b${request}\\.method\\s*==\\s*["']OPTIONS["']`).test(statement)) preflights = true;
      const beyond = testBeyond(text, statement, { request, origin, pattern });
      if (beyond) return { test: `${line}: \`${statement}\` ${beyond.why}`, trusted: beyond.trusted };
      continue;
    }
    if (statement === 'else:') continue;
    // The answer to a preflight, made by the middleware itself (CORSMiddleware answers preflights).
    m = /^(\w+)\s*(?::[^=]+)?=\s*([\w.]+\.)?(PlainText|JSON)?Response\([^()]*\)$/.exec(statement);
    if (m && preflights) {
      responses.add(m[1] as string);
      continue;
    }
    m = /^return\s+(\w+)$/.exec(statement);
    if (m && responses.has(m[1] as string)) continue;
    m = /^(\w+)\.headers\[\s*([rRuU]?["'][^"']*["'])\s*\]\s*=\s*([\s\S]+)$/.exec(statement);
    m ??= /^(\w+)\.headers\.append\(\s*([rRuU]?["'][^"']*["'])\s*,\s*([\s\S]+)\)$/.exec(statement);
    if (m && responses.has(m[1] as string)) {
      const value = (m[3] as string).trim();
      if (new RegExp(`^${headerRead}$`, 'i').test(value)) origin.add(value);
      const problem = carryOver(written, literal(m[2] as string) as string, value, origin);
      if (problem) return `${line}: ${problem}`;
      continue;
    }
    return `${line}: \`${statement.split('\n')[0]}\``;
  }
  return written;
}

/** How the middleware tests the origin before writing it back (`origin.endswith("example.com")`). */
export interface EchoCheck {
  /** The line of the test, as written. */
  text: string;
  /** The literal texts it names. */
  literals: string[];
  regex?: { pattern: string; mode: string };
}

/** What a pattern lets in that it should not, and the repaired pattern (the security reading of a pattern). */
export type PatternRepair = (pattern: string) => { holes: unknown[]; repaired?: string } | undefined;

/** Whether a pattern's groups are balanced, and whether it has alternatives outside any group. */
function topLevel(pattern: string): { balanced: boolean; alternatives: boolean } {
  let depth = 0;
  let alternatives = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return { balanced: false, alternatives };
    else if (c === '|' && depth === 0) alternatives = true;
  }
  return { balanced: depth === 0, alternatives };
}

/** `(?:p)` as `p` when the group is the whole pattern and has no alternatives (fullmatch reads both alike). */
function ungrouped(pattern: string | undefined): string | undefined {
  if (pattern === undefined || !pattern.startsWith('(?:') || !pattern.endsWith(')')) return pattern;
  const inner = topLevel(pattern.slice(3, -1));
  return inner.balanced && !inner.alternatives ? pattern.slice(3, -1) : pattern;
}

/** Whether Python's `re.fullmatch(pattern, origin)` holds (false for a pattern not translated). */
function fullmatches(pattern: string, origin: string): boolean {
  try {
    return originRegexMatcher(pattern, 'fullmatch').test(origin);
  } catch {
    return false;
  }
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A pattern applied by `re.search` or `re.match` as the pattern that `re.fullmatch` applies the same way:
 * `search` as `.*(?:p).*` and `match` as `(?:p).*`, a leading `^` or `\A` and a trailing `$` or `\Z` taking the
 * place of the `.*` on their side (kept inside when the pattern has alternatives).
 */
export function fullmatchOf(pattern: string, mode: string): string {
  const alternatives = topLevel(pattern).alternatives;
  const start = !alternatives && /^(\^|\\A)/.test(pattern);
  const end = !alternatives && /(?<!\\)(\$|\\Z)$/.test(pattern);
  const core = pattern.replace(start ? /^(\^|\\A)/ : /^$/, '').replace(end ? /(\$|\\Z)$/ : /^$/, '');
  if (mode === 'fullmatch') return core;
  const head = mode === 'search' && !start ? '.*' : '';
  const tail = end ? '' : '.*';
  return head === '' && tail === '' ? core : `${head}(?:${core})${tail}`;
}

/**
 * The pattern a test of the origin means, for CORSMiddleware's `re.fullmatch`: the regex as it is applied
 * (`search` and `match` as `fullmatch` would apply them), an `endswith` as any origin ending so, a
 * `startswith` as any origin starting so, `in` as any containing it.
 */
function intendedPattern(check: EchoCheck): string | undefined {
  if (check.regex) return fullmatchOf(check.regex.pattern, check.regex.mode);
  const [text] = check.literals;
  if (text === undefined || text === '') return undefined;
  const origin = text.includes('://') ? '' : 'https?://';
  if (/\.endswith\(/.test(check.text)) return `${origin}.*${escapeRegex(text)}`;
  if (/\.startswith\(/.test(check.text)) return `${escapeRegex(text)}.*`;
  if (/\sin\s/.test(check.text)) return `${origin}.*${escapeRegex(text)}.*`;
  return undefined;
}

/**
 * The fix of a middleware that writes the Origin back: CORSMiddleware instead, or why no patch. A test of
 * the origin that names only hosts of the trusted origins becomes `allow_origins` with them; one that names
 * other sites (`endswith("example.com")`) was meant for more, and becomes `allow_origin_regex` with what it
 * meant, closed by `repair` (`https://([a-z0-9-]+\.)*example\.com`), when that keeps every trusted origin.
 */
export function echoMiddlewareFix(
  text: string,
  entry: EchoMiddleware,
  origins: string[],
  framework: string,
  test: { check?: EchoCheck; named?: string[]; repair?: PatternRepair } = {},
): Fix {
  const hosts = origins.map((o) => /^https?:\/\/([^/:]+)/.exec(o)?.[1]);
  const beyond = [...new Set((test.named ?? []).filter((h) => !hosts.includes(h)))];
  const meant = beyond.length > 0 && test.check ? intendedPattern(test.check) : undefined;
  const reading = meant !== undefined ? test.repair?.(meant) : undefined;
  const pattern = ungrouped(reading && (reading.holes.length === 0 ? meant : reading.repaired));
  const writable = pattern !== undefined && !/["\n]|\\$/.test(pattern);
  // The pattern must let every frontend in as Starlette tests it (Python's re.fullmatch).
  const refused = writable ? origins.filter((o) => !fullmatches(pattern, o)) : [];
  const usable = writable && refused.length === 0;
  const replacement: EchoReplacement =
    refused.length > 0
      ? {
          why: `allow_origin_regex=r"${pattern}", what its test of the origin means under Starlette's full match, does not match ${refused.join(', ')}`,
        }
      : beyond.length > 0 && !usable
        ? {
            why: `its test of the origin names ${beyond.join(', ')}, which no --origin is on, and no pattern that closes the hole keeps what it meant: give every frontend that must read the API with --origin to have it replaced by CORSMiddleware listing them`,
          }
        : corsMiddlewareInstead(text, entry, origins, framework, usable ? pattern : undefined);
  const listed = usable
    ? `allow_origin_regex=r"${pattern}"`
    : `allow_origins=${origins.length > 0 ? pyStrings(origins) : 'the frontends'}`;
  if (replacement.edits)
    return {
      summary: `Replace ${entry.name} by CORSMiddleware with ${listed}: it writes the Origin back only for those origins${usable ? '' : ' (add any other frontend that must read the API to the list)'}.`,
      edits: replacement.edits,
    };
  // The frontends, and the https origins the test names (by hand, nothing it trusted is dropped).
  const kept = [...new Set([...origins, ...(replacement.trusted ?? [])])];
  const listedSet = `{${(kept.length > 0 ? kept : ['https://app.example.com']).map((o) => JSON.stringify(o)).join(', ')}}`;
  // The change by hand: the origin compared exactly before it is written back (the model cannot prove it).
  const guard = [
    `TRUSTED_ORIGINS = ${listedSet}  # at the top of the module`,
    '',
    '# in the middleware, instead of the test of the origin:',
    'origin = request.headers.get("origin")',
    'if origin in TRUSTED_ORIGINS:',
    '    response.headers["Access-Control-Allow-Origin"] = origin',
    '    response.headers["Access-Control-Allow-Credentials"] = "true"',
    '    response.headers["Vary"] = "Origin"',
  ];
  return {
    summary: `Compare the origin exactly with a set of trusted origins (${kept.length > 0 ? pyStrings(kept) : 'the frontends'}) before writing it back, or use CORSMiddleware with allow_origins. No patch: ${replacement.why}.`,
    snippet: (replacement.code ?? guard).join('\n'),
  };
}
