import { evaluateChrome } from './engines/chrome.js';
import { evaluateFetchStandard } from './engines/fetch-standard.js';
import { evaluateFirefox } from './engines/firefox.js';
import { exposedResponseHeaders } from './expose.js';
import { chromeMessage, chromeWarningText } from './messages/chrome.js';
import { firefoxMessage, firefoxWarningText } from './messages/firefox.js';
import { type PreparedScenario, prepareScenario } from './request.js';
import type { BrowserVerdict, HeaderList, Scenario, SimulationResult } from './types.js';

/** The OPTIONS request a browser sends before the actual request (request headers, in order). */
export function preflightRequestHeaders(s: PreparedScenario, unsafeNames: string[]): HeaderList {
  const headers: HeaderList = [
    ['Accept', '*/*'],
    ['Access-Control-Request-Method', s.method],
  ];
  if (unsafeNames.length > 0) headers.push(['Access-Control-Request-Headers', unsafeNames.join(',')]);
  headers.push(['Origin', s.origin]);
  return headers;
}

function notCors(s: PreparedScenario): SimulationResult {
  const allowed: BrowserVerdict = { outcome: 'allowed', preflight: false, messages: [], warnings: [] };
  return {
    chrome: allowed,
    firefox: { ...allowed },
    spec: { outcome: 'allowed', preflight: false },
    method: s.method,
    droppedHeaders: s.droppedHeaders,
  };
}

/**
 * Predicts what Chrome, Firefox and the Fetch standard do with one cross-origin `fetch()`:
 * whether a preflight is sent, the outcome, the failing stage and the exact console text.
 */
export function simulate(scenario: Scenario): SimulationResult {
  const s = prepareScenario(scenario);
  if (!s.crossOrigin || s.mode === 'no-cors') return notCors(s);

  const chrome = evaluateChrome(s);
  const firefox = evaluateFirefox(s);
  const spec = evaluateFetchStandard(s);

  const chromeVerdict: BrowserVerdict = {
    outcome: chrome.outcome,
    preflight: chrome.preflight,
    ...(chrome.stage && { stage: chrome.stage }),
    messages: chrome.failure ? [chromeMessage(s.url, s.origin, chrome.failure)] : [],
    warnings: chrome.warnings.map(chromeWarningText),
    ...(chrome.failure && { reason: chrome.failure.error }),
  };
  const firefoxVerdict: BrowserVerdict = {
    outcome: firefox.outcome,
    preflight: firefox.preflight,
    ...(firefox.stage && { stage: firefox.stage }),
    messages: firefox.lines.map((line) => firefoxMessage(s.url, line)),
    warnings: firefox.warnings.map((w) => firefoxWarningText(s.url, w)),
    ...(firefox.failure && { reason: firefox.failure.key }),
  };
  for (const verdict of [chromeVerdict, firefoxVerdict]) {
    if (verdict.outcome === 'allowed') {
      verdict.exposedHeaders = exposedResponseHeaders(s.response.headers, s.includeCredentials);
    }
  }

  const result: SimulationResult = {
    chrome: chromeVerdict,
    firefox: firefoxVerdict,
    spec: {
      outcome: spec.outcome,
      preflight: spec.preflight,
      ...(spec.stage && { stage: spec.stage }),
      ...(spec.failure && {
        reason: spec.failure.detail ? `${spec.failure.reason} (${spec.failure.detail})` : spec.failure.reason,
      }),
    },
    method: s.method,
  };
  if (chrome.preflight) {
    result.preflightRequest = preflightRequestHeaders(s, chrome.unsafeNames);
    if (chrome.unsafeNames.length > 0) result.accessControlRequestHeaders = chrome.unsafeNames.join(',');
  }
  if (s.droppedHeaders.length > 0) result.droppedHeaders = s.droppedHeaders;
  return result;
}
