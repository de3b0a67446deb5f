// The page's fetch() check --from builds from a copy and the flags given beside it: each flag overrides the
// copy and a note says so; what the copy cannot tell is said once, never with a header value.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { buildPageFetch } from '../../../src/core/page.js';
import { type CheckFlags, pageInputFromCopy, parseCopyAs } from '../../../src/evidence/copy-as/index.js';

// Chrome 156, "Copy as cURL (bash)" of a PUT blocked at its preflight (no Origin: only Referer).
const CHROME_PUT = String.raw`curl --url 'http://127.0.0.1:8000/items/1' \
  -X 'PUT' \
  -H 'sec-ch-ua-platform: "Linux"' \
  -H 'Authorization: Bearer t0k3n' \
  -H 'Referer: http://localhost:3000/' \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36' \
  -H 'sec-ch-ua: "Not:A-Brand";v="8", "Chromium";v="156"' \
  -H 'Content-Type: application/json' \
  -H 'sec-ch-ua-mobile: ?0' \
  --data-raw $'{"name":"Saw\'s"}'`;

// Firefox ESR 153, "Copy as cURL" of a credentialed GET, with its cookie and Origin.
const FIREFOX_ME = String.raw`curl 'http://127.0.0.1:8000/me' \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0' \
  -H 'Accept: */*' \
  -H 'Referer: http://localhost:3000/' \
  -H 'Origin: http://localhost:3000' \
  -H 'Cookie: session=abc123' \
  -H 'Sec-Fetch-Mode: cors'`;

const NO_FLAGS: CheckFlags = { headers: [] };

interface Row {
  name: string;
  text: string;
  flags: CheckFlags;
  /** The page's fetch() check then runs. */
  page: Partial<ReturnType<typeof buildPageFetch>>;
  notes: RegExp[];
  otherCredentials?: string;
}

const ROWS: Row[] = [
  {
    name: 'the copy alone',
    text: CHROME_PUT,
    flags: NO_FLAGS,
    page: {
      url: 'http://127.0.0.1:8000/items/1',
      origin: 'http://localhost:3000',
      method: 'PUT',
      headers: [
        ['Authorization', 'Bearer t0k3n'],
        ['Content-Type', 'application/json'],
      ],
      body: `{"name":"Saw's"}`,
      credentials: 'same-origin',
    },
    notes: [
      /^read Copy as cURL \(bash\): PUT http:\/\/127\.0\.0\.1:8000\/items\/1 with the page's headers Authorization, Content-Type$/m,
      /^not the page's headers \(the browser sets them itself, and they do not decide the preflight\): sec-ch-ua-platform, Referer, User-Agent, sec-ch-ua, sec-ch-ua-mobile$/m,
    ],
    otherCredentials: 'include',
  },
  {
    name: 'each flag overrides the copy',
    text: CHROME_PUT,
    flags: {
      url: 'http://127.0.0.1:9000/items/2',
      origin: 'https://app.example.com',
      method: 'PATCH',
      headers: ['authorization: Bearer other', 'X-Trace: 7'],
      jsonBody: '{"a":1}',
      credentials: 'include',
      cookie: 'sid=1',
    },
    page: {
      url: 'http://127.0.0.1:9000/items/2',
      origin: 'https://app.example.com',
      method: 'PATCH',
      headers: [
        ['Content-Type', 'application/json'],
        ['authorization', 'Bearer other'],
        ['X-Trace', '7'],
      ],
      body: '{"a":1}',
      credentials: 'include',
      cookie: 'sid=1',
    },
    notes: [
      /^given explicitly, the URL, --origin, --method, --header, --json-body, --credentials, --cookie override the copy$/m,
    ],
  },
  {
    name: 'the cookie of the copy means credentials include',
    text: FIREFOX_ME,
    flags: NO_FLAGS,
    page: {
      origin: 'http://localhost:3000',
      headers: [['Accept', '*/*']],
      credentials: 'include',
      cookie: 'session=abc123',
    },
    notes: [/^not the page's headers .*: User-Agent, Referer, Origin, Cookie, Sec-Fetch-Mode$/m],
  },
  {
    name: '--credentials omit overrides the cookie of the copy',
    text: FIREFOX_ME,
    flags: { headers: [], credentials: 'omit' },
    page: { credentials: 'omit', cookie: 'session=abc123' },
    notes: [/given explicitly, --credentials overrides the copy/],
  },
  {
    name: 'no Origin and no Referer: the default origin, said',
    text: "curl --url 'http://127.0.0.1:8000/items' -H 'accept: */*'",
    flags: NO_FLAGS,
    page: { origin: 'http://localhost:3000' },
    notes: [
      /the copy shows no page origin \(no Origin, Referer or referrer\): checked from the default origin/,
    ],
    otherCredentials: 'include',
  },
  {
    name: 'no origin in the copy, --origin given: no default note',
    text: "curl --url 'http://127.0.0.1:8000/items' -H 'accept: */*'",
    flags: { headers: [], origin: 'http://localhost:5173' },
    page: { origin: 'http://localhost:5173' },
    notes: [/given explicitly, --origin overrides the copy/],
    otherCredentials: 'include',
  },
  {
    name: 'Chrome fetch with Authorization: include, and same-origin judged too',
    text: `fetch("http://127.0.0.1:8000/me", {
  "headers": {
    "authorization": "Bearer t0k3n"
  },
  "referrer": "http://localhost:3000/",
  "body": null,
  "method": "GET",
  "mode": "cors",
  "credentials": "include"
});`,
    flags: NO_FLAGS,
    page: { credentials: 'include', method: 'GET' },
    notes: [/add --credentials same-origin/],
    otherCredentials: 'same-origin',
  },
  {
    name: "the cache revalidation headers are the browser's, and said so",
    text: String.raw`curl 'http://127.0.0.1:8000/items' \
  -H 'If-None-Match: "abc"' \
  -H 'If-Modified-Since: Mon, 30 Nov 2026 08:00:00 GMT' \
  -H 'Upgrade-Insecure-Requests: 1' \
  -H 'X-Client-Data: CIa2yQE=' \
  -H 'Origin: http://localhost:3000'`,
    flags: NO_FLAGS,
    page: { headers: [] },
    notes: [
      /If-None-Match and If-Modified-Since are taken as the browser's cache revalidating a stored answer/,
    ],
    otherCredentials: 'include',
  },
];

describe('pageInputFromCopy: the copy, then the flags given beside it', () => {
  it.each(ROWS)('$name', ({ text, flags, page, notes, otherCredentials }) => {
    const result = pageInputFromCopy(parseCopyAs(text), flags);
    const built = buildPageFetch(result.input);
    for (const [key, value] of Object.entries(page))
      expect(built[key as keyof typeof built], key).toEqual(value);
    const all = result.notes.join('\n');
    for (const pattern of notes) expect(all).toMatch(pattern);
    if (!notes.some((n) => /default origin/.test(n.source))) expect(all).not.toMatch(/default origin/);
    expect(result.otherCredentials).toBe(otherCredentials);
    for (const secret of ['t0k3n', 'abc123', 'sid=1', 'Bearer other']) expect(all).not.toContain(secret);
  });
});

describe('refused copies', () => {
  const refusal = (text: string): string => {
    try {
      const { input } = pageInputFromCopy(parseCopyAs(text, 'request.txt'), NO_FLAGS);
      buildPageFetch(input);
    } catch (error) {
      expect(error).toBeInstanceOf(BadInputError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it.each([
    [
      "Chrome's Copy as PowerShell",
      `$session = New-Object Microsoft.PowerShell.Commands.WebRequestSession
$session.UserAgent = "Mozilla/5.0"
Invoke-WebRequest -UseBasicParsing -Uri "http://127.0.0.1:8000/items" \`
-WebSession $session \`
-Headers @{
"Accept"="*/*"
}`,
      /request\.txt is a PowerShell command \(Copy as PowerShell\), which cors-doctor does not read: copy the request with Copy as cURL/,
    ],
    [
      "Firefox's Copy as PowerShell, no session",
      'Invoke-WebRequest -UseBasicParsing -Uri "http://127.0.0.1:8000/items" -Method "PUT"',
      /is a PowerShell command/,
    ],
    [
      'a body with GET',
      "curl 'http://127.0.0.1:8000/items' -X GET --data-raw 'a=1'",
      /the copy has a body with GET, which fetch\(\) cannot send/,
    ],
    [
      'a URL with credentials',
      "curl 'http://user:pw@127.0.0.1:8000/items'",
      /fetch\(\) throws a TypeError for a URL with credentials \(http:\/\/user:\*\*\*@/,
    ],
  ])('%s', (_name, text, message) => {
    expect(refusal(text)).toMatch(message);
  });
});
