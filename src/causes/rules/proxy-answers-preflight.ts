import { getHeader } from '../../model/header-list.js';
import { splitListHeader } from '../../model/http-token.js';
import {
  type AddedHeader,
  addedHeaders,
  findHeader,
  isOptionsCondition,
  returnsSuccess,
} from '../../proxy/nginx/cors.js';
import {
  blockedAt,
  corsHeaderLines,
  hasCorsHeaders,
  proxyAnsweredPreflight,
  proxyName,
  statusLine,
} from '../evidence.js';
import { aboutOtherRequests, needsPreflight, preflightLines, requestWords } from '../request-scope.js';
import type { CauseRule, CheckEvidence, FindingDraft, ProxyScanContext } from '../types.js';
import { nginxScope } from './proxy-scope.js';

/** A response header the proxy's preflight answer must carry for this request, as `[name, value]`. */
type Needed = [name: string, value: string, why: string];

/** What a preflight asks for: the page's origin, credentials, the method and the request headers. */
interface PreflightAsk {
  origin: string;
  credentialed: boolean;
  method: string;
  /** Access-Control-Request-Headers as the browser sends it (lower-case names), empty when none. */
  requested: string[];
}

/**
 * What a preflight answer (`header(name)`: its value, null when absent) lacks for the preflight `ask`: the
 * page's origin (not `*` with credentials), credentials, the method and the request headers.
 */
function lacking(ask: PreflightAsk, header: (name: string) => string | null): Needed[] {
  const { origin, credentialed, method } = ask;
  const needed: Needed[] = [];
  const acao = header('Access-Control-Allow-Origin');
  if (acao === null) needed.push(['Access-Control-Allow-Origin', origin, 'absent']);
  else if (acao === '*' ? credentialed : acao !== origin)
    needed.push(['Access-Control-Allow-Origin', origin, `it sends ${acao}`]);
  if (credentialed && header('Access-Control-Allow-Credentials') !== 'true')
    needed.push(['Access-Control-Allow-Credentials', 'true', 'absent']);
  const methodsValue = header('Access-Control-Allow-Methods');
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
  const headersValue = header('Access-Control-Allow-Headers');
  const allowed = splitListHeader(headersValue).map((h) => h.toLowerCase());
  const missing = ask.requested.filter(
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

/** What the page's preflight asks for, from the check's evidence. */
const askOf = (e: CheckEvidence): PreflightAsk => ({
  origin: e.page.origin,
  credentialed: e.page.credentials === 'include',
  method: e.simulation.method,
  requested: (e.simulation.accessControlRequestHeaders ?? '').split(',').filter(Boolean),
});

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
    const needed = lacking(askOf(e), (name) => getHeader(r.headers, name));
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
  const scope = nginxScope(context);
  if (!scope) return [];
  const { config } = scope;
  const findings: FindingDraft[] = [];
  for (const at of scope.blocks) {
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
    let finding: FindingDraft;
    if (missing.includes('Access-Control-Allow-Origin')) {
      finding = {
        ...base,
        message: `nginx answers every preflight here itself (return ${answer.args[0]}) without Access-Control-Allow-Origin${dropped}: browsers block every request that needs a preflight, and the app's CORS layer never sees them.`,
        fix: {
          summary:
            "Remove this block so preflights reach the app's CORS layer, or give it the add_header lines a preflight needs (origin, methods, headers).",
        },
      };
    } else if (!context.appHasCors && missing.length === 0) {
      // nginx is the app's only CORS layer, and its preflight answer is whole.
      finding = {
        ...base,
        severity: 'info',
        message: `nginx answers preflights here itself (return ${answer.args[0]}), as the CORS layer of an app without CORSMiddleware: its Access-Control-Allow-Methods and -Headers must name every method and request header the frontend uses.`,
      };
    } else {
      finding = {
        ...base,
        severity: 'warning',
        message: `nginx answers preflights here itself (return ${answer.args[0]}): the app's CORS layer never sees them, so this answer must allow every method and request header the frontend uses${missing.length > 0 ? `; it sends no ${missing.join(', ')}${dropped}` : ''}.`,
        fix: {
          summary:
            "Remove this block so preflights reach the app's CORS layer (one CORS configuration instead of two), or keep its add_header lines in step with the app.",
        },
      };
    }
    findings.push(judgedForRequest(context, finding, headers, answer.args[0] ?? '204'));
  }
  return findings;
}

/** An add_header value as nginx writes it for a preflight from `origin`; undefined when a variable is not known. */
function headerValue(headers: AddedHeader[], name: string, origin: string): string | null | undefined {
  const value = findHeader(headers, name)?.value.replaceAll('$http_origin', origin) ?? '';
  // nginx writes no line for an empty value.
  if (value === '') return null;
  return value.includes('$') ? undefined : value;
}

/**
 * With a request given from the origins asked for, the block's answer judged for that request, as a browser
 * judges it: an error when it lacks what the request's preflight needs (beyond the credentials line, which
 * credentials-not-allowed names), a warning about other requests when the request has no preflight or the
 * answer has what it needs. Unchanged without a request or origins, or when a value holds a variable.
 */
function judgedForRequest(
  context: ProxyScanContext,
  finding: FindingDraft,
  headers: AddedHeader[],
  status: string,
): FindingDraft {
  const request = context.request;
  const origins = context.origins ?? [];
  if (!request || origins.length === 0) return finding;
  const words = requestWords(request);
  if (!needsPreflight(request)) return aboutOtherRequests(finding, `${words} needs no preflight`);
  const lacks: Array<{ origin: string; needed: Needed[] }> = [];
  for (const origin of origins) {
    const lines = preflightLines(request, origin);
    if (!lines) continue;
    const ask: PreflightAsk = {
      origin,
      credentialed: request.credentials === 'include',
      method: getHeader(lines, 'Access-Control-Request-Method') ?? '',
      requested: splitListHeader(getHeader(lines, 'Access-Control-Request-Headers')).map((h) =>
        h.toLowerCase(),
      ),
    };
    let unknown = false;
    const needed = lacking(ask, (name) => {
      const value = headerValue(headers, name, origin);
      if (value === undefined) unknown = true;
      return value ?? null;
    });
    if (unknown) return finding;
    const blocking = needed.filter(([name]) => name !== 'Access-Control-Allow-Credentials');
    if (blocking.length > 0) lacks.push({ origin, needed });
  }
  const first = lacks[0];
  if (!first) return aboutOtherRequests(finding, `the answer here has what ${words} needs`);
  return {
    ...finding,
    severity: 'error',
    message: `nginx answers the preflight of ${words} from ${first.origin} here itself (return ${status}), and its answer lacks ${first.needed.map(([name]) => name).join(', ')}: the browser blocks the request, and the app's CORS layer never sees the preflight.`,
    evidence: [
      ...(finding.evidence ?? []),
      ...first.needed.map(([name, value, why]) => `needed: ${name}: ${value} (${why})`),
    ],
    fix: {
      summary: `Either remove this block, so the app's CORS layer answers preflights (one CORS configuration instead of two), or complete nginx's answer in it.`,
      snippet: first.needed.map(([name, value]) => `add_header ${name} "${value}" always;`).join('\n'),
    },
  };
}
