import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeHar } from '../../../src/cli/commands/har.js';
import { harFromObject } from '../../../src/evidence/har/index.js';

/** The same failing GET three times (entries 1 to 3) beside one that works (entry 4). */
const FIXTURE = 'test/fixtures/har/chrome-repeated-failures.har';

type Header = { name: string; value: string };
type Entry = { response: { headers: Header[] } };

/** The fixture with the answer of entry `i` given other header lines. */
function withAnswers(edit: (headers: Header[], i: number) => Header[]) {
  const har = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { log: { entries: Entry[] } };
  har.log.entries.forEach((entry, i) => {
    entry.response.headers = edit(entry.response.headers, i);
  });
  return harFromObject(har);
}

const counts = async (contents: ReturnType<typeof harFromObject>) =>
  (await judgeHar(contents, FIXTURE)).requests.map((r) => [r.url, r.har.count]);

describe('har groups repeated identical requests', () => {
  it('answers that differ only in their time, length and trace ids are the same failure', async () => {
    const contents = withAnswers((headers, i) => [
      ...headers.map((h) => (h.name === 'date' ? { ...h, value: `Mon, 30 Nov 2026 09:00:0${i} GMT` } : h)),
      { name: 'cf-ray', value: `8f1e2d3c4b5a697${i}-FRA` },
      { name: 'x-request-id', value: `req-${i}` },
    ]);
    expect(await counts(contents)).toEqual([
      ['http://localhost:8000/items', 3],
      ['http://localhost:8000/health', 1],
    ]);
  });

  it('an answer that differs in a header CORS reads is another request', async () => {
    const contents = withAnswers((headers, i) =>
      i === 2 ? [...headers, { name: 'access-control-allow-credentials', value: 'true' }] : headers,
    );
    expect(await counts(contents)).toEqual([
      ['http://localhost:8000/items', 2],
      ['http://localhost:8000/items', 1],
      ['http://localhost:8000/health', 1],
    ]);
  });
});
