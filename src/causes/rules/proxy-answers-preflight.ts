import type { RecordedResponse } from '../../core/exchange.js';
import { getHeader } from '../../model/header-list.js';
import { splitListHeader } from '../../model/http-token.js';
import { asNginx } from '../../proxy/nginx/config.js';
import {
  addedHeaders,
  blocks,
  findHeader,
  isOptionsCondition,
  returnsSuccess,
} from '../../proxy/nginx/cors.js';
import {
  allowOrigin,
  blockedAt,
  corsHeaderLines,
  hasCorsHeaders,
  proxyAnsweredPreflight,
  proxyName,
  statusLine,
} from '../evidence.js';
import type { CauseRule, CheckEvidence, FindingDraft, ProxyScanContext } from '../types.js';

/** A response header the proxy's preflight answer must carry for this request, as `[name, value]`. */
type Needed = [name: string, value: string, why: string];

/**
 * What the proxy's own preflight answer lacks for this request: the page's origin (not `*` with
 * credentials), credentials, the method and the request headers.
 */
function lacking(e: CheckEvidence, r: RecordedResponse): Needed[] {
  const origin = e.page.origin;
  const credentialed = e.page.credentials === 'include';
  const needed: Needed[] = [];
  const acao = allowOrigin(r);
  if (acao === null) needed.push(['Access-Control-Allow-Origin', origin, 'absent']);
  else if (acao === '*' ? credentialed : acao !== origin)
    needed.push(['Access-Control-Allow-Origin', origin, `it sends ${acao}`]);
  if (credentialed && getHeader(r.headers, 'Access-Control-Allow-Credentials') !== 'true')
    needed.push(['Access-Control-Allow-Credentials', 'true', 'absent']);
  const method = e.simulation.method;
  const methodsValue = getHeader(r.headers, 'Access-Control-Allow-Methods');
  const methods = splitListHeader(methodsValue);
  if (
    !['GET', 'HEAD', 'POST'].includes(method) &&
    !methods.includes(method) &&
    !(methods.includes('*') && !credentialed)
  ) {
    needed.push([
      'Access-Control-Allow-Methods',
      [...methods.filter((m) => m !== '*'), method].join(', '),
      methodsValue === null ? 'absent' : `${method} is not in ${methodsValue}`,
    ]);
  }
  const headersValue = getHeader(r.headers, 'Access-Control-Allow-Headers');
  const allowed = splitListHeader(headersValue).map((h) => h.toLowerCase());
  const requested = (e.simulation.accessControlRequestHeaders ?? '').split(',').filter(Boolean);
  const missing = requested.filter(
    (h) => !allowed.includes(h) && !(allowed.includes('*') && !credentialed && h !== 'authorization'),
  );
  if (missing.length > 0) {
    needed.push([
      'Access-Control-Allow-Headers',
      [...allowed.filter((h) => h !== '*'), ...missing].join(', '),
      headersValue === null ? 'absent' : `${missing.join(', ')} not in ${headersValue}`,
    ]);
  }
  return needed;
}

export const proxyAnswersPreflight: CauseRule = {
  code: 'proxy-answers-preflight',
  severity: 'error',
  title:
    'The reverse proxy answers the preflight itself, without what the browser needs; the app never sees it.',
  // The proxy's answer is what lacks the header: a change to the app's CORS layer would not reach it.
  supersedes: [
    'no-cors-middleware',
    'origin-malformed',
    'origin-not-allowed',
    'wildcard-with-credentials',
    'credentials-not-allowed',
    'method-not-allowed',
    'header-not-allowed',
  ],
  scanProxy: scanNginxPreflightBlocks,
  detect(e) {
    const preflight = proxyAnsweredPreflight(e);
    if (!preflight?.response || !blockedAt(e, 'preflight')) return undefined;
    const r = preflight.response;
    const proxy = proxyName(r) as string;
    const empty = !hasCorsHeaders(r.headers);
    const needed = lacking(e, r);
    if (!empty && needed.length === 0) return undefined;
    // Only Access-Control-Allow-Credentials is missing: credentials-not-allowed names it, with nginx's line.
    if (!empty && needed.every(([name]) => name === 'Access-Control-Allow-Credentials')) return undefined;
    const evidence = [
      `OPTIONS ${preflight.request.url} -> ${statusLine(r)} from ${proxy} (Server: ${getHeader(r.headers, 'Server')}), empty body, ${empty ? 'with no Access-Control-* header' : corsHeaderLines(r).join('; ')}`,
      "an application answers OPTIONS with a body (405 from the router; Starlette's CORS layer says OK or Disallowed CORS ...): this answer never reached the app",
      ...needed.map(([name, value, why]) => `needed: ${name}: ${value} (${why})`),
    ];
    const actual = e.exchanges.find(
      (x) => x.kind !== 'preflight' && x.response && corsHeaderLines(x.response).length > 0,
    );
    if (actual?.response) {
      evidence.push(
        `${actual.request.method} (not a preflight) -> ${corsHeaderLines(actual.response).join('; ')}: the app behind ${proxy} does send CORS headers`,
      );
    }
    const remove = `remove the \`if ($request_method = OPTIONS) { ... return 204; }\` block (or whatever answers OPTIONS) from the ${proxy} configuration, so the app's CORS layer answers preflights`;
    return {
      summary: empty
        ? `${proxy} answers the preflight itself (${statusLine(r)}) without Access-Control-Allow-Origin, so the app's CORS layer never sees it and the browser blocks the request.`
        : `${proxy} answers the preflight itself (${statusLine(r)}), and its answer lacks ${needed.map(([name]) => name).join(', ')} for this request; the app's CORS layer never sees the preflight.`,
      evidence,
      locations: [],
      fix: {
        summary: empty
          ? `Let OPTIONS through to the app: ${remove}.`
          : `Either ${remove} (one CORS configuration instead of two), or complete ${proxy}'s answer, in the block that returns it.`,
        ...(!empty && {
          snippet: needed.map(([name, value]) => `add_header ${name} "${value}" always;`).join('\n'),
        }),
      },
    };
  },
};

const PREFLIGHT_HEADERS = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
];

/** `if ($request_method = OPTIONS) { return 204; }`: nginx answers preflights, with the add_header lines in force there. */
function scanNginxPreflightBlocks(context: ProxyScanContext): FindingDraft[] {
  const config = asNginx(context.config);
  if (!config) return [];
  const findings: FindingDraft[] = [];
  for (const at of blocks(config.directives)) {
    if (!isOptionsCondition(at.directive)) continue;
    const answer = returnsSuccess(at.directive);
    if (!answer) continue;
    const headers = addedHeaders(at, config.directives);
    const missing = PREFLIGHT_HEADERS.filter((name) => !findHeader(headers, name));
    const ownLines = (at.directive.block ?? []).some((d) => d.name === 'add_header');
    const dropped =
      ownLines && at.outer.some((o) => (o.block ?? []).some((d) => d.name === 'add_header'))
        ? " (this block's own add_header lines replace those around it: nginx inherits add_header only into a level that has none)"
        : '';
    const base = {
      file: config.file,
      line: at.directive.line,
      evidence: [
        `${config.file}:${answer.line}: return ${answer.args.join(' ')}`,
        ...headers.map((h) => `add_header ${h.name} ${h.value}${h.always ? ' always' : ''} (line ${h.line})`),
      ],
    };
    if (missing.includes('Access-Control-Allow-Origin')) {
      findings.push({
        ...base,
        message: `nginx answers every preflight here itself (return ${answer.args[0]}) without Access-Control-Allow-Origin${dropped}: browsers block every request that needs a preflight, and the app's CORS layer never sees them.`,
        fix: {
          summary:
            "Remove this block so preflights reach the app's CORS layer, or give it the add_header lines a preflight needs (origin, methods, headers).",
        },
      });
    } else if (!context.appHasCors && missing.length === 0) {
      // nginx is the app's only CORS layer, and its preflight answer is whole.
      findings.push({
        ...base,
        severity: 'info',
        message: `nginx answers preflights here itself (return ${answer.args[0]}), as the CORS layer of an app without CORSMiddleware: its Access-Control-Allow-Methods and -Headers must name every method and request header the frontend uses.`,
      });
    } else {
      findings.push({
        ...base,
        severity: 'warning',
        message: `nginx answers preflights here itself (return ${answer.args[0]}): the app's CORS layer never sees them, so this answer must allow every method and request header the frontend uses${missing.length > 0 ? `; it sends no ${missing.join(', ')}${dropped}` : ''}.`,
        fix: {
          summary:
            "Remove this block so preflights reach the app's CORS layer (one CORS configuration instead of two), or keep its add_header lines in step with the app.",
        },
      });
    }
  }
  return findings;
}
