// The Firefox transcriptions of devtools-generators.ts against Firefox's own copy-as code, loaded from the
// installed browser: the literal Firefox texts of parse.test.ts are the ones Firefox writes.
import { describe, expect, it } from 'vitest';
import { type DevtoolsRequest, firefoxCurl, firefoxFetch } from './devtools-generators.js';
import { loadFirefoxCopyAs } from './firefox-devtools.js';
import { AWKWARD_POST, CHROME_PUT_BLOCKED, FIREFOX_ME_COOKIE, HEAD, PLAIN_GET } from './fixtures.js';

const firefox = loadFirefoxCopyAs();
if (typeof firefox === 'string' && process.env.CI === 'true')
  throw new Error(`CI needs Firefox ESR: ${firefox}`);

describe.skipIf(typeof firefox === 'string')(
  "the Firefox texts are the ones Firefox's own code writes",
  () => {
    const requests = { FIREFOX_ME_COOKIE, AWKWARD_POST, HEAD, PLAIN_GET, CHROME_PUT_BLOCKED };
    const asFirefox = (r: DevtoolsRequest) => ({
      url: r.url,
      method: r.method,
      headers: r.headers.map(([name, value]) => ({ name, value })),
      ...(r.body !== undefined && { postDataText: r.body }),
      ...(r.compressedAnswer && { responseHeaders: [{ name: 'Content-Encoding', value: 'gzip' }] }),
    });
    it.each(Object.entries(requests))('%s', async (_name, request) => {
      const own = firefox as Exclude<typeof firefox, string>;
      expect(own.curl(asFirefox(request), 'Linux')).toBe(firefoxCurl(request, 'bash'));
      expect(own.curl(asFirefox(request), 'WINNT')).toBe(firefoxCurl(request, 'cmd'));
      expect(await own.fetch(asFirefox(request))).toBe(firefoxFetch(request));
    });
  },
);
