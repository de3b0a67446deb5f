// cors-config-not-applied: the CORS configuration is written, but the running process never gets it. A
// settings `env_prefix` the variable lacks, a variable set nowhere (the code's default applies), a
// registration under an environment gate the deployment does not meet, a setting never passed on.
import type { SourceEdit, SourceLocation } from '../../core/causes.js';
import { pyList } from '../../fix/source-edits.js';
import type { Project } from '../../project/types.js';
import { corsEntries, stringItems } from '../../python/options.js';
import type {
  CorsOptions,
  EnvSource,
  MiddlewareEntry,
  MiddlewareGate,
  PythonApp,
  ResolvedValue,
  SourceRef,
} from '../../python/types.js';
import { addLine, emptyLine, envTarget } from '../env-targets.js';
import { starletteAllowsOrigin } from '../static-values.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

const at = (ref: SourceRef): string => `${ref.file}:${ref.line}`;
const loc = (ref: SourceRef): SourceLocation => ({ file: ref.file, line: ref.line });

/** The options a variable can feed, in the order they matter to a browser. */
const OPTIONS = [
  'allow_origins',
  'allow_origin_regex',
  'allow_credentials',
  'allow_methods',
  'allow_headers',
  'expose_headers',
] as const;

/** A registration the project's environment leaves in place (no gate, or one that holds or is unknown). */
const active = (entry: MiddlewareEntry): boolean => entry.gate?.holds !== false;

/** Every variable an option's value depends on: the option's own, then its items'. */
function envSources(rv: ResolvedValue | undefined): EnvSource[] {
  if (!rv) return [];
  const out: EnvSource[] = rv.env ? [rv.env] : [];
  const v = rv.value;
  if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set')
    for (const item of v.items)
      if (item.env && !out.some((e) => e.name === item.env?.name)) out.push(item.env);
  return out;
}

/** The origins the request needs that this configuration refuses. */
function refused(options: CorsOptions, origins: string[]): string[] {
  return origins.filter((o) => starletteAllowsOrigin(options, o).allowed === false);
}

/** A plain value for messages: `["a", "b"]`, `"x"`, `True`. */
function shown(rv: ResolvedValue | undefined): string {
  if (!rv) return '(absent)';
  const { shape, items } = stringItems(rv);
  if (shape === 'list' || shape === 'tuple' || shape === 'set') return pyList(items.map((i) => i.value));
  if (shape === 'str') return JSON.stringify(items[0]?.value ?? '');
  return rv.expression;
}

/**
 * The text a variable must hold for the code to read `origins` from it: JSON for a settings field of a
 * complex type, items joined by the separator the code splits on, or one origin when it is read as is.
 */
function variableText(env: EnvSource, rv: ResolvedValue, origins: string[]): string | undefined {
  if (env.decoding === 'json') return JSON.stringify(origins);
  const sep = splitSeparator(rv);
  if (sep !== undefined) return origins.join(sep ?? ' ');
  return origins.length === 1 ? origins[0] : undefined;
}

// -------------------------------------------------------------------------------------------------
// A variable set under another name, or set nowhere

function envFindings({ project, app, origins }: ScanContext): FindingDraft[] {
  const findings: FindingDraft[] = [];
  const seen = new Set<string>();
  for (const entry of corsEntries(app)) {
    const options = entry.options ?? {};
    for (const key of OPTIONS) {
      const rv = options[key];
      for (const env of envSources(rv)) {
        if (!rv || seen.has(env.name) || !env.defaultUsed || env.valueFrom) continue;
        seen.add(env.name);
        const finding = env.setUnder
          ? renamed(project, entry, key, rv, env, origins)
          : key === 'allow_origins'
            ? unset(project, entry, rv, env, origins)
            : undefined;
        if (finding) findings.push(finding);
      }
    }
  }
  return findings;
}

/** The variable is set, under a name the code does not read: rename it where it is set. */
function renamed(
  project: Project,
  entry: MiddlewareEntry,
  key: (typeof OPTIONS)[number],
  rv: ResolvedValue,
  env: EnvSource,
  origins: string[],
): FindingDraft {
  const under = env.setUnder as NonNullable<EnvSource['setUnder']>;
  const options = entry.options ?? {};
  const isOrigins = key === 'allow_origins';
  const blocked = isOrigins ? refused(options, origins) : [];
  // Renamed, the value must keep what the default allows today and add what the page still lacks.
  const before = isOrigins ? originsOf(rv) : undefined;
  const renamedTo = isOrigins && under.wouldBe ? originsOf(under.wouldBe, rv) : undefined;
  const after = renamedTo ? blocked.filter((o) => !renamedTo.includes(o)) : [];
  const kept = before && renamedTo ? before.filter((o) => !renamedTo.includes(o)) : [];
  const merged = renamedTo ? [...renamedTo, ...kept, ...after] : undefined;
  const text =
    merged && merged.length > (renamedTo?.length ?? 0) ? listText(env, rv, merged, under.text) : undefined;
  const line = (project.environment ?? [])
    .find((f) => f.file === under.source.file)
    ?.entries.find((e) => e.line === under.source.line)?.text;
  const rewritten =
    text !== undefined && line?.includes(under.text)
      ? replaceLast(line.replace(under.name, env.name), under.text, text).trim()
      : undefined;
  const gets = `The process gets the default, ${key}=${shown(rv)}${env.readAt ? ` (${at(env.readAt)})` : ''}`;
  const effect =
    blocked.length > 0
      ? `, which does not allow ${blocked.join(', ')}.`
      : origins.length > 0 && isOrigins
        ? ', which happens to allow this request.'
        : '.';
  const value = rewritten
    ? `: ${env.name}=${text}${kept.length > 0 ? ` (keeping ${kept.join(', ')}, which the default allows today)` : ''}${after.length > 0 ? ` (adding ${after.join(', ')}, which the value lacks)` : ''}`
    : under.wouldBe
      ? `: the code then reads ${shown(under.wouldBe)}`
      : '';
  return {
    ...(origins.length > 0 && isOrigins && blocked.length === 0 && { severity: 'warning' as const }),
    file: under.source.file,
    line: under.source.line,
    related: [...(env.readAt ? [loc(env.readAt)] : []), loc(rv.source)],
    message: `${at(under.source)} sets ${under.name}, but ${under.why}; ${env.name} is set nowhere. ${gets}${effect}`,
    evidence: [
      `${key} = ${rv.expression} at ${at(rv.source)}`,
      ...rv.via,
      `${under.name}=${under.text} at ${at(under.source)}`,
      ...(after.length > 0 ? [`renamed, ${key} would still refuse ${after.join(', ')}`] : []),
    ],
    fix: {
      summary: `Rename ${under.name} to ${env.name} at ${at(under.source)}${value}. Leave the settings' default alone: the deployment would still not read the variable.${after.length > 0 && !rewritten ? ` The value must also list ${after.join(', ')}.` : ''}`,
      edits: [
        rewritten && line
          ? {
              kind: 'replace-text',
              file: under.source.file,
              line: under.source.line,
              from: line.trim(),
              to: rewritten,
            }
          : {
              kind: 'replace-text',
              file: under.source.file,
              line: under.source.line,
              from: under.name,
              to: env.name,
            },
      ],
    },
  };
}

/**
 * The origins a list value holds, or undefined when it is not a list of strings. A string that the code
 * splits (`settings.cors_origins.split(",")`, the split in `option`'s derivation) is split the same way.
 */
function originsOf(rv: ResolvedValue, option?: ResolvedValue): string[] | undefined {
  const { shape, items, unresolved } = stringItems(rv);
  if (unresolved.length > 0) return undefined;
  if (shape === 'str' && option) {
    const sep = splitSeparator(option);
    const text = items[0]?.value ?? '';
    if (sep === undefined) return undefined;
    return (sep === null ? text.split(/\s+/) : text.split(sep)).filter((o) => o !== '');
  }
  if (shape !== 'list' && shape !== 'tuple' && shape !== 'set') return undefined;
  return items.map((i) => i.value).filter((o) => o !== '');
}

/** The separator the code splits the variable's text on (`null`: whitespace, `split()`), when it splits it. */
function splitSeparator(rv: ResolvedValue): string | null | undefined {
  const arg = rv.via.map((v) => /^r?split\((.*)\)$/.exec(v)?.[1]).find((a): a is string => a !== undefined);
  if (arg === undefined) return undefined;
  if (arg.trim() === '') return null;
  return /^[rRuU]?(["'])(.*)\1$/.exec(arg.trim())?.[2]?.replace(/\\t/g, '\t');
}

/** `origins` written the way the variable's current text writes a list (JSON with or without spaces, or split). */
function listText(env: EnvSource, rv: ResolvedValue, origins: string[], current: string): string | undefined {
  if (env.decoding === 'json') {
    const sep = /",\s+"/.test(current) ? ', ' : ',';
    return `[${origins.map((o) => JSON.stringify(o)).join(sep)}]`;
  }
  return variableText(env, rv, origins);
}

/** `text` with the last `from` replaced by `to`. */
function replaceLast(text: string, from: string, to: string): string {
  const i = text.lastIndexOf(from);
  return i < 0 ? text : text.slice(0, i) + to + text.slice(i + from.length);
}

/** The variable is set nowhere and the default does not allow the origin: set it where the project keeps its environment. */
function unset(
  project: Project,
  entry: MiddlewareEntry,
  rv: ResolvedValue,
  env: EnvSource,
  origins: string[],
): FindingDraft | undefined {
  const blocked = refused(entry.options ?? {}, origins);
  if (blocked.length === 0) return undefined;
  const readAt = env.readAt ?? rv.source;
  const current = stringItems(rv);
  // The value keeps every origin the default allows and adds the ones the page needs.
  const wanted = [
    ...new Set([
      ...(current.shape === 'list' || current.shape === 'tuple' ? current.items.map((i) => i.value) : []),
      ...blocked,
    ]),
  ].filter((o) => o !== '');
  // A variable that is one item of the list holds one origin: setting it replaces the default's.
  const single = rv.env?.name !== env.name;
  const item = single ? itemOf(rv, env.name) : undefined;
  const replaced = item?.value.kind === 'str' && item.value.value !== '' ? item.value.value : undefined;
  const text = single
    ? blocked.length === 1 && !replaced
      ? blocked[0]
      : undefined
    : variableText(env, rv, wanted);
  // A line that sets the variable empty, which the settings ignore (env_ignore_empty): the value goes there.
  const empty = emptyLine(project, env);
  const target = empty ? undefined : envTarget(project, env.readAt);
  const edits =
    text === undefined
      ? undefined
      : empty
        ? [
            {
              kind: 'replace-text' as const,
              file: empty.file,
              line: empty.line,
              from: empty.text,
              to: `${empty.text}${text}`,
            },
          ]
        : target
          ? addLine(target, env.name, text)
          : undefined;
  const where = empty
    ? `${empty.file}:${empty.line}`
    : target
      ? target.describe
      : '.env (or the environment of the service that runs the app)';
  const setNowhere = empty
    ? `${env.name} is empty at ${empty.file}:${empty.line}, and the settings ignore an empty value (env_ignore_empty)`
    : `${env.name} is set nowhere (no .env line, compose environment or Dockerfile ENV sets it)`;
  return {
    file: empty ? empty.file : readAt.file,
    line: empty ? empty.line : readAt.line,
    related: [
      ...(empty ? [loc(readAt)] : target ? [{ file: target.file, line: target.after.line }] : []),
      loc(rv.source),
    ],
    message: `${setNowhere}, so the code at ${at(readAt)} falls back to its default: allow_origins=${shown(rv)}, which does not allow ${blocked.join(', ')}.`,
    evidence: [`allow_origins = ${rv.expression} at ${at(rv.source)}`, ...rv.via],
    fix: {
      summary:
        text !== undefined
          ? `Set ${env.name} in ${where}: ${env.name}=${text}${single ? '' : ' (the default origins kept, the page origin added)'}.`
          : replaced
            ? `${env.name} holds one origin, and ${replaced} works with the default today: set ${env.name}=${blocked[0]} only where the deployment for ${blocked[0]} runs, or list both origins in the code.`
            : `Set ${env.name} in ${where} so that it lists ${blocked.join(', ')}.`,
      ...(edits && { edits }),
    },
  };
}

/** The list item that reads `name` (`[os.getenv("FRONTEND_URL", ...)]`). */
function itemOf(rv: ResolvedValue, name: string): ResolvedValue | undefined {
  const v = rv.value;
  if (v.kind !== 'list' && v.kind !== 'tuple' && v.kind !== 'set') return undefined;
  return v.items.find((i) => i.env?.name === name);
}

// -------------------------------------------------------------------------------------------------
// A registration under a condition the deployment does not meet

/** `ENVIRONMENT='production' (docker-compose.yml:6)`, for each variable the condition reads. */
function values(gate: MiddlewareGate): string {
  return gate.env
    .map(
      (e) =>
        `${e.source.name}=${e.value} (${e.source.valueFrom ? at(e.source.valueFrom) : 'set nowhere: the default'})`,
    )
    .join(', ');
}

/** Option keywords the production registration keeps (everything but the origins). */
const KEPT = ['allow_credentials', 'allow_methods', 'allow_headers', 'expose_headers', 'max_age'] as const;

/** The `else:` branch that registers CORS for the page's origins when the condition does not hold. */
function elseBranch(
  entry: MiddlewareEntry,
  gate: MiddlewareGate,
  origins: string[],
): SourceEdit[] | undefined {
  if (gate.branch !== 'if' || gate.statement.hasElse || !gate.call || gate.bodyIndent === undefined)
    return undefined;
  if (origins.length === 0 || !gate.statement.lastText) return undefined;
  const outer = gate.statement.indent;
  const body = gate.bodyIndent.length > outer.length ? gate.bodyIndent : `${outer}    `;
  const arg = `${body}    `;
  const kept = KEPT.flatMap((k) => {
    const rv = entry.options?.[k];
    return rv ? [`${arg}${k}=${rv.expression},`] : [];
  });
  const lines = [
    `${outer}else:`,
    `${body}${gate.call}(`,
    `${arg}${entry.name},`,
    `${arg}allow_origins=${pyList(origins)},`,
    ...kept,
    `${body})`,
  ];
  return [
    {
      kind: 'replace-text',
      file: gate.source.file,
      line: gate.statement.lastLine,
      from: gate.statement.lastText,
      to: `${gate.statement.lastText}\n${lines.join('\n')}`,
    },
  ];
}

/**
 * `NAME=true` where the deployment sets its environment, for a condition that only tests the switch
 * (`if CORS_ENABLED:`, `if settings.CORS_ENABLED:`): the value's line rewritten, or a line added.
 */
function switchOn(project: Project, gate: MiddlewareGate, env: EnvSource): SourceEdit[] | undefined {
  if (/[=<>!]|\b(not|and|or|in|is)\b/.test(gate.condition) || gate.branch !== 'if') return undefined;
  if (env.valueFrom) {
    const from = env.valueFrom;
    const line = (project.environment ?? [])
      .find((f) => f.file === from.file)
      ?.entries.find((e) => e.line === from.line && e.name.toUpperCase() === env.name.toUpperCase());
    const value = line && /^(.*?[=:]\s*["']?)([^"'\s#]*)(["']?\s*(#.*)?)$/.exec(line.text.trim());
    if (!line || !value) return undefined;
    return [
      {
        kind: 'replace-text',
        file: from.file,
        line: from.line,
        from: line.text.trim(),
        to: `${value[1]}true${value[3]}`,
      },
    ];
  }
  const target = envTarget(project, env.readAt);
  return target ? addLine(target, env.name, 'true') : undefined;
}

function gateFindings({ project, app, origins }: ScanContext): FindingDraft[] {
  // Every registration, the gated-off ones included (corsEntries lists only those that run).
  const entries = app.middleware.filter((m) => m.kind === 'cors');
  if (entries.length === 0 || entries.some(active)) return [];
  const findings: FindingDraft[] = [];
  for (const entry of entries) {
    const gate = entry.gate as MiddlewareGate;
    const given = values(gate);
    // A switch named for CORS is meant to be set; any other variable also switches other things.
    const flag =
      gate.env.length === 1 && /cors/i.test(gate.env[0]?.source.name ?? '') ? gate.env[0] : undefined;
    const edits = flag ? switchOn(project, gate, flag.source) : elseBranch(entry, gate, origins);
    // Where the value is set, or where the switch's new line goes.
    const added =
      edits?.[0]?.kind === 'replace-text' && edits[0].file !== gate.source.file ? edits[0] : undefined;
    const setting =
      gate.env.map((e) => e.source.valueFrom).find((v): v is SourceRef => v !== undefined) ??
      (added && { file: added.file, line: added.line });
    findings.push({
      file: gate.source.file,
      line: gate.source.line,
      related: [...(setting ? [loc(setting)] : []), ...(entry.source ? [loc(entry.source)] : [])],
      message: `${entry.name}${entry.source ? ` (${at(entry.source)})` : ''} is registered only ${gate.branch === 'else' ? 'in the else branch' : `if ${gate.condition}`} (${at(gate.source)}), and the process gets ${given || 'values that make it false'}: the app runs without CORS, so no response carries Access-Control-Allow-Origin.`,
      evidence: [...gate.via],
      fix: flag
        ? {
            summary: `Turn the switch on where the deployment sets its environment: ${flag.source.name}=true.`,
            ...(edits && { edits }),
          }
        : {
            summary:
              origins.length > 0
                ? `Register CORS in every environment, with the production origins when ${gate.condition} does not hold: allow_origins=${pyList(origins)} in an else branch. Do not set the variable to meet the condition: it also switches on what the development settings allow (debug, the development origins).`
                : `Register CORS in every environment, with the production origins (--origin) when ${gate.condition} does not hold. Do not set the variable to meet the condition: it also switches on the development settings.`,
            ...(edits && { edits }),
          },
    });
  }
  return findings;
}

// -------------------------------------------------------------------------------------------------
// A setting never passed on

/** The origins a variable's text lists (a JSON list, or items separated by commas or spaces). */
function listed(text: string): string[] {
  try {
    const data: unknown = JSON.parse(text);
    if (Array.isArray(data)) return data.filter((d): d is string => typeof d === 'string');
  } catch {
    // not JSON
  }
  return text
    .split(/[\s,]+/)
    .map((s) => s.replace(/^["'[]+|["'\]]+$/g, ''))
    .filter(Boolean);
}

/** Whether some option of the app's CORS registrations reads `name` (with or without a prefix). */
function readBy(app: PythonApp, name: string): boolean {
  const upper = name.toUpperCase();
  return app.middleware.some(
    (entry) =>
      entry.kind === 'cors' &&
      OPTIONS.some((k) =>
        envSources(entry.options?.[k]).some((e) => {
          const n = e.name.toUpperCase();
          return n === upper || n.endsWith(`_${upper}`) || e.setUnder?.name.toUpperCase() === upper;
        }),
      ),
  );
}

function notPassedOn({ project, app, origins }: ScanContext): FindingDraft[] {
  const findings: FindingDraft[] = [];
  for (const entry of corsEntries(app)) {
    const rv = entry.options?.allow_origins;
    if (!rv || envSources(rv).length > 0) continue;
    const blocked = refused(entry.options ?? {}, origins);
    if (blocked.length === 0) continue;
    // What the deployment reads: `.env` files, compose, Dockerfiles (not `.env.example` and the like).
    for (const file of (project.environment ?? []).filter(
      (f) => f.kind !== 'dotenv' || /(^|\/)\.env$/.test(f.file),
    )) {
      for (const e of file.entries) {
        if (!/CORS|ORIGIN/i.test(e.name) || readBy(app, e.name)) continue;
        const has = blocked.filter((o) => listed(e.value).includes(o));
        if (has.length === 0) continue;
        // Another app of the same module reads the variable: its expression can be passed here too.
        const other = project.apps
          .flatMap((a) => corsEntries(a))
          .map((c) => c.options?.allow_origins)
          .find(
            (o) =>
              o &&
              o.source.file === rv.source.file &&
              envSources(o).some((s) => s.name.toUpperCase() === e.name.toUpperCase()),
          );
        findings.push({
          file: rv.source.file,
          line: rv.source.line,
          related: [{ file: file.file, line: e.line }],
          message: `${file.file}:${e.line} sets ${e.name}, which lists ${has.join(', ')}, but no CORS registration of this app reads it: allow_origins=${rv.expression} (${at(rv.source)}) is written in the code, so the setting is never passed on.`,
          evidence: [
            `allow_origins = ${rv.expression} at ${at(rv.source)}`,
            `${e.text.trim()} at ${file.file}:${e.line}`,
          ],
          fix: {
            summary: other
              ? `Pass the setting on: allow_origins=${other.expression}.`
              : `Pass the setting on: allow_origins=<the setting that reads ${e.name}>, instead of the list written in the code.`,
            ...(other && {
              edits: [
                {
                  kind: 'replace-text',
                  file: rv.source.file,
                  line: rv.source.line,
                  from: rv.expression,
                  to: other.expression,
                },
              ],
            }),
          },
        });
        return findings;
      }
    }
  }
  return findings;
}

function scanConfigNotApplied(context: ScanContext): FindingDraft[] {
  return [...gateFindings(context), ...envFindings(context), ...notPassedOn(context)];
}

export const corsConfigNotApplied: CauseRule = {
  code: 'cors-config-not-applied',
  severity: 'error',
  title: 'The CORS configuration exists, but the running app never gets it.',
  scan: scanConfigNotApplied,
};
