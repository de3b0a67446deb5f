import { pyList, replaceLiteral, withEdits } from '../../fix/source-edits.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { boolOption, corsEntries, stringItems } from '../../python/options.js';
import { versionAtLeast } from '../../python/starlette-version.js';
import { actualOf, allowOrigin, firstBlocked, looksLikeStarlette, preflightOf } from '../evidence.js';
import { aboutOtherRequests, requestWords } from '../request-scope.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';

export const wildcardWithCredentials: CauseRule = {
  code: 'wildcard-with-credentials',
  severity: 'error',
  title: 'Access-Control-Allow-Origin is * for a request sent with credentials.',
  scan: scanWildcardWithCredentials,
  detect(e) {
    if (!firstBlocked(e) || e.page.credentials !== 'include') return undefined;
    const hit = [preflightOf(e), actualOf(e)].find((x) => allowOrigin(x?.response) === '*');
    if (!hit) return undefined;
    const evidence = [
      `${hit.request.method} -> Access-Control-Allow-Origin: *`,
      "the page sends credentials ('include'): browsers never accept * then",
    ];
    if (looksLikeStarlette(e) && !hit.request.headers.some(([n]) => n.toLowerCase() === 'cookie')) {
      evidence.push(
        "Starlette (before 1.0) with allow_origins=['*'] and allow_credentials=True echoes the origin only when the request has a Cookie header; this one had none",
      );
    }
    return {
      summary:
        'The server answers Access-Control-Allow-Origin: * to a request with credentials; the browser needs the exact origin and Access-Control-Allow-Credentials: true.',
      evidence,
      locations: [],
      fix: {
        summary: `List the real origin ("${e.page.origin}") instead of "*" and keep allow_credentials=True. Never allow "*" with credentials.`,
        snippet: corsMiddlewareSnippet({ ...e.page, method: e.simulation.method, answered: e.exchanges }),
      },
    };
  },
};

/**
 * With a request given, the finding is the request's only when Starlette answers it `*`: sent with
 * credentials, to a Starlette before 1.0 (from 1.0 it echoes the origin). A scan has no cookie jar, so the
 * request is judged as sent before any cookie is set (with a Cookie header, Starlette before 1.0 echoes the
 * origin too).
 */
function scanWildcardWithCredentials(context: ScanContext): FindingDraft[] {
  const findings = wildcardFindings(context);
  const { request, starletteVersion } = context;
  if (!request) return findings;
  if (request.credentials !== 'include')
    return findings.map((f) =>
      aboutOtherRequests(
        f,
        `${requestWords(request)} is sent without credentials, so Access-Control-Allow-Origin: * is accepted`,
      ),
    );
  if (versionAtLeast(starletteVersion, '1.0.0'))
    return findings.map((f) =>
      aboutOtherRequests(
        f,
        `Starlette ${starletteVersion} echoes its origin with Access-Control-Allow-Credentials: true, so the browser allows it (and every other site's)`,
      ),
    );
  return findings;
}

function wildcardFindings({ app, starletteVersion, origins: frontends }: ScanContext): FindingDraft[] {
  const findings: FindingDraft[] = [];
  for (const entry of corsEntries(app)) {
    const origins = stringItems(entry.options?.allow_origins);
    const star = origins.items.find((i) => i.value === '*');
    if (!star || boolOption(entry.options?.allow_credentials) !== true) continue;
    const ref = entry.options?.allow_origins?.source ?? entry.source ?? app.source;
    const modern = versionAtLeast(starletteVersion, '1.0.0');
    findings.push({
      file: ref.file,
      line: ref.line,
      message: modern
        ? `allow_origins=["*"] with allow_credentials=True: Starlette ${starletteVersion} echoes every origin with credentials, so any website can make credentialed requests to this API.`
        : `allow_origins=["*"] with allow_credentials=True: Starlette ${starletteVersion} answers Access-Control-Allow-Origin: * to credentialed requests without a Cookie header (a first login, Bearer-only requests), which browsers block; with a cookie it echoes any origin.`,
      fix: withEdits(
        frontends.length > 0
          ? `allow_origins=${pyList(frontends)} (the frontends given with --origin), keeping allow_credentials=True.`
          : 'List the frontend origins explicitly and keep allow_credentials=True; never combine "*" with credentials (give them with --origin for a patch).',
        // Replace "*" by the frontends given with --origin; without them there is nothing safe to write.
        star && frontends.length > 0
          ? replaceLiteral(star.resolved, frontends.map((o) => JSON.stringify(o)).join(', '))
          : undefined,
      ),
    });
  }
  return findings;
}
