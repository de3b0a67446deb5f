/**
 * Which header Chromium names when several request headers are missing from the preflight's
 * Access-Control-Allow-Headers: Blink's header-map (hash table) order, not sorted order. Each row
 * was observed in Chromium 156 (scripts/chrome-header-order.ts, seeds 3 and 11: the model agreed on
 * all 376 cases that named a header, the "first in sorted order" rule on 141 of them).
 */
import { describe, expect, it } from 'vitest';
import { chromeRequestHeaderOrder } from '../../../src/model/chrome-header-order.js';
import { simulate } from '../../../src/model/simulate.js';
import type { HeaderList, Scenario } from '../../../src/model/types.js';

const ORIGIN = 'http://localhost:3000';

interface ObservedCase {
  /** The page's headers in the order given to fetch(); `Name: value` or a bare name (value `v`). */
  headers: string[];
  body: boolean;
  /** The preflight's Access-Control-Allow-Headers ('' when absent). */
  allow: string;
  /** The header Chromium's console line named, lower-cased. */
  named: string;
}

const OBSERVED: ObservedCase[] = [
  { headers: ['-', 'FOo', 'Content-Type: application/json'], body: false, allow: '-', named: 'foo' },
  {
    headers: ['ef', 'X', 'Baggage', 'X-Correlation-ID', 'Content-Type: application/json'],
    body: true,
    allow: '',
    named: 'ef',
  },
  {
    headers: ['Content-Type: application/json', 'X-Request-ID'],
    body: false,
    allow: '',
    named: 'x-request-id',
  },
  {
    headers: ['x-csrf-token', 'dHXq', 'Traceparent'],
    body: true,
    allow: 'traceparent, x-other',
    named: 'x-csrf-token',
  },
  { headers: ['X-Request-ID', 'x-eCyixi5LD_wKIqG8tEAip'], body: true, allow: '', named: 'x-request-id' },
  { headers: ['r', 'x-8Vhgkb8q', 'Y9Cou', 'X-Requested-With'], body: false, allow: '', named: 'x-8vhgkb8q' },
  {
    headers: ['Content-Type: application/json', 'Traceparent'],
    body: true,
    allow: 'x-other',
    named: 'traceparent',
  },
  {
    headers: ['X-Request-ID', 'X', 'X-CSRF-Token', 'A5y', 'Content-Type: application/json'],
    body: true,
    allow: 'x, a5y, x-other',
    named: 'x-request-id',
  },
  {
    headers: ['x-jOKA', 'x-rdv15sCBzA', 'X-utG', 'X-REQUESTED-WITH'],
    body: false,
    allow: 'x-utg, x-joka, x-other',
    named: 'x-requested-with',
  },
  {
    headers: ['X-CORRELATION-ID', 'X-Amz-Date', 'x-csrf-token', 'x', 'Content-Type: application/json'],
    body: false,
    allow: 'content-type, x',
    named: 'x-csrf-token',
  },
  {
    headers: ['GSatBQyQKP', 'X-S', 'X-wzrj0nKfGMUF', 'x-request-id', 'X-'],
    body: false,
    allow: 'x-, x-s, x-wzrj0nkfgmuf, x-other',
    named: 'x-request-id',
  },
  {
    headers: ['X-_WK7IO', 'x-client-version', 'Content-Type: application/json', 'If-None-Match'],
    body: false,
    allow: 'x-other',
    named: 'if-none-match',
  },
];

function scenarioOf(c: ObservedCase): Scenario {
  const headers: HeaderList = c.headers.map((h) => {
    const i = h.indexOf(': ');
    return i === -1 ? [h, 'v'] : [h.slice(0, i), h.slice(i + 2)];
  });
  const preflight: HeaderList = [
    ['Access-Control-Allow-Origin', ORIGIN],
    ['Access-Control-Allow-Methods', 'GET, POST, PUT'],
  ];
  if (c.allow !== '') preflight.push(['Access-Control-Allow-Headers', c.allow]);
  return {
    origin: ORIGIN,
    request: {
      url: 'http://localhost:8000/x',
      method: c.body ? 'POST' : 'GET',
      headers,
      credentials: 'omit',
      ...(c.body && { body: '{"x":1}' }),
    },
    preflight: { status: 204, headers: preflight },
    response: { status: 200, headers: [['Access-Control-Allow-Origin', ORIGIN]] },
  };
}

describe('Chromium names the first missing header in its header-map order', () => {
  it.each(OBSERVED.map((c) => [c.named, c] as const))('names %s', (named, c) => {
    const message = simulate(scenarioOf(c)).chrome.messages[0] ?? '';
    expect(message).toContain(`Request header field ${named} is not allowed`);
  });
});

describe('chromeRequestHeaderOrder', () => {
  it('keeps every name exactly once (lower-cased), whatever the order given', () => {
    const names = ['X-Request-ID', 'Authorization', 'Content-Type', 'x-b'];
    const a = chromeRequestHeaderOrder(names);
    const b = chromeRequestHeaderOrder([...names].reverse());
    expect([...a].sort()).toEqual(names.map((n) => n.toLowerCase()).sort());
    expect(a).toEqual(b);
  });
});
