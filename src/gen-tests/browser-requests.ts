/**
 * The requests a browser sends for the page's fetch(), as the browser model plans them: the preflight when
 * one is sent, the request, and the request it sends after a redirect to the same origin (by the
 * redirect's status). Each with the checks Chrome makes on the preflight's answer, in Chrome's order.
 */
import type { PageFetch } from '../core/page.js';
import { pageScenario } from '../core/page.js';
import { actualHeaders, preflightHeaders } from '../evidence/probe/browser-request.js';
import { evaluateChrome } from '../model/engines/chrome.js';
import { getHeader } from '../model/header-list.js';
import { isCorsSafelistedMethod } from '../model/method.js';
import { isMixedContent } from '../model/mixed-content.js';
import { firstRequest, nextRequest, type PlannedRequest, preflightFor } from '../model/plan.js';
import { serializeOrigin } from '../model/request.js';
import type { BrowserName, HeaderList, ServerAnswer } from '../model/types.js';

/** The browsers whose requests are sent: Chrome's preflight first (its console text is quoted). */
export const BROWSERS: BrowserName[] = ['chrome', 'firefox'];

/** The redirect statuses a browser follows. */
export const REDIRECT_STATUSES = [301, 302, 303, 307, 308] as const;

/** The preflight a browser sends before a request, and what its answer must allow. */
export interface PlannedPreflight {
  /** The OPTIONS request's header lines, as the browser sends them. */
  headers: HeaderList;
  /** The method `Access-Control-Allow-Methods` must name; absent for a safelisted method. */
  method?: string;
  /**
   * The request-header names `Access-Control-Allow-Headers` must name (lower-case), in the order Chrome
   * checks them: the first one missing is the one its console line names.
   */
  headerNames: string[];
}

/** One request a browser sends (the first, or one after a redirect). */
export interface BrowserRequest {
  /** `request` for the page's request; `request-1`, ... for a different request after a redirect. */
  id: string;
  method: string;
  /** Header lines of the request as the browser sends it (Origin, the page's headers, Cookie, ...). */
  headers: HeaderList;
  body?: string;
  preflight?: PlannedPreflight;
  /** The request the browser sends next after a redirect to the same origin, by the redirect's status. */
  afterRedirect: Partial<Record<(typeof REDIRECT_STATUSES)[number], string>>;
}

/** An answer that allows the request, to ask the model what comes next (a redirect, the header order). */
function allowingHeaders(request: PlannedRequest, allowHeaders: string[]): HeaderList {
  return [
    ['Access-Control-Allow-Origin', request.origin],
    ['Access-Control-Allow-Credentials', 'true'],
    ['Access-Control-Allow-Methods', request.method],
    ['Access-Control-Allow-Headers', allowHeaders.join(', ')],
  ];
}

/**
 * The unsafe header names in the order Chrome checks them, found by asking the Chrome model which name
 * its message names when the names found so far are allowed.
 */
function chromeCheckOrder(request: PlannedRequest, names: string[]): string[] {
  const order: string[] = [];
  const remaining = [...names];
  while (remaining.length > 1) {
    const answer: ServerAnswer = { status: 200, headers: allowingHeaders(request, order) };
    const verdict = evaluateChrome({ ...request.state, preflight: answer });
    const next =
      verdict.failure?.error === 'HeaderDisallowedByPreflightResponse' ? verdict.failure.hint : undefined;
    if (next === undefined || !remaining.includes(next)) break;
    order.push(next);
    remaining.splice(remaining.indexOf(next), 1);
  }
  return [...order, ...remaining];
}

function plannedPreflight(request: PlannedRequest, pageUrl: string): PlannedPreflight | undefined {
  const lines = preflightFor(request, BROWSERS);
  if (!lines) return undefined;
  // The names the preflight asks for (a browser may ask for names Chrome would not): Chrome's order first.
  const asked = (getHeader(lines, 'Access-Control-Request-Headers') ?? '').split(',').filter(Boolean);
  const chromeOrder = chromeCheckOrder(request, evaluateChrome(request.state).unsafeNames);
  return {
    headers: preflightHeaders(lines, request.origin, pageUrl),
    ...(!isCorsSafelistedMethod(request.method.toUpperCase()) && { method: request.method }),
    headerNames: [
      ...chromeOrder.filter((name) => asked.includes(name)),
      ...asked.filter((name) => !chromeOrder.includes(name)),
    ],
  };
}

const keyOf = (request: PlannedRequest): string =>
  JSON.stringify([request.method, request.origin, request.headerLines, request.body ?? null]);

/**
 * The requests the browser sends for `page`: the first, then each different request it sends after a
 * redirect to the same origin (a 303 turns a PUT into a GET without its body, ...).
 */
export function browserRequests(page: PageFetch): BrowserRequest[] {
  const first = firstRequest(pageScenario(page));
  const planned: PlannedRequest[] = [first];
  const ids = new Map<string, string>([[keyOf(first), 'request']]);
  const out: BrowserRequest[] = [];
  for (let i = 0; i < planned.length; i++) {
    const request = planned[i] as PlannedRequest;
    const afterRedirect: BrowserRequest['afterRedirect'] = {};
    // The preflight (when one is sent) passes, so that the model goes on to the redirect.
    const unsafeNames = evaluateChrome(request.state).unsafeNames;
    const passed: PlannedRequest = {
      ...request,
      state: { ...request.state, preflight: { status: 200, headers: allowingHeaders(request, unsafeNames) } },
    };
    for (const status of REDIRECT_STATUSES) {
      const location = new URL('/', request.url).href;
      const answer: ServerAnswer = {
        status,
        headers: [['Location', location], ...allowingHeaders(request, [])],
      };
      const next = nextRequest(passed, answer, BROWSERS);
      if (!next) continue;
      const key = keyOf(next);
      let id = ids.get(key);
      if (id === undefined) {
        id = `request-${planned.length}`;
        ids.set(key, id);
        planned.push(next);
      }
      afterRedirect[status] = id;
    }
    const preflight = plannedPreflight(request, page.url);
    out.push({
      id: ids.get(keyOf(request)) as string,
      method: request.method,
      headers: actualHeaders({
        origin: request.origin,
        url: page.url,
        headers: request.headerLines,
        credentials: page.credentials,
        ...(request.body !== undefined && { body: request.body }),
        ...(page.cookie !== undefined && { cookie: page.cookie }),
      }),
      ...(request.body !== undefined && { body: request.body }),
      ...(preflight && { preflight }),
      afterRedirect,
    });
  }
  return out;
}

/**
 * Why the browser makes no CORS check a test could assert (one line), or undefined: a same-origin request
 * passes without one, and mixed content is blocked before any.
 */
export function noCorsCheck(page: PageFetch): string | undefined {
  if (serializeOrigin(page.url) === page.origin) {
    return `${page.url} is on the page's own origin (${page.origin}): the browser makes no CORS check, so there is nothing to test`;
  }
  if (isMixedContent(page.origin, page.url)) {
    return `an https page cannot fetch ${page.url} (mixed content, blocked before any CORS check): call the API over https`;
  }
  return undefined;
}
