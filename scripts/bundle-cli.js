#!/usr/bin/env node
// Bundles the CLI (tsc's output in dist/src/cli) into dist/cli/: `main.js` (argument parsing and help) and one
// file per command, loaded only when that command runs. A command's file holds everything the command may
// need, so a run reads three or four files instead of some sixty modules; that is most of what a one-shot
// `check` spent before its first request (see `npm run bench`). The library (dist/src) stays as tsc wrote it.
import { rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const CLI = resolve('dist/src/cli');
// `check-project` is `check --project`: the Python parser and the source join, kept out of a plain check;
// `audit-project` the same for `audit --project`.
const COMMANDS = [
  'check',
  'check-project',
  'scan',
  'simulate',
  'fix',
  'gen-tests',
  'verify',
  'audit',
  'audit-project',
  'har',
  'watch',
];
// Modules whose identity matters across files (`instanceof CorsDoctorError`): one copy, in a file of its own.
const SHARED = { errors: resolve('dist/src/core/errors.js') };

/** Imports that cross a file boundary stay imports, of the sibling file in dist/cli. */
const boundaries = {
  name: 'cli-file-boundaries',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      const name = basename(target, '.js');
      const isCommand = dirname(target) === join(CLI, 'commands') && COMMANDS.includes(name);
      const isShared = SHARED[name] === target;
      if (!isCommand && !isShared) return undefined;
      if (resolve(args.importer) === target) return undefined;
      return { path: `./${name}.cjs`, external: true };
    });
  },
};

rmSync('dist/cli', { recursive: true, force: true });
await build({
  entryPoints: [
    { in: join(CLI, 'main.js'), out: 'main' },
    ...COMMANDS.map((name) => ({ in: join(CLI, 'commands', `${name}.js`), out: name })),
    ...Object.entries(SHARED).map(([name, path]) => ({ in: path, out: name })),
  ],
  outdir: 'dist/cli',
  bundle: true,
  // CommonJS: Node loads it synchronously, without starting its ES module loader (several ms per run on
  // Node 20).
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // import() becomes require(): the lazy files and packages load without the ES module loader too.
  supported: { 'dynamic-import': false },
  // The package root is found from the file's own URL.
  define: { 'import.meta.url': '__fileUrl' },
  platform: 'node',
  target: 'node20',
  plugins: [boundaries],
  // Resolved at run time from node_modules: the browser driver is optional, and web-tree-sitter and
  // tree-sitter-python load their WebAssembly files from their own package folders.
  external: ['puppeteer-core', 'web-tree-sitter', 'tree-sitter-python'],
  banner: { js: "const __fileUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
