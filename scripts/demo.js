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

/** The Debian packages the live demo needs: installed when run as root, as `npm test` does. */
const DEMO_PACKAGES = 'python3-fastapi python3-uvicorn';
let missing = await fastapiAvailable();
if (missing && process.getuid?.() === 0) {
  process.stdout.write(`Installing what the demo needs: apt-get install -y ${DEMO_PACKAGES}\n`);
  spawnSync('sh', ['-c', `apt-get update -q && apt-get install -y -q ${DEMO_PACKAGES}`], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  missing = await fastapiAvailable();
}
const offline = missing !== undefined;
if (offline) {
  process.stdout.write(
    `Live apps cannot run here (${missing}); every answer below is predicted from the source with --offline.\nFor the live demo: apt-get install -y ${DEMO_PACKAGES}\n`,
  );
}

const quote = (args) => args.map((a) => (/[\s"{}]/.test(a) ? `'${a}'` : a)).join(' ');

function cli(title, args) {
  process.stdout.write(`\n━━ ${title}\n$ cors-doctor ${quote(args)}\n\n`);
  spawnSync(process.execPath, ['bin/cors-doctor.cjs', ...args], { stdio: 'inherit' });
}

for (const demo of DEMOS) {
  const server = offline ? undefined : await startUvicorn({ appDir: demo.app, timeoutMs: 20_000 });
  try {
    const [path, ...rest] = demo.args;
    const url = `${server?.url ?? 'http://localhost:8000'}${path}`;
    const args = ['check', url, '--origin', 'http://localhost:3000', ...rest, '--project', demo.app];
    cli(`${demo.title} (${demo.app})`, offline ? [...args, '--offline'] : args);
  } finally {
    await server?.stop();
  }
}

// The fix for one of them, proven by the models before it is offered (nothing is written without --write).
cli('The fix, proven before it is offered (examples/auth-wraps-cors)', [
  'fix',
  'examples/auth-wraps-cors',
  '--origin',
  'http://localhost:3000',
  '--url',
  'http://localhost:8000/items',
  '-H',
  'Authorization: Bearer demo-token',
]);
