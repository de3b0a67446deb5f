#!/usr/bin/env node
// The demo: runs cors-doctor on the bundled examples and shows what each browser does and says.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const dir = 'examples/scenarios';
for (const file of readdirSync(dir).sort()) {
  process.stdout.write(`\n$ cors-doctor simulate ${dir}/${file}\n`);
  spawnSync(process.execPath, ['bin/cors-doctor.js', 'simulate', `${dir}/${file}`], { stdio: 'inherit' });
}
