import { pyList, replaceStringValue, withEdits } from '../../fix/source-edits.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { corsEntries, stringItems } from '../../python/options.js';
import type { ResolvedValue } from '../../python/types.js';
import {
  actualOf,
  allowedOriginSpelling,
  allowOrigin,
  firstBlocked,
  preflightOf,
  statusLine,
} from '../evidence.js';
import { aboutOtherRequests, everyOriginAllowed } from '../request-scope.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';
import { malformedEdits, splitNames } from './method-not-allowed.js';

/** Why an allowed-origin value can never equal a browser's Origin, or undefined when it is well formed. */
export function malformedOriginReason(value: string, pageOrigin?: string): string | undefined {
  if (value === '*' || value === 'null') return undefined;
  // `localhost:3000` parses as a URL whose scheme is `localhost:`; it is a host and port without a scheme.
  if (/^[\w.-]+(:\d+)?$/.test(value)) return 'it has no scheme (http:// or https://)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return /^[\w.-]+(:\d+)?$/.test(value) ? 'it has no scheme (http:// or https://)' : 'it is not an origin';
  }
  if (!/^https?:$/.test(url.protocol)) return undefined;
  if (value.endsWith('/') && value.slice(0, -1) === url.origin)
    return 'it ends with a slash; an origin never does';
  if (url.pathname !== '/' || url.search || url.hash)
    return 'it has a path; an origin is only scheme, host and port';
  if (value !== value.toLowerCase() && value.toLowerCase() === url.origin)
    return 'it has upper-case letters; browsers send the origin in lower case';
  if (/:(80|443)$/.test(value) && url.origin !== value)
    return 'it spells out the default port, which browsers leave out';
  if (pageOrigin && value !== url.origin) return 'it is not in the serialised form browsers send';
  return undefined;
}

export const originMalformed: CauseRule = {
  code: 'origin-malformed',
  severity: 'error',
  title: 'A configured origin can never match a browser origin.',
  // The source can name the root cause behind this symptom (an entry written wrongly, an env list split wrongly).
  explainedBy: ['origin-malformed', 'env-origins-misparsed'],
  // The misspelt entry explains the refusal on its own.
  supersedes: ['origin-not-allowed'],
  scan: scanOriginMalformed,
  detect(e) {
    if (!firstBlocked(e)) return undefined;
    const misspelt = allowedOriginSpelling(e);
    if (misspelt) {
      const refused = [preflightOf(e), actualOf(e)].find((x) => x?.response);
      return {
        summary: `The server allows ${misspelt.origin} but not ${e.page.origin}: its allowed origins hold ${misspelt.origin}, which can never match: ${malformedOriginReason(misspelt.origin, e.page.origin) ?? 'browsers never send it'}.`,
        evidence: [
          ...(refused?.response
            ? [
                `${refused.request.method} with Origin: ${e.page.origin} -> ${statusLine(refused.response)}, no Access-Control-Allow-Origin`,
              ]
            : []),
          `${misspelt.exchange.request.method} with Origin: ${misspelt.origin} -> Access-Control-Allow-Origin: ${misspelt.origin}`,
        ],
        locations: [],
        fix: {
          summary: `Write the origin exactly as the browser sends it: "${e.page.origin}", not "${misspelt.origin}".`,
          snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method, answered: e.exchanges }),
        },
      };
    }
    for (const x of [preflightOf(e), actualOf(e)]) {
      const value = allowOrigin(x?.response);
      if (value === null || /[ ,]/.test(value)) continue;
      const why = malformedOriginReason(value, e.page.origin);
      if (!why) continue;
      return {
        summary: `The server answers Access-Control-Allow-Origin: ${value}, which can never match: ${why}.`,
        evidence: [
          `${x?.request.method} -> Access-Control-Allow-Origin: ${value}`,
          `the page's origin is ${e.page.origin}`,
        ],
        locations: [],
        fix: { summary: `Write the origin exactly as the browser sends it: "${e.page.origin}".` },
      };
    }
    return undefined;
  },
};

/** Text that reads as a regular expression, written where Starlette compares strings exactly. */
const REGEX_TEXT = /\\\.|\.\*|\[\^?|\(\?|\$$|^\^|\w\*\./;

/** With a request given from origins CORSMiddleware lets in, these entries concern other origins: warnings. */
function scanOriginMalformed(context: ScanContext): FindingDraft[] {
  const findings = originMalformedFindings(context);
  const entry = corsEntries(context.app)[0];
  const allowed = entry && everyOriginAllowed(entry, context);
  if (!allowed) return findings;
  return findings.map((f) =>
    aboutOtherRequests(f, `CORSMiddleware allows the origin it comes from (${allowed.join(', ')})`),
  );
}

function originMalformedFindings({ app }: ScanContext): FindingDraft[] {
  const findings: FindingDraft[] = [];
  for (const entry of corsEntries(app)) {
    const option = entry.options?.allow_origins;
    const { shape, items } = stringItems(option);
    const line = option?.source ?? entry.source;
    const base = {
      file: line?.file ?? app.source.file,
      line: line?.line ?? app.source.line,
    };
    if (shape === 'str') {
      const text = items[0]?.value ?? '';
      const meant = splitNames(text);
      const edits =
        text !== '*' && meant.length > 0
          ? malformedEdits(entry, 'allow_origins', option, { items }, meant, true)
          : undefined;
      findings.push({
        ...base,
        message: `allow_origins is a string (${option?.expression}), not a list: Starlette then tests \`origin in "<string>"\` as a substring, which allows origins you never listed and refuses ones you did.`,
        fix: withEdits(
          meant.length > 0 && text !== '*'
            ? `Pass a list of origins: allow_origins=${pyList(meant)}.`
            : 'Pass a list of origins, e.g. allow_origins=[o.strip() for o in value.split(",") if o.strip()].',
          edits,
        ),
      });
      continue;
    }
    if (shape === 'none') {
      findings.push({
        ...base,
        message:
          'allow_origins is None: Starlette fails with TypeError when the middleware stack is built, and every request fails.',
        fix: { summary: 'Pass a list (an empty list allows no origin).' },
      });
      continue;
    }
    if (
      shape === 'tuple' &&
      option?.value.kind === 'tuple' &&
      option.value.items.some((i) => i.value.kind === 'list')
    ) {
      findings.push({
        ...base,
        message: `allow_origins is a tuple that contains a list (${option.expression}): a trailing comma after the list makes every origin fail the exact match.`,
        fix: { summary: 'Remove the trailing comma so allow_origins is the list itself.' },
      });
      continue;
    }
    for (const item of items) {
      if (item.value === '*' || item.value === 'null') continue;
      // Empty, space-padded and JSON-text items are env-origins-misparsed findings.
      if (item.value === '' || item.value !== item.value.trim() || /^[["']|["'\]]$/.test(item.value))
        continue;
      // Written without the "/" that a pydantic URL type added on the way: env-origins-misparsed's finding.
      if (
        item.value.endsWith('/') &&
        item.resolved.expression.slice(1, -1) === item.value.slice(0, -1) &&
        item.resolved.via.some((v) => /AnyHttpUrl|AnyUrl|HttpUrl/.test(v))
      )
        continue;
      const where = { file: item.source.file, line: item.source.line };
      if (REGEX_TEXT.test(item.value)) {
        findings.push({
          ...base,
          ...where,
          message: `allow_origins contains ${JSON.stringify(item.value)}, which looks like a regular expression; allow_origins compares strings exactly, so it never matches.`,
          fix: { summary: 'Move the pattern to allow_origin_regex (anchored, with escaped dots).' },
        });
        continue;
      }
      const why = malformedOriginReason(item.value);
      if (why && !item.resolved.env && !item.resolved.via.some((v) => v.includes('split'))) {
        findings.push({
          ...base,
          ...where,
          message: `allow_origins contains ${JSON.stringify(item.value)}, which no browser ever sends: ${why}.`,
          fix: canonicalFix(item.value, item.resolved),
        });
      } else if (why) {
        findings.push({
          ...base,
          ...where,
          message: `allow_origins gets ${JSON.stringify(item.value)} from the environment, which no browser ever sends: ${why}.`,
          evidence: item.resolved.via,
          fix: canonicalFix(item.value, item.resolved),
        });
      }
    }
  }
  return findings;
}

/** Write the origin as the browser sends it, where it is written (the Python literal or the .env line). */
function canonicalFix(value: string, resolved: ResolvedValue): FindingDraft['fix'] {
  const canonical = canonicalOrigin(value);
  const edits = canonical !== undefined ? replaceStringValue(resolved, value, canonical) : undefined;
  return {
    summary: `Write it as the browser sends it: ${JSON.stringify(canonical ?? value)}.`,
    ...(edits && { edits }),
  };
}

/** The origin a malformed value meant, when it can be told. */
export function canonicalOrigin(value: string): string | undefined {
  try {
    return new URL(value.trim()).origin;
  } catch {
    return /^[\w.-]+(:\d+)?$/.test(value.trim()) ? `http://${value.trim()}` : undefined;
  }
}
