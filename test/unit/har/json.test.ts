import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeHar, writeJson } from '../../../src/cli/commands/har.js';
import { harFromObject } from '../../../src/evidence/har/index.js';

/** `har --json` writes its report request by request: the text must be JSON.stringify's, byte for byte. */
describe('writeJson', () => {
  const judged = async (file: string) =>
    judgeHar(harFromObject(JSON.parse(readFileSync(`test/fixtures/har/${file}`, 'utf8'))), file);

  it.each([
    'chrome-repeated-failures.har',
    'chrome-page-no-cors-layer.har',
    'chrome-put-preflight-401.har',
    'chrome-same-origin-only.har',
  ])('%s: the same text as JSON.stringify(report, null, 2)', async (file) => {
    const report = await judged(file);
    // A line separator in a value: JSON keeps it raw, and it must not start a line of its own.
    report.requests[0]?.notes.push('a note\u2028with a line separator');
    let text = '';
    writeJson(report, (chunk) => {
      text += chunk;
    });
    expect(text).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
