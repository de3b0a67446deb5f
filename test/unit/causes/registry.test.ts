// The rule registry against its documentation: one code list, one page and one index row per rule, SARIF
// help generated from the pages, and a table of cases for every rule that reads exchanges.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIVE_RULES, RULES, STATIC_RULES } from '../../../src/causes/index.js';
import { CAUSE_CODES } from '../../../src/core/causes.js';

const causesTable = readFileSync('docs/causes.md', 'utf8');
const documentedCodes = [...causesTable.matchAll(/^\| `([a-z-]+)`\s*\|/gm)].map((m) => m[1] as string);
const index = readFileSync('docs/causes/README.md', 'utf8');
const KIND = { error: 'error', warning: 'warning', info: 'info' } as const;

describe('the cause codes', () => {
  it('src/core/causes.ts lists exactly the codes of docs/causes.md', () => {
    expect([...CAUSE_CODES].sort()).toEqual([...documentedCodes].sort());
  });
  it('each rule has its own code', () => {
    expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length);
  });
});

describe.each(RULES.map((r) => [r.code, r] as const))('rule %s', (code, rule) => {
  it('has its page in docs/causes/, with the sections of a rule page', () => {
    const path = `docs/causes/${code}.md`;
    expect(existsSync(path)).toBe(true);
    const page = readFileSync(path, 'utf8');
    expect(page.startsWith(`# ${code}\n`)).toBe(true);
    for (const section of [
      '## What it is',
      '## How to recognise it',
      '## How to fix',
      '## How to prove the fix',
    ])
      expect(page).toContain(section);
  });
  it('has its row in the index of docs/causes/README.md, with its kind', () => {
    const row = index.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${KIND[rule.severity]} |`);
    expect(row).toContain(`(${code}.md)`);
  });
  it('names only known codes in supersedes and explainedBy', () => {
    const named = [...(Array.isArray(rule.supersedes) ? rule.supersedes : []), ...(rule.explainedBy ?? [])];
    for (const other of named) expect(CAUSE_CODES).toContain(other);
  });
  it('reads some evidence', () => {
    expect(rule.detect || rule.scan || rule.scanProxy || rule.audit).toBeTruthy();
  });
});

describe('every page belongs to a documented code', () => {
  const pages = [...index.matchAll(/\]\(([a-z-]+)\.md\)/g)].map((m) => m[1] as string);
  it.each(pages)('%s', (code) => {
    expect(documentedCodes).toContain(code);
  });
});

describe('tables of cases', () => {
  it.each(LIVE_RULES.map((r) => r.code))('live rule %s has its unit table', (code) => {
    expect(existsSync(`test/unit/causes/rules/${code}.test.ts`)).toBe(true);
  });
  it.each(STATIC_RULES.map((r) => r.code))('static rule %s has rows in a table', (code) => {
    const tables = [
      'test/unit/causes/scan-rules.test.ts',
      'test/unit/causes/proxy-rules.test.ts',
      'test/integration/scan.test.ts',
    ].map((t) => readFileSync(t, 'utf8'));
    const own = `test/unit/causes/rules/${code}.test.ts`;
    expect(tables.some((t) => t.includes(`'${code}'`)) || existsSync(own)).toBe(true);
  });
});

describe('SARIF help', () => {
  it('src/causes/help.generated.ts is generated from the pages as they are (node scripts/cause-docs.js)', () => {
    const run = spawnSync(process.execPath, ['scripts/cause-docs.js', '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
