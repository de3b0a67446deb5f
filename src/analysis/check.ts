// `check`: the live probe (or any transport given) gathers the exchanges, and the analysis core judges them.
import type { PageFetch } from '../core/page.js';
import type { CheckReport } from '../core/report.js';
import { type ProbeOptions, probeLikeBrowser } from '../evidence/probe/probe.js';
import { analyze } from './analyze.js';

/**
 * Replays the page's request against the live server as the browsers would, evaluates the answers with
 * the browser model and names the root causes.
 */
export async function check(page: PageFetch, options: ProbeOptions): Promise<CheckReport> {
  return analyze(page, await probeLikeBrowser(page, options), options.browsers);
}
