import { Agent } from 'undici';
import { getHeader } from '../../model/header-list.js';
import { isRedirectStatus } from '../../model/request.js';
import { splitRequestHeaders } from '../../model/safelist.js';
import { simulate } from '../../model/simulate.js';
import type {
  BrowserName,
  CredentialsMode,
  HeaderList,
  Scenario,
  ServerAnswer,
  SimulationResult,
} from '../../model/types.js';
import type { Exchange, RecordedRequest } from '../types.js';
import { actualHeaders, preflightHeaders } from './browser-request.js';
import { sendRaw } from './http.js';

/** What the page does: the input of `check`. */
export interface PageFetch {
  url: string;
  origin: string;
  method: string;
  headers: HeaderList;
  body?: string;
  credentials: CredentialsMode;
  cookie?: string;
}

export interface ProbeOptions {
  browsers: BrowserName[];
  timeoutMs: number;
  /** Send the actual request even when every browser would stop at the preflight. */
  forceActual?: boolean;
  /** Called before each request goes out (for progress output). */
  onSend?: (exchange: Pick<Exchange, 'kind' | 'request'>) => void;
}

export interface ProbeResult {
  exchanges: Exchange[];
  /** The scenario the browser model evaluated: the page's fetch and the server's real answers. */
  scenario: Scenario;
  /** What the browser model says each browser does with those answers. */
  simulation: SimulationResult;
  /** Nothing answered (every exchange failed at the network level). */
  unreachable: boolean;
}

const answerOf = (e: Exchange | undefined): ServerAnswer | undefined =>
  e?.response ? { status: e.response.status, headers: e.response.headers } : undefined;

/**
 * Replays what a browser does for `page`: the preflight when the browser model says one is sent, then
 * (unless every browser stops at the preflight) the actual request; then diagnostic probes that reveal what
 * the browser's own exchanges hide. Redirects are never followed automatically; each hop is recorded.
 */
export async function probeLikeBrowser(page: PageFetch, options: ProbeOptions): Promise<ProbeResult> {
  const dispatcher = new Agent({ connect: { timeout: options.timeoutMs }, keepAliveTimeout: 1000 });
  const exchanges: Exchange[] = [];
  const send = async (
    kind: Exchange['kind'],
    request: RecordedRequest,
    purpose?: string,
  ): Promise<Exchange> => {
    options.onSend?.({ kind, request });
    const result = await sendRaw(dispatcher, request, options.timeoutMs);
    const exchange: Exchange = { kind, ...(purpose && { purpose }), request, ...result };
    exchanges.push(exchange);
    return exchange;
  };

  try {
    const base: Scenario = {
      origin: page.origin,
      request: {
        url: page.url,
        method: page.method,
        headers: page.headers,
        credentials: page.credentials,
        ...(page.body !== undefined && { body: page.body }),
      },
    };
    const planned = simulate(base);
    const needsPreflight = options.browsers.some((b) => planned[b].preflight);

    let preflight: Exchange | undefined;
    if (needsPreflight && planned.preflightRequest) {
      preflight = await send('preflight', {
        method: 'OPTIONS',
        url: page.url,
        headers: preflightHeaders(planned.preflightRequest, page.origin, page.url),
      });
      if (preflight.error) return finish(base, true);
    }

    const afterPreflight = simulate({ ...base, ...(preflight && { preflight: answerOf(preflight) }) });
    const someBrowserGoesOn = options.browsers.some((b) => afterPreflight[b].stage !== 'preflight');
    let actual: Exchange | undefined;
    if (!needsPreflight || someBrowserGoesOn || options.forceActual) {
      actual = await send('actual', {
        method: planned.method,
        url: page.url,
        headers: actualHeaders({
          origin: page.origin,
          url: page.url,
          headers: splitRequestHeaders(page.headers).lines,
          credentials: page.credentials,
          ...(page.body !== undefined && { body: page.body }),
          ...(page.cookie !== undefined && { cookie: page.cookie }),
        }),
        ...(page.body !== undefined && { body: page.body }),
      });
      if (actual.error) return finish(base, true, preflight);
    }

    await diagnose(page, planned, preflight, actual, send);
    return finish(base, false, preflight, actual);
  } finally {
    await dispatcher.close();
  }

  function finish(
    base: Scenario,
    unreachable: boolean,
    preflight?: Exchange,
    actual?: Exchange,
  ): ProbeResult {
    const scenario: Scenario = {
      ...base,
      ...(preflight?.response && { preflight: answerOf(preflight) }),
      ...(actual?.response && { response: answerOf(actual) }),
    };
    return { exchanges, scenario, simulation: simulate(scenario), unreachable };
  }
}

const hasCorsHeaders = (headers: HeaderList) => headers.some(([n]) => /^access-control-/i.test(n));

/** Extra requests a senior engineer would send by hand to tell causes apart. */
async function diagnose(
  page: PageFetch,
  planned: SimulationResult,
  preflight: Exchange | undefined,
  actual: Exchange | undefined,
  send: (kind: Exchange['kind'], request: RecordedRequest, purpose?: string) => Promise<Exchange>,
): Promise<void> {
  // A simple request came back without Access-Control-Allow-Origin: ask the CORS layer directly, with a
  // preflight, whether it exists and whether it knows this origin (Starlette names the refusal in the body).
  if (
    !preflight &&
    actual?.response &&
    getHeader(actual.response.headers, 'Access-Control-Allow-Origin') === null
  ) {
    await send(
      'diagnostic',
      {
        method: 'OPTIONS',
        url: page.url,
        headers: preflightHeaders(
          [
            ['Accept', '*/*'],
            ['Access-Control-Request-Method', planned.method],
            ['Origin', page.origin],
          ],
          page.origin,
          page.url,
        ),
      },
      'is there a CORS layer, and does it allow this origin?',
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
