#!/usr/bin/env node
// Benchmarks: scenarios simulated per second by the browser model, and `simulate` on 1,000 scenarios end to end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { simulate } from '../dist/src/model/simulate.js';
import { generateScenarios } from '../dist/src/scenarios/generate.js';

const scenarios = generateScenarios({
  seed: 7,
  count: 1000,
  origin: 'http://localhost:3000',
  apiBase: 'http://localhost:8000',
}).map((g) => g.scenario);

// Warm up, then measure model time only.
for (const s of scenarios) simulate(s);
const rounds = 20;
const start = performance.now();
for (let i = 0; i < rounds; i++) for (const s of scenarios) simulate(s);
const ms = performance.now() - start;
const perSecond = Math.round((rounds * scenarios.length) / (ms / 1000));
process.stdout.write(
  `model: ${perSecond.toLocaleString('en')} scenarios/s (1,000 scenarios in ${(ms / rounds).toFixed(1)} ms)\n`,
);

// End to end: node start-up, reading, validating and simulating 1,000 scenarios.
const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-bench-'));
const file = join(dir, 'scenarios.json');
writeFileSync(file, JSON.stringify(scenarios));
const runs = 5;
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['bin/cors-doctor.js', 'simulate', '--json', file], { stdio: 'ignore' });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
process.stdout.write(
  `cli: simulate --json on 1,000 scenarios: median ${times[Math.floor(runs / 2)].toFixed(0)} ms wall (incl. Node start-up)\n`,
);
const t1 = performance.now();
spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
process.stdout.write(`node start-up alone: ${(performance.now() - t1).toFixed(0)} ms\n`);
