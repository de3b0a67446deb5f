import { diagnose } from './causes/index.js';
import { isMixedContent } from './causes/rules/mixed-content.js';
import { type PageFetch, type ProbeOptions, probeLikeBrowser } from './evidence/probe/probe.js';
import type { BrowserName } from './model/types.js';
import type { CheckReport } from './report/check-json.js';

/**
 * Replays the page's request against the live server as the browsers would, evaluates the answers with
 * the browser model and names the root causes.
 */
export async function check(page: PageFetch, options: ProbeOptions): Promise<CheckReport> {
  const probe = await probeLikeBrowser(page, options);
  const browsers: BrowserName[] = options.browsers;
  const evidence = {
    page,
    browsers,
    exchanges: probe.exchanges,
    simulation: probe.simulation,
    unreachable: probe.unreachable,
  };
  const causes = diagnose(evidence);
  const verdicts = Object.fromEntries(browsers.map((b) => [b, probe.simulation[b]]));
  const notes: string[] = [];
  const actual = probe.exchanges.find((x) => x.kind === 'actual');
  const allowed = browsers.every((b) => probe.simulation[b].outcome === 'allowed');
  if (probe.unreachable) {
    for (const b of browsers)
      verdicts[b] = {
        outcome: 'blocked',
        preflight: probe.simulation[b].preflight,
        stage: 'network',
        messages: [],
        warnings: [],
      };
  } else if (allowed && actual?.response && actual.response.status >= 400) {
    notes.push(
      `CORS is fine: every browser lets the page read this response. The API itself answered ${actual.response.status}; that is not a CORS problem.`,
    );
  } else if (allowed && causes.length === 0) {
    notes.push('CORS is fine: every browser checked allows this request.');
  }
  if (isMixedContent(page.origin, page.url)) {
    for (const b of browsers)
      verdicts[b] = { outcome: 'blocked', preflight: false, stage: 'network', messages: [], warnings: [] };
  }
  return {
    url: page.url,
    origin: page.origin,
    request: { method: probe.simulation.method, headers: page.headers, credentials: page.credentials },
    browsers: verdicts,
    spec: probe.simulation.spec,
    exchanges: probe.exchanges,
    causes,
    notes,
  };
}
