import { describe, expect, it } from 'vitest';
import { checkRow, type Row } from './fixture-rows.js';

/**
 * HARs as they come from production and from real broken setups: behind nginx and CDNs, sanitized
 * exports, requests Chrome refused itself, and HARs Chromium recorded against the apps of
 * test/fixtures/broken. What `har` finds in each, and its verdict.
 */
const PROD = 'https://api.example.com';

const ROWS: Row[] = [
  // HARs saved in production, behind nginx and CDNs.
  {
    file: 'chrome-nginx-duplicate-allow-origin.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${PROD}/items`,
        verdict: ['blocked', 'actual'],
        causes: ['duplicate-cors-headers'],
        credentials: 'unknown, same either way',
      },
    ],
  },
  {
    file: 'chrome-sanitized-wildcard-credentials.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${PROD}/me`,
        verdict: ['blocked', 'actual'],
        // No Cookie in a sanitized export: Chrome's recorded refusal says the page sent credentials.
        causes: ['wildcard-with-credentials'],
        credentials: 'unknown, judged include, other allowed',
      },
    ],
  },
  {
    file: 'chrome-redirect-to-login.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${PROD}/me`,
        verdict: ['blocked', 'actual'],
        causes: ['redirect-to-other-origin'],
        credentials: 'unknown, same either way',
      },
    ],
  },
  {
    file: 'chrome-preflight-403-cdn.har',
    exit: 1,
    requests: [
      {
        method: 'PUT',
        url: `${PROD}/items/1`,
        verdict: ['blocked', 'preflight'],
        causes: ['preflight-rejected'],
        credentials: 'unknown, same either way',
      },
    ],
  },
  {
    file: 'chrome-status-0-no-answer.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${PROD}/items`,
        // Chrome refused it (net::ERR_FAILED) and the export kept no answer: not a server that is down.
        verdict: ['blocked', 'network'],
        causes: [],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      const r = report.requests[0];
      expect(r?.notes.join(' ')).toMatch(/the HAR keeps no answer for it \(status 0, no headers\)/);
      expect(r?.har.replay).toBe(
        'cors-doctor check https://api.example.com/items --origin https://app.example.com',
      );
    },
  },
  {
    file: 'chrome-page-no-cors-layer.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${PROD}/items`,
        verdict: ['blocked', 'actual'],
        // Alone, an answer without any CORS header tells nothing; the PUT's preflight (405) tells.
        causes: ['no-cors-middleware'],
        credentials: 'unknown, same either way',
      },
      {
        method: 'PUT',
        url: `${PROD}/items/1`,
        verdict: ['blocked', 'preflight'],
        causes: ['no-cors-middleware'],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      expect(report.requests[0]?.causes[0]?.evidence).toEqual([
        'entry 3: OPTIONS https://api.example.com/items/1 (another request of the page to https://api.example.com) -> 405 Method Not Allowed with no Access-Control-Allow-* header (405: the router answered the preflight, no CORS layer did)',
        'entry 1: GET https://api.example.com/items -> 200 OK with no Access-Control-Allow-Origin',
      ]);
    },
  },
  {
    file: 'chrome-page-origin-refused.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${PROD}/items`,
        verdict: ['blocked', 'actual'],
        // The PUT's preflight was refused by a CORS layer (its lists, no Access-Control-Allow-Origin).
        causes: ['origin-not-allowed'],
        credentials: 'unknown, same either way',
      },
      {
        method: 'PUT',
        url: `${PROD}/items/1`,
        verdict: ['blocked', 'preflight'],
        causes: ['origin-not-allowed'],
        credentials: 'unknown, same either way',
      },
    ],
  },
  {
    file: 'chrome-express-header-not-listed.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${PROD}/items`,
        // A 2xx preflight: the browser itself refuses what its lists lack (with credentials, also the
        // Access-Control-Allow-Credentials the answer does not carry).
        verdict: ['blocked', 'preflight'],
        causes: ['header-not-allowed'],
        credentials: 'unknown, judged same-origin, other blocked',
      },
    ],
  },
  {
    file: 'chrome-mixed-content.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: 'http://api.example.com/items',
        // Recorded by Chromium: status 0, no error text, an empty Referer; the page's origin from the HAR's page.
        verdict: ['blocked', 'network'],
        causes: ['mixed-content'],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      expect(report.requests[0]?.har.originFrom).toBe("the HAR's page");
    },
  },
  {
    file: 'chrome-blocked-by-extension.har',
    exit: 1,
    requests: [
      {
        method: 'POST',
        url: `${PROD}/events`,
        verdict: ['blocked', 'network'],
        causes: [],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      expect(report.requests[0]?.notes.join(' ')).toMatch(
        /\(net::ERR_BLOCKED_BY_CLIENT\): an extension \(an ad or privacy blocker\)/,
      );
    },
  },
  // Recorded by Chromium against the apps of test/fixtures/broken (methods-comma-string, frontend-lowercase-patch).
  {
    file: 'chrome-starlette-methods-one-string.har',
    exit: 1,
    requests: [
      {
        method: 'PUT',
        url: 'http://127.0.0.1:35519/notes/1',
        verdict: ['blocked', 'preflight'],
        // Access-Control-Allow-Methods: DELETE,GET,POST,PUT lists PUT for a browser, not for Starlette.
        causes: ['method-not-allowed'],
        credentials: 'unknown, judged same-origin, other blocked',
      },
    ],
    check(report) {
      expect(report.requests[0]?.causes[0]?.fix?.summary).toBe(
        'Write each method as an item of its own: allow_methods=["DELETE", "GET", "POST", "PUT"].',
      );
    },
  },
  {
    file: 'chrome-lowercase-patch.har',
    exit: 1,
    requests: [
      {
        method: 'patch',
        url: 'http://127.0.0.1:37621/tasks/1',
        verdict: ['blocked', 'preflight'],
        // The server lists PATCH; the page wrote 'patch', which fetch() sends as written.
        causes: ['frontend-request-invalid'],
        credentials: 'unknown, same either way',
      },
    ],
  },
  // Recorded by Chromium through nginx (test/fixtures/broken/trailing-slash-route-redirect): the export
  // drops Authorization, which the preflight names; the redirect to the app's own port drops it for real.
  {
    file: 'chrome-redirect-drops-authorization.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: 'http://127.0.0.1:35069/items',
        verdict: ['blocked', 'actual'],
        causes: ['redirect-drops-authorization'],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      const r = report.requests[0];
      expect(
        r?.exchanges.map((x) => [x.kind, x.hop ?? 0, x.request.headers.some(([n]) => n === 'Authorization')]),
      ).toEqual([
        ['preflight', 0, false],
        ['actual', 0, true],
        ['actual', 1, false],
      ]);
    },
  },
];

describe('har on HAR files saved in production and from broken setups', () => {
  it.each(ROWS)('$file', checkRow);
});
