/**
 * Runs `fetch()` in a real page and records what the browser did: whether the page could read the
 * response, and the CORS console lines the browser printed for that request.
 *
 * Chromium prints CORS errors as console messages (CDP Log domain) followed by
 * `Failed to load resource: net::ERR_FAILED`; Firefox reports them as log entries of type
 * `javascript` over WebDriver BiDi. After each fetch a console sentinel is logged and awaited, then a
 * short settle time passes, so every line of run N is in before run N+1 starts.
 */
import type { CDPSession, ConsoleMessage, Page } from 'puppeteer-core';
import type { CredentialsMode, HeaderList, Outcome, RequestMode } from '../model/types.js';
import type { LaunchedBrowser } from './launch.js';

/** The `fetch()` call the page makes. */
export interface ObservedRequest {
  url: string;
  method: string;
  headers?: HeaderList | Record<string, string>;
  credentials?: CredentialsMode;
  mode?: RequestMode;
  body?: string;
}

export interface ObservedRun {
  outcome: Outcome;
  /** The response status the page saw, when allowed. */
  status?: number;
  /** The rejection of `fetch()` as the page saw it, when blocked. */
  errorText?: string;
  /** CORS console error lines, exact text, in arrival order. */
  messages: string[];
  /** Console warning lines, exact text. */
  warnings: string[];
  /** Every other console line (e.g. Chromium's `Failed to load resource: net::ERR_FAILED`). */
  otherConsole: string[];
  /** Chromium DevTools issues (`Audits.issueAdded`), as `CorsIssue:<corsError>` or `<code>:<type>`. */
  issues: string[];
}

export interface ObserveOptions {
  /** Milliseconds to keep listening after the sentinel arrives. */
  settleMs?: number;
  /** Milliseconds to wait for `fetch()` to settle. */
  fetchTimeoutMs?: number;
  /**
   * Serve a blank page at `pageUrl` from inside the browser (request interception) instead of loading it
   * from the network: the page then has any origin, e.g. the user's real frontend origin.
   */
  servePage?: boolean;
}

/** One page, navigated once, that runs fetches one after the other. */
export interface ObservationPage {
  observe(request: ObservedRequest): Promise<ObservedRun>;
  /** Lines that arrived between runs, after a run's settle time: should stay empty. */
  readonly strays: string[];
  close(): Promise<void>;
}

type Level = 'error' | 'warning' | 'other';

interface Entry {
  level: Level;
  text: string;
}

const DEFAULT_SETTLE_MS: Record<LaunchedBrowser['name'], number> = { chrome: 0, firefox: 20 };
const SENTINEL = 'cors-doctor:sentinel:';
const CORS_ERROR = /CORS|Cross-Origin Request|Access-Control-|Access to fetch at|Fetch API cannot load/;

/** Opens a page at `pageUrl` (the page origin) that observes fetches. */
export async function openObservationPage(
  launched: LaunchedBrowser,
  pageUrl: string,
  opts: ObserveOptions = {},
): Promise<ObservationPage> {
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS[launched.name];
  const fetchTimeoutMs = opts.fetchTimeoutMs ?? 15_000;
  const page = await launched.browser.newPage();
  const entries: Entry[] = [];
  const issues: string[] = [];
  const strays: string[] = [];
  let sentinelSeen = '';
  let wake: (() => void) | undefined;

  const push = (level: Level, text: string) => {
    if (text.startsWith(SENTINEL)) {
      sentinelSeen = text;
      wake?.();
      return;
    }
    entries.push({ level, text });
  };

  if (launched.name === 'firefox') listenBidiLog(page, push);
  else page.on('console', (msg: ConsoleMessage) => push(consoleLevel(msg.type()), msg.text()));
  const cdp = launched.name === 'chrome' ? await listenIssues(page, issues) : undefined;

  if (opts.servePage) await serveBlankPage(page, pageUrl);
  await page.goto(pageUrl, { waitUntil: 'load' });
  let counter = 0;

  const waitForSentinel = async (id: string) => {
    const deadline = Date.now() + 5_000;
    while (sentinelSeen !== id) {
      if (Date.now() > deadline) throw new Error(`console sentinel ${id} never arrived`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    wake = undefined;
  };

  return {
    strays,
    async observe(request) {
      if (entries.length > 0) strays.push(...entries.splice(0).map((e) => `${e.level}: ${e.text}`));
      issues.length = 0;
      const result = await page.evaluate(runFetch, toInit(request), fetchTimeoutMs);
      const id = `${SENTINEL}${++counter}`;
      await page.evaluate((text) => console.log(text), id);
      await waitForSentinel(id);
      if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));

      const run: ObservedRun = {
        outcome: result.ok ? 'allowed' : 'blocked',
        messages: [],
        warnings: [],
        otherConsole: [],
        issues: issues.splice(0),
      };
      if (result.ok) run.status = result.status;
      else run.errorText = result.error;
      for (const { level, text } of entries.splice(0)) {
        if (level === 'error' && CORS_ERROR.test(text)) run.messages.push(text);
        else if (level === 'warning') run.warnings.push(text);
        else run.otherConsole.push(`${level}: ${text}`);
      }
      return run;
    },
    async close() {
      await cdp?.detach().catch(() => undefined);
      await page.close().catch(() => undefined);
    },
  };
}

/** Answers the navigation to `pageUrl` with a blank page; every other request goes to the network untouched. */
async function serveBlankPage(page: Page, pageUrl: string): Promise<void> {
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.isInterceptResolutionHandled()) return;
    if (request.isNavigationRequest() && request.url() === pageUrl) {
      void request.respond({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>cors-doctor</title>',
      });
    } else {
      void request.continue();
    }
  });
}

/** Opens a page, observes one fetch, and closes the page. */
export async function observeFetch(
  launched: LaunchedBrowser,
  pageUrl: string,
  request: ObservedRequest,
  opts?: ObserveOptions,
): Promise<ObservedRun> {
  const page = await openObservationPage(launched, pageUrl, opts);
  try {
    return await page.observe(request);
  } finally {
    await page.close();
  }
}

interface FetchInit {
  url: string;
  method: string;
  headers: Array<[string, string]>;
  credentials: CredentialsMode;
  mode: RequestMode;
  body?: string;
}

type FetchResult = { ok: true; status: number } | { ok: false; error: string };

function toInit(request: ObservedRequest): FetchInit {
  const headers = Array.isArray(request.headers) ? request.headers : Object.entries(request.headers ?? {});
  const init: FetchInit = {
    url: request.url,
    method: request.method,
    headers: headers.map(([n, v]) => [n, v]),
    credentials: request.credentials ?? 'same-origin',
    mode: request.mode ?? 'cors',
  };
  if (request.body !== undefined) init.body = request.body;
  return init;
}

/** Runs in the page. */
async function runFetch(init: FetchInit, timeoutMs: number): Promise<FetchResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const requestInit: RequestInit = {
      method: init.method,
      headers: init.headers,
      credentials: init.credentials,
      mode: init.mode,
      cache: 'no-store',
      signal: controller.signal,
    };
    if (init.body !== undefined) requestInit.body = init.body;
    const response = await fetch(init.url, requestInit);
    await response.text().catch(() => '');
    return { ok: true, status: response.status };
  } catch (error) {
    return { ok: false, error: String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function consoleLevel(type: string): Level {
  if (type === 'error') return 'error';
  if (type === 'warn' || type === 'warning') return 'warning';
  return 'other';
}

interface BidiLogEntry {
  type?: string;
  level?: string;
  text?: string | null;
  source?: { context?: string };
}

interface BidiEmitter {
  on(event: 'log', listener: (event: { entry: BidiLogEntry }) => void): unknown;
}

/**
 * Firefox: listens to BiDi `log.entryAdded` on the page's browsing context directly, because
 * puppeteer's `pageerror` event drops the entry's level (error or warning).
 */
function listenBidiLog(page: Page, push: (level: Level, text: string) => void): void {
  const frame = page.mainFrame() as unknown as { browsingContext?: BidiEmitter; _id?: string };
  const context = frame.browsingContext;
  if (!context) {
    page.on('console', (msg: ConsoleMessage) => push(consoleLevel(msg.type()), msg.text()));
    page.on('pageerror', (error: unknown) =>
      push('error', error instanceof Error ? error.message : String(error)),
    );
    return;
  }
  context.on('log', ({ entry }) => {
    if (entry.source?.context !== frame._id) return;
    const level = entry.level === 'error' ? 'error' : entry.level === 'warn' ? 'warning' : 'other';
    push(level, entry.text ?? '');
  });
}

/** Chromium: records DevTools issues (CORS error names, deprecations) through a CDP session. */
async function listenIssues(page: Page, issues: string[]): Promise<CDPSession> {
  const session = await page.createCDPSession();
  session.on('Audits.issueAdded', ({ issue }) => {
    const cors = issue.details.corsIssueDetails;
    if (cors) {
      const parameter = cors.corsErrorStatus.failedParameter;
      issues.push(`CorsIssue:${cors.corsErrorStatus.corsError}${parameter ? ` (${parameter})` : ''}`);
      return;
    }
    const deprecation = issue.details.deprecationIssueDetails;
    if (deprecation) {
      issues.push(`DeprecationIssue:${deprecation.type}`);
      return;
    }
    issues.push(issue.code);
  });
  await session.send('Audits.enable');
  return session;
}
