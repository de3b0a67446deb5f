import { describe, expect, it } from 'vitest';
import { simulate } from '../../../src/model/simulate.js';
import type { HeaderList } from '../../../src/model/types.js';
import { acac, acah, acam, acao, ORIGIN, scenario, URL } from '../../support/scenarios.js';

const CHROME = `Access to fetch at '${URL}' from origin '${ORIGIN}' has been blocked by CORS policy: `;
const PREFLIGHT = "Response to preflight request doesn't pass access control check: ";
const FIREFOX = `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${URL}. `;
const FIREFOX_DID_NOT_SUCCEED = `${FIREFOX}(Reason: CORS request did not succeed). Status code: (null).`;

describe('Access-Control-Allow-Origin on a simple GET (WPT cors/origin.htm)', () => {
  const allowed = ['*', ' *  ', '\t*', ORIGIN, ` ${ORIGIN}`, ` ${ORIGIN}   \t `, `\t${ORIGIN}`];
  const blocked = [
    'http://LOCALHOST:3000',
    '//localhost:3000',
    '://localhost:3000',
    'ftp://localhost:3000',
    'http:://localhost:3000',
    'http:/localhost:3000',
    'http:localhost:3000',
    'localhost:3000',
    `${ORIGIN}?`,
    `${ORIGIN}/`,
    `${ORIGIN} /`,
    `${ORIGIN}#`,
    `${ORIGIN}:80`,
    `${ORIGIN}, *`,
    'HTTP://localhost:3000',
    '-',
    '**',
    "'*'",
    '"*"',
    '* *',
    '* null',
    `*${ORIGIN}`,
    `* ${ORIGIN}`,
    `*, ${ORIGIN}`,
    `null ${ORIGIN}`,
    'http://example.net',
    'null',
    'null *',
    "''",
  ];
  it.each(allowed)('%j is allowed everywhere', (value) => {
    const r = simulate(scenario({ response: { headers: [acao(value)] } }));
    expect([r.chrome.outcome, r.firefox.outcome, r.spec.outcome]).toEqual(['allowed', 'allowed', 'allowed']);
    expect(r.chrome.preflight).toBe(false);
  });
  it.each(blocked)('%j is blocked everywhere, at the actual response', (value) => {
    const r = simulate(scenario({ response: { headers: [acao(value)] } }));
    expect([r.chrome.outcome, r.firefox.outcome, r.spec.outcome]).toEqual(['blocked', 'blocked', 'blocked']);
    expect(r.chrome.stage).toBe('actual');
    expect(r.firefox.messages).toHaveLength(1);
  });
  const twoLines: Array<[string, string]> = [
    ["''", '*'],
    ['*', "''"],
    ['*', '*'],
    ["''", ORIGIN],
    ['*', ORIGIN],
    [ORIGIN, ORIGIN],
  ];
  it.each(twoLines)('two header lines %j and %j are always blocked as multiple values', (a, b) => {
    const r = simulate(scenario({ response: { headers: [acao(a), acao(b)] } }));
    expect(r.chrome.reason).toBe('MultipleAllowOriginValues');
    expect(r.chrome.messages[0]).toBe(
      `${CHROME}The 'Access-Control-Allow-Origin' header contains multiple values '${a}, ${b}', but only one is allowed. Have the server send the header with a valid value.`,
    );
    expect(r.firefox.messages).toEqual([
      `${FIREFOX}(Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).`,
    ]);
    expect(r.spec.outcome).toBe('blocked');
  });
  // Observed in Firefox 153: only lines spelled exactly `Access-Control-Allow-Origin` count as
  // "multiple"; other spellings (uvicorn writes `access-control-allow-origin`) are merged into one value
  // that does not match. Chrome reports multiple values whatever the spelling.
  const spellings: Array<[string, string, string]> = [
    ['access-control-allow-origin', 'access-control-allow-origin', ORIGIN],
    ['access-control-allow-origin', 'Access-Control-Allow-Origin', ORIGIN],
    ['Access-Control-Allow-Origin', 'access-control-allow-origin', ORIGIN],
    ['ACCESS-CONTROL-ALLOW-ORIGIN', 'ACCESS-CONTROL-ALLOW-ORIGIN', ORIGIN],
    ['access-control-allow-origin', 'access-control-allow-origin', '*'],
  ];
  it.each(spellings)('two lines spelled %s and %s: Firefox merges them (first value %s)', (a, b, first) => {
    const r = simulate(
      scenario({
        response: {
          headers: [
            [a, first],
            [b, ORIGIN],
          ],
        },
      }),
    );
    expect(r.chrome.reason).toBe('MultipleAllowOriginValues');
    expect(r.firefox.messages).toEqual([
      `${FIREFOX}(Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘${first}, ${ORIGIN}’).`,
    ]);
  });
});

describe('console text of the actual-response check', () => {
  const table: Array<[string, HeaderList, 'omit' | 'include', string, string]> = [
    [
      'missing ACAO',
      [],
      'omit',
      `${CHROME}No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
      `${FIREFOX}(Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.`,
    ],
    [
      'wildcard with credentials',
      [acao('*')],
      'include',
      `${CHROME}The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.`,
      `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘${URL}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).`,
    ],
    [
      'trailing slash',
      [acao(`${ORIGIN}/`)],
      'omit',
      `${CHROME}The 'Access-Control-Allow-Origin' header has a value '${ORIGIN}/' that is not equal to the supplied origin. Have the server send the header with a valid value.`,
      `${FIREFOX}(Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘${ORIGIN}/’).`,
    ],
    [
      'invalid value',
      [acao('foo')],
      'omit',
      `${CHROME}The 'Access-Control-Allow-Origin' header contains the invalid value 'foo'. Have the server send the header with a valid value.`,
      `${FIREFOX}(Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘foo’).`,
    ],
    [
      'credentials without ACAC',
      [acao(ORIGIN)],
      'include',
      `${CHROME}The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.`,
      `${FIREFOX}(Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).`,
    ],
    [
      'ACAC True',
      [acao(ORIGIN), acac('True')],
      'include',
      `${CHROME}The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'.`,
      `${FIREFOX}(Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).`,
    ],
  ];
  it.each(table)('%s', (_name, headers, credentials, chrome, firefox) => {
    const r = simulate(scenario({ credentials, response: { headers } }));
    expect(r.chrome.messages).toEqual([chrome]);
    expect(r.firefox.messages).toEqual([firefox]);
    expect(r.chrome.stage).toBe('actual');
  });
  it('the status of the actual response does not matter (a 500 with CORS headers is readable)', () => {
    const r = simulate(scenario({ response: { status: 500, headers: [acao(ORIGIN)] } }));
    expect(r.chrome.outcome).toBe('allowed');
  });
});

// WPT fetch/api/cors/cors-preflight-star.any.js
describe('wildcards in the preflight answer (WPT cors-preflight-star)', () => {
  const table: Array<[number, boolean, string, string, string, HeaderList, 'allowed' | 'blocked']> = [
    [1, false, 'get', 'x-test', 'GET', [['X-Test', '1']], 'allowed'],
    [2, false, '*', 'x-test', 'SUPER', [['X-Test', '1']], 'allowed'],
    [3, false, '*', '*', 'OK', [['X-Test', '1']], 'allowed'],
    [4, true, '*', '*', 'OK', [['X-Test', '1']], 'blocked'],
    [5, true, '*', '', 'PUT', [], 'blocked'],
    [6, true, 'get', '*', 'GET', [['X-Test', '1']], 'blocked'],
    [7, true, '*', '*', 'GET', [['X-Test', '1']], 'blocked'],
    [8, true, '*', '*', '*', [['*', '1']], 'allowed'],
    [21, true, 'DELETE', '*', 'delete', [], 'allowed'],
    [22, true, 'delete', '*', 'DELETE', [], 'blocked'],
    [23, true, 'PUT', '*', 'put', [], 'allowed'],
    [24, true, 'put', '*', 'PUT', [], 'blocked'],
    [25, false, '*', '*', 'PATCH', [], 'allowed'],
    [26, false, 'PATCH', '*', 'patch', [], 'blocked'],
    [27, false, 'patch', '*', 'PATCH', [], 'blocked'],
    [28, false, 'patch', '*', 'patch', [], 'allowed'],
  ];
  it.each(table)(
    '#%i credentials %s ACAM %j ACAH %j %s',
    (_n, creds, methods, headers, method, reqHeaders, expected) => {
      const allow: HeaderList = creds ? [acao(ORIGIN), acac('true')] : [acao('*')];
      const r = simulate(
        scenario({
          method,
          headers: reqHeaders,
          credentials: creds ? 'include' : 'omit',
          preflight: { headers: [...allow, acam(methods), acah(headers)] },
          response: { headers: allow },
        }),
      );
      expect([r.spec.outcome, r.chrome.outcome, r.firefox.outcome]).toEqual([expected, expected, expected]);
    },
  );
  it('#26 names the method as sent: patch stays lowercase', () => {
    const r = simulate(
      scenario({
        method: 'patch',
        preflight: { headers: [acao('*'), acam('PATCH')] },
        response: { headers: [acao('*')] },
      }),
    );
    expect(r.method).toBe('patch');
    expect(r.preflightRequest).toContainEqual(['Access-Control-Request-Method', 'patch']);
    expect(r.chrome.messages).toEqual([
      `${CHROME}Method patch is not allowed by Access-Control-Allow-Methods in preflight response.`,
    ]);
    expect(r.firefox.messages).toEqual([
      `${FIREFOX}(Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).`,
      FIREFOX_DID_NOT_SUCCEED,
    ]);
  });
  it('#29 Authorization under *: the standard blocks, Chrome and Firefox allow with a warning', () => {
    const r = simulate(
      scenario({
        method: 'POST',
        headers: [['Authorization', '123']],
        preflight: { headers: [acao('*'), acam('*'), acah('*')] },
        response: { headers: [acao('*')] },
      }),
    );
    expect(r.spec.outcome).toBe('blocked');
    expect(r.chrome.outcome).toBe('allowed');
    expect(r.firefox.outcome).toBe('allowed');
    expect(r.chrome.warnings).toHaveLength(1);
    expect(r.firefox.warnings[0]).toMatch(/^Cross-Origin Request Warning: /);
  });
  it('#30 Authorization listed beside * passes everywhere, without warnings', () => {
    const r = simulate(
      scenario({
        method: 'POST',
        headers: [['Authorization', '123']],
        preflight: { headers: [acao('*'), acam('*'), acah('*, Authorization')] },
        response: { headers: [acao('*')] },
      }),
    );
    expect([r.spec.outcome, r.chrome.outcome, r.firefox.outcome]).toEqual(['allowed', 'allowed', 'allowed']);
    expect(r.chrome.warnings).toEqual([]);
  });
});

// WPT fetch/api/cors/cors-preflight-status.any.js
describe('status of the preflight answer (WPT cors-preflight-status)', () => {
  const pass = [200, 201, 202, 203, 204, 205, 206];
  const fail = [
    300, 301, 302, 303, 304, 305, 306, 307, 308, 400, 401, 402, 403, 404, 405, 501, 502, 503, 504, 505,
  ];
  const run = (status: number) =>
    simulate(
      scenario({
        headers: [['X-Force-Preflight', '']],
        preflight: { status, headers: [acao('*'), acah('x-force-preflight')] },
        response: { headers: [acao('*')] },
      }),
    );
  it.each(pass)('%i passes', (status) => {
    expect(run(status).chrome.outcome).toBe('allowed');
  });
  it.each(fail)('%i fails with "does not have HTTP ok status" (no Location header)', (status) => {
    const r = run(status);
    expect(r.spec.outcome).toBe('blocked');
    expect(r.chrome.messages).toEqual([`${CHROME}${PREFLIGHT}It does not have HTTP ok status.`]);
    expect(r.firefox.messages).toEqual([
      `${FIREFOX}(Reason: CORS preflight response did not succeed). Status code: ${status}.`,
      FIREFOX_DID_NOT_SUCCEED,
    ]);
  });
  it('a missing ACAO wins over a bad status', () => {
    const r = simulate(scenario({ method: 'PUT', preflight: { status: 404, headers: [] } }));
    expect(r.chrome.messages).toEqual([
      `${CHROME}${PREFLIGHT}No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
    ]);
    expect(r.firefox.messages[0]).toBe(
      `${FIREFOX}(Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404.`,
    );
  });
});

// WPT fetch/api/cors/cors-preflight-response-validation.any.js
describe('unparsable preflight lists', () => {
  it('an invalid Access-Control-Allow-Headers token', () => {
    const r = simulate(
      scenario({
        headers: [['X-Force-Preflight', '1']],
        preflight: { headers: [acao('*'), acah('x-force-preflight,header name with space')] },
      }),
    );
    expect(r.chrome.messages).toEqual([
      `${CHROME}Cannot parse Access-Control-Allow-Headers response header field in preflight response.`,
    ]);
    expect(r.firefox.messages[0]).toBe(
      `${FIREFOX}(Reason: invalid token ‘header name with space’ in CORS header ‘Access-Control-Allow-Headers’).`,
    );
    expect(r.spec.outcome).toBe('blocked');
  });
  it('an invalid Access-Control-Allow-Methods token', () => {
    const r = simulate(
      scenario({
        headers: [['X-Force-Preflight', '1']],
        preflight: { headers: [acao('*'), acam('Bad method name')] },
      }),
    );
    expect(r.chrome.messages).toEqual([
      `${CHROME}Cannot parse Access-Control-Allow-Methods response header field in preflight response.`,
    ]);
    expect(r.firefox.messages[0]).toBe(
      `${FIREFOX}(Reason: invalid token ‘Bad method name’ in CORS header ‘Access-Control-Allow-Methods’).`,
    );
  });
});

describe('request classification', () => {
  it.each([
    ['GET', [], false],
    ['HEAD', [], false],
    ['post', [['Content-Type', 'text/plain;charset=utf-8']], false],
    ['POST', [['Content-Type', 'application/json']], true],
    ['put', [], true],
    ['GET', [['Accept-Language', 'fr']], false],
    ['GET', [['X-Requested-With', 'XMLHttpRequest']], true],
    ['GET', [['Cookie', 'a=b']], false],
  ] as Array<[string, HeaderList, boolean]>)('%s with %j: preflight %s', (method, headers, preflight) => {
    const r = simulate(scenario({ method, headers, preflight: { headers: [] } }));
    expect([r.chrome.preflight, r.firefox.preflight, r.spec.preflight]).toEqual([
      preflight,
      preflight,
      preflight,
    ]);
  });
  it('builds the preflight request a browser sends', () => {
    const r = simulate(
      scenario({
        method: 'PUT',
        headers: [
          ['Content-Type', 'application/json'],
          ['Authorization', 'Bearer t'],
        ],
      }),
    );
    expect(r.preflightRequest).toEqual([
      ['Accept', '*/*'],
      ['Access-Control-Request-Method', 'PUT'],
      ['Access-Control-Request-Headers', 'authorization,content-type'],
      ['Origin', ORIGIN],
    ]);
    expect(r.accessControlRequestHeaders).toBe('authorization,content-type');
  });
  it('reports the forbidden headers fetch() drops', () => {
    const r = simulate(scenario({ headers: [['Cookie', 'a=b']], response: { headers: [acao(ORIGIN)] } }));
    expect(r.droppedHeaders).toEqual(['Cookie']);
  });
  it('a same-origin request involves no CORS', () => {
    const r = simulate({ origin: 'http://localhost:8000', request: { url: URL, method: 'PUT' } });
    expect(r.chrome).toMatchObject({ outcome: 'allowed', preflight: false });
  });
});

describe('exposed response headers', () => {
  it('only safelisted names unless Access-Control-Expose-Headers lists more', () => {
    const headers: HeaderList = [
      acao('*'),
      ['Content-Type', 'x'],
      ['X-Total-Count', '3'],
      ['Set-Cookie', 'a=b'],
    ];
    expect(simulate(scenario({ response: { headers } })).chrome.exposedHeaders).toEqual(['content-type']);
    const listed: HeaderList = [...headers, ['Access-Control-Expose-Headers', 'X-Total-Count, Set-Cookie']];
    expect(simulate(scenario({ response: { headers: listed } })).chrome.exposedHeaders).toEqual([
      'content-type',
      'x-total-count',
    ]);
  });
  it('* exposes everything but Set-Cookie without credentials, and only a header named * with them', () => {
    const headers: HeaderList = [
      ['Test', 'X'],
      ['Set-Cookie', 'X'],
      ['Access-Control-Expose-Headers', '*'],
    ];
    const omit = simulate(scenario({ response: { headers: [acao('*'), ...headers] } }));
    expect(omit.chrome.exposedHeaders).toEqual([
      'access-control-allow-origin',
      'test',
      'access-control-expose-headers',
    ]);
    const include = simulate(
      scenario({ credentials: 'include', response: { headers: [acao(ORIGIN), acac('true'), ...headers] } }),
    );
    expect(include.chrome.exposedHeaders).toEqual([]);
  });
});
