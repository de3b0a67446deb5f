import { at, corsEntries, stringItems } from '../../python/options.js';
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
        findings.push({
          ...base,
          message: `allow_origins contains ${JSON.stringify(item.value)}: pydantic v2 URL types add a trailing slash, which no browser origin has.`,
          fix: {
            summary: 'Strip it: [str(origin).rstrip("/") for origin in settings.BACKEND_CORS_ORIGINS].',
          },
        });
      }
    }
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

export const envOriginsMisparsed: CauseRule = {
  code: 'env-origins-misparsed',
  severity: 'error',
  title: 'Origins come from the environment and the parsing loses them.',
  scan: scanEnvOrigins,
};
