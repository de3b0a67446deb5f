import { describe, expect, it } from 'vitest';
import { harFromObject } from '../../../src/evidence/har/index.js';

/** A Chrome DevTools entry: a fetch, or a preflight (`_resourceType: "preflight"`). */
function entry(
  method: string,
  url: string,
  headers: Record<string, string>,
  status: number,
  answer: Record<string, string> = {},
) {
  const pairs = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));
  return {
    _resourceType: method === 'OPTIONS' ? 'preflight' : 'fetch',
    _initiator: { type: 'script' },
    request: { method, url, headers: pairs(headers), cookies: [] },
    response: { status, statusText: '', headers: pairs(answer), content: { size: 0, mimeType: '' } },
    startedDateTime: '2026-11-30T09:00:00.000Z',
    time: 1,
  };
}

const har = (entries: unknown[]) => ({
  log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, pages: [], entries },
});

const O = 'https://app.example.com';
const API = 'https://api.example.com';
const get = (path: string, status: number, answer: Record<string, string> = {}, origin = O) =>
  entry('GET', `${API}${path}`, { Origin: origin }, status, answer);
/** A PUT's preflight and the PUT it stopped (status 0: never sent). */
const put = (path: string, status: number, answer: Record<string, string> = {}, api = API) => [
  entry('PUT', `${api}${path}`, { Origin: O, 'Content-Type': 'application/json' }, 0),
  entry(
    'OPTIONS',
    `${api}${path}`,
    { Origin: O, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' },
    status,
    answer,
  ),
];
const LISTS = { 'access-control-allow-methods': 'GET, PUT', 'access-control-max-age': '600' };

/** Each request found: its method and, per diagnostic exchange, the HAR entry and status it holds. */
function diagnostics(entries: unknown[]): Array<[string, Array<[number | undefined, number | undefined]>]> {
  return harFromObject(har(entries)).fetches.map((f) => [
    `${f.page.method} ${new URL(f.page.url).pathname}`,
    f.exchanges
      .filter((x) => x.kind === 'diagnostic')
      .map((x) => [x.recorded?.entry, x.response?.status] as [number | undefined, number | undefined]),
  ]);
}

describe("the page's other preflights to the same server, as diagnostic exchanges", () => {
  it.each([
    {
      title: 'a GET answered without Access-Control-Allow-Origin gets the PUT preflight of the same server',
      entries: [get('/items', 200), ...put('/items/1', 405)],
      found: [
        ['GET /items', [[2, 405]]],
        ['PUT /items/1', []],
      ],
    },
    {
      title: 'a GET whose answer allows the origin asks nothing (check sends no diagnostic preflight then)',
      entries: [get('/items', 200, { 'access-control-allow-origin': O }), ...put('/items/1', 400, LISTS)],
      found: [
        ['GET /items', []],
        ['PUT /items/1', []],
      ],
    },
    {
      title: 'a preflight to another server tells nothing of this one',
      entries: [get('/items', 200), ...put('/items/1', 405, {}, 'https://other.example.com')],
      found: [
        ['GET /items', []],
        ['PUT /items/1', []],
      ],
    },
    {
      title: 'preflights alike are one diagnostic: one of each status and CORS header names, in HAR order',
      entries: [
        get('/items', 200),
        ...put('/items/1', 405),
        ...put('/items/2', 405),
        ...put('/items/3', 400, LISTS),
        ...put('/items/4', 400, LISTS),
      ],
      found: [
        [
          'GET /items',
          [
            [2, 405],
            [6, 400],
          ],
        ],
        ['PUT /items/1', []],
        ['PUT /items/2', []],
        ['PUT /items/3', []],
        ['PUT /items/4', []],
      ],
    },
    {
      title: 'a request from another page origin is read with the preflights of its own page only',
      entries: [get('/items', 200, {}, 'https://admin.example.com'), ...put('/items/1', 405)],
      found: [
        ['GET /items', []],
        ['PUT /items/1', []],
      ],
    },
  ])('$title', ({ entries, found }) => {
    expect(diagnostics(entries)).toEqual(found);
  });

  it('the diagnostic says where it comes from, keeps the recorded answer and is no hop of the request', () => {
    const fetch = harFromObject(har([get('/items', 200), ...put('/items/1', 405)])).fetches[0];
    const diagnostic = fetch?.exchanges.find((x) => x.kind === 'diagnostic');
    expect(diagnostic?.purpose).toBe(
      "another request of the page to https://api.example.com (HAR entry 2): does the server's CORS layer answer its preflights, and does it allow this origin?",
    );
    expect(diagnostic?.request.method).toBe('OPTIONS');
    expect(diagnostic?.hop).toBeUndefined();
    expect(diagnostic?.recorded?.source).toBe('har');
  });
});
