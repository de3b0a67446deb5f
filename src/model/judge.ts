/**
 * The final verdict on recorded exchanges: the browser model's simulation, plus what happens before or
 * beneath CORS (mixed content, a port browsers refuse, a request that got no answer). Every gatherer's exchanges are judged here,
 * so no caller patches verdicts afterwards.
 */
import { badPortOf } from './bad-port.js';
import { isMixedContent } from './mixed-content.js';
import { simulate } from './simulate.js';
import type { BrowserVerdict, Scenario, SimulationResult, SpecVerdict } from './types.js';

/** What the network did, beyond the answers in the scenario. */
export interface NetworkFacts {
  /** A request of the chain got no HTTP answer (connection refused, DNS, TLS, timeout). */
  unreachable?: boolean;
}

/** Blocked by the network layer: `fetch()` rejects with a TypeError, and no CORS line is printed. */
function networkBlocked(preflight: boolean): BrowserVerdict {
  return { outcome: 'blocked', preflight, stage: 'network', messages: [], warnings: [] };
}

/** What Chrome, Firefox and the Fetch standard do with the page's fetch() and the answers it got. */
export function judge(scenario: Scenario, network: NetworkFacts = {}): SimulationResult {
  const result = simulate(scenario);
  if (isMixedContent(scenario.origin, scenario.request.url)) {
    const spec: SpecVerdict = {
      outcome: 'blocked',
      preflight: false,
      stage: 'network',
      reason: 'mixed content',
    };
    return { ...result, chrome: networkBlocked(false), firefox: networkBlocked(false), spec };
  }
  if (badPortOf(scenario.request.url) !== undefined) {
    const spec: SpecVerdict = { outcome: 'blocked', preflight: false, stage: 'network', reason: 'bad port' };
    return { ...result, chrome: networkBlocked(false), firefox: networkBlocked(false), spec };
  }
  if (network.unreachable) {
    const spec: SpecVerdict = {
      outcome: 'blocked',
      preflight: result.spec.preflight,
      stage: 'network',
      reason: 'network error',
    };
    return {
      ...result,
      chrome: networkBlocked(result.chrome.preflight),
      firefox: networkBlocked(result.firefox.preflight),
      spec,
    };
  }
  return result;
}
