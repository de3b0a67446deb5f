import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_RULES, LIVE_RULES, STATIC_RULES } from '../../../src/causes/index.js';

const causesTable = readFileSync('docs/causes.md', 'utf8');
const documentedCodes = [...causesTable.matchAll(/^\| `([a-z-]+)`\s*\|/gm)].map((m) => m[1] as string);

describe('every cause has its documentation page', () => {
  it('docs/causes.md lists the codes', () => {
    expect(documentedCodes.length).toBeGreaterThanOrEqual(30);
  });
  it.each(documentedCodes)('docs/causes/%s.md exists, with the sections of a rule page', (code) => {
    const path = `docs/causes/${code}.md`;
    expect(existsSync(path)).toBe(true);
    const page = readFileSync(path, 'utf8');
    expect(page.startsWith(`# ${code}\n`)).toBe(true);
    for (const section of [
      '## What it is',
      '## How to recognise it',
      '## How to fix',
      '## How to prove the fix',
    ]) {
      expect(page).toContain(section);
    }
  });
  it.each(LIVE_RULES.map((r) => r.code))('rule %s uses a code from docs/causes.md', (code) => {
    expect(documentedCodes).toContain(code);
  });
});

describe('every rule that has a scan is registered for scan', () => {
  it.each(ALL_RULES.filter((r) => r.scan).map((r) => r.code))('%s', (code) => {
    expect(STATIC_RULES.map((r) => r.code)).toContain(code);
  });
});
