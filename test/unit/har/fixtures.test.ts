import { describe, expect, it } from 'vitest';
import type { HarReport } from '../../../src/evidence/har/types.js';
import { runCli } from '../../support/run-cli.js';
import { checkRow, type Row } from './fixture-rows.js';

/**
 * HAR files in the shapes Chrome's and Firefox's DevTools save (test/fixtures/har/*.har, written after the
 * HARs the integration tests record from the real browsers): what `har` finds in each, and its verdict.
 */
const API = 'http://localhost:8000';

const ROWS: Row[] = [
  {
    file: 'chrome-get-no-allow-origin.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${API}/items`,
        verdict: ['blocked', 'actual'],
        // An answer without any CORS header: which layer is missing takes a live probe.
        causes: [],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      const r = report.requests[0];
      expect(r?.browsers.chrome?.messages[0]).toBe(
        "Access to fetch at 'http://localhost:8000/items' from origin 'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      );
      expect(r?.har.recordedOutcome).toBe('blocked');
      expect(
        r?.exchanges.map((x) => [x.kind, x.response?.status, x.recorded?.entry, x.recorded?.browserError]),
      ).toEqual([['actual', 200, 1, 'net::ERR_FAILED']]);
      expect(r?.har.replay).toBe(
        'cors-doctor check http://localhost:8000/items --origin http://localhost:3000',
      );
    },
  },
  {
    file: 'chrome-put-preflight-401.har',
    exit: 1,
    requests: [
      {
        method: 'PUT',
        url: `${API}/items/1`,
        verdict: ['blocked', 'preflight'],
        causes: ['preflight-rejected'],
        credentials: 'unknown, same either way',
      },
    ],
    check(report, stdout) {
      const r = report.requests[0];
      // The PUT was never sent: only the preflight is an exchange; the header names come from it.
      expect(r?.exchanges.map((x) => [x.kind, x.response?.status])).toEqual([['preflight', 401]]);
      expect(r?.request.headers).toEqual([
        ['Content-Type', 'application/json'],
        ['Authorization', '***'],
      ]);
      expect(r?.har.entries).toEqual([1, 2]);
      expect(r?.notes.join(' ')).toMatch(/DevTools removes Authorization and Cookie/);
      expect(stdout).toContain(
        `"replay": "cors-doctor check http://localhost:8000/items/1 --origin http://localhost:3000 -X PUT -H 'Content-Type: application/json' -H 'Authorization: ***' --data '{\\"name\\":\\"Saw\\",\\"price\\":12}'"`,
      );
    },
  },
  {
    file: 'chrome-put-preflight-400-method.har',
    exit: 1,
    requests: [
      {
        method: 'PUT',
        url: `${API}/items/1`,
        verdict: ['blocked', 'preflight'],
        // Starlette's refusal body is not in the HAR; its Access-Control-Allow-Methods: GET is.
        causes: ['method-not-allowed'],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      const cause = report.requests[0]?.causes[0];
      expect(cause?.evidence.slice(0, 3)).toEqual([
        "entry 2: OPTIONS http://localhost:8000/items/1 asked for PUT -> 400 Bad Request, a refusal that carries the CORS layer's allow-lists",
        'the HAR keeps no body for this preflight (DevTools saves none), where Starlette writes "Disallowed CORS ...": the allow-lists of the same answer say what was refused',
        'Access-Control-Allow-Methods: GET does not contain PUT',
      ]);
    },
  },
  {
    file: 'chrome-get-preflight-400-headers.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${API}/me`,
        verdict: ['blocked', 'preflight'],
        causes: ['header-not-allowed'],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      expect(report.requests[0]?.causes[0]?.summary).toBe(
        'The preflight does not allow the request header authorization.',
      );
    },
  },
  {
    file: 'chrome-put-preflight-400-origin.har',
    exit: 1,
    requests: [
      {
        method: 'PUT',
        url: `${API}/items/1`,
        verdict: ['blocked', 'preflight'],
        // A 400 that carries the CORS layer's lists is that layer's refusal, not a layer in front of it.
        causes: ['origin-not-allowed'],
        credentials: 'unknown, same either way',
      },
    ],
  },
  {
    file: 'chrome-sensitive-wildcard-credentials.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${API}/me`,
        verdict: ['blocked', 'actual'],
        causes: ['wildcard-with-credentials'],
        credentials: 'include (known)',
      },
    ],
    check(report, stdout) {
      expect(report.requests[0]?.har.replay).toBe(
        'cors-doctor check http://localhost:8000/me --origin http://localhost:3000 --credentials include --cookie session=***',
      );
      expect(stdout).not.toContain('9f8e7d6c5b4a39281706');
    },
  },
  {
    file: 'chrome-connection-refused.har',
    exit: 3,
    requests: [
      {
        method: 'GET',
        url: 'http://localhost:8001/items',
        verdict: ['blocked', 'network'],
        causes: ['server-unreachable'],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      const r = report.requests[0];
      expect(r?.har.originFrom).toBe('its Referer header');
      expect(r?.exchanges[0]?.error?.code).toBe('ECONNREFUSED');
    },
  },
  {
    file: 'chrome-redirect-allowed.har',
    exit: 0,
    requests: [
      {
        method: 'GET',
        url: `${API}/items`,
        verdict: ['allowed', undefined],
        causes: ['redirect-extra-roundtrip'],
        credentials: 'unknown, judged same-origin, other blocked',
      },
    ],
    check(report) {
      const r = report.requests[0];
      expect(r?.exchanges.map((x) => [x.hop ?? 0, x.request.url, x.response?.status])).toEqual([
        [0, `${API}/items`, 307],
        [1, `${API}/items/`, 200],
      ]);
      expect(report.skipped).toEqual([
        { entry: 1, url: 'http://localhost:3000/config.json', why: 'same-origin' },
      ]);
    },
  },
  {
    file: 'chrome-cached-preflight.har',
    exit: 0,
    requests: [
      {
        method: 'PUT',
        url: `${API}/items/1`,
        verdict: ['allowed', undefined],
        causes: [],
        credentials: 'unknown, judged same-origin, other blocked',
      },
    ],
    check(report) {
      const r = report.requests[0];
      // No preflight in the HAR for a request that needs one: the browser's preflight cache answered it.
      expect(
        r?.exchanges.map((x) => [x.kind, x.response?.status, x.predicted?.answeredBy ?? 'recorded']),
      ).toEqual([
        ['preflight', 204, "the browser's preflight cache"],
        ['actual', 200, 'recorded'],
      ]);
      expect(r?.request.headers).toEqual([
        ['Content-Type', 'application/json'],
        ['X-Request-Id', '42'],
      ]);
      expect(r?.notes.join(' ')).toMatch(/a preflight it had cached \(Access-Control-Max-Age\)/);
    },
  },
  {
    file: 'chrome-repeated-failures.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${API}/items`,
        count: 3,
        verdict: ['blocked', 'actual'],
        causes: [],
        credentials: 'unknown, same either way',
      },
      {
        method: 'GET',
        url: `${API}/health`,
        verdict: ['allowed', undefined],
        causes: [],
        credentials: 'unknown, judged same-origin, other blocked',
      },
    ],
    check(report, stdout) {
      expect(report.requests[0]?.har.entries).toEqual([1, 2, 3]);
      expect(stdout).toContain('"count": 3');
    },
  },
  {
    file: 'chrome-same-origin-only.har',
    exit: 3,
    requests: [],
    check(_, stdout, stderr) {
      expect(JSON.parse(stdout).requests).toEqual([]);
      expect(stderr).toBe(
        'cors-doctor: test/fixtures/har/chrome-same-origin-only.har holds no cross-origin fetch/XHR request (2 entries, 1 fetch/XHR not judged): nothing to judge; save the HAR while the failing request is made\n',
      );
    },
  },
  {
    file: 'firefox-put-preflight-405.har',
    exit: 1,
    requests: [
      {
        method: 'PUT',
        url: `${API}/items/1`,
        verdict: ['blocked', 'preflight'],
        causes: ['no-cors-middleware'],
        credentials: 'unknown, same either way',
      },
    ],
    check(report) {
      const r = report.requests[0];
      expect(r?.har.recordedBy).toBe('firefox');
      expect(r?.har.recordedOutcome).toBe('blocked');
      expect(r?.browsers.firefox?.messages[0]).toBe(
        'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:8000/items/1. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 405.',
      );
    },
  },
  {
    file: 'firefox-wildcard-mode-unknown.har',
    exit: 0,
    requests: [
      {
        method: 'GET',
        url: `${API}/items`,
        verdict: ['allowed', undefined],
        causes: [],
        credentials: 'unknown, judged same-origin, other blocked',
      },
    ],
    check(report) {
      expect(report.requests[0]?.har.credentials.other?.causes.map((c) => c.code)).toEqual([
        'wildcard-with-credentials',
      ]);
    },
  },
  {
    file: 'firefox-wildcard-script-credentials.har',
    exit: 1,
    requests: [
      {
        method: 'GET',
        url: `${API}/items`,
        verdict: ['blocked', 'actual'],
        causes: ['wildcard-with-credentials'],
        credentials: 'unknown, judged include, other allowed',
      },
    ],
    check(report) {
      expect(report.requests[0]?.har.credentials.why).toMatch(/the page's scripts set withCredentials/);
    },
  },
  {
    file: 'firefox-cookie-allowed.har',
    exit: 0,
    requests: [
      {
        method: 'GET',
        url: `${API}/me`,
        verdict: ['allowed', undefined],
        causes: [],
        credentials: 'include (known)',
      },
    ],
  },
  {
    file: 'firefox-v1.1-error-500.har',
    exit: 1,
    requests: [
      {
        method: 'POST',
        url: `${API}/items`,
        verdict: ['blocked', 'actual'],
        causes: ['error-response-without-cors'],
        credentials: 'unknown, judged same-origin, other blocked',
      },
    ],
  },
];

describe('har on HAR files in the shapes DevTools saves', () => {
  it.each(ROWS)('$file', checkRow);

  it('prints the text report: the failure in full with its replay command, the request that works in a line', async () => {
    const { code, stdout } = await runCli(['har', 'test/fixtures/har/chrome-repeated-failures.har']);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(
      'test/fixtures/har/chrome-repeated-failures.har: HAR 1.2 from WebInspector, 5 entries, 4 cross-origin fetch/XHR requests, 3 blocked',
    );
    expect(stdout).toContain(
      '✗ GET http://localhost:8000/items  from http://localhost:3000 (its Origin header), entries 1, 2, 3  × 3 identical',
    );
    expect(stdout).toContain(
      '  Replay live: cors-doctor check http://localhost:8000/items --origin http://localhost:3000',
    );
    expect(stdout).toMatch(
      /✓ GET http:\/\/localhost:8000\/health {2}from http:\/\/localhost:3000, entry 4 {2}allowed/,
    );
  });

  it.each([
    // An answer without any CORS header: the app has no CORSMiddleware.
    ['chrome-get-no-allow-origin.har', 'examples/missing-middleware', 'no-cors-middleware', 'main.py:4'],
    // The refused origin is written with a trailing slash in allow_origins.
    [
      'chrome-put-preflight-400-origin.har',
      'test/fixtures/fastapi/trailing-slash',
      'origin-malformed',
      'main.py:8',
    ],
    // allow_methods left out: Starlette's default allows GET only.
    [
      'chrome-put-preflight-400-method.har',
      'test/fixtures/fastapi/default-methods',
      'method-not-allowed',
      'main.py:7',
    ],
  ])('%s with --project %s: %s at %s, from the source', async (file, project, code, at) => {
    const { code: exit, stdout } = await runCli([
      'har',
      `test/fixtures/har/${file}`,
      '--project',
      project,
      '--json',
    ]);
    expect(exit).toBe(1);
    const causes = (JSON.parse(stdout) as HarReport).requests[0]?.causes ?? [];
    const cause = causes.find((c) => c.code === code);
    expect(cause && `${cause.locations[0]?.file}:${cause.locations[0]?.line}`).toBe(at);
  });

  it('masks secrets in text and JSON unless --show-secrets', async () => {
    const file = 'test/fixtures/har/chrome-sensitive-wildcard-credentials.har';
    for (const args of [[], ['--json']]) {
      const { stdout } = await runCli(['har', file, ...args]);
      expect(stdout).not.toContain('9f8e7d6c5b4a39281706');
    }
    const { stdout } = await runCli(['har', file, '--show-secrets']);
    expect(stdout).toContain('--cookie session=9f8e7d6c5b4a39281706');
  });
});
