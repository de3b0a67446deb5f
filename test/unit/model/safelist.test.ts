import { describe, expect, it } from 'vitest';
import { mimeTypeEssence } from '../../../src/model/mime-type.js';
import { parseSingleRange } from '../../../src/model/range-header.js';
import {
  corsUnsafeRequestHeaderNames,
  isCorsSafelistedRequestHeader,
  isForbiddenRequestHeader,
  splitRequestHeaders,
} from '../../../src/model/safelist.js';

// WPT cors/cors-safelisted-request-header.any.js: Content-Type values.
const contentTypes: Array<[string, boolean]> = [
  ['text /plain', false],
  ['text\t/\tplain', false],
  ['text/plain;', true],
  ['text/plain;garbage', true],
  ['text/plain;garbage\u0001\u0002', false],
  ['text/plain,', false],
  [',text/plain', false],
  ['text/plain,text/plain', false],
  ['text/plain,x/x', false],
  ['text/plain\u000B', false],
  ['text/plain\u000C', false],
  ['application/www-form-urlencoded', false],
  ['application/x-www-form-urlencoded;\u007F', false],
  ['multipart/form-data', true],
  ['multipart/form-data;"', false],
  ['text/plain;charset=utf-8', true],
  ['Text/Plain;charset=utf-8', true],
  ['application/json', false],
  ['text/html', false],
  [`text/plain; long=${'0'.repeat(120)}`, false],
];

// WPT cors-safelisted-request-header.any.js: Range values.
const ranges: Array<[string, boolean]> = [
  ['bytes=100-200', true],
  ['bytes=200-', true],
  ...[
    '100-200',
    'MB=100-200',
    'bytes =100-200',
    'bytes\t=100-200',
    'bytes=  100-200',
    'bytes=100 -200',
    'bytes=100-200hello',
    'bytes=abc-def',
    'bytes=100-200,300-400',
    'bytes=-200',
    'bytes=200-100',
    'bytes 100-200',
    ',bytes=100-200',
    'bytes=,100-200',
  ].map((v): [string, boolean] => [v, false]),
];

// WPT fetch/api/cors/resources/not-cors-safelisted.json plus cors-no-preflight.any.js.
const otherHeaders: Array<[string, string, boolean]> = [
  ['accept', '"', false],
  ['accept', '0123456789'.repeat(12).concat('012345678'), false],
  ['accept', '*/*', true],
  ['accept-language', '\u0001', false],
  ['accept-language', '@', false],
  ['accept-language', 'fr', true],
  ['content-language', '\u0001', false],
  ['content-language', '@', false],
  ['content-language', 'eu', true],
  ['authorization', 'basics', false],
  ['last-event-id', '"', false],
  ['last-event-id', 'abc123', false],
  ['range', 'bytes 0-', false],
  ['test', 'hi', false],
  ['x-requested-with', 'XMLHttpRequest', false],
];

describe('CORS-safelisted request headers (Fetch standard)', () => {
  it.each(contentTypes)('Content-Type %j safelisted: %s', (value, expected) => {
    expect(isCorsSafelistedRequestHeader('Content-Type', value)).toBe(expected);
  });
  it.each(ranges)('Range %j safelisted: %s', (value, expected) => {
    expect(isCorsSafelistedRequestHeader('Range', value)).toBe(expected);
  });
  it.each(otherHeaders)('%s: %j safelisted: %s', (name, value, expected) => {
    expect(isCorsSafelistedRequestHeader(name, value)).toBe(expected);
  });
  it('Chromium also safelists client hints with valid values; the standard does not', () => {
    expect(isCorsSafelistedRequestHeader('DPR', '2', 'chrome')).toBe(true);
    expect(isCorsSafelistedRequestHeader('DPR', 'x', 'chrome')).toBe(false);
    expect(isCorsSafelistedRequestHeader('Save-Data', 'on', 'chrome')).toBe(true);
    expect(isCorsSafelistedRequestHeader('DPR', '2', 'spec')).toBe(false);
    expect(isCorsSafelistedRequestHeader('DPR', '2', 'firefox')).toBe(false);
  });
});

describe('MIME type essence', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['  TEXT/Plain ; charset=x', 'text/plain'],
    ['text/plain;', 'text/plain'],
    ['text', null],
    ['/plain', null],
    ['text/', null],
    ['te xt/plain', null],
  ])('%j -> %j', (input, expected) => {
    expect(mimeTypeEssence(input)).toBe(expected);
  });
});

describe('single range parsing', () => {
  it.each([
    ['bytes=0-10', [0, 10]],
    ['bytes=5-', [5, null]],
    ['bytes=-5', [null, 5]],
    ['bytes=-', null],
    ['bytes=10-0', null],
  ])('%j -> %j', (input, expected) => {
    expect(parseSingleRange(input)).toEqual(expected);
  });
});

describe('forbidden request headers', () => {
  it.each([
    ['Cookie', 'a=b', true],
    ['Origin', 'http://x', true],
    ['Sec-Fetch-Mode', 'cors', true],
    ['Proxy-Authorization', 'x', true],
    ['Content-Length', '3', true],
    ['X-HTTP-Method-Override', 'TRACE', true],
    ['X-HTTP-Method-Override', 'PUT', false],
    ['Authorization', 'Bearer t', false],
    ['X-Custom', '1', false],
  ])('%s: %j forbidden: %s', (name, value, expected) => {
    expect(isForbiddenRequestHeader(name, value)).toBe(expected);
  });
  it('splitRequestHeaders drops forbidden headers and sorts and combines the rest', () => {
    expect(
      splitRequestHeaders([
        ['X-B', '1'],
        ['Cookie', 'a=b'],
        ['x-a', '2'],
        ['X-B', '3'],
      ]),
    ).toEqual({
      sent: [
        ['x-a', '2'],
        ['x-b', '1, 3'],
      ],
      lines: [
        ['X-B', '1'],
        ['x-a', '2'],
        ['X-B', '3'],
      ],
      dropped: ['Cookie'],
    });
  });
});

describe('CORS-unsafe request-header names', () => {
  it('are lowercased, sorted and exclude safelisted headers (WPT cors-preflight.any.js)', () => {
    const { sent } = splitRequestHeaders([
      ['x-test-header1', 'v'],
      ['x-test-header2', 'v'],
      ['X-test-header3', 'v'],
      ['x-test-header-b', 'v'],
      ['x-test-header-D', 'v'],
      ['x-test-header-C', 'v'],
      ['x-test-header-a', 'v'],
      ['Content-Type', 'allowedOrRefused'],
      ['Accept', '*'],
      ['Accept-Language', 'bzh'],
      ['Content-Language', 'eu'],
    ]);
    expect(corsUnsafeRequestHeaderNames(sent).join(',')).toBe(
      'content-type,x-test-header-a,x-test-header-b,x-test-header-c,x-test-header-d,x-test-header1,x-test-header2,x-test-header3',
    );
  });
  it('combine repeated safelisted headers into one value, which is unsafe past 128 bytes', () => {
    const { sent } = splitRequestHeaders(
      Array.from({ length: 2 }, (_, i): [string, string] => ['Accept-Language', `${'b'.repeat(70)}${i}`]),
    );
    expect(corsUnsafeRequestHeaderNames(sent)).toEqual(['accept-language']);
  });
  it('make every safelisted header unsafe past 1024 bytes of safelisted values (reachable with Chromium client hints)', () => {
    const decimal = `1.${'0'.repeat(126)}`;
    const { sent } = splitRequestHeaders([
      ['Accept', 'a'.repeat(128)],
      ['Accept-Language', 'b'.repeat(128)],
      ['Content-Language', 'c'.repeat(128)],
      ['Content-Type', `text/plain;x=${'d'.repeat(115)}`],
      ['Device-Memory', decimal],
      ['DPR', decimal],
      ['Downlink', decimal],
      ['Width', '1'.repeat(128)],
      ['Range', 'bytes=0-1'],
    ]);
    expect(corsUnsafeRequestHeaderNames(sent, 'chrome')).toEqual([
      'accept',
      'accept-language',
      'content-language',
      'content-type',
      'device-memory',
      'downlink',
      'dpr',
      'range',
      'width',
    ]);
    expect(corsUnsafeRequestHeaderNames(sent.slice(0, 4), 'chrome')).toEqual([]);
  });
});
