// The requests the generated test sends, as the browser model plans them: the preflight's exact headers,
// the names its answer must allow in Chrome's order, the request, and the request after each redirect.
import { describe, expect, it } from 'vitest';
import { buildPageFetch, type PageFetchInput } from '../../../src/core/page.js';
import {
  type BrowserRequest,
  browserRequests,
  noCorsCheck,
} from '../../../src/gen-tests/browser-requests.js';
import type { HeaderList } from '../../../src/model/types.js';

const ORIGIN = 'http://localhost:3000';
const API = 'http://localhost:8000';

const requestsOf = (input: Omit<PageFetchInput, 'origin'> & { origin?: string }) =>
  browserRequests(buildPageFetch({ origin: ORIGIN, ...input }));

const pick = (headers: HeaderList, ...names: string[]) =>
  headers.filter(([name]) => names.includes(name.toLowerCase()));

describe('browserRequests: the preflight', () => {
  it.each([
    {
      title: 'GET with no header of its own: no preflight',
      input: { url: `${API}/items` },
      preflight: undefined,
    },
    {
      title: 'text/plain POST: no preflight (a safelisted Content-Type)',
      input: { url: `${API}/items`, data: 'x', headers: ['Content-Type: text/plain;charset=UTF-8'] },
      preflight: undefined,
    },
    {
      title: 'PUT with JSON: the method and content-type',
      input: { url: `${API}/items/1`, method: 'PUT', jsonBody: '{}' },
      preflight: {
        lines: [
          ['Access-Control-Request-Method', 'PUT'],
          ['Access-Control-Request-Headers', 'content-type'],
          ['Origin', ORIGIN],
        ],
        method: 'PUT',
        headerNames: ['content-type'],
      },
    },
    {
      title:
        'GET with Authorization and X-Request-ID: names lower-case, sorted, comma-joined; no method to allow',
      input: { url: `${API}/me`, headers: ['X-Request-ID: 42', 'Authorization: Bearer t'] },
      preflight: {
        lines: [
          ['Access-Control-Request-Method', 'GET'],
          ['Access-Control-Request-Headers', 'authorization,x-request-id'],
          ['Origin', ORIGIN],
        ],
        method: undefined,
        // Chrome checks them in its header map's order (src/model/chrome-header-order.ts).
        headerNames: ['x-request-id', 'authorization'],
      },
    },
    {
      title: "a lower-case 'patch' stays lower-case (fetch() upper-cases only the standard methods)",
      input: { url: `${API}/items/1`, method: 'patch' },
      preflight: {
        lines: [
          ['Access-Control-Request-Method', 'patch'],
          ['Origin', ORIGIN],
        ],
        method: 'patch',
        headerNames: [],
      },
    },
    {
      title: 'a lower-case delete is upper-cased',
      input: { url: `${API}/items/1`, method: 'delete' },
      preflight: {
        lines: [
          ['Access-Control-Request-Method', 'DELETE'],
          ['Origin', ORIGIN],
        ],
        method: 'DELETE',
        headerNames: [],
      },
    },
  ])('$title', ({ input, preflight }) => {
    const [first] = requestsOf(input);
    if (!preflight) {
      expect(first?.preflight).toBeUndefined();
      return;
    }
    expect(
      pick(
        first?.preflight?.headers ?? [],
        'access-control-request-method',
        'access-control-request-headers',
        'origin',
      ),
    ).toEqual(preflight.lines);
    expect(first?.preflight?.headers.some(([name]) => name.toLowerCase() === 'cookie')).toBe(false);
    expect(first?.preflight?.method).toBe(preflight.method);
    expect(first?.preflight?.headerNames).toEqual(preflight.headerNames);
  });
});

describe('browserRequests: the request', () => {
  it.each([
    {
      title: 'a string body without Content-Type gets text/plain;charset=UTF-8, as fetch() sends it',
      input: { url: `${API}/items`, data: 'hello' },
      headers: [
        ['Content-Type', 'text/plain;charset=UTF-8'],
        ['Origin', ORIGIN],
      ],
    },
    {
      title: 'the Cookie goes with credentials include',
      input: { url: `${API}/me`, credentials: 'include', cookie: 'session=abc' },
      headers: [
        ['Origin', ORIGIN],
        ['Cookie', 'session=abc'],
      ],
    },
    {
      title: 'no Cookie without credentials include',
      input: { url: `${API}/me`, credentials: 'same-origin', cookie: 'session=abc' },
      headers: [['Origin', ORIGIN]],
    },
    {
      title: 'a forbidden header (Host) is dropped, as fetch() drops it',
      input: { url: `${API}/me`, headers: ['Host: evil.example', 'X-Trace: 1'] },
      headers: [
        ['X-Trace', '1'],
        ['Origin', ORIGIN],
      ],
    },
  ])('$title', ({ input, headers }) => {
    const [first] = requestsOf(input);
    expect(pick(first?.headers ?? [], 'content-type', 'origin', 'cookie', 'host', 'x-trace')).toEqual(
      headers,
    );
  });
});

describe('browserRequests: after a redirect to the same origin', () => {
  const byId = (requests: BrowserRequest[]) => new Map(requests.map((r) => [r.id, r]));

  it('a 303 turns a PUT with JSON into a GET without body and Content-Type; 301, 302, 307 and 308 keep it', () => {
    const requests = requestsOf({ url: `${API}/items/1`, method: 'PUT', jsonBody: '{"a":1}' });
    const first = requests[0] as BrowserRequest;
    expect(first.afterRedirect).toEqual({
      301: 'request',
      302: 'request',
      303: 'request-1',
      307: 'request',
      308: 'request',
    });
    const get = byId(requests).get('request-1');
    expect(get?.method).toBe('GET');
    expect(get?.body).toBeUndefined();
    expect(pick(get?.headers ?? [], 'content-type')).toEqual([]);
    // Firefox keeps the first request's unsafe names across redirects and still preflights the GET.
    expect(pick(get?.preflight?.headers ?? [], 'access-control-request-headers')).toEqual([
      ['Access-Control-Request-Headers', 'content-type'],
    ]);
  });

  it('a 301 or 302 turns a POST into a GET; a 307 keeps the POST and its body', () => {
    const requests = requestsOf({ url: `${API}/items`, data: 'x' });
    const first = requests[0] as BrowserRequest;
    const following = (status: 301 | 302 | 307) => byId(requests).get(first.afterRedirect[status] as string);
    expect(following(301)?.method).toBe('GET');
    expect(following(302)?.method).toBe('GET');
    expect(following(307)?.method).toBe('POST');
    expect(following(307)?.body).toBe('x');
  });

  it('a GET with Authorization stays the same request (and preflights again)', () => {
    const requests = requestsOf({ url: `${API}/orders`, headers: ['Authorization: Bearer t'] });
    expect(requests.map((r) => r.id)).toEqual(['request']);
    expect(requests[0]?.preflight?.headerNames).toEqual(['authorization']);
  });
});

describe('noCorsCheck', () => {
  it.each([
    [`${API}/items`, ORIGIN, undefined],
    [`${API}/items`, API, /is on the page's own origin/],
    ['http://api.example.com/items', 'https://app.example.com', /mixed content/],
    ['http://localhost:8000/items', 'https://app.example.com', undefined],
  ])('%s from %s', (url, origin, expected) => {
    const why = noCorsCheck(buildPageFetch({ url, origin }));
    if (expected === undefined) expect(why).toBeUndefined();
    else expect(why).toMatch(expected);
  });
});
