#!/usr/bin/env node
// CommonJS on purpose: Node runs it without starting its ES module loader (see scripts/bundle-cli.js).
require('../dist/cli/main.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
