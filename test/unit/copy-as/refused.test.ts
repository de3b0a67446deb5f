// Texts that are not one copied request: each gets one line (BadInputError), never a secret of the text.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { parseCopyAs } from '../../../src/evidence/copy-as/index.js';

/** The one line a refused text gets. */
function refusal(text: string): string {
  try {
    parseCopyAs(text, 'request.txt');
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('accepted');
}

const REFUSED: Array<[string, string, RegExp]> = [
  ['empty', '  \n', /request\.txt is empty: paste the text of Copy as cURL or Copy as fetch/],
  ['a URL alone', 'http://127.0.0.1:8000/items', /request\.txt is not a curl command or a fetch\(\) call/],
  [
    'wget',
    "wget 'http://127.0.0.1:8000/items'",
    /not a curl command or a fetch\(\) call \(it starts with "wget"\)/,
  ],
  ['HAR JSON', '{"log": {"version": "1.2"}}', /not a curl command or a fetch\(\) call/],
  [
    'Copy all as cURL (bash)',
    "curl 'http://a.test/1' -H 'A: 1' ;\ncurl 'http://a.test/2' -H 'A: 1'",
    /more than one curl command \("Copy all as cURL"\)/,
  ],
  [
    'Copy all as cURL (cmd)',
    'curl ^"http://a.test/1^" ^\n  -H ^"A: 1^" &\r\ncurl ^"http://a.test/2^" ^\n  -H ^"A: 1^"',
    /more than one curl command/,
  ],
  [
    'Copy all as fetch',
    'fetch("http://a.test/1", {"method": "GET"}) ;\nfetch("http://a.test/2", {"method": "GET"});',
    /more than one fetch\(\) call/,
  ],
  ['curl without a URL', "curl -H 'A: 1'", /the curl command has no URL/],
  ['an unclosed quote', "curl 'http://a.test/1 -H A: 1", /never closed/],
  ['an unclosed $-string', "curl $'http://a.test/1", /never closed/],
  ['a -H without a colon', "curl 'http://a.test/1' -H 'Bearer zzz'", /-H without a colon/],
  ['a body from a file', "curl 'http://a.test/1' -d @body.json", /reads its body from a file/],
  ['cookies from a file', "curl 'http://a.test/1' -b jar.txt", /reads cookies from a file/],
  ['a fetch with code in it', 'fetch(url, {method: "GET"})', /cannot be read \(expected a string/],
  ['a fetch with a computed body', 'fetch("http://a.test/1", {body: JSON.stringify(x)})', /cannot be read/],
  ['a fetch followed by .then', 'fetch("http://a.test/1").then((r) => r.json())', /followed by other text/],
  [
    'a fetch with a bad credentials mode',
    'fetch("http://a.test/1", {"credentials": "yes", "mode": "cors"})',
    /credentials is omit, same-origin or include, not "yes"/,
  ],
];

describe('parseCopyAs: a text that is not one copied request', () => {
  it.each(REFUSED)('%s', (_name, text, message) => {
    expect(refusal(text)).toMatch(message);
  });
});
