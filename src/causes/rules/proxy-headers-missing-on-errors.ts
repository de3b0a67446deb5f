import { addHeaderLine, bottomUp, nginxEdit } from '../../fix/nginx-edits.js';
import { normalizeMethod } from '../../model/method.js';
import { type Directive, directiveText, type NginxConfigFile } from '../../proxy/nginx/config.js';
import {
  type AddedHeader,
  addedHeaders,
  type BlockInContext,
  findHeader,
  optionsAnswer,
  outerHeaders,
  passesToApp,
  unreadInclude,
} from '../../proxy/nginx/cors.js';
import {
  actualOf,
  allowOrigin,
  firstBlocked,
  preflightOf,
  proxyAnsweredPreflight,
  proxyStrippedAllowOrigin,
  serverSoftware,
  statusLine,
} from '../evidence.js';
import type { CauseRule, FindingDraft, ProxyScanContext } from '../types.js';
import { appFor, nginxScope, throughNginx } from './proxy-scope.js';

export const proxyHeadersMissingOnErrors: CauseRule = {
  code: 'proxy-headers-missing-on-errors',
  severity: 'error',
  title: 'The proxy adds CORS headers to successful answers only.',
  scanProxy: scanNginxAddHeader,
  detect(e) {
    const actual = actualOf(e)?.response;
    if (firstBlocked(e)?.stage !== 'actual' || !actual || allowOrigin(actual) !== null) return undefined;
    // The app's own CORS traces came through: the proxy removed the header, it did not fail to add one.
    if (proxyStrippedAllowOrigin(e).length > 0) return undefined;
    if (serverSoftware(actual) !== 'nginx') return undefined;
    const preflight = preflightOf(e)?.response;
    // A 2xx or 3xx without the header nginx wrote on its own preflight answer: the location that passes the
    // request on has add_header lines of its own, which drop those around it.
    const nginxPreflight = proxyAnsweredPreflight(e)?.response;
    const dropped = actual.status < 400;
    if (dropped && (!nginxPreflight || allowOrigin(nginxPreflight) === null)) return undefined;
    const evidence = [`${statusLine(actual)} from nginx without Access-Control-Allow-Origin`];
    if (preflight && allowOrigin(preflight) !== null)
      evidence.unshift(`the preflight (${statusLine(preflight)}) had CORS headers`);
    if (dropped) {
      return {
        summary: `nginx answered the preflight with CORS headers, but its ${actual.status} answer to the request itself has none: the add_header lines that reach the preflight do not apply where nginx passes the request to the app (that location has add_header lines of its own, which drop those around it, or none with Access-Control-Allow-Origin).`,
        evidence,
        locations: [],
        fix: {
          summary:
            'Repeat the add_header Access-Control-* lines (with "always") in the location that passes the request to the app.',
        },
      };
    }
    return {
      summary: `nginx answered ${actual.status} without CORS headers: add_header without "always" only applies to 2xx/3xx answers, so errors reach the page as CORS failures.`,
      evidence,
      locations: [],
      fix: {
        summary:
          'Add "always" to every add_header Access-Control-* line in nginx (add_header Access-Control-Allow-Origin $origin always;).',
      },
    };
  },
};

const isCorsHeader = (h: AddedHeader): boolean => /^access-control-/i.test(h.name);

/** Whose lines a level holds: `the server's`, `the http block's`, `the file's top-level`. */
const levelOf = (d: Directive | undefined): string =>
  !d ? "the file's top-level" : d.name === 'http' ? "the http block's" : `the ${d.name}'s`;

/**
 * nginx adds CORS headers to what the app answers: without `always` they are missing on 4xx/5xx; and a
 * location with add_header lines of its own drops the CORS lines of the levels around it.
 */
function scanNginxAddHeader(context: ProxyScanContext): FindingDraft[] {
  const scope = nginxScope(context);
  if (!scope) return [];
  if (context.appHasCors) return []; // the app sends its own headers, errors included (duplicate-cors-headers covers both)
  const { config } = scope;
  const top = config.directives;
  const findings: FindingDraft[] = [];
  const reported = new Set<number>();
  for (const at of scope.blocks) {
    if (!passesToApp(at.directive)) continue;
    const headers = addedHeaders(at, top);
    // An included file may write the lines this block lacks: only lines written here are judged.
    const included = unreadInclude(at, top) !== undefined;
    const allowOrigin = findHeader(headers, 'Access-Control-Allow-Origin');
    if (allowOrigin) {
      if (allowOrigin.always || reported.has(allowOrigin.line)) continue;
      reported.add(allowOrigin.line);
      const lacking = headers.filter((h) => isCorsHeader(h) && !h.always);
      const error = scope.forUrl ? errorAnswer(context, scope.config) : undefined;
      findings.push({
        // The request given meets it when the app answers it with an error status.
        severity: error ? 'error' : 'warning',
        file: config.file,
        line: allowOrigin.line,
        message: `add_header Access-Control-Allow-Origin has no "always": nginx adds it to 2xx and 3xx answers only, so the app's 4xx and 5xx answers (and nginx's own 502 when the app is down) reach the browser without it, and the page sees a CORS error instead of the status.${error ? ` ${error}` : ''}`,
        evidence: lacking.map(
          (h) => `${config.file}:${h.line}: add_header ${h.name} ${h.value} (no "always")`,
        ),
        fix: {
          summary: `Add "always" to the add_header Access-Control-* line${lacking.length > 1 ? 's' : ''} (line${lacking.length > 1 ? 's' : ''} ${lacking.map((h) => h.line).join(', ')}), so nginx adds ${lacking.length > 1 ? 'them' : 'it'} to every answer.`,
          edits: bottomUp(
            lacking.map((h) =>
              nginxEdit(config.file, { name: 'add_header', line: h.line }, 'append', ['always']),
            ),
          ),
        },
      });
      continue;
    }
    // A level adds the CORS headers, but a level inside it (the location, or the server around it) has
    // add_header lines of its own, which replace them.
    const chain = [...at.outer, at.directive];
    let index = chain.length - 1;
    while (index >= 0 && !(chain[index]?.block ?? []).some((d) => d.name === 'add_header')) index--;
    const shadow = chain[index];
    const shadowAt = shadow && { directive: shadow, outer: chain.slice(0, index) };
    const outer = shadowAt ? outerHeaders(shadowAt, top) : [];
    const outerOrigin = findHeader(outer, 'Access-Control-Allow-Origin');
    if (included) continue;
    if (!shadow || !outerOrigin) {
      const onlyPreflight = preflightOnly(config.file, at, top);
      if (onlyPreflight && !reported.has(at.directive.line)) findings.push(onlyPreflight);
      reported.add(at.directive.line);
      continue;
    }
    if (reported.has(shadow.line)) continue;
    reported.add(shadow.line);
    const own = (shadow.block ?? []).filter((d) => d.name === 'add_header');
    const repeated = outer.filter(isCorsHeader);
    const around = levelOf(chain[index - 1]);
    findings.push({
      file: config.file,
      line: shadow.line,
      related: [{ file: config.file, line: outerOrigin.line }],
      message: `${directiveText(shadow)} has add_header lines of its own (line${own.length > 1 ? 's' : ''} ${own.map((d) => d.line).join(', ')}), so ${around} add_header Access-Control-* lines (line${repeated.length > 1 ? 's' : ''} ${repeated.map((h) => h.line).join(', ')}) do not apply to it: nginx inherits add_header only into a level that has none. What ${directiveText(at.directive)} passes to the app comes back without Access-Control-Allow-Origin.`,
      evidence: [
        ...own.map((d) => `${config.file}:${d.line}: ${directiveText(d)}`),
        ...repeated.map(
          (h) => `${config.file}:${h.line}: add_header ${h.name} ${h.value}${h.always ? ' always' : ''}`,
        ),
      ],
      fix: {
        summary: `Repeat ${around} add_header Access-Control-* lines at the top of ${directiveText(shadow)}, so its answers carry them again.`,
        edits: [
          nginxEdit(
            config.file,
            shadow,
            'insert-into',
            repeated.map((h) => addHeaderLine(h.name, h.value, h.always)),
          ),
        ],
      },
    });
  }
  return findings;
}

/**
 * What the models answer to the request given at the checked URL, when that is an error status nginx
 * passes on from the app (not an assumed status: an endpoint is taken to answer 200).
 */
function errorAnswer(context: ProxyScanContext, config: NginxConfigFile): string | undefined {
  const request = context.request;
  if (!request?.url || !context.project) return undefined;
  const app = appFor(context.project, new URL(request.url).pathname);
  if (!app) return undefined;
  const method = normalizeMethod(request.method ?? 'GET');
  const answer = throughNginx(
    config,
    app,
    context.starletteVersion ?? '',
  )({
    method,
    url: request.url,
    headers: [...request.headers, ['Origin', context.origins?.[0] ?? 'http://localhost:3000']],
  });
  if (!answer.known || answer.statusAssumed || answer.status < 400) return undefined;
  return `The app answers ${method} ${new URL(request.url).pathname} with ${answer.status}: the browser blocks it.`;
}

/**
 * The `if ($request_method = OPTIONS) { ... return 204; }` of a location writes the CORS headers of the
 * preflight, and nothing writes Access-Control-Allow-Origin on what the location passes to the app: the
 * request itself is then blocked after its preflight passed.
 */
function preflightOnly(file: string, at: BlockInContext, top: Directive[]): FindingDraft | undefined {
  if (findHeader(outerHeaders(at, top), 'Access-Control-Allow-Origin')) return undefined;
  const answer = optionsAnswer(at.directive);
  if (!answer) return undefined;
  const written = addedHeaders({ directive: answer, outer: [...at.outer, at.directive] }, top);
  const origin = findHeader(written, 'Access-Control-Allow-Origin');
  if (!origin) return undefined;
  // What the answer to the request itself needs of them: the origin, credentials and exposed headers.
  const needed = written.filter((h) =>
    /^access-control-(allow-origin|allow-credentials|expose-headers)$/i.test(h.name),
  );
  return {
    file,
    line: at.directive.line,
    related: [{ file, line: origin.line }],
    message: `${directiveText(at.directive)} writes Access-Control-Allow-Origin only in its preflight answer (line ${origin.line}): what it passes to the app comes back without it, so the request is blocked after its preflight passed.`,
    evidence: needed.map((h) => `${file}:${h.line}: add_header ${h.name} ${h.value}`),
    fix: {
      summary: `Write ${needed.map((h) => h.name).join(', ')} (with "always") for every answer of ${directiveText(at.directive)}, not only in its preflight answer.`,
      edits: [
        nginxEdit(
          file,
          at.directive,
          'insert-into',
          needed.map((h) => addHeaderLine(h.name, h.value, true)),
        ),
      ],
    },
  };
}
