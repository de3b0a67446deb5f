/**
 * Replays `Scenario`s in a real browser against a scripted server and reports what the browser
 * did with each: allowed or blocked, whether a preflight reached the server, and the console lines.
 */
import type { BrowserName, HeaderList, Scenario } from '../model/types.js';
import { type LaunchBrowserOptions, type LaunchedBrowser, launchBrowser } from './launch.js';
import { type ObservedRun, type ObserveOptions, openObservationPage } from './observe.js';

/** What the scripted server saw for one scenario. */
export interface ServerLog {
  /** Whether an OPTIONS request arrived. */
  preflight: boolean;
  preflightRequest?: {
    origin: string | undefined;
    accessControlRequestMethod: string | undefined;
    accessControlRequestHeaders: string | undefined;
    headers: HeaderList;
  };
  /** The actual (non-OPTIONS) request, when it reached the server. */
  actual?: { method: string; headers: HeaderList };
}

/**
 * The scripted server a replay runs against: it serves the page and answers each scenario's URL
 * from the scenario's `preflight` and `response`.
 */
export interface ScenarioHost {
  /** A blank page served at the scenarios' `origin`. */
  pageUrl: string;
  /** Makes the server answer the scenario's URL; returns the key of its log. Clears an older log. */
  register(scenario: Scenario): string;
  log(key: string): ServerLog;
}

export interface ReplayedScenario extends ObservedRun {
  /** Whether the server saw an OPTIONS request for this scenario. */
  preflight: boolean;
  /** What the server saw. */
  server: ServerLog;
}

export interface ReplayOptions extends ObserveOptions {
  host: ScenarioHost;
  onProgress?: (done: number, total: number, result: ReplayedScenario) => void;
  /** Console lines of scenario `index` that arrived after its settle time (should not happen). */
  onLateLines?: (index: number, lines: string[]) => void;
  /** Reuse an already launched browser (it is left open). */
  browser?: LaunchedBrowser;
  launch?: LaunchBrowserOptions;
}

/**
 * Replays each scenario in one browser and one page, in order. Scenarios must use the host's page
 * origin and distinct URLs on the host (a shared URL would let the preflight cache hide a preflight).
 */
export async function replayScenarios(
  browserName: BrowserName,
  scenarios: readonly Scenario[],
  opts: ReplayOptions,
): Promise<ReplayedScenario[]> {
  const pageOrigin = new URL(opts.host.pageUrl).origin;
  const seen = new Set<string>();
  for (const scenario of scenarios) {
    if (scenario.origin !== pageOrigin) {
      throw new Error(`scenario origin ${scenario.origin} is not the page origin ${pageOrigin}`);
    }
    if (seen.has(scenario.request.url))
      throw new Error(`two scenarios share the URL ${scenario.request.url}`);
    seen.add(scenario.request.url);
  }

  const launched = opts.browser ?? (await launchBrowser(browserName, opts.launch));
  try {
    const page = await openObservationPage(launched, opts.host.pageUrl, opts);
    try {
      const results: ReplayedScenario[] = [];
      for (const scenario of scenarios) {
        const key = opts.host.register(scenario);
        const straysBefore = page.strays.length;
        const run = await page.observe(scenario.request);
        if (page.strays.length > straysBefore) {
          opts.onLateLines?.(results.length - 1, page.strays.slice(straysBefore));
        }
        const server = structuredClone(opts.host.log(key));
        const result: ReplayedScenario = { ...run, preflight: server.preflight, server };
        results.push(result);
        opts.onProgress?.(results.length, scenarios.length, result);
      }
      return results;
    } finally {
      await page.close();
    }
  } finally {
    if (!opts.browser) await launched.close();
  }
}
