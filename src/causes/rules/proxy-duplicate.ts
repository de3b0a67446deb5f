/**
 * duplicate-cors-headers between nginx and the app: nginx adds Access-Control-Allow-Origin to answers whose
 * app already sends one. The fix removes one side: nginx's CORS lines (and the preflight answer it writes
 * itself) when the app's CORSMiddleware alone allows the frontend's request, else the app's
 * CORSMiddleware when nginx alone allows it. Which one is decided by the models: the app's alone, and
 * nginx's in front of the app without its CORSMiddleware.
 */
import type { SourceEdit } from '../../core/causes.js';
import { bottomUp, type NginxEdit, nginxEdit } from '../../fix/nginx-edits.js';
import { type Directive, directiveText, type NginxConfigFile } from '../../proxy/nginx/config.js';
import {
  type AddedHeader,
  addedHeaders,
  type BlockInContext,
  findHeader,
  hiddenHeaders,
  isOptionsCondition,
  passesToApp,
  returnsSuccess,
  unreadInclude,
} from '../../proxy/nginx/cors.js';
import { at, corsEntries } from '../../python/options.js';
import type { MiddlewareEntry, PythonApp } from '../../python/types.js';
import type { FindingDraft, ProxyScanContext } from '../types.js';
import {
  appFor,
  appModel,
  type FrontendRequest,
  frontendRequests,
  nginxScope,
  predictedOutcome,
  throughNginx,
  withoutCors,
} from './proxy-scope.js';

const isCors = (d: Directive): boolean =>
  d.name === 'add_header' && /^access-control-/i.test(d.args[0] ?? '');

/**
 * The edits that take nginx out of CORS for the block: the add_header Access-Control-* lines in force
 * there (and those of the next level out, which the block inherits once its own level has no add_header
 * left), and the `if ($request_method = OPTIONS) { ... return 204; }` blocks that answer preflights.
 */
function nginxCorsRemoval(config: NginxConfigFile, place: BlockInContext): NginxEdit[] {
  const levels = [config.directives, ...place.outer.map((d) => d.block ?? []), place.directive.block ?? []];
  const removed: Directive[] = [];
  for (let i = levels.length - 1; i >= 0; i--) {
    const lines = (levels[i] as Directive[]).filter((d) => d.name === 'add_header');
    if (lines.length === 0) continue;
    const cors = lines.filter(isCors);
    removed.push(...cors);
    // Other add_header lines stay at this level, so nothing more is inherited from further out.
    if (cors.length < lines.length) break;
  }
  const preflightAnswers = (place.directive.block ?? []).filter(
    (d) => isOptionsCondition(d) && returnsSuccess(d) !== undefined,
  );
  return bottomUp([
    ...removed.map((d) => nginxEdit(config.file, d, 'remove')),
    ...preflightAnswers.map((d) => nginxEdit(config.file, d, 'remove')),
  ]);
}

/** The app sends Access-Control-Allow-Origin of its own to one of the requests (its model says so). */
function appSendsAllowOrigin(app: PythonApp, requests: FrontendRequest[], version: string): boolean {
  const answer = appModel(app, version);
  return requests.some((r) => {
    const cookie: Array<[string, string]> = r.credentials === 'include' ? [['Cookie', 'session=x']] : [];
    const got = answer({
      method: r.method,
      url: r.url,
      headers: [...r.headers, ['Origin', r.origin], ...cookie],
    });
    return got.known && got.headers.some(([n]) => n.toLowerCase() === 'access-control-allow-origin');
  });
}

const allAllowed = (requests: FrontendRequest[], outcome: (r: FrontendRequest) => string | undefined) =>
  requests.length > 0 && requests.every((r) => outcome(r) === 'allowed');

export function scanNginxDuplicate(context: ProxyScanContext): FindingDraft[] {
  if (!context.appHasCors) return [];
  const scope = nginxScope(context);
  if (!scope) return [];
  const { config } = scope;
  const version = context.starletteVersion ?? '';
  const findings: FindingDraft[] = [];
  const reported = new Set<number>();
  for (const place of scope.blocks) {
    if (!passesToApp(place.directive)) continue;
    const added = findHeader(addedHeaders(place, config.directives), 'Access-Control-Allow-Origin');
    const hidden = hiddenHeaders(place, config.directives).some(
      (d) => (d.args[0] ?? '').toLowerCase() === 'access-control-allow-origin',
    );
    if (!added || hidden || reported.has(added.line)) continue;
    const requests = frontendRequests(context, place);
    const path = requests[0] ? new URL(requests[0].url).pathname : '/';
    const app = context.project ? appFor(context.project, path) : undefined;
    const cors = app ? corsEntries(app)[0] : undefined;
    if (context.project && (!app || !cors)) continue;
    // With the frontend's origins known, a duplicate is one the app really sends for them.
    if (app && requests.length > 0 && !appSendsAllowOrigin(app, requests, version)) continue;
    reported.add(added.line);
    findings.push(duplicateFinding(config, place, added, app, cors, requests, version));
  }
  return findings;
}

function duplicateFinding(
  config: NginxConfigFile,
  place: BlockInContext,
  added: AddedHeader,
  app: PythonApp | undefined,
  cors: MiddlewareEntry | undefined,
  requests: FrontendRequest[],
  version: string,
): FindingDraft {
  const nginxLine = { file: config.file, line: added.line };
  const message = `nginx adds Access-Control-Allow-Origin (${added.value}) to answers of ${directiveText(place.directive)}, and the app's CORSMiddleware${cors ? ` (${at(cors.source)})` : ''} sends its own: browsers see two values and block the response.`;
  const nginxSide = {
    file: config.file,
    line: added.line,
    ...(cors?.source && { related: [{ file: cors.source.file, line: cors.source.line }] }),
    message,
  };
  if (!app || !cors || requests.length === 0 || unreadInclude(place, config.directives)) {
    return {
      ...nginxSide,
      fix: {
        summary:
          "Let one layer do CORS: remove nginx's add_header Access-Control-* lines (and any preflight answer nginx writes itself) when the app's CORSMiddleware allows what the frontend sends, else remove the CORSMiddleware.",
      },
    };
  }
  const appAlone = allAllowed(requests, (r) => predictedOutcome(r, appModel(app, version)));
  if (appAlone) {
    const edits = nginxCorsRemoval(config, place);
    const lines = (directive: string) =>
      edits
        .filter((e) => e.directive === directive)
        .map((e) => e.statement.line)
        .sort((a, b) => a - b);
    const answers = lines('if');
    return {
      ...nginxSide,
      evidence: [`the app's CORSMiddleware alone allows ${describe(requests)}`],
      fix: {
        summary: `Let the app do CORS: remove nginx's add_header Access-Control-* lines (${lines('add_header').join(', ')})${answers.length > 0 ? ` and the preflight answer nginx writes itself (line ${answers.join(', ')}), so preflights reach the app` : ''}; the app's CORSMiddleware alone allows ${describe(requests)}.`,
        edits,
      },
    };
  }
  const nginxAlone = allAllowed(requests, (r) =>
    predictedOutcome(r, throughNginx(config, withoutCors(app), version)),
  );
  if (nginxAlone && cors.source && cors.registration === 'add_middleware') {
    const edits: SourceEdit[] = [{ kind: 'remove-statement', statement: cors.source }];
    return {
      file: cors.source.file,
      line: cors.source.line,
      related: [nginxLine],
      message,
      evidence: [
        `the app's CORSMiddleware alone does not allow ${describe(requests)}; nginx's CORS lines, without it, do`,
      ],
      fix: {
        summary: `Let nginx do CORS: remove the app's CORSMiddleware (${at(cors.source)}); nginx's add_header lines allow ${describe(requests)}, the app's settings do not.`,
        edits,
      },
    };
  }
  return {
    ...nginxSide,
    fix: {
      summary: `Let one layer do CORS, and make it allow ${describe(requests)}: neither the app's CORSMiddleware (${at(cors.source)}) nor nginx's add_header lines allow it alone. Complete one of them, then remove the other.`,
    },
  };
}

const describe = (requests: FrontendRequest[]): string => {
  const [first] = requests;
  if (!first) return 'the request';
  const origins = [...new Set(requests.map((r) => r.origin))].join(', ');
  return `${first.method} ${new URL(first.url).pathname} from ${origins}${first.credentials === 'include' ? ' with credentials' : ''}`;
};
