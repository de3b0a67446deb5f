/**
 * `verify`: runs the page's `fetch()` in a real, headless browser from a page at the page's origin that
 * is served from inside the browser (request interception), so any origin works, https included, and no
 * frontend server is needed. Only the page document is answered that way; the API request goes to the
 * network. The browsers run one after the other, each closed before the next starts.
 */
import type { CookieData } from 'puppeteer-core';
import { CorsDoctorError } from '../core/errors.js';
import type { PageFetch } from '../core/page.js';
import type { BrowserName } from '../model/types.js';
import {
  type BrowserLocation,
  DEBIAN_PACKAGE,
  findBrowser,
  type LaunchedBrowser,
  launchBrowser,
} from './launch.js';
import { openObservationPage } from './observe.js';
import { isPotentiallyTrustworthyHost, parseCookieHeader, type RealRun } from './verify-report.js';

/** No browser that was asked for can be found: one line naming what to install. */
export class BrowserNotFoundError extends CorsDoctorError {
  override name = 'BrowserNotFoundError';
  override readonly code = 'CD_ERR_BROWSER_NOT_FOUND';
}

export interface FoundBrowsers {
  found: Array<Extract<BrowserLocation, { found: true }>>;
  /** Each browser asked for that cannot be found, with the line naming what to install. */
  missing: Array<Extract<BrowserLocation, { found: false }>>;
}

/**
 * Finds each browser asked for (`CHROME_PATH` / `FIREFOX_PATH`, then the usual places). Throws
 * `BrowserNotFoundError` when none is found; with one of two found, the other is listed as missing.
 */
export function findBrowsers(
  names: readonly BrowserName[],
  env: NodeJS.ProcessEnv = process.env,
): FoundBrowsers {
  const result: FoundBrowsers = { found: [], missing: [] };
  for (const name of names) {
    const location = findBrowser(name, undefined, env);
    if (location.found) result.found.push(location);
    else result.missing.push(location);
  }
  if (result.found.length > 0) return result;
  if (result.missing.length === 1)
    throw new BrowserNotFoundError((result.missing[0] as { reason: string }).reason);
  const packages = names.map((n) => DEBIAN_PACKAGE[n]).join(' ');
  throw new BrowserNotFoundError(
    `no browser found (neither Chrome/Chromium nor Firefox in the usual places; CHROME_PATH and FIREFOX_PATH name others): install them with \`apt-get install -y ${packages}\``,
  );
}

export interface RunOptions {
  /** Milliseconds the page's fetch() may take. */
  fetchTimeoutMs: number;
  /** Milliseconds the browser may take to start. */
  launchTimeoutMs?: number;
}

/** `Chrome/156.0.8078.108`, `HeadlessChrome/…`, `firefox/153.8.0` -> the version number. */
export function versionNumber(product: string): string {
  return /\/([\w.-]+)\s*$/.exec(product.trim())?.[1] ?? product.trim();
}

/**
 * The cookies the browser holds for the API, as the API would have set them for this page: Secure and
 * `SameSite=None` where the API's host allows Secure (https, loopback), so that cross-site requests carry
 * them; in Firefox also in the page's partition (Total Cookie Protection keeps cross-site cookies there).
 */
export function apiCookies(page: PageFetch, name: BrowserName): CookieData[] {
  if (page.cookie === undefined) return [];
  const api = new URL(page.url);
  const secure = api.protocol === 'https:' || isPotentiallyTrustworthyHost(api.hostname);
  const domain = api.hostname.replace(/^\[|\]$/g, '');
  const cookies: CookieData[] = [];
  for (const [cookieName, value] of parseCookieHeader(page.cookie)) {
    const cookie: CookieData = {
      name: cookieName,
      value,
      domain,
      path: '/',
      ...(secure ? { secure: true, sameSite: 'None' as const } : {}),
    };
    cookies.push(cookie);
    if (name === 'firefox' && page.origin !== 'null') cookies.push({ ...cookie, partitionKey: page.origin });
  }
  return cookies;
}

/** The browser could not start or could not run the page (one line, from the browser driver). */
export class BrowserRunError extends CorsDoctorError {
  override name = 'BrowserRunError';
  override readonly code = 'CD_ERR_BROWSER_RUN';
}

/** Launches one browser, runs the page's fetch() once, closes the browser; `ms` covers all of it. */
export async function runInBrowser(
  location: Extract<BrowserLocation, { found: true }>,
  page: PageFetch,
  opts: RunOptions,
): Promise<RealRun> {
  const started = performance.now();
  let launched: LaunchedBrowser;
  try {
    launched = await launchBrowser(location.name, {
      executablePath: location.executable,
      thirdPartyCookies: true,
      allowLocalNetworkAccess: true,
      oneShot: true,
      ...(opts.launchTimeoutMs !== undefined && { timeout: opts.launchTimeoutMs }),
    });
  } catch (error) {
    throw new BrowserRunError(firstLine(error));
  }
  let run: Omit<RealRun, 'ms'>;
  try {
    run = await fetchInPage(launched, location.executable, page, opts);
  } catch (error) {
    throw new BrowserRunError(`${location.name} (${location.executable}): ${firstLine(error)}`);
  } finally {
    await launched.close();
  }
  return { ...run, ms: Math.round(performance.now() - started) };
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}

async function fetchInPage(
  launched: LaunchedBrowser,
  executable: string,
  page: PageFetch,
  opts: RunOptions,
): Promise<Omit<RealRun, 'ms'>> {
  const cookies = apiCookies(page, launched.name);
  if (cookies.length > 0) await launched.browser.setCookie(...cookies);
  const observation = await openObservationPage(launched, `${page.origin}/`, {
    servePage: true,
    fetchTimeoutMs: opts.fetchTimeoutMs,
  });
  try {
    const run = await observation.observe({
      url: page.url,
      method: page.method,
      headers: page.headers,
      credentials: page.credentials,
      ...(page.body !== undefined && { body: page.body }),
    });
    return {
      executable,
      version: versionNumber(await launched.browser.version()),
      outcome: run.outcome,
      ...(run.status !== undefined && { status: run.status }),
      ...(run.errorText !== undefined && { errorText: run.errorText }),
      messages: run.messages,
      warnings: run.warnings,
      otherConsole: run.otherConsole,
    };
  } finally {
    await observation.close();
  }
}

/** Runs the page's fetch() in each browser found, one after the other; `onRun` hears each as it ends. */
export async function runInBrowsers(
  found: FoundBrowsers['found'],
  page: PageFetch,
  opts: RunOptions,
  onRun?: (name: BrowserName, run: RealRun) => void,
): Promise<Partial<Record<BrowserName, RealRun>>> {
  const runs: Partial<Record<BrowserName, RealRun>> = {};
  for (const location of found) {
    const run = await runInBrowser(location, page, opts);
    runs[location.name] = run;
    onRun?.(location.name, run);
  }
  return runs;
}
