// The requests behind the copy-as tables: what each browser's DevTools listed for a request it recorded.
import type { DevtoolsRequest } from './devtools-generators.js';

const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
export const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0';

/** Chrome, a PUT blocked at its preflight: only provisional headers, so no Origin, only Referer. */
export const CHROME_PUT_BLOCKED: DevtoolsRequest = {
  url: 'http://127.0.0.1:8000/items/1',
  method: 'PUT',
  headers: [
    ['Authorization', 'Bearer t0k3n'],
    ['Content-Type', 'application/json'],
    ['Referer', 'http://localhost:3000/'],
    ['User-Agent', CHROME_UA],
    ['sec-ch-ua', '"Chromium";v="156", "Not=A?Brand";v="24"'],
    ['sec-ch-ua-mobile', '?0'],
    ['sec-ch-ua-platform', '"Linux"'],
  ],
  body: `{"name":"Saw's","price":12}`,
};

/** Firefox, a credentialed GET with its cookie: every header Firefox sent, Origin included. */
export const FIREFOX_ME_COOKIE: DevtoolsRequest = {
  url: 'http://127.0.0.1:8000/me',
  method: 'GET',
  headers: [
    ['Host', '127.0.0.1:8000'],
    ['User-Agent', FIREFOX_UA],
    ['Accept', '*/*'],
    ['Accept-Language', 'en-US,en;q=0.5'],
    ['Accept-Encoding', 'gzip, deflate, br, zstd'],
    ['Referer', 'http://localhost:3000/'],
    ['Origin', 'http://localhost:3000'],
    ['Connection', 'keep-alive'],
    ['Cookie', 'session=abc123'],
    ['Sec-Fetch-Dest', 'empty'],
    ['Sec-Fetch-Mode', 'cors'],
    ['Sec-Fetch-Site', 'cross-site'],
    ['Priority', 'u=4'],
  ],
};

/** Chrome over HTTP/2 with "Disable cache" on: pseudo-headers, lower-case names, a cookie, awkward values. */
export const CHROME_H2: DevtoolsRequest = {
  url: 'https://api.example.com/v1/items?q=a[1]&x={y}',
  method: 'GET',
  headers: [
    [':authority', 'api.example.com'],
    [':method', 'GET'],
    [':path', '/v1/items'],
    [':scheme', 'https'],
    ['accept', 'application/json'],
    ['accept-encoding', 'gzip, deflate, br, zstd'],
    ['accept-language', 'en-US,en;q=0.9'],
    ['cache-control', 'no-cache'],
    ['cookie', 'sid=s3cr3t; theme=dark'],
    ['origin', 'https://app.example.com'],
    ['pragma', 'no-cache'],
    ['priority', 'u=1, i'],
    ['referer', 'https://app.example.com/dashboard?tab=1'],
    ['sec-fetch-mode', 'cors'],
    ['x-requested-with', 'XMLHttpRequest'],
    ['x-empty', ''],
    ['x-note', "it's done!"],
  ],
};

/** A text/plain POST whose body and headers hold what each shell must escape. */
export const AWKWARD_POST: DevtoolsRequest = {
  url: 'http://127.0.0.1:8000/items',
  method: 'POST',
  headers: [
    ['Content-Type', 'text/plain;charset=UTF-8'],
    ['Origin', 'http://localhost:3000'],
    ['X-Path', 'C:\\dir\\'],
    ['X-Pct', '100%done'],
  ],
  body: 'line1\nline2 "q" 50%off \\ é ☃ \t!',
};

export const PLAIN_GET: DevtoolsRequest = {
  url: 'http://127.0.0.1:8000/items',
  method: 'GET',
  headers: [['accept', '*/*']],
};

export const HEAD: DevtoolsRequest = {
  url: 'http://127.0.0.1:8000/items',
  method: 'HEAD',
  headers: [
    ['Origin', 'http://localhost:3000'],
    ['X-Trace', '1'],
  ],
  compressedAnswer: true,
};
