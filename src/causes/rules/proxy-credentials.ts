/**
 * credentials-not-allowed where nginx writes the CORS headers: the page sends credentials, nginx adds
 * Access-Control-Allow-Origin itself (to what the app answers, or to the preflight it answers itself) and no
 * `Access-Control-Allow-Credentials: true`. The fix is nginx's line, beside its Access-Control-Allow-Origin;
 * `allow_credentials=True` in the app would not be where these answers get their CORS headers.
 */
import { addHeaderLine, bottomUp, nginxEdit } from '../../fix/nginx-edits.js';
import type { Project } from '../../project/types.js';
import { asNginx, directiveText } from '../../proxy/nginx/config.js';
import {
  type AddedHeader,
  addedHeaders,
  addsAllowOrigin,
  type BlockInContext,
  findHeader,
  isOptionsCondition,
  listensOn,
  passesToApp,
  portOf,
  returnsSuccess,
  unreadInclude,
} from '../../proxy/nginx/cors.js';
import { blocksServing } from '../../proxy/nginx/locate.js';
import { aboutOtherRequests, requestWords } from '../request-scope.js';
import type { FindingDraft, ProxyScanContext } from '../types.js';
import { nginxScope, preflighted } from './proxy-scope.js';

/** A block where nginx writes the CORS headers of an answer: it passes to the app, or answers OPTIONS. */
const answersWithCors = (at: BlockInContext): boolean =>
  passesToApp(at.directive) ||
  (isOptionsCondition(at.directive) && returnsSuccess(at.directive) !== undefined);

/**
 * nginx writes Access-Control-Allow-Origin for requests to the app: in the blocks that take `url` when a
 * configuration listens on its port, else anywhere in a configuration of the project.
 */
export function nginxWritesAllowOrigin(project: Project, url?: string): boolean {
  return project.proxies.some((proxy) => {
    const config = asNginx(proxy);
    if (!config || config.syntaxError) return false;
    if (!url) return addsAllowOrigin(config.directives) !== undefined;
    if (!listensOn(config.directives, portOf(new URL(url)))) return false;
    return blocksServing(config.directives, url).some(
      (at) =>
        answersWithCors(at) &&
        findHeader(addedHeaders(at, config.directives), 'Access-Control-Allow-Origin') !== undefined,
    );
  });
}

/** `$http_origin` written back as it came, outside an `if` on the origin: every site's origin. */
const reflectsAnyOrigin = (at: BlockInContext, origin: AddedHeader): boolean =>
  origin.value.includes('$http_origin') &&
  ![at.directive, ...at.outer].some((d) => d.name === 'if' && d.args.join(' ').includes('$http_origin'));

interface Lacking {
  at: BlockInContext;
  origin: AddedHeader;
  credentials: AddedHeader | undefined;
}

export function scanNginxCredentials(context: ProxyScanContext): FindingDraft[] {
  if (context.request?.credentials !== 'include') return [];
  const scope = nginxScope(context);
  if (!scope) return [];
  const { config } = scope;
  const top = config.directives;
  const lacking: Lacking[] = [];
  for (const at of scope.blocks) {
    // An included file may write the credentials line: only what is written here is judged.
    if (!answersWithCors(at) || unreadInclude(at, top)) continue;
    const headers = addedHeaders(at, top);
    const origin = findHeader(headers, 'Access-Control-Allow-Origin');
    // `*` with credentials is wildcard-with-credentials: adding the credentials line would not help.
    if (!origin || origin.value === '*' || lacking.some((l) => l.origin.line === origin.line)) continue;
    const credentials = findHeader(headers, 'Access-Control-Allow-Credentials');
    if (credentials?.value === 'true') continue;
    lacking.push({ at, origin, credentials });
  }
  // The answer the browser stops at first: the preflight nginx answers when the request has one, else the
  // answer to the request itself.
  const first = preflighted(context.request) ? 0 : 1;
  lacking.sort(
    (a, b) =>
      (Number(passesToApp(a.at.directive)) === first ? 0 : 1) -
      (Number(passesToApp(b.at.directive)) === first ? 0 : 1),
  );
  const [primary, ...others] = lacking;
  if (!primary) return [];
  // nginx's own preflight answer is met only by a request that has a preflight.
  const met = first === 0 || lacking.some((l) => passesToApp(l.at.directive));
  return credentialsFindings(config.file, lacking, primary, others).map((f) =>
    met
      ? f
      : aboutOtherRequests(
          f,
          `${requestWords(context.request ?? { headers: [] })} has no preflight, and only nginx's preflight answer lacks the line`,
        ),
  );
}

/** The finding for the blocks that lack the credentials line, `primary` the one the browser meets first. */
function credentialsFindings(
  file: string,
  lacking: Lacking[],
  primary: Lacking,
  others: Lacking[],
): FindingDraft[] {
  const where = lacking
    .map(
      (l) =>
        `${directiveText(l.at.directive)} (add_header Access-Control-Allow-Origin ${l.origin.value} at line ${l.origin.line})`,
    )
    .join(' and ');
  const reflecting = lacking.find((l) => reflectsAnyOrigin(l.at, l.origin));
  const base = {
    file,
    line: primary.origin.line,
    ...(others.length > 0 && { related: others.map((l) => ({ file, line: l.origin.line })) }),
    message: `The frontend sends credentials, and nginx writes the CORS headers in ${where} without Access-Control-Allow-Credentials: true${primary.credentials ? ` (it sends ${primary.credentials.value})` : ''}: browsers block the answer. The app's allow_credentials does not reach answers whose CORS headers nginx writes.`,
    evidence: lacking.map(
      (l) =>
        `${file}:${l.origin.line}: add_header Access-Control-Allow-Origin ${l.origin.value}${l.origin.always ? ' always' : ''}; ${l.credentials ? `add_header Access-Control-Allow-Credentials ${l.credentials.value} (line ${l.credentials.line})` : 'no Access-Control-Allow-Credentials'}`,
    ),
  };
  if (reflecting) {
    return [
      {
        ...base,
        fix: {
          summary: `nginx writes back any Origin ($http_origin at line ${reflecting.origin.line}): allowing credentials there would let every site read the answers with the user's cookies. First limit the origins (a map from $http_origin to the allowed ones, empty for the others), then add add_header Access-Control-Allow-Credentials "true" always; beside it.`,
        },
      },
    ];
  }
  const edits = lacking.map((l) =>
    l.credentials
      ? nginxEdit(file, { name: 'add_header', line: l.credentials.line }, 'replace', [
          addHeaderLine('Access-Control-Allow-Credentials', 'true', true),
        ])
      : nginxEdit(file, { name: 'add_header', line: l.origin.line }, 'insert-after', [
          addHeaderLine('Access-Control-Allow-Credentials', 'true', true),
        ]),
  );
  return [
    {
      ...base,
      fix: {
        summary: `In nginx, beside its Access-Control-Allow-Origin line${lacking.length > 1 ? 's' : ''} (line${lacking.length > 1 ? 's' : ''} ${lacking.map((l) => l.origin.line).join(', ')}): add_header Access-Control-Allow-Credentials "true" always; (not allow_credentials=True in the app, which would not reach these answers or would send a second set of CORS headers).`,
        edits: bottomUp(edits),
      },
    },
  ];
}
