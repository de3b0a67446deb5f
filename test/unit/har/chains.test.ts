import { describe, expect, it } from 'vitest';
import { harFromObject } from '../../../src/evidence/har/index.js';

/** A minimal HAR entry: what `har` reads of one. */
function entry(
  method: string,
  url: string,
  headers: Record<string, string>,
  answer: { status?: number; headers?: Record<string, string>; error?: string } = {},
  chrome?: { type: string; initiator?: Record<string, string> },
) {
  const pairs = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));
  return {
    ...(chrome && { _resourceType: chrome.type, _initiator: chrome.initiator ?? { type: 'script' } }),
    request: { method, url, headers: pairs(headers), cookies: [] },
    response: {
      status: answer.status ?? 0,
      statusText: '',
      headers: pairs(answer.headers ?? {}),
      content: { size: 0, mimeType: '' },
      ...(answer.error && { _error: answer.error }),
    },
    startedDateTime: '2026-11-30T09:00:00.000Z',
    time: 1,
  };
}

/** The entry, sent at `time` on the recording's day. */
const at = <T extends object>(time: string, e: T): T => ({ ...e, startedDateTime: `2026-11-30T${time}Z` });

const har = (creator: string, entries: unknown[], pages: unknown[] = []) => ({
  log: { version: '1.2', creator: { name: creator, version: '1' }, pages, entries },
});

const O = 'http://localhost:3000';
const API = 'http://localhost:8000';
const ASK = (method: string, names?: string) => ({
  Origin: O,
  'Access-Control-Request-Method': method,
  ...(names && { 'Access-Control-Request-Headers': names }),
});
const ALLOW = {
  'access-control-allow-origin': O,
  'access-control-allow-methods': 'PUT',
  'access-control-allow-headers': 'content-type',
};
const ff = { 'Sec-Fetch-Dest': 'empty', 'Sec-Fetch-Mode': 'cors' };

/** The requests found: for each, its hops as entry indices (`p` preflight, `a` request). */
function shape(h: unknown): string[] {
  return harFromObject(h).fetches.map((f) =>
    f.chain.hops
      .map(
        (hop) =>
          `${hop.preflight ? `p${hop.preflight.index}` : ''}${hop.actual ? `a${hop.actual.index}` : ''}`,
      )
      .join(' -> '),
  );
}

describe('requests put back together from the entries', () => {
  it.each([
    {
      title: 'Firefox: the OPTIONS entry comes first, then the request',
      har: har('Firefox', [
        entry(
          'OPTIONS',
          `${API}/items/1`,
          { ...ASK('PUT', 'content-type'), ...ff },
          { status: 200, headers: ALLOW },
        ),
        entry(
          'PUT',
          `${API}/items/1`,
          { Origin: O, 'Content-Type': 'application/json', ...ff },
          { status: 200, headers: ALLOW },
        ),
      ]),
      found: ['p0a1'],
    },
    {
      title: 'Chrome: the request first, its preflight after, named by _initiator',
      har: har('WebInspector', [
        entry(
          'PUT',
          `${API}/items/1`,
          { 'Content-Type': 'application/json' },
          { error: 'net::ERR_FAILED' },
          { type: 'fetch' },
        ),
        entry(
          'OPTIONS',
          `${API}/items/1`,
          ASK('PUT', 'content-type'),
          { status: 401 },
          {
            type: 'preflight',
            initiator: { type: 'preflight', url: `${API}/items/1`, requestId: '1.2' },
          },
        ),
      ]),
      found: ['p1a0'],
    },
    {
      title: 'the same PUT three times: each preflight goes with the nearest request',
      har: har('Firefox', [
        entry(
          'OPTIONS',
          `${API}/items/1`,
          { ...ASK('PUT', 'content-type'), ...ff },
          { status: 200, headers: ALLOW },
        ),
        entry('PUT', `${API}/items/1`, { Origin: O, ...ff }, { status: 200, headers: ALLOW }),
        entry(
          'OPTIONS',
          `${API}/items/1`,
          { ...ASK('PUT', 'content-type'), ...ff },
          { status: 200, headers: ALLOW },
        ),
        entry('PUT', `${API}/items/1`, { Origin: O, ...ff }, { status: 200, headers: ALLOW }),
        entry('PUT', `${API}/items/1`, { Origin: O, ...ff }, { status: 200, headers: ALLOW }),
      ]),
      found: ['p0a1', 'p2a3', 'a4'],
    },
    {
      // Recorded by Chromium: a favicon between the first PUT and its preflight, the second PUT sent on the
      // cached preflight. Nearest in the file would be the second PUT; in time it is the first.
      title: 'Chrome: the same PUT twice, an image between the first and its preflight: nearest in time',
      har: har('WebInspector', [
        at(
          '09:00:00.648',
          entry('PUT', `${API}/items/1`, { Origin: O }, { status: 200, headers: ALLOW }, { type: 'fetch' }),
        ),
        at('09:00:00.650', entry('GET', 'http://localhost:3000/favicon.ico', {}, {}, { type: 'image' })),
        at(
          '09:00:00.649',
          entry(
            'OPTIONS',
            `${API}/items/1`,
            ASK('PUT', 'content-type'),
            { status: 200, headers: ALLOW },
            { type: 'preflight', initiator: { type: 'preflight', url: `${API}/items/1`, requestId: '7.3' } },
          ),
        ),
        at(
          '09:00:00.773',
          entry('PUT', `${API}/items/1`, { Origin: O }, { status: 200, headers: ALLOW }, { type: 'fetch' }),
        ),
      ]),
      found: ['p2a0', 'a3'],
    },
    {
      title: 'a preflight for another method is not this request’s',
      har: har('Firefox', [
        entry('OPTIONS', `${API}/items/1`, { ...ASK('DELETE'), ...ff }, { status: 400 }),
        entry('PUT', `${API}/items/1`, { Origin: O, ...ff }, { status: 200, headers: ALLOW }),
      ]),
      found: ['p0', 'a1'],
    },
    {
      title: 'a redirect: the next hop is the request at the Location, with its own preflight',
      har: har('Firefox', [
        entry('OPTIONS', `${API}/items`, { ...ASK('PUT'), ...ff }, { status: 200, headers: ALLOW }),
        entry(
          'PUT',
          `${API}/items`,
          { Origin: O, ...ff },
          { status: 307, headers: { ...ALLOW, location: '/items/' } },
        ),
        entry(
          'OPTIONS',
          `${API}/items/`,
          { ...ASK('PUT'), Origin: 'null', ...ff },
          { status: 200, headers: ALLOW },
        ),
        entry('PUT', `${API}/items/`, { Origin: 'null', ...ff }, { status: 200, headers: ALLOW }),
      ]),
      found: ['p0a1 -> p2a3'],
    },
    {
      title: 'pages, scripts, images and navigations are not fetches',
      har: har('Firefox', [
        entry(
          'GET',
          `${O}/`,
          { 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Mode': 'navigate' },
          { status: 200 },
        ),
        entry(
          'GET',
          'http://cdn.example/app.js',
          { 'Sec-Fetch-Dest': 'script', 'Sec-Fetch-Mode': 'no-cors' },
          { status: 200 },
        ),
        entry(
          'GET',
          'http://cdn.example/font.woff2',
          { Origin: O, 'Sec-Fetch-Dest': 'font', 'Sec-Fetch-Mode': 'cors' },
          { status: 200 },
        ),
        entry('GET', `${API}/items`, { Origin: O, ...ff }, { status: 200 }),
      ]),
      found: ['a3'],
    },
  ])('$title', ({ har: h, found }) => {
    expect(shape(h)).toEqual(found);
  });

  it.each([
    { title: 'Origin', headers: { Origin: O, ...ff }, pages: [], from: 'its Origin header', origin: O },
    {
      title: 'Referer',
      headers: { Referer: `${O}/shop?x=1`, ...ff },
      pages: [],
      from: 'its Referer header',
      origin: O,
    },
    {
      title: 'the page',
      headers: ff,
      pages: [{ id: 'page_1', title: 'https://app.example.com/orders' }],
      from: "the HAR's page",
      origin: 'https://app.example.com',
    },
  ])("the page's origin from $title", ({ headers, pages, from, origin }) => {
    const contents = harFromObject(
      har(
        'Firefox',
        [{ ...entry('GET', `${API}/items`, headers, { status: 200 }), pageref: 'page_1' }],
        pages,
      ),
    );
    expect(contents.fetches.map((f) => [f.page.origin, f.originFrom])).toEqual([[origin, from]]);
  });

  it('a fetch whose page origin is nowhere in the HAR is listed as not judged, with why', () => {
    const contents = harFromObject(har('Firefox', [entry('GET', `${API}/items`, ff, { status: 200 })]));
    expect(contents.skipped).toEqual([
      {
        entry: 0,
        url: `${API}/items`,
        why: "the page's origin is not in the HAR (no Origin, Referer or page)",
      },
    ]);
  });
});
