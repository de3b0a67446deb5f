import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { buildPageFetch, droppedHeadersNote } from '../../../src/core/page.js';
import {
  maskUrlCredentials,
  parseHeader,
  parseMethod,
  parseOrigin,
  parseRequestUrl,
} from '../../../src/core/request-input.js';

/** The one line a refused input gets (no line break, no secret), or a failure when it is accepted. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

// Each row: what the user typed, what the one line must say, and the secrets it must not repeat. Every row was
// checked against Chromium and Firefox: new Request(url, { method }) and new Headers([[name, value]]) throw
// a TypeError for each input refused with "fetch() throws a TypeError".
const URLS: Array<[string, RegExp, string[]]> = [
  [
    'http://user:pw@127.0.0.1:8000/x',
    /^fetch\(\) throws a TypeError for a URL with credentials \(http:\/\/user:\*\*\*@127\.0\.0\.1:8000\/x\): send them in a header/,
    ['pw'],
  ],
  [
    'https://ghp_secretToken123@api.example.com/repos',
    /fetch\(\) throws a TypeError for a URL with credentials \(https:\/\/\*\*\*@api\.example\.com\/repos\)/,
    ['ghp_secretToken123'],
  ],
  ['http://:hunter2@localhost:8000/', /credentials \(http:\/\/:\*\*\*@localhost:8000\/\)/, ['hunter2']],
  ['user:s3cret@localhost:8000/x', /credentials \(user:\*\*\*@localhost:8000\/x\)/, ['s3cret']],
  ['HTTP://admin:pa55@LOCALHOST:8000/x', /credentials \(HTTP:\/\/admin:\*\*\*@LOCALHOST/, ['pa55']],
  ['localhost:8000/items', /has no scheme: write http:\/\/localhost:8000\/items/, []],
  ['http://[bad', /^not a valid URL: "http:\/\/\[bad"/, []],
  ['ftp://localhost/x', /^unsupported URL scheme ftp: in ftp:\/\/localhost\/x/, []],
];

describe('parseRequestUrl refuses what fetch() refuses, and never prints a password', () => {
  it.each(URLS)('%s', (input, message, secrets) => {
    const line = refusal(() => parseRequestUrl(input));
    expect(line).toMatch(message);
    expect(line).not.toContain('\n');
    for (const secret of secrets) expect(line).not.toContain(secret);
  });
  it.each([
    ['http://localhost:8000/items', 'http://localhost:8000/items'],
    ['HTTP://LOCALHOST:8000/Items', 'http://localhost:8000/Items'],
    ['http://localhost:8000/x?next=a@b', 'http://localhost:8000/x?next=a@b'],
  ])('accepts %s as %s', (input, href) => {
    expect(parseRequestUrl(input)).toBe(href);
  });
});

describe('maskUrlCredentials', () => {
  it.each([
    ['http://user:pw@host/x', 'http://user:***@host/x'],
    ['http://token@host/x', 'http://***@host/x'],
    ['http://host/x@y', 'http://host/x@y'],
    ['http://host/x?a=b@c', 'http://host/x?a=b@c'],
    ['u:p@host', 'u:***@host'],
  ])('%s -> %s', (input, masked) => {
    expect(maskUrlCredentials(input)).toBe(masked);
  });
});

// Origins: the browser serialises scheme and host in lower case, leaves the default port out, and sends no
// path or slash; another spelling is refused with the one the browser sends (the same in every command).
const ORIGINS: Array<[string, RegExp, string[]]> = [
  [
    'HTTP://LOCALHOST:3000',
    /^the origin "HTTP:\/\/LOCALHOST:3000" has upper case; browsers send the scheme and host in lower case: use http:\/\/localhost:3000$/,
    [],
  ],
  ['http://LocalHost:3000', /lower case: use http:\/\/localhost:3000$/, []],
  ['HTTPS://App.Example.COM', /lower case: use https:\/\/app\.example\.com$/, []],
  ['http://LOCALHOST:3000/', /has a trailing slash; use http:\/\/localhost:3000$/, []],
  [
    'http://localhost:3000/app',
    /scheme, host and port only: .* has a path; use http:\/\/localhost:3000$/,
    [],
  ],
  [
    'http://localhost:80',
    /default port; browsers leave :80 out of http:\/\/ origins: use http:\/\/localhost$/,
    [],
  ],
  [
    'https://example.com:443/',
    /browsers leave :443 out of https:\/\/ origins: use https:\/\/example\.com$/,
    [],
  ],
  ['localhost:3000', /^the origin "localhost:3000" has no scheme: write http:\/\/localhost:3000/, []],
  ['LOCALHOST:3000', /has no scheme: write http:\/\/localhost:3000 /, []],
  ['ftp://localhost:3000', /^not a valid origin: .*like http:\/\/localhost:3000$/, []],
  ['HTTP:/localhost:3000', /^not a valid origin: .*like http:\/\/localhost:3000$/, []],
  [
    'http://user:pw@localhost:3000',
    /an origin never has any \(http:\/\/user:\*\*\*@localhost:3000\)/,
    ['pw'],
  ],
];

describe('parseOrigin accepts only what the browser sends, and suggests it', () => {
  it.each(ORIGINS)('%s', (input, message, secrets) => {
    const line = refusal(() => parseOrigin(input));
    expect(line).toMatch(message);
    expect(line).not.toMatch(/http:\/\/HTTP|http:\/\/http/i);
    for (const secret of secrets) expect(line).not.toContain(secret);
  });
  it.each(['http://localhost:3000', 'https://app.example.com', 'http://127.0.0.1:5173', 'null'])(
    'accepts %s',
    (origin) => {
      expect(parseOrigin(origin)).toBe(origin);
    },
  );
});

describe('parseMethod: fetch() refuses CONNECT, TRACE and TRACK in any case, and upper-cases six methods', () => {
  it.each([
    [
      'CONNECT',
      /^fetch\(\) throws a TypeError for the method CONNECT: browsers never send CONNECT, TRACE or TRACK$/,
    ],
    ['connect', /for the method connect:/],
    ['Trace', /for the method Trace:/],
    ['TRACK', /for the method TRACK:/],
    ['GE T', /^fetch\(\) throws a TypeError for the method "GE T": a method is a token/],
    ['', /for the method "": a method is a token/],
    ['PÜT', /for the method "PÜT": a method is a token/],
  ])('refuses %j', (method, message) => {
    expect(refusal(() => parseMethod(method))).toMatch(message);
  });
  it.each([
    ['get', 'GET'],
    ['Post', 'POST'],
    ['delete', 'DELETE'],
    ['options', 'OPTIONS'],
    ['patch', 'patch'],
    ['PROPFIND', 'PROPFIND'],
  ])('%s is sent as %s', (method, sent) => {
    expect(parseMethod(method)).toBe(sent);
  });
});

const SECRET = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig';

// Header lines fetch() refuses, and lines this tool cannot send: the one line names the header and the
// problem, never the value.
const HEADERS: Array<[string, string, RegExp]> = [
  [
    'CR LF inside the value',
    `X-Trace: a\r\nAuthorization: ${SECRET}`,
    /^fetch\(\) throws a TypeError for the value of X-Trace: it holds a line break \(CR or LF\); give each header its own -H$/,
  ],
  [
    'LF inside the value',
    `Authorization: Bearer ${SECRET}\nX: y`,
    /value of Authorization: it holds a line break/,
  ],
  [
    'CR inside the value',
    `Authorization: Bearer\r${SECRET}`,
    /value of Authorization: it holds a line break/,
  ],
  [
    'NUL inside the value',
    `Authorization: Bearer ${SECRET}\0`,
    /value of Authorization: it holds a NUL character$/,
  ],
  [
    'a character above U+00FF',
    `X-Api-Key: ${SECRET}€`,
    /^fetch\(\) throws a TypeError for the value of X-Api-Key: it holds U\+20AC, a character above U\+00FF, and header values are bytes; percent-encode it/,
  ],
  ['an emoji', `X-Note: ${SECRET} 😀`, /value of X-Note: it holds U\+1F600, a character above U\+00FF/],
  [
    'a control character fetch() sends and Node refuses',
    `Authorization: Bearer ${SECRET}\u0001`,
    /^cannot send the value of Authorization: it holds the control character U\+0001; fetch\(\) accepts it, but Node's HTTP client refuses to send it$/,
  ],
  ['DEL', `Authorization: ${SECRET}\u007f`, /control character U\+007F/],
  [
    'no colon after the name',
    `Authorization Bearer ${SECRET}`,
    /^not a header: -H "Authorization …" has no colon after the name; write it as -H 'Authorization: …'$/,
  ],
  [
    'no colon, a token alone',
    SECRET,
    /^not a header: a -H has no colon \(its text is not shown: it may hold a secret\)/,
  ],
  [
    'no colon, a word with digits',
    `ghp1234abcd ${SECRET}`,
    /^not a header: a -H has no colon \(its text is not shown/,
  ],
  ['no name', `: ${SECRET}`, /^not a header: a -H has no name before its colon/],
  [
    'a space in the name',
    `Authorization Basic ${SECRET}:pw`,
    /^fetch\(\) throws a TypeError for the header name "Authorization …": a name is a token, with no spaces .*write it as -H 'Authorization: …'$/,
  ],
  [
    'a bad character in the name',
    `X(Trace): ${SECRET}`,
    /^fetch\(\) throws a TypeError for the header name "X\(Trace\)": a name is a token/,
  ],
  [
    'a name with a line break',
    `\r\nX-Y\r\nZ: ${SECRET}`,
    /for the header name given: a name is a token, with no spaces/,
  ],
  ['a name above U+00FF', `X-Ünïcødé€: ${SECRET}`, /for the header name "X-Ünïcødé€": a name is a token/],
];

describe('parseHeader refuses what fetch() refuses, naming the header and never its value', () => {
  it.each(HEADERS)('%s', (_title, line, message) => {
    const said = refusal(() => parseHeader(line));
    expect(said).toMatch(message);
    expect(said).not.toContain('\n');
    expect(said).not.toContain(SECRET.slice(0, 12));
    expect(said).not.toContain('ghp1234abcd');
  });
  it.each([
    ['Authorization: Bearer abc', ['Authorization', 'Bearer abc']],
    ['X-Trace:   a b  ', ['X-Trace', 'a b']],
    ['X-Trace: a\r\n', ['X-Trace', 'a']],
    ['X-Trace:\t a\t', ['X-Trace', 'a']],
    ['X-Lang: café', ['X-Lang', 'café']],
    ['X-Space: \u00a0a', ['X-Space', '\u00a0a']],
    ['X-Empty:', ['X-Empty', '']],
    ['X-Colon: a:b:c', ['X-Colon', 'a:b:c']],
    ['  X-Padded  : v', ['X-Padded', 'v']],
  ])('accepts %j as fetch() keeps it', (line, pair) => {
    expect(parseHeader(line)).toEqual(pair);
  });
});

describe('buildPageFetch: the page fetch() refused the same way, and forbidden headers said to be dropped', () => {
  it.each([
    [
      { url: 'http://u:p4ss@localhost:8000/x' },
      /URL with credentials \(http:\/\/u:\*\*\*@localhost:8000\/x\)/,
    ],
    [{ url: 'http://localhost:8000/x', method: 'connect' }, /for the method connect/],
    [{ url: 'http://localhost:8000/x', method: 'track', data: 'x' }, /for the method track/],
    [{ url: 'http://localhost:8000/x', headers: ['X: a\r\nB: c'] }, /value of X: it holds a line break/],
    [{ url: 'http://localhost:8000/x', origin: 'HTTP://LOCALHOST:3000' }, /use http:\/\/localhost:3000$/],
    [{ url: 'http://localhost:8000/x', method: 'get', data: 'x' }, /cannot send a body with GET/],
  ])('refuses %j', (input, message) => {
    expect(refusal(() => buildPageFetch(input))).toMatch(message);
  });
  it('sends the method fetch() sends', () => {
    expect(buildPageFetch({ url: 'http://localhost:8000/x', method: 'delete' }).method).toBe('DELETE');
    expect(buildPageFetch({ url: 'http://localhost:8000/x', method: 'patch' }).method).toBe('patch');
  });
  it.each([
    [
      ['Cookie: session=abc'],
      /^fetch\(\) drops the forbidden request header Cookie: .*use --cookie with --credentials include/,
    ],
    [
      ['Host: evil.example', 'Origin: http://x', 'X-Ok: 1'],
      /^fetch\(\) drops the forbidden request headers Host, Origin: the browser sets them itself/,
    ],
    [
      ['Content-Length: 5', 'Sec-Fetch-Mode: navigate', 'Proxy-Authorization: Basic x'],
      /headers Content-Length, Sec-Fetch-Mode, Proxy-Authorization:/,
    ],
    [['X-HTTP-Method-Override: TRACE'], /header X-HTTP-Method-Override:/],
  ])('%j is dropped, and said', (headers, note) => {
    const page = buildPageFetch({ url: 'http://localhost:8000/x', headers });
    expect(droppedHeadersNote(page)).toMatch(note);
    expect(droppedHeadersNote(page)).not.toMatch(/abc|evil|Basic/);
  });
  it('says nothing when nothing is dropped', () => {
    const page = buildPageFetch({ url: 'http://localhost:8000/x', headers: ['Authorization: Bearer x'] });
    expect(droppedHeadersNote(page)).toBeUndefined();
  });
});
