import type { SourceEdit } from '../../core/causes.js';
import { at, corsEntries, stringItems } from '../../python/options.js';
import type { ResolvedValue } from '../../python/types.js';
import { aboutOtherRequests, everyOriginAllowed } from '../request-scope.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

function fromEnvironment(via: string[], env: unknown): boolean {
  return env !== undefined || via.some((v) => /getenv|environ|BaseSettings|\.env|split/.test(v));
}

/** With a request given from origins CORSMiddleware lets in, these entries concern other origins: warnings. */
function scanEnvOrigins(context: ScanContext): FindingDraft[] {
  const findings = envOriginsFindings(context);
  const entry = corsEntries(context.app)[0];
  const allowed = entry && everyOriginAllowed(entry, context);
  if (!allowed) return findings;
  return findings.map((f) =>
    aboutOtherRequests(f, `CORSMiddleware allows the origin it comes from (${allowed.join(', ')})`),
  );
}

function envOriginsFindings({ app }: ScanContext): FindingDraft[] {
  const findings: FindingDraft[] = [];
  for (const entry of corsEntries(app)) {
    const option = entry.options?.allow_origins;
    const { items } = stringItems(option);
    const slashed: typeof items = [];
    for (const item of items) {
      if (!fromEnvironment(item.resolved.via, item.resolved.env ?? option?.env)) continue;
      const base = {
        file: item.source.file,
        line: item.source.line,
        evidence: [`allow_origins = ${option?.expression}`, ...item.resolved.via],
      };
      if (item.value === '') {
        findings.push({
          ...base,
          message:
            'allow_origins contains "": the environment variable is unset or empty, and "".split(",") gives [""], which allows no origin.',
          fix: {
            summary:
              'Set the variable, and drop empty items: [o.strip() for o in value.split(",") if o.strip()].',
          },
        });
      } else if (item.value !== item.value.trim()) {
        findings.push({
          ...base,
          message: `allow_origins contains ${JSON.stringify(item.value)} with surrounding spaces: split(",") keeps the space after each comma, and Starlette compares exactly.`,
          fix: { summary: 'Strip each item: [o.strip() for o in value.split(",")].' },
        });
      } else if (/^[["']|["'\]]$/.test(item.value)) {
        findings.push({
          ...base,
          message: `allow_origins contains ${JSON.stringify(item.value)}: JSON list text was split on commas, so brackets and quotes stay in the origins.`,
          fix: { summary: 'Parse JSON with json.loads, or write the variable as a plain comma list.' },
        });
      } else if (
        item.value.endsWith('/') &&
        item.resolved.via.some((v) => /AnyHttpUrl|AnyUrl|HttpUrl/.test(v))
      ) {
        slashed.push(item);
      }
    }
    if (option && slashed.length > 0) findings.push(urlTypeSlash(option, slashed));
    if (option?.env?.defaultUsed && items.length > 0) {
      findings.push({
        severity: 'info',
        file: option.source.file,
        line: option.source.line,
        message: `${option.env.name} is not set in any .env or compose file found; the origins come from the code's default (${items.map((i) => i.value).join(', ')}). Check the value the process really gets.`,
        evidence: [at(option.source)],
      });
    }
  }
  return findings;
}

/**
 * Origins a pydantic v2 URL type wrote with a trailing "/": one finding at the code that turns the URLs
 * into strings (`str(origin)` in a comprehension, or the keyword that passes the setting itself), where the
 * strip is written; the `.env` or compose lines they come from follow.
 */
function urlTypeSlash(option: ResolvedValue, slashed: ReturnType<typeof stringItems>['items']): FindingDraft {
  const mapped = slashed[0]?.resolved.via
    .map((v) => /^each item as (str\((\w+)\)) at (\S+):(\d+)$/.exec(v))
    .filter((m) => m !== null)
    .at(-1);
  const place = mapped ? { file: mapped[3] as string, line: Number(mapped[4]) } : option.source;
  const edit: SourceEdit | undefined = mapped
    ? { kind: 'replace-text', ...place, from: mapped[1] as string, to: `${mapped[1]}.rstrip("/")` }
    : /^[\w.]+$/.test(option.expression)
      ? {
          kind: 'replace-text',
          ...place,
          from: option.expression,
          to: `[str(origin).rstrip("/") for origin in ${option.expression}]`,
        }
      : undefined;
  const related = slashed
    .map((i) => i.source)
    .filter(
      (r, i, all) =>
        (r.file !== place.file || r.line !== place.line) &&
        all.findIndex((x) => x.file === r.file && x.line === r.line) === i,
    );
  const values = slashed.map((i) => JSON.stringify(i.value)).join(', ');
  return {
    ...place,
    ...(related.length > 0 && { related }),
    message: `allow_origins contains ${values}: pydantic v2 URL types add a trailing slash after the host, which no browser origin has.`,
    evidence: [`allow_origins = ${option.expression}`, ...(slashed[0]?.resolved.via ?? [])],
    fix: {
      summary: mapped
        ? `Strip it where the URLs become strings: ${mapped[1]}.rstrip("/") (${place.file}:${place.line}).`
        : 'Strip it: [str(origin).rstrip("/") for origin in settings.BACKEND_CORS_ORIGINS].',
      ...(edit && { edits: [edit] }),
    },
  };
}

export const envOriginsMisparsed: CauseRule = {
  code: 'env-origins-misparsed',
  severity: 'error',
  title: 'Origins come from the environment and the parsing loses them.',
  scan: scanEnvOrigins,
};
