import type { Exchange, RecordedRequest } from '../../core/exchange.js';
import { type PageFetch, pageScenario } from '../../core/page.js';
import { getHeader, hasCorsHeaders } from '../../model/header-list.js';
import {
  afterPreflight,
  firstRequest,
  nextRequest,
  type PlannedRequest,
  preflightFor,
} from '../../model/plan.js';
import { isRedirectStatus } from '../../model/request.js';
import type { BrowserName, ServerAnswer } from '../../model/types.js';
import { actualHeaders, preflightHeaders } from './browser-request.js';
import { type SendResult, sendRaw } from './http.js';

export interface ProbeOptions {
  browsers: BrowserName[];
  timeoutMs: number;
  /** Send the actual request even when every browser would stop at the preflight. */
  forceActual?: boolean;
  /**
   * Sends one request and returns what came back. Default: the network (node:http). `check --offline`
   * passes the server model instead.
   */
  transport?: Transport;
  /** Called before each request goes out (for progress output). */
  onSend?: (exchange: Pick<Exchange, 'kind' | 'request'>) => void;
}

export type Transport = (request: RecordedRequest) => Promise<SendResult>;

const answerOf = (e: Exchange): ServerAnswer => ({
  status: e.response?.status ?? 0,
  headers: e.response?.headers ?? [],
});

/**
 * Replays what a browser does for `page`: the preflight when the browser model says one is sent, then
 * (unless every browser stops at the preflight) the actual request; then diagnostic probes that reveal what
 * the browser's own exchanges hide. Redirects are never followed automatically; each hop is recorded.
 */
export async function probeLikeBrowser(page: PageFetch, options: ProbeOptions): Promise<Exchange[]> {
  const transport: Transport = options.transport ?? ((request) => sendRaw(request, options.timeoutMs));
  const exchanges: Exchange[] = [];
  const send = async (
    kind: Exchange['kind'],
    request: RecordedRequest,
    purpose?: string,
    hop?: number,
  ): Promise<Exchange> => {
    options.onSend?.({ kind, request });
    const result = await transport(request);
    const exchange: Exchange = { kind, ...(hop && { hop }), ...(purpose && { purpose }), request, ...result };
    exchanges.push(exchange);
    return exchange;
  };

  const first = firstRequest(pageScenario(page));
  let request: PlannedRequest | undefined = first;
  let firstPreflight: Exchange | undefined;
  let firstActual: Exchange | undefined;
  // nextRequest ends the chain: a final answer, a redirect no browser follows, or past the limit of 20.
  while (request) {
    const index = request.index;
    const preflightHeaderLines = preflightFor(request, options.browsers);
    let preflight: Exchange | undefined;
    if (preflightHeaderLines) {
      preflight = await send(
        'preflight',
        {
          method: 'OPTIONS',
          url: request.url,
          headers: preflightHeaders(preflightHeaderLines, request.origin, request.url),
        },
        undefined,
        index,
      );
      if (preflight.error) return exchanges;
      firstPreflight ??= preflight;
      const answered = afterPreflight(request, answerOf(preflight), options.browsers);
      request = answered.request;
      if (!answered.goesOn && !options.forceActual) break;
    }
    const actual = await send(
      'actual',
      {
        method: request.method,
        url: request.url,
        headers: actualHeaders({
          origin: request.origin,
          url: request.url,
          headers: request.headerLines,
          credentials: page.credentials,
          ...(request.body !== undefined && { body: request.body }),
          ...(page.cookie !== undefined && { cookie: page.cookie }),
        }),
        ...(request.body !== undefined && { body: request.body }),
      },
      undefined,
      index,
    );
    if (actual.error) return exchanges;
    firstActual ??= actual;
    request = nextRequest(request, answerOf(actual), options.browsers);
  }

  await diagnose(page, first.method, firstPreflight, lastOf(exchanges, 'actual') ?? firstActual, send);
  return exchanges;
}

const lastOf = (exchanges: Exchange[], kind: Exchange['kind']): Exchange | undefined =>
  exchanges.filter((x) => x.kind === kind).at(-1);

/** A preflight sent to ask the CORS layer a question, from `origin` (the page's, or another spelling of it). */
function diagnosticPreflight(page: PageFetch, method: string, origin: string): RecordedRequest {
  return {
    method: 'OPTIONS',
    url: page.url,
    headers: preflightHeaders(
      [
        ['Accept', '*/*'],
        ['Access-Control-Request-Method', method],
        ['Origin', origin],
      ],
      page.origin,
      page.url,
    ),
  };
}

/** Extra requests a senior engineer would send by hand to tell causes apart. */
async function diagnose(
  page: PageFetch,
  method: string,
  preflight: Exchange | undefined,
  actual: Exchange | undefined,
  send: (kind: Exchange['kind'], request: RecordedRequest, purpose?: string) => Promise<Exchange>,
): Promise<void> {
  // A simple request came back without Access-Control-Allow-Origin: ask the CORS layer directly, with a
  // preflight, whether it exists and whether it knows this origin (Starlette names the refusal in the body).
  let layerProbe: Exchange | undefined;
  if (
    !preflight &&
    actual?.response &&
    getHeader(actual.response.headers, 'Access-Control-Allow-Origin') === null
  ) {
    layerProbe = await send(
      'diagnostic',
      diagnosticPreflight(page, method, page.origin),
      'is there a CORS layer, and does it allow this origin?',
    );
  }
  // A CORS layer answered but allowed nothing for this origin: ask whether it allows the origin written with
  // a trailing slash, the commonest typo in allow-lists. Browsers never send that spelling, so if the server
  // allows it, the allow-list has the typo.
  const answers = [preflight, actual, layerProbe].flatMap((x) => (x?.response ? [x.response] : []));
  if (
    page.origin !== 'null' &&
    answers.some((r) => hasCorsHeaders(r.headers)) &&
    answers.every((r) => getHeader(r.headers, 'Access-Control-Allow-Origin') === null)
  ) {
    const misspelt = `${page.origin}/`;
    await send(
      'diagnostic',
      diagnosticPreflight(page, method, misspelt),
      `does the server allow ${misspelt} (the origin with a trailing slash, a common typo in allow-lists)?`,
    );
  }
  // The actual request failed without CORS headers: the same request without Origin shows what the
  // server really answers (curl sees this; the browser hides it).
  const failed = actual?.response;
  if (failed && failed.status >= 400 && !hasCorsHeaders(failed.headers) && !isRedirectStatus(failed.status)) {
    await send(
      'diagnostic',
      {
        method: actual.request.method,
        url: actual.request.url,
        headers: actual.request.headers.filter(([n]) => n.toLowerCase() !== 'origin'),
        ...(actual.request.body !== undefined && { body: actual.request.body }),
      },
      'the same request without Origin: what the server answers when CORS is out of the way',
    );
  }
}
