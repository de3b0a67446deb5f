import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanProject } from '../../../src/analysis/scan.js';
import { readProject } from '../../../src/project/read-project.js';
import { toSarif } from '../../../src/report/sarif.js';

describe('SARIF 2.1.0 output of scan', () => {
  it.each([
    'examples/auth-wraps-cors',
    'test/fixtures/fastapi/trailing-slash',
    'test/fixtures/fastapi/env-origins-spaces',
  ])('%s: every result points at a rule, a file and a line', async (dir) => {
    const report = scanProject(await readProject(dir), { origins: ['http://localhost:3000'] });
    const log = toSarif(report, '0.1.0');
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    const run = log.runs[0];
    const rules = run?.tool.driver.rules ?? [];
    expect(run?.tool.driver.name).toBe('cors-doctor');
    expect(run?.results?.length).toBe(report.findings.length);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const result of run?.results ?? []) {
      expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
      const location = result.locations?.[0]?.physicalLocation;
      expect(existsSync(join(dir, location?.artifactLocation?.uri ?? '-'))).toBe(true);
      expect(location?.region?.startLine).toBeGreaterThan(0);
      expect(result.message.text?.length ?? 0).toBeGreaterThan(10);
    }
    for (const rule of rules) {
      expect(rule.shortDescription?.text).toBeTruthy();
      expect(rule.help?.text).toBeTruthy();
    }
  });
});
