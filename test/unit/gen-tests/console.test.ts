// The console lines the generated test quotes are the browser model's, character for character, and each
// failed check names a cause.
import { describe, expect, it } from 'vitest';
import type { Cause } from '../../../src/core/causes.js';
import { buildPageFetch } from '../../../src/core/page.js';
import { browserRequests } from '../../../src/gen-tests/browser-requests.js';
import {
  type Check,
  consoleTemplates,
  defaultCauses,
  HINT_MARK,
  predictedCauses,
  URL_MARK,
} from '../../../src/gen-tests/console.js';
import type { ChromeCorsError } from '../../../src/model/engines/chrome.js';
import { chromeMessage, chromeWarningText } from '../../../src/model/messages/chrome.js';

const ORIGIN = 'http://localhost:3000';
const URL = 'http://localhost:8000/items/1';

/** What the generated module prints for a check: the head and the tail, with the URL and hint filled in. */
function printed(templates: ReturnType<typeof consoleTemplates>, check: Check, url: string, hint: string) {
  const head = url === URL ? templates.head : templates.headRedirected;
  return `${head}${templates.tails[check]}`.replaceAll(URL_MARK, url).replaceAll(HINT_MARK, hint);
}

describe('consoleTemplates', () => {
  const withCredentials = browserRequests(
    buildPageFetch({ url: URL, origin: ORIGIN, method: 'PUT', jsonBody: '{}', credentials: 'include' }),
  );
  const templates = consoleTemplates(URL, ORIGIN, withCredentials, true);

  it.each([
    ['PreflightMissingAllowOriginHeader', ''],
    ['PreflightAllowOriginMismatch', 'http://localhost:5173'],
    ['PreflightMultipleAllowOriginValues', 'http://localhost:3000, http://localhost:3000'],
    ['PreflightInvalidAllowCredentials', ''],
    ['PreflightWildcardOriginNotAllowed', ''],
    ['PreflightInvalidStatus', ''],
    ['PreflightDisallowedRedirect', ''],
    ['MethodDisallowedByPreflightResponse', 'PUT'],
    ['HeaderDisallowedByPreflightResponse', 'content-type'],
    ['MissingAllowOriginHeader', ''],
    ['WildcardOriginNotAllowed', ''],
    ['InvalidAllowCredentials', 'false'],
    ['InvalidAllowOriginValue', 'localhost'],
  ] as Array<[ChromeCorsError, string]>)(
    '%s (hint %j) is chromeMessage, direct and redirected',
    (error, hint) => {
      expect(printed(templates, error, URL, hint)).toBe(chromeMessage(URL, ORIGIN, { error, hint }));
      const next = 'http://localhost:8000/items/1/';
      expect(printed(templates, error, next, hint)).toBe(chromeMessage(next, ORIGIN, { error, hint }, URL));
    },
  );

  it('leaves out what cannot happen: no credential checks without credentials, no preflight checks without a preflight', () => {
    const simple = browserRequests(buildPageFetch({ url: URL, origin: ORIGIN }));
    const tails = consoleTemplates(URL, ORIGIN, simple, false).tails;
    expect(Object.keys(tails).sort()).toEqual([
      'AllowOriginMismatch',
      'InvalidAllowOriginValue',
      'MissingAllowOriginHeader',
      'MultipleAllowOriginValues',
    ]);
  });

  it("carries Chrome's warning when Authorization may be left to Access-Control-Allow-Headers: *", () => {
    const bearer = browserRequests(
      buildPageFetch({ url: URL, origin: ORIGIN, headers: ['Authorization: Bearer t'] }),
    );
    expect(consoleTemplates(URL, ORIGIN, bearer, false).authorizationWarning).toBe(
      chromeWarningText('AuthorizationCoveredByWildcard'),
    );
    // With credentials "*" is a name, never a wildcard: the header check itself fails.
    expect(consoleTemplates(URL, ORIGIN, bearer, true).authorizationWarning).toBeUndefined();
  });
});

describe('causes', () => {
  const cause = (code: Cause['code'], file?: string, line?: number): Cause => ({
    code,
    severity: 'error',
    summary: '',
    evidence: [],
    locations: file ? [{ file, line: line ?? 1 }] : [],
  });

  it.each([
    {
      title: 'the predicted check names the predicted causes with their first location',
      reason: 'PreflightMissingAllowOriginHeader',
      causes: [cause('origin-not-allowed', '.env', 2), cause('env-origins-misparsed', '.env', 2)],
      expected: {
        PreflightMissingAllowOriginHeader: 'origin-not-allowed (.env:2); env-origins-misparsed (.env:2)',
        MissingAllowOriginHeader: 'origin-not-allowed (.env:2); env-origins-misparsed (.env:2)',
      },
    },
    {
      title: 'a preflight refused for its status has no twin on the request',
      reason: 'PreflightInvalidStatus',
      causes: [cause('method-not-allowed', 'main.py', 7)],
      expected: { PreflightInvalidStatus: 'method-not-allowed (main.py:7)' },
    },
    {
      title: 'warnings are no cause of a block',
      reason: 'MissingAllowOriginHeader',
      causes: [
        { ...cause('preflight-cache-short'), severity: 'warning' as const },
        cause('no-cors-middleware', 'main.py', 4),
      ],
      expected: { MissingAllowOriginHeader: 'no-cors-middleware (main.py:4)' },
    },
  ])('$title', ({ reason, causes, expected }) => {
    const prediction = {
      chrome: { outcome: 'blocked' as const, preflight: true, messages: [], warnings: [], reason },
      causes,
    };
    expect(predictedCauses(prediction)).toEqual(expected);
  });

  it('an allowed prediction names nothing', () => {
    const chrome = { outcome: 'allowed' as const, preflight: false, messages: [], warnings: [] };
    expect(predictedCauses({ chrome, causes: [cause('no-cors-middleware')] })).toEqual({});
  });

  it.each([
    [true, 'MissingAllowOriginHeader', 'origin-not-allowed'],
    [false, 'MissingAllowOriginHeader', 'no-cors-middleware'],
    [true, 'PreflightDisallowedRedirect', 'preflight-redirected'],
    [true, 'PreflightMultipleAllowOriginValues', 'duplicate-cors-headers'],
    [true, 'InvalidAllowCredentials', 'credentials-not-allowed'],
    [true, 'AuthorizationCoveredByWildcard', 'authorization-wildcard'],
    [true, 'RedirectToOtherOrigin', 'redirect-to-other-origin'],
  ] as Array<[boolean, Check, string]>)(
    'with a CORS layer %s, %s names %s by default',
    (cors, check, code) => {
      expect(defaultCauses(cors)[check]).toBe(code);
    },
  );
});
