#!/usr/bin/env node
// The demo: starts each bundled FastAPI example under uvicorn on a free port and runs
// `cors-doctor check` against it, as a frontend on http://localhost:3000 would call it, with the app's
// source (`--project`), so the cause comes with its file and line and, where it can be made, a patch.
import { spawnSync } from 'node:child_process';
import { fastapiAvailable, startUvicorn } from '../dist/src/local-servers/uvicorn.js';

const DEMOS = [
  {
    app: 'examples/missing-middleware',
    title: 'No CORS middleware at all',
    args: ['/items', '-X', 'POST', '--json-body', '{"name":"apple"}'],
  },
  {
    app: 'examples/auth-wraps-cors',
    title: 'An auth middleware runs before CORS',
    args: ['/items', '-H', 'Authorization: Bearer demo-token'],
  },
  {
    app: 'examples/wildcard-credentials',
    title: 'allow_origins=["*"] with credentials',
    args: ['/me', '--credentials', 'include'],
  },
  {
    app: 'examples/error-500',
    title: 'A 500 in disguise',
    args: ['/items', '-X', 'POST', '--json-body', '{"name":"apple"}'],
  },
  {
    app: 'examples/correct',
    title: 'A correct app',
    args: [
      '/items/1',
      '-X',
      'PUT',
      '--json-body',
      '{"name":"pear"}',
      '-H',
      'Authorization: Bearer demo-token',
      '--credentials',
      'include',
    ],
  },
];

const missing = await fastapiAvailable();
if (missing) {
  process.stderr.write(
    `The demo runs real FastAPI apps: ${missing}\nInstall them with: apt-get install -y python3-fastapi python3-uvicorn\n`,
  );
  process.exit(2);
}

for (const demo of DEMOS) {
  const server = await startUvicorn({ appDir: demo.app, timeoutMs: 20_000 });
  try {
    const [path, ...rest] = demo.args;
    const args = [
      'check',
      `${server.url}${path}`,
      '--origin',
      'http://localhost:3000',
      ...rest,
      '--project',
      demo.app,
    ];
    process.stdout.write(
      `\n━━ ${demo.title} (${demo.app})\n$ cors-doctor ${args.map((a) => (/[\s"{}]/.test(a) ? `'${a}'` : a)).join(' ')}\n\n`,
    );
    spawnSync(process.execPath, ['bin/cors-doctor.cjs', ...args], { stdio: 'inherit' });
  } finally {
    await server.stop();
  }
}
