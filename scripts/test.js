#!/usr/bin/env node
// The whole test suite: lint, type check, build, then every vitest test (unit, real browsers, real servers).
// Prints a final "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { INSTALL_COMMAND, missingSystemDeps } from './system-deps.js';

const ci = process.env.CI === 'true';

function run(title, command, args) {
  process.stdout.write(`\n== ${title}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status === 0;
}

let missing = missingSystemDeps();
if (missing.length > 0 && !ci && process.getuid?.() === 0) {
  process.stdout.write(`Installing what the tests need (${missing.join(', ')}): ${INSTALL_COMMAND}\n`);
  spawnSync('sh', ['-c', INSTALL_COMMAND], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  missing = missingSystemDeps();
}
if (missing.length > 0) {
  process.stderr.write(`The tests need ${missing.join(', ')}. Install them with:\n  ${INSTALL_COMMAND}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}

const lintOk = run('lint (biome)', 'npx', ['biome', 'check', '.']);
const typesOk = run('type check (tsc --noEmit)', 'npx', ['tsc', '--noEmit']);
// The bundled CLI (dist/cli) is what bin/cors-doctor.cjs runs; test/integration/cli-bundle.test.ts runs it.
const buildOk = run('build (tsc + CLI bundle)', 'npm', ['run', '--silent', 'build']);

mkdirSync('.test-results', { recursive: true });
const report = '.test-results/vitest.json';
run('tests (vitest)', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
]);

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + (results.numFailedTestSuites > 0 && results.numFailedTests === 0 ? 1 : 0);
  if (results.numTotalTests === 0) failed += 1;
} catch {
  failed += 1;
}
if (!lintOk) failed += 1;
else passed += 1;
if (!typesOk) failed += 1;
else passed += 1;
if (!buildOk) failed += 1;
else passed += 1;

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
