/**
 * Security findings from nginx configuration: `add_header Access-Control-Allow-Origin $http_origin` with
 * credentials (the origin written back unchecked, or under an `if ($http_origin ~ ...)`), and a variable a
 * `map $http_origin` sets to the origin: each regex key read as nginx reads it (`~` is an unanchored PCRE
 * search, `~*` without case), each exact key judged as a list entry, a default that echoes the origin as
 * reflecting every origin. Each finding carries a counter-example origin and its patch: for a regex, the
 * anchored and escaped key that closes it; for `$http_origin` written back unchecked, a map of the trusted
 * origins written instead (src/fix/nginx-origin-map.ts); for an echoing default, an empty one.
 */
import type { CauseCode } from '../core/causes.js';
import { nginxArg, nginxEdit } from '../fix/nginx-edits.js';
import { type EchoedHeader, originMapFix } from '../fix/nginx-origin-map.js';
import {
  attackForm,
  isLoopbackHost,
  parseOrigin,
  trustedOf,
  UNRELATED_ORIGIN,
} from '../fix/origin-attacks.js';
import { asNginx, type Directive, directiveText, type NginxConfigFile } from '../proxy/nginx/config.js';
import { addedHeaders, blocks, findHeader } from '../proxy/nginx/cors.js';
import { readPattern } from './security-pattern.js';
import type { FindingDraft, ProxyScanContext } from './types.js';

export type ProxyDraft = FindingDraft & { code: CauseCode };

/** nginx's regex test of a `~` or `~*` key or condition: a search, not anchored. */
const nginxCompile =
  (caseless: boolean) =>
  (p: string): RegExp | undefined => {
    try {
      return new RegExp(p, caseless ? 'i' : '');
    } catch {
      return undefined;
    }
  };

/** A regex as an nginx argument: quoted as written (nginx keeps a backslash before other characters). */
const regexArg = (value: string): string => (/["\s]|\\\\|\\$/.test(value) ? nginxArg(value) : `"${value}"`);

const echoes = (value: string): boolean => /\$(http_origin|\{http_origin\})\b/.test(value);

function regexFindings(
  config: NginxConfigFile,
  d: Directive,
  regex: string,
  caseless: boolean,
  frontends: string[],
  what: string,
  rewrite: (pattern: string) => string[],
): ProxyDraft[] {
  const reading = readPattern(regex, frontends, nginxCompile(caseless), 'both');
  if (!reading) return [];
  return reading.holes.map((hole) => ({
    code: hole.code,
    file: config.file,
    line: d.line,
    origin: hole.origin,
    message: `${what} (\`${directiveText(d)}\`, an unanchored search) lets ${hole.origin} in with credentials: ${hole.origin} is ${hole.form}, and its page can read responses with the visitor's cookies.`,
    evidence: [
      `${directiveText(d)} at ${config.file}:${d.line}`,
      `nginx's ~ searches anywhere in $http_origin`,
    ],
    fix: {
      summary:
        reading.repaired !== undefined
          ? `Anchor the pattern and escape its dots: ${reading.repaired}`
          : 'Write the trusted origins as exact map keys (or anchor the pattern with ^...$ and escape its dots).',
      ...(reading.repaired !== undefined && {
        edits: [nginxEdit(config.file, d, 'replace', rewrite(reading.repaired))],
      }),
    },
  }));
}

/** An exact map key that is itself a hole: `null`, an http:// origin beside https ones, a development origin. */
function exactKeyFinding(
  config: NginxConfigFile,
  entry: Directive,
  keys: string[],
  frontends: string[],
): ProxyDraft | undefined {
  const key = entry.name;
  if (frontends.includes(key)) return undefined;
  const o = parseOrigin(key);
  const production = keys.some((k) => {
    const p = parseOrigin(k);
    return p !== undefined && !isLoopbackHost(p.host);
  });
  const secure = [...keys, ...frontends].some((k) => k.startsWith('https://'));
  const code: CauseCode | undefined =
    key === 'null'
      ? 'null-origin-trusted'
      : o && isLoopbackHost(o.host)
        ? production
          ? 'dev-origin-in-production'
          : undefined
        : o?.scheme === 'http' && secure
          ? 'insecure-origin-trusted'
          : undefined;
  if (!code) return undefined;
  const form = attackForm(key, trustedOf([...keys.filter((k) => k !== key && k !== 'null'), ...frontends]));
  return {
    code,
    file: config.file,
    line: entry.line,
    origin: key,
    message: `The map of $http_origin echoes ${key} with credentials${form ? `: ${key} is ${form.form}` : ''}.`,
    evidence: [`${directiveText(entry)} at ${config.file}:${entry.line}`],
    fix: { summary: `Remove the map entry for ${key}.`, edits: [nginxEdit(config.file, entry, 'remove')] },
  };
}

/** The findings of one `map $http_origin $var` block whose value is written as Access-Control-Allow-Origin. */
function mapFindings(config: NginxConfigFile, map: Directive, frontends: string[]): ProxyDraft[] {
  const entries = map.block ?? [];
  const keys = entries.filter((e) => !e.name.startsWith('~') && e.name !== 'default').map((e) => e.name);
  const out: ProxyDraft[] = [];
  for (const entry of entries) {
    const value = entry.args[0] ?? '';
    if (!echoes(value)) continue;
    if (entry.name === 'default') {
      // Exact keys win over the default: the trusted origins not listed yet are added beside it.
      const missing = frontends.filter((o) => !keys.includes(o));
      out.push({
        code: 'reflects-any-origin',
        file: config.file,
        line: entry.line,
        origin: UNRELATED_ORIGIN,
        message: `The map of $http_origin echoes every origin by default (\`default ${value}\`), with credentials: any website can read responses with the visitor's cookies.`,
        evidence: [`${directiveText(entry)} at ${config.file}:${entry.line}`],
        fix: {
          summary: `Make the default empty (\`default "";\`)${missing.length > 0 ? ` and list the trusted origins as exact keys: ${missing.map((o) => `"${o}" ${value};`).join(' ')}` : ': the trusted origins are exact keys already'}.`,
          edits: [
            nginxEdit(config.file, entry, 'replace', [
              'default "";',
              ...missing.map((o) => `"${o}" ${nginxArg(value)};`),
            ]),
          ],
        },
      });
      continue;
    }
    if (entry.name.startsWith('~')) {
      const caseless = entry.name.startsWith('~*');
      const regex = entry.name.slice(caseless ? 2 : 1);
      out.push(
        ...regexFindings(config, entry, regex, caseless, frontends, `The map key ~${regex}`, (p) => [
          `${regexArg(`${caseless ? '~*' : '~'}${p}`)} ${entry.args.map(nginxArg).join(' ')};`,
        ]),
      );
      continue;
    }
    const exact = exactKeyFinding(config, entry, keys, frontends);
    if (exact) out.push(exact);
  }
  return out;
}

/** The findings of an `if ($http_origin ~ regex)` under which the origin is echoed. */
function guardFindings(config: NginxConfigFile, guard: Directive, frontends: string[]): ProxyDraft[] {
  const args = guard.args.map((a) => a.replace(/^\(|\)$/g, '')).filter((a) => a !== '');
  const [, op, regex] = args;
  if ((op !== '~' && op !== '~*') || !regex) return [];
  return regexFindings(
    config,
    guard,
    regex,
    op === '~*',
    frontends,
    `The test if (${args.join(' ')})`,
    (p) => [`if (${args[0]} ${op} ${regexArg(p)})`],
  );
}

/** The tests of $http_origin in these blocks that set `$variable` to the origin. */
function settingGuards(around: Directive[], variable: string): Directive[] {
  return around.flatMap((d) =>
    (d.block ?? []).filter(
      (g) =>
        g.name === 'if' &&
        echoes(g.args.join(' ')) &&
        (g.block ?? []).some(
          (s) => s.name === 'set' && s.args[0] === `$${variable}` && echoes(s.args[1] ?? ''),
        ),
    ),
  );
}

/** The `map` blocks of a file, at its top level and in its http block. */
function mapsOf(config: NginxConfigFile): Directive[] {
  const top = config.directives;
  const http = top.find((d) => d.name === 'http');
  return [...top, ...(http?.block ?? [])].filter((d) => d.name === 'map');
}

/** A `set $name ...` or `map ... $name` anywhere in the directives. */
function setsVariable(directives: Directive[], name: string): boolean {
  return directives.some(
    (d) =>
      (d.name === 'set' && d.args[0] === `$${name}`) ||
      (d.name === 'map' && d.args[1] === `$${name}`) ||
      setsVariable(d.block ?? [], name),
  );
}

/** An `add_header Access-Control-Allow-Origin $name` anywhere in the directives. */
function writesVariable(directives: Directive[], name: string): boolean {
  return directives.some(
    (d) =>
      (d.name === 'add_header' &&
        /^access-control-allow-origin$/i.test(d.args[0] ?? '') &&
        new RegExp(`^\\$\\{?${name}\\}?$`).test(d.args[1] ?? '')) ||
      writesVariable(d.block ?? [], name),
  );
}

/** Every security finding of one nginx configuration. */
export function scanProxySecurity(context: ProxyScanContext): ProxyDraft[] {
  const config = asNginx(context.config);
  if (!config || config.syntaxError) return [];
  const top = config.directives;
  const frontends = context.origins ?? [];
  // nginx reads a configuration's files into one http block (conf.d/00-maps.conf beside conf.d/api.conf):
  // a variable is looked up in this file first, then in the project's other nginx files.
  const files = [
    config,
    ...(context.project?.proxies ?? []).flatMap((c) => {
      const other = asNginx(c);
      return other && other !== config && !other.syntaxError ? [other] : [];
    }),
  ];
  const maps = files.flatMap((file) => mapsOf(file).map((map) => ({ file, map })));
  const out: ProxyDraft[] = [];
  const judgedMaps = new Set<Directive>();
  const judgedLines = new Set<number>();
  const echoed: EchoedHeader[] = [];
  /** Where the findings of those lines are in `out`. */
  const echoing: number[] = [];
  for (const at of blocks(top)) {
    const headers = addedHeaders(at, top);
    const origin = findHeader(headers, 'Access-Control-Allow-Origin');
    const credentials = findHeader(headers, 'Access-Control-Allow-Credentials');
    if (!origin || credentials?.value !== 'true' || judgedLines.has(origin.line)) continue;
    judgedLines.add(origin.line);
    if (echoes(origin.value)) {
      const guard = [at.directive, ...at.outer]
        .reverse()
        .find((d) => d.name === 'if' && echoes(d.args.join(' ')));
      if (!guard) {
        echoed.push({ line: origin.line, always: origin.always });
        echoing.push(out.length);
        out.push({
          code: 'reflects-any-origin',
          file: config.file,
          line: origin.line,
          origin: UNRELATED_ORIGIN,
          message: `add_header Access-Control-Allow-Origin ${origin.value} writes every request's origin back, with Access-Control-Allow-Credentials: true: any website can read responses with the visitor's cookies.`,
          evidence: [
            `add_header Access-Control-Allow-Origin ${origin.value} at ${config.file}:${origin.line}, under no test of $http_origin`,
          ],
        });
        continue;
      }
      out.push(...guardFindings(config, guard, frontends));
      continue;
    }
    const variable = /^\$\{?(\w+)\}?$/.exec(origin.value)?.[1];
    const found = maps.find((m) => m.map.args[1] === `$${variable}`);
    if (found) {
      // A map of another file used by several: its findings once, with the first file that uses it.
      const name = variable as string;
      const first: string =
        (context.project?.proxies ?? []).find((c) => {
          const f = asNginx(c);
          return f !== undefined && !f.syntaxError && writesVariable(f.directives, name);
        })?.file ?? config.file;
      if (!judgedMaps.has(found.map) && (found.file === config || first === config.file)) {
        judgedMaps.add(found.map);
        if (echoes(found.map.args[0] ?? '')) out.push(...mapFindings(found.file, found.map, frontends));
      }
      continue;
    }
    // `if ($http_origin ~ ...) { set $var $http_origin; }` beside `add_header ... $var`.
    const guards = variable ? settingGuards([at.directive, ...at.outer], variable) : [];
    for (const guard of guards)
      if (!judgedLines.has(-guard.line)) {
        judgedLines.add(-guard.line);
        out.push(...guardFindings(config, guard, frontends));
      }
    // Set nowhere the scan reads (a map in a file outside the project): what it lets in is not known.
    if (variable && guards.length === 0 && !files.some((f) => setsVariable(f.directives, variable)))
      out.push({
        code: 'scan-incomplete',
        file: config.file,
        line: origin.line,
        message: `add_header Access-Control-Allow-Origin $${variable} with credentials, and the scan could not read where $${variable} comes from: no map or set of it in the nginx files read (${files.map((f) => f.file).join(', ')}). Which origins it lets in is not known.`,
        fix: {
          summary: `Scan the folder that holds the map or set of $${variable} too (the files nginx includes), or audit the running server: cors-doctor audit URL --origin ORIGIN.`,
        },
      });
  }
  if (echoed.length === 0) return out;
  // One change closes every unguarded echo of the file: each finding of one carries all of it.
  // The map's variable is global to the http level: its name must be free in every nginx file of the project.
  const fix = originMapFix(
    config.file,
    top,
    echoed,
    frontends,
    files.slice(1).map((f) => f.directives),
  );
  const summary = `Write $${fix.variable} instead of $http_origin, from a map at the http level that is the origin for the trusted origins only: ${fix.map.map((l) => l.trim()).join(' ')}${fix.why ? ` (no patch: ${fix.why})` : ''}`;
  return out.map((f, i) =>
    echoing.includes(i) ? { ...f, fix: { summary, ...(fix.edits && { edits: fix.edits }) } } : f,
  );
}

const cache = new WeakMap<object, { key: string; findings: ProxyDraft[] }>();

/** The findings of one code, as a proxy scan hook returns them. */
export function scanProxyFor(code: CauseCode, context: ProxyScanContext): FindingDraft[] {
  const key = JSON.stringify(context.origins ?? []);
  let cached = cache.get(context.config);
  if (!cached || cached.key !== key) {
    cached = { key, findings: scanProxySecurity(context) };
    cache.set(context.config, cached);
  }
  return cached.findings.filter((f) => f.code === code).map(({ code: _code, ...draft }) => draft);
}
