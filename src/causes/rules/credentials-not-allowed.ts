import { setCorsKeyword, withEdits } from '../../fix/source-edits.js';
import { corsMiddlewareSnippet } from '../../fix/starlette.js';
import { getHeader } from '../../model/header-list.js';
import { boolOption, corsEntries, stringItems } from '../../python/options.js';
import { firstBlocked, serverSoftware } from '../evidence.js';
import { aboutOtherRequests, requestWords } from '../request-scope.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';
import { nginxWritesAllowOrigin, scanNginxCredentials } from './proxy-credentials.js';

export const credentialsNotAllowed: CauseRule = {
  code: 'credentials-not-allowed',
  severity: 'error',
  title:
    'The request is sent with credentials but the server does not answer Access-Control-Allow-Credentials: true.',
  scan: scanCredentialsNotAllowed,
  scanProxy: scanNginxCredentials,
  detect(e) {
    const blocked = firstBlocked(e);
    if (!blocked?.reason || !/InvalidAllowCredentials|CORSMissingAllowCredentials/.test(blocked.reason))
      return undefined;
    const exchange = e.exchanges.find(
      (x) => x.kind === blocked.stage || (blocked.stage === 'actual' && x.kind === 'actual'),
    );
    const value = exchange?.response
      ? getHeader(exchange.response.headers, 'Access-Control-Allow-Credentials')
      : null;
    return {
      summary:
        "The page sends credentials ('include') but the server does not allow them: it must answer Access-Control-Allow-Credentials: true (exactly).",
      evidence: [
        `${exchange?.request.method ?? ''} -> Access-Control-Allow-Credentials: ${value === null ? '(absent)' : value}`,
      ],
      locations: [],
      fix:
        exchange?.response && serverSoftware(exchange.response) === 'nginx'
          ? {
              summary:
                'Answer Access-Control-Allow-Credentials: true where the CORS headers are written: in nginx, add_header Access-Control-Allow-Credentials "true" always; beside its Access-Control-Allow-Origin line; in the app, allow_credentials=True (with explicit origins). Or stop sending credentials if the API does not use cookies (fetch credentials: \'same-origin\').',
            }
          : {
              summary:
                "Set allow_credentials=True (with explicit origins), or stop sending credentials if the API does not use cookies (fetch credentials: 'same-origin').",
              snippet: corsMiddlewareSnippet({
                ...e.page,
                method: e.simulation.method,
                answered: e.exchanges,
              }),
            },
    };
  },
};

function scanCredentialsNotAllowed({ project, app, request }: ScanContext): FindingDraft[] {
  // nginx writes the CORS headers of these answers: the fix is its line (scanNginxCredentials), not the app's.
  if (nginxWritesAllowOrigin(project, request?.url)) return [];
  const cors = corsEntries(app)[0];
  if (!cors?.options || boolOption(cors.options.allow_credentials) === true) return [];
  if (cors.options.allow_credentials?.value.kind === 'unresolved') return [];
  const cookieRoutes = app.routes.filter((r) => r.readsCookies.length > 0);
  if (request?.credentials !== 'include' && cookieRoutes.length === 0) return [];
  const ref = cors.options.allow_credentials?.source ?? cors.source ?? app.source;
  const finding: FindingDraft = {
    file: ref.file,
    line: ref.line,
    message:
      request?.credentials === 'include'
        ? "The frontend sends credentials ('include'), but allow_credentials is not True: responses lack Access-Control-Allow-Credentials: true and browsers block them."
        : `Routes read cookies (${cookieRoutes.map((r) => `${r.path} reads ${r.readsCookies.join(', ')}`).join('; ')}), but allow_credentials is not True: a cross-origin frontend cannot send them.`,
    fix: withEdits(
      'allow_credentials=True, with the origins listed explicitly (never "*").',
      // Only where the origins are already explicit: with "*" that change would open the API to every site.
      stringItems(cors.options.allow_origins).items.some((i) => i.value === '*')
        ? undefined
        : setCorsKeyword(cors, 'allow_credentials', 'True', cors.options.allow_credentials),
    ),
  };
  // Routes that read cookies, and a request given that sends none: the finding is about other requests.
  return [
    request && request.credentials !== 'include'
      ? aboutOtherRequests(finding, `${requestWords(request)} is sent without credentials`)
      : finding,
  ];
}
