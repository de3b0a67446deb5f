// Copy-as texts in the exact shapes Chromium 156 and Firefox ESR 153 DevTools write them (see
// devtools-generators.ts for the source of each shape: every literal below is checked against the
// transcribed generator), each read back to the request the browser sent and the page's fetch() behind it.
import { describe, expect, it } from 'vitest';
import { type CopiedRequest, parseCopyAs } from '../../../src/evidence/copy-as/index.js';
import { chromeCurl, chromeFetch, firefoxCurl, firefoxFetch } from './devtools-generators.js';
import {
  AWKWARD_POST,
  CHROME_H2,
  CHROME_PUT_BLOCKED,
  FIREFOX_ME_COOKIE,
  FIREFOX_UA,
  HEAD,
  PLAIN_GET,
} from './fixtures.js';

interface Row {
  name: string;
  text: string;
  /** What DevTools generates for this text (the literal must equal it). */
  source?: () => string;
  expected: Partial<CopiedRequest>;
  /** Parts every note together must say. */
  notes?: RegExp[];
}

const ROWS: Row[] = [
  {
    name: "Chrome, Copy as cURL (bash): PUT blocked at the preflight, origin from Referer, body in $'…'",
    text: String.raw`curl --url 'http://127.0.0.1:8000/items/1' \
  -X 'PUT' \
  -H 'Authorization: Bearer t0k3n' \
  -H 'Content-Type: application/json' \
  -H 'Referer: http://localhost:3000/' \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' \
  -H 'sec-ch-ua: "Chromium";v="156", "Not=A?Brand";v="24"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  --data-raw $'{"name":"Saw\'s","price":12}'`,
    source: () => chromeCurl(CHROME_PUT_BLOCKED, 'bash'),
    expected: {
      format: 'curl-bash',
      url: 'http://127.0.0.1:8000/items/1',
      method: 'PUT',
      headers: [
        ['Authorization', 'Bearer t0k3n'],
        ['Content-Type', 'application/json'],
      ],
      browserHeaders: ['Referer', 'User-Agent', 'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform'],
      body: `{"name":"Saw's","price":12}`,
      origin: 'http://localhost:3000',
      originFrom: 'Referer',
    },
    notes: [/taken from its Referer/, /curl text does not say the fetch\(\)'s credentials mode/],
  },
  {
    name: 'Chrome, Copy as cURL (cmd): the same request with ^ escapes',
    text: String.raw`curl --url ^"http://127.0.0.1:8000/items/1^" ^
  -X ^"PUT^" ^
  -H ^"Authorization: Bearer t0k3n^" ^
  -H ^"Content-Type: application/json^" ^
  -H ^"Referer: http://localhost:3000/^" ^
  -H ^"User-Agent: Mozilla/5.0 ^(X11; Linux x86_64^) AppleWebKit/537.36 ^(KHTML, like Gecko^) Chrome/156.0.0.0 Safari/537.36^" ^
  -H ^"sec-ch-ua: ^\^"Chromium^\^";v=^\^"156^\^", ^\^"Not=A?Brand^\^";v=^\^"24^\^"^" ^
  -H ^"sec-ch-ua-mobile: ?0^" ^
  -H ^"sec-ch-ua-platform: ^\^"Linux^\^"^" ^
  --data-raw ^"^{^\^"name^\^":^\^"Saw's^\^",^\^"price^\^":12^}^"`,
    source: () => chromeCurl(CHROME_PUT_BLOCKED, 'cmd'),
    expected: {
      format: 'curl-cmd',
      url: 'http://127.0.0.1:8000/items/1',
      method: 'PUT',
      headers: [
        ['Authorization', 'Bearer t0k3n'],
        ['Content-Type', 'application/json'],
      ],
      body: `{"name":"Saw's","price":12}`,
      origin: 'http://localhost:3000',
      originFrom: 'Referer',
    },
  },
  {
    name: 'Chrome, Copy as fetch: the same request; include because of Authorization',
    text: `fetch("http://127.0.0.1:8000/items/1", {
  "headers": {
    "authorization": "Bearer t0k3n",
    "content-type": "application/json"
  },
  "referrer": "http://localhost:3000/",
  "body": "{\\"name\\":\\"Saw's\\",\\"price\\":12}",
  "method": "PUT",
  "mode": "cors",
  "credentials": "include"
});`,
    source: () => chromeFetch(CHROME_PUT_BLOCKED, 'browser'),
    expected: {
      format: 'fetch',
      url: 'http://127.0.0.1:8000/items/1',
      method: 'PUT',
      headers: [
        ['authorization', 'Bearer t0k3n'],
        ['content-type', 'application/json'],
      ],
      browserHeaders: [],
      body: `{"name":"Saw's","price":12}`,
      origin: 'http://localhost:3000',
      originFrom: 'referrer',
      credentials: 'include',
    },
    notes: [/when the request carried a cookie or an Authorization header/],
  },
  {
    name: 'Chrome, Copy as fetch (Node.js): Referer in the headers, no mode, no credentials',
    text: `fetch("http://127.0.0.1:8000/items/1", {
  "headers": {
    "authorization": "Bearer t0k3n",
    "content-type": "application/json",
    "Referer": "http://localhost:3000/"
  },
  "body": "{\\"name\\":\\"Saw's\\",\\"price\\":12}",
  "method": "PUT"
});`,
    source: () => chromeFetch(CHROME_PUT_BLOCKED, 'node'),
    expected: {
      format: 'fetch-node',
      method: 'PUT',
      headers: [
        ['authorization', 'Bearer t0k3n'],
        ['content-type', 'application/json'],
      ],
      browserHeaders: ['Referer'],
      origin: 'http://localhost:3000',
      originFrom: 'Referer',
    },
    notes: [/does not say the fetch\(\)'s credentials mode/],
  },
  {
    name: 'Firefox, Copy as cURL (POSIX): credentialed GET, the Cookie as -H',
    text: String.raw`curl 'http://127.0.0.1:8000/me' \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0' \
  -H 'Accept: */*' \
  -H 'Accept-Language: en-US,en;q=0.5' \
  -H 'Accept-Encoding: gzip, deflate, br, zstd' \
  -H 'Referer: http://localhost:3000/' \
  -H 'Origin: http://localhost:3000' \
  -H 'Connection: keep-alive' \
  -H 'Cookie: session=abc123' \
  -H 'Sec-Fetch-Dest: empty' \
  -H 'Sec-Fetch-Mode: cors' \
  -H 'Sec-Fetch-Site: cross-site' \
  -H 'Priority: u=4'`,
    source: () => firefoxCurl(FIREFOX_ME_COOKIE, 'bash'),
    expected: {
      format: 'curl-bash',
      url: 'http://127.0.0.1:8000/me',
      headers: [['Accept', '*/*']],
      browserHeaders: [
        'User-Agent',
        'Accept-Language',
        'Accept-Encoding',
        'Referer',
        'Origin',
        'Connection',
        'Cookie',
        'Sec-Fetch-Dest',
        'Sec-Fetch-Mode',
        'Sec-Fetch-Site',
        'Priority',
      ],
      origin: 'http://localhost:3000',
      originFrom: 'Origin',
      credentials: 'include',
      cookie: 'session=abc123',
    },
  },
  {
    name: 'Firefox, Copy as cURL (Windows): curl.exe and ^ escapes',
    text: String.raw`curl.exe ^"http://127.0.0.1:8000/me^" ^
  -H ^"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0^" ^
  -H ^"Accept: */*^" ^
  -H ^"Accept-Language: en-US,en;q=0.5^" ^
  -H ^"Accept-Encoding: gzip, deflate, br, zstd^" ^
  -H ^"Referer: http://localhost:3000/^" ^
  -H ^"Origin: http://localhost:3000^" ^
  -H ^"Connection: keep-alive^" ^
  -H ^"Cookie: session=abc123^" ^
  -H ^"Sec-Fetch-Dest: empty^" ^
  -H ^"Sec-Fetch-Mode: cors^" ^
  -H ^"Sec-Fetch-Site: cross-site^" ^
  -H ^"Priority: u=4^"`,
    source: () => firefoxCurl(FIREFOX_ME_COOKIE, 'cmd'),
    expected: {
      format: 'curl-cmd',
      url: 'http://127.0.0.1:8000/me',
      headers: [['Accept', '*/*']],
      origin: 'http://localhost:3000',
      credentials: 'include',
      cookie: 'session=abc123',
    },
  },
  {
    name: 'Firefox, Copy as Fetch: await fetch, four spaces, browser headers kept in the copy',
    text: `await fetch("http://127.0.0.1:8000/me", {
    "credentials": "include",
    "headers": {
        "User-Agent": "${FIREFOX_UA}",
        "Accept": "*/*",
        "Accept-Language": "en-US,en;q=0.5",
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "cross-site",
        "Priority": "u=4"
    },
    "referrer": "http://localhost:3000/",
    "method": "GET",
    "mode": "cors"
});`,
    source: () => firefoxFetch(FIREFOX_ME_COOKIE),
    expected: {
      format: 'fetch',
      url: 'http://127.0.0.1:8000/me',
      method: 'GET',
      headers: [['Accept', '*/*']],
      browserHeaders: [
        'User-Agent',
        'Accept-Language',
        'Sec-Fetch-Dest',
        'Sec-Fetch-Mode',
        'Sec-Fetch-Site',
        'Priority',
      ],
      origin: 'http://localhost:3000',
      credentials: 'include',
    },
    notes: [/never their values/],
  },
  {
    name: 'Chrome, Copy as cURL (bash) over HTTP/2: -b cookie, escaped globbing, Disable cache, empty header, !',
    text: String.raw`curl --url 'https://api.example.com/v1/items?q=a\[1\]&x=\{y\}' \
  -H 'accept: application/json' \
  -H 'accept-language: en-US,en;q=0.9' \
  -H 'cache-control: no-cache' \
  -b 'sid=s3cr3t; theme=dark' \
  -H 'origin: https://app.example.com' \
  -H 'pragma: no-cache' \
  -H 'priority: u=1, i' \
  -H 'referer: https://app.example.com/dashboard?tab=1' \
  -H 'sec-fetch-mode: cors' \
  -H 'x-requested-with: XMLHttpRequest' \
  -H 'x-empty;' \
  -H $'x-note: it\'s done\u0021'`,
    source: () => chromeCurl(CHROME_H2, 'bash'),
    expected: {
      url: 'https://api.example.com/v1/items?q=a[1]&x={y}',
      headers: [
        ['accept', 'application/json'],
        ['x-requested-with', 'XMLHttpRequest'],
        ['x-empty', ''],
        ['x-note', "it's done!"],
      ],
      browserHeaders: [
        'accept-language',
        'cache-control',
        'origin',
        'pragma',
        'priority',
        'referer',
        'sec-fetch-mode',
      ],
      origin: 'https://app.example.com',
      originFrom: 'Origin',
      credentials: 'include',
      cookie: 'sid=s3cr3t; theme=dark',
    },
    notes: [/Disable cache/],
  },
  {
    name: 'Chrome, Copy as cURL (cmd) over HTTP/2: ^\\[ in the URL, ^! in a value',
    text: String.raw`curl --url ^"https://api.example.com/v1/items?q=a^\[1^\]^&x=^\{y^\}^" ^
  -H ^"accept: application/json^" ^
  -H ^"accept-language: en-US,en;q=0.9^" ^
  -H ^"cache-control: no-cache^" ^
  -b ^"sid=s3cr3t; theme=dark^" ^
  -H ^"origin: https://app.example.com^" ^
  -H ^"pragma: no-cache^" ^
  -H ^"priority: u=1, i^" ^
  -H ^"referer: https://app.example.com/dashboard?tab=1^" ^
  -H ^"sec-fetch-mode: cors^" ^
  -H ^"x-requested-with: XMLHttpRequest^" ^
  -H ^"x-empty;^" ^
  -H ^"x-note: it's done^!^"`,
    source: () => chromeCurl(CHROME_H2, 'cmd'),
    expected: {
      url: 'https://api.example.com/v1/items?q=a[1]&x={y}',
      headers: [
        ['accept', 'application/json'],
        ['x-requested-with', 'XMLHttpRequest'],
        ['x-empty', ''],
        ['x-note', "it's done!"],
      ],
      origin: 'https://app.example.com',
      cookie: 'sid=s3cr3t; theme=dark',
    },
  },
  {
    name: 'Chrome, Copy as fetch over HTTP/2: sorted lower-case headers, Disable cache pair, priority',
    text: `fetch("https://api.example.com/v1/items?q=a[1]&x={y}", {
  "headers": {
    "accept": "application/json",
    "accept-language": "en-US,en;q=0.9",
    "cache-control": "no-cache",
    "pragma": "no-cache",
    "priority": "u=1, i",
    "x-empty": "",
    "x-note": "it's done!",
    "x-requested-with": "XMLHttpRequest"
  },
  "referrer": "https://app.example.com/dashboard?tab=1",
  "body": null,
  "method": "GET",
  "mode": "cors",
  "credentials": "include"
});`,
    source: () => chromeFetch({ ...CHROME_H2, includedCookies: 2 }, 'browser'),
    expected: {
      format: 'fetch',
      headers: [
        ['accept', 'application/json'],
        ['x-empty', ''],
        ['x-note', "it's done!"],
        ['x-requested-with', 'XMLHttpRequest'],
      ],
      browserHeaders: ['accept-language', 'cache-control', 'pragma', 'priority'],
      origin: 'https://app.example.com',
      originFrom: 'referrer',
      credentials: 'include',
    },
  },
  {
    name: 'Chrome, Copy as cURL (bash): a body with a line break, a tab, !, a backslash and non-ASCII',
    text: String.raw`curl --url 'http://127.0.0.1:8000/items' \
  -H 'Content-Type: text/plain;charset=UTF-8' \
  -H 'Origin: http://localhost:3000' \
  -H 'X-Path: C:\dir\' \
  -H 'X-Pct: 100%done' \
  --data-raw $'line1\nline2 "q" 50%off \\ é ☃ \u0009\u0021'`,
    source: () => chromeCurl(AWKWARD_POST, 'bash'),
    expected: {
      method: undefined,
      headers: [
        ['Content-Type', 'text/plain;charset=UTF-8'],
        ['X-Path', 'C:\\dir\\'],
        ['X-Pct', '100%done'],
      ],
      body: 'line1\nline2 "q" 50%off \\ é ☃ \t!',
      origin: 'http://localhost:3000',
    },
  },
  {
    name: 'Chrome, Copy as cURL (cmd): the same body; Chrome writes characters outside ASCII as spaces',
    text: String.raw`curl --url ^"http://127.0.0.1:8000/items^" ^
  -H ^"Content-Type: text/plain;charset=UTF-8^" ^
  -H ^"Origin: http://localhost:3000^" ^
  -H ^"X-Path: C:^\^\dir^\^\^" ^
  -H ^"X-Pct: 100^%^done^" ^
  --data-raw ^"line1^

line2 ^\^"q^\^" 50^%^off ^\^\ ^  ^   ^!^"`,
    source: () => chromeCurl(AWKWARD_POST, 'cmd'),
    expected: {
      headers: [
        ['Content-Type', 'text/plain;charset=UTF-8'],
        ['X-Path', 'C:\\dir\\'],
        ['X-Pct', '100%done'],
      ],
      // é, ☃ and the tab each became a space.
      body: 'line1\nline2 "q" 50%off \\      !',
    },
    notes: [/outside ASCII/],
  },
  {
    name: 'Firefox, Copy as cURL (POSIX): -X POST, \\xHH and \\041 escapes',
    text: String.raw`curl 'http://127.0.0.1:8000/items' \
  -X POST \
  -H 'Content-Type: text/plain;charset=UTF-8' \
  -H 'Origin: http://localhost:3000' \
  -H 'X-Path: C:\dir\' \
  -H 'X-Pct: 100%done' \
  --data-raw $'line1\nline2 "q" 50%off \\ \xe9 \u2603 \x09\041'`,
    source: () => firefoxCurl(AWKWARD_POST, 'bash'),
    expected: {
      method: 'POST',
      headers: [
        ['Content-Type', 'text/plain;charset=UTF-8'],
        ['X-Path', 'C:\\dir\\'],
        ['X-Pct', '100%done'],
      ],
      body: 'line1\nline2 "q" 50%off \\ é ☃ \t!',
    },
  },
  {
    name: 'Firefox, Copy as cURL (Windows): non-ASCII kept with ^, a tab as a space',
    text: String.raw`curl.exe ^"http://127.0.0.1:8000/items^" ^
  -X POST ^
  -H ^"Content-Type: text/plain;charset=UTF-8^" ^
  -H ^"Origin: http://localhost:3000^" ^
  -H ^"X-Path: C:^\^\dir^\^\^" ^
  -H ^"X-Pct: 100^%^done^" ^
  --data-raw ^"line1^

line2 ^\^"q^\^" 50^%^off ^\^\ ^é ^☃  ^!^"`,
    source: () => firefoxCurl(AWKWARD_POST, 'cmd'),
    expected: {
      method: 'POST',
      headers: [
        ['Content-Type', 'text/plain;charset=UTF-8'],
        ['X-Path', 'C:\\dir\\'],
        ['X-Pct', '100%done'],
      ],
      body: 'line1\nline2 "q" 50%off \\ é ☃  !',
    },
  },
  {
    name: 'Firefox, Copy as cURL: HEAD as -I, --compressed',
    text: String.raw`curl 'http://127.0.0.1:8000/items' \
  --compressed \
  -I \
  -H 'Origin: http://localhost:3000' \
  -H 'X-Trace: 1'`,
    source: () => firefoxCurl(HEAD, 'bash'),
    expected: { method: 'HEAD', headers: [['X-Trace', '1']], origin: 'http://localhost:3000' },
  },
  {
    name: 'Chrome, Copy as fetch: a simple GET, omit, no referrer (no origin in the copy)',
    text: `fetch("http://127.0.0.1:8000/items", {
  "headers": {
    "accept": "*/*"
  },
  "body": null,
  "method": "GET",
  "mode": "cors",
  "credentials": "omit"
});`,
    source: () => chromeFetch(PLAIN_GET, 'browser'),
    expected: { headers: [['accept', '*/*']], origin: undefined, credentials: 'omit' },
    notes: [/DevTools writes credentials: 'omit'/],
  },
  {
    name: 'Chrome, Copy as cURL (bash): two parts on one line',
    text: "curl --url 'http://127.0.0.1:8000/items' -H 'accept: */*'",
    source: () => chromeCurl(PLAIN_GET, 'bash'),
    expected: { url: 'http://127.0.0.1:8000/items', headers: [['accept', '*/*']], origin: undefined },
  },
  {
    name: 'Chrome before --url (up to 2023): the URL first, --compressed last',
    text: String.raw`curl 'http://127.0.0.1:8000/items' \
  -H 'Accept: */*' \
  -H 'Origin: http://localhost:3000' \
  -H 'Cookie: a=1' \
  --compressed`,
    expected: { url: 'http://127.0.0.1:8000/items', origin: 'http://localhost:3000', cookie: 'a=1' },
  },
  {
    name: 'bash quoting whose value holds ^" (not cmd)',
    text: "curl 'http://127.0.0.1:8000/items' \\\n  -H 'X-Q: a^\"b ^' \\\n  -H 'Origin: http://localhost:3000'",
    expected: { format: 'curl-bash', headers: [['X-Q', 'a^"b ^']] },
  },
  {
    name: 'pasted from Windows: CRLF line ends',
    text: "curl 'http://127.0.0.1:8000/items' \\\r\n  -H 'X-Api-Key: k' \\\r\n  -H 'Origin: null'\r\n",
    expected: { headers: [['X-Api-Key', 'k']], origin: 'null', originFrom: 'Origin' },
  },
  {
    name: 'a hand-edited fetch: single quotes, unquoted keys, a trailing comma, a comment',
    text: `await fetch('http://127.0.0.1:8000/items', {
  method: 'POST', // the failing one
  headers: { 'Content-Type': 'application/json', 'X-Trace': \`1\` },
  body: '{"a":1}',
  credentials: 'same-origin',
  referrer: 'http://localhost:5173/app',
});`,
    expected: {
      format: 'fetch',
      method: 'POST',
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Trace', '1'],
      ],
      body: '{"a":1}',
      credentials: 'same-origin',
      origin: 'http://localhost:5173',
    },
  },
];

describe('parseCopyAs: DevTools copies read back to the request', () => {
  it.each(ROWS.filter((r) => r.source))('the literal is what DevTools writes: $name', (row) => {
    expect(row.text).toBe((row.source as () => string)());
  });

  it.each(ROWS)('$name', ({ text, expected, notes }) => {
    const copy = parseCopyAs(text);
    for (const [key, value] of Object.entries(expected)) {
      expect(copy[key as keyof CopiedRequest], key).toEqual(value);
    }
    for (const pattern of notes ?? []) expect(copy.notes.join('\n')).toMatch(pattern);
    // Notes never repeat a secret of the copy.
    for (const secret of ['t0k3n', 's3cr3t', 'abc123']) expect(copy.notes.join('\n')).not.toContain(secret);
  });
});
