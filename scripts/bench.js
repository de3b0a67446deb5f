#!/usr/bin/env node
// Benchmarks: the browser model, simulate (1,000 and 100,000 scenarios, time and peak memory), har (10 MB and 100 MB
// HARs), check, scan (5,000 files beside grep; 20,000 files with 1,000 apps, time and peak memory), fix and verify.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
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
  spawnSync(process.execPath, ['bin/cors-doctor.cjs', 'simulate', '--json', file], { stdio: 'ignore' });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
process.stdout.write(
  `cli: simulate --json on 1,000 scenarios: median ${times[Math.floor(runs / 2)].toFixed(0)} ms wall (incl. Node start-up)\n`,
);
const t1 = performance.now();
spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
process.stdout.write(`node start-up alone: ${(performance.now() - t1).toFixed(0)} ms\n`);

// Peak memory and CPU time of a CLI run: a preloaded probe writes the process's maximum resident set size and
// its CPU time when it exits (the CPU time does not depend on what else the machine runs).
const probe = join(dir, 'max-rss.cjs');
writeFileSync(
  probe,
  "process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(process.env.BENCH_MAX_RSS_FILE, u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime)); });\n",
);
let probed = 0;
/** Runs the CLI with `args`, its output discarded: wall and CPU time (ms), peak resident memory (MB), exit status. */
function measuredRun(args) {
  const rssFile = join(dir, `max-rss-${probed++}`);
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--require', probe, 'bin/cors-doctor.cjs', ...args], {
    stdio: 'ignore',
    env: { ...process.env, BENCH_MAX_RSS_FILE: rssFile },
  });
  const ms = performance.now() - t0;
  if (run.error) throw run.error;
  const [maxRss, cpu] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
  return { ms, cpuMs: cpu / 1000, mb: maxRss / 1024, status: run.status };
}

// simulate on 100,000 scenarios: the input streamed in and the results streamed out, memory bounded.
const manyFile = join(dir, 'scenarios-100k.json');
writeFileSync(
  manyFile,
  JSON.stringify(
    generateScenarios({
      seed: 7,
      count: 100_000,
      origin: 'http://localhost:3000',
      apiBase: 'http://localhost:8000',
    }).map((g) => g.scenario),
  ),
);
const sim = measuredRun(['simulate', '--json', manyFile]);
process.stdout.write(
  `cli: simulate --json on 100,000 scenarios (${(statSync(manyFile).size / 1e6).toFixed(0)} MB of JSON): ${sim.ms.toFixed(0)} ms wall (${sim.cpuMs.toFixed(0)} ms CPU), peak RSS ${sim.mb.toFixed(0)} MB (target <= 300 MB)${sim.status > 1 ? ` FAILED with exit status ${sim.status}` : ''}\n`,
);
rmSync(manyFile, { force: true });

// har on a HAR as DevTools saves it: 500 cross-origin requests (a preflight refused and its request never
// sent, a GET the CORS check refused, a GET allowed, each at its own URL) among pages, scripts and images
// with their bodies, 10 MB in all; then the same mix at 100 MB for the memory bound of the streamed read.
function writeHar(path, requests, padding) {
  const fixture = (name) => JSON.parse(readFileSync(`test/fixtures/har/${name}`, 'utf8')).log;
  const put = fixture('chrome-put-preflight-401.har');
  const get = fixture('chrome-get-no-allow-origin.har');
  const allowed = fixture('chrome-repeated-failures.har').entries[4];
  const [page] = put.entries;
  const script = (i) => ({
    ...page,
    _resourceType: 'script',
    request: { ...page.request, url: `http://localhost:3000/static/chunk-${i}.js` },
    response: {
      ...page.response,
      content: { size: padding, mimeType: 'text/javascript', text: `/* ${i} */ ${'x'.repeat(padding)}` },
    },
  });
  const at = (entry, url) => ({ ...entry, request: { ...entry.request, url } });
  const fd = openSync(path, 'w');
  writeSync(
    fd,
    `{"log":{"version":"1.2","creator":${JSON.stringify(put.creator)},"pages":${JSON.stringify(put.pages)},"entries":[`,
  );
  writeSync(fd, JSON.stringify(page));
  for (let i = 0; i < requests; i++) {
    const url = `http://localhost:8000/items/${i}`;
    const kind = i % 3;
    const entries =
      kind === 0
        ? [
            at(put.entries[1], url),
            { ...at(put.entries[2], url), _initiator: { ...put.entries[2]._initiator, url } },
          ]
        : kind === 1
          ? [at(get.entries[1], url)]
          : [at(allowed, url)];
    for (const entry of [...entries, script(i)]) writeSync(fd, `,${JSON.stringify(entry)}`);
  }
  writeSync(fd, ']}}');
  closeSync(fd);
  return statSync(path).size;
}
const harFile = join(dir, 'app.har');
const harBytes = writeHar(harFile, 500, 17_000);
const harRuns = [0, 1, 2, 3, 4].map(() => measuredRun(['har', harFile, '--json']));
const harMedian = harRuns.map((r) => r.ms).sort((a, b) => a - b)[2];
const harFailed = harRuns.find((r) => r.status !== 1);
process.stdout.write(
  `cli: har --json on a ${(harBytes / 1e6).toFixed(1)} MB HAR with 500 cross-origin requests: median ${harMedian.toFixed(0)} ms wall (target <= 1000 ms; ${harRuns[2].cpuMs.toFixed(0)} ms CPU), peak RSS ${harRuns[2].mb.toFixed(0)} MB${harFailed ? ` FAILED with exit status ${harFailed.status}` : ''}\n`,
);
const bigHarBytes = writeHar(harFile, 5000, 17_000);
const bigHar = measuredRun(['har', harFile, '--json']);
process.stdout.write(
  `cli: har --json on a ${(bigHarBytes / 1e6).toFixed(0)} MB HAR with 5,000 cross-origin requests: ${bigHar.ms.toFixed(0)} ms wall (${bigHar.cpuMs.toFixed(0)} ms CPU), peak RSS ${bigHar.mb.toFixed(0)} MB (streamed: target <= 300 MB)${bigHar.status !== 1 ? ` FAILED with exit status ${bigHar.status}` : ''}\n`,
);
rmSync(harFile, { force: true });

// check against a local server, beside the two plain curl requests (preflight + request) it replaces.
const ORIGIN = 'http://localhost:3000';
// The server runs in its own process: spawnSync below blocks this one.
const serverSource = `
const { createServer } = require('node:http');
const ORIGIN = ${JSON.stringify(ORIGIN)};
const server = createServer((req, res) => {
  const cors = { 'Access-Control-Allow-Origin': ORIGIN, Vary: 'Origin' };
  if (req.method === 'OPTIONS') {
    res.writeHead(200, { ...cors, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Allow-Headers': 'content-type' });
    res.end('OK');
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;
const child = spawn(process.execPath, ['-e', serverSource], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) =>
  child.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
);
const url = `http://127.0.0.1:${port}/items/1`;
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timed = (command, args) => {
  const t0 = performance.now();
  const result = spawnSync(command, args, { stdio: 'ignore' });
  if (result.error) throw result.error;
  return performance.now() - t0;
};
const curlPair = [];
const checks = [];
const starts = [];
const helps = [];
// 15 rounds, interleaved: on a busy 2-core machine a median of fewer runs swings by a tenth either way.
for (let i = 0; i < 15; i++) {
  curlPair.push(
    timed('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-X',
      'OPTIONS',
      url,
      '-H',
      `Origin: ${ORIGIN}`,
      '-H',
      'Access-Control-Request-Method: PUT',
      '-H',
      'Access-Control-Request-Headers: content-type',
    ]) +
      timed('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-X',
        'PUT',
        url,
        '-H',
        `Origin: ${ORIGIN}`,
        '-H',
        'Content-Type: application/json',
        '--data',
        '{}',
      ]),
  );
  checks.push(
    timed(process.execPath, [
      'bin/cors-doctor.cjs',
      'check',
      url,
      '--origin',
      ORIGIN,
      '-X',
      'PUT',
      '--json-body',
      '{}',
      '--json',
    ]),
  );
  starts.push(timed(process.execPath, ['-e', '0']));
  helps.push(timed(process.execPath, ['bin/cors-doctor.cjs', '--help']));
}
child.kill();
const c = median(checks);
const budget = median(curlPair) + median(starts);
process.stdout.write(
  `check (preflight + PUT) against a local server: median ${c.toFixed(0)} ms; two curl requests ${median(curlPair).toFixed(0)} ms + node start-up ${median(starts).toFixed(0)} ms = ${budget.toFixed(0)} ms; ratio ${(c / budget).toFixed(2)} (target <= 1.3)\n`,
);
process.stdout.write(`cors-doctor --help start-up: median ${median(helps).toFixed(0)} ms\n`);

// scan on a large synthetic project (5,000 Python files, a few FastAPI apps) beside grep -rl over the same tree.
const { mkdirSync } = await import('node:fs');
const tree = mkdtempSync(join(tmpdir(), 'cors-doctor-bench-scan-'));
for (let pkg = 0; pkg < 50; pkg++) {
  const dirPath = join(tree, 'services', `pkg${pkg}`);
  mkdirSync(dirPath, { recursive: true });
  for (let i = 0; i < 100; i++) {
    writeFileSync(
      join(dirPath, `module_${i}.py`),
      `"""Module ${pkg}.${i}."""\nimport math\n\nCONSTANT_${i} = ${i}\n\n\ndef compute_${i}(x: int) -> float:\n    return math.sqrt(x + CONSTANT_${i})\n\n\nclass Thing${i}:\n    def __init__(self, value):\n        self.value = value\n`,
    );
  }
}
for (let app = 0; app < 4; app++) {
  const dirPath = join(tree, `app${app}`);
  mkdirSync(dirPath, { recursive: true });
  writeFileSync(
    join(dirPath, 'main.py'),
    `import os\nfrom fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n    allow_origins=os.getenv("ORIGINS", "http://localhost:3000").split(","),\n    allow_credentials=True,\n    allow_methods=["*"],\n    allow_headers=["*"],\n)\n\n\n@app.get("/items")\ndef items():\n    return []\n`,
  );
}
// The least Node itself takes for the same files: start, walk the folders, open and read every file once.
const bareRead = `const fs = require('node:fs'); const buf = Buffer.allocUnsafe(1 << 20); const dirs = [process.argv[1]];
while (dirs.length) { const d = dirs.pop(); for (const e of fs.readdirSync(d, { withFileTypes: true })) {
  const p = d + '/' + e.name; if (e.isDirectory()) dirs.push(p);
  else { const fd = fs.openSync(p, 'r'); fs.readSync(fd, buf, 0, buf.length, null); fs.closeSync(fd); } } }`;
const scans = [];
const greps = [];
const bare = [];
for (let i = 0; i < 5; i++) {
  scans.push(timed(process.execPath, ['bin/cors-doctor.cjs', 'scan', tree, '--origin', ORIGIN, '--json']));
  greps.push(timed('grep', ['-rl', 'FastAPI', tree]));
  bare.push(timed(process.execPath, ['-e', bareRead, tree]));
}
rmSync(tree, { recursive: true, force: true });
process.stdout.write(
  `scan of 5,004 Python files: median ${median(scans).toFixed(0)} ms wall (incl. Node start-up); grep -rl FastAPI: ${median(greps).toFixed(0)} ms; ratio ${(median(scans) / median(greps)).toFixed(2)} (target <= 3; Node start-up alone ${median(starts).toFixed(0)} ms, so scan's own work takes ${(median(scans) - median(starts)).toFixed(0)} ms, ${((median(scans) - median(starts)) / median(greps)).toFixed(2)}x grep)\n`,
);
process.stdout.write(
  `  (a bare Node walk and read of the same files, nothing else: ${median(bare).toFixed(0)} ms, ${(median(bare) / median(greps)).toFixed(2)}x grep)\n`,
);

// scan of a monorepo of 1,000 FastAPI services, 20,000 Python files: each service an app with CORSMiddleware
// (origins from a settings module), two routers, a dependency, a test importing the app, six plugin modules
// taking the app (they mention FastAPI, so the byte prefilter keeps them) and six plain modules.
const appsTree = mkdtempSync(join(tmpdir(), 'cors-doctor-bench-apps-'));
const put = (rel, text) => {
  mkdirSync(join(appsTree, rel, '..'), { recursive: true });
  writeFileSync(join(appsTree, rel), text);
};
for (let s = 0; s < 1000; s++) {
  const base = `services/svc${s}/app`;
  put(`${base}/__init__.py`, '');
  put(
    `${base}/config.py`,
    `import os\n\nORIGINS = os.getenv("ORIGINS", "http://localhost:3000,https://app${s}.example.com").split(",")\n`,
  );
  put(
    `${base}/main.py`,
    `from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\nfrom .config import ORIGINS\nfrom .routers import items, users\n\napp = FastAPI(title="service ${s}")\napp.add_middleware(\n    CORSMiddleware,\n    allow_origins=ORIGINS,\n    allow_credentials=True,\n    allow_methods=["GET", "POST", "PUT", "DELETE"],\n    allow_headers=["Authorization", "Content-Type"],\n)\napp.include_router(items.router, prefix="/items")\napp.include_router(users.router, prefix="/users")\n\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n`,
  );
  put(`${base}/routers/__init__.py`, '');
  put(
    `${base}/routers/items.py`,
    `from fastapi import APIRouter, Depends\n\nfrom ..deps import current_user\n\nrouter = APIRouter()\n\n\n@router.get("/")\ndef list_items():\n    return []\n\n\n@router.put("/{item_id}")\ndef put_item(item_id: int, user=Depends(current_user)):\n    return {"id": item_id}\n`,
  );
  put(
    `${base}/routers/users.py`,
    `from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/me")\ndef me():\n    return {}\n`,
  );
  put(
    `${base}/deps.py`,
    `from fastapi import Header, HTTPException\n\n\ndef current_user(authorization: str = Header(None)):\n    if not authorization:\n        raise HTTPException(status_code=401)\n    return authorization\n`,
  );
  put(
    `services/svc${s}/tests/test_main.py`,
    `from fastapi.testclient import TestClient\n\nfrom app.main import app\n\nclient = TestClient(app)\n\n\ndef test_health():\n    assert client.get("/health").status_code == 200\n`,
  );
  for (let i = 0; i < 6; i++)
    put(
      `${base}/plugins/plugin_${i}.py`,
      `from fastapi import FastAPI\n\n\ndef register_${i}(app: FastAPI) -> None:\n    app.state.plugin_${i} = True\n`,
    );
  for (let i = 0; i < 6; i++)
    put(
      `${base}/models/model_${i}.py`,
      `"""Model ${s}.${i}."""\nfrom dataclasses import dataclass\n\n\n@dataclass\nclass Model${i}:\n    id: int\n    name: str = "m${i}"\n`,
    );
}
const appScans = [0, 1, 2].map(() => measuredRun(['scan', appsTree, '--origin', ORIGIN, '--json']));
rmSync(appsTree, { recursive: true, force: true });
const appScanFailed = appScans.find((r) => r.status > 1);
process.stdout.write(
  `scan of 20,000 Python files with 1,000 FastAPI apps: median ${median(appScans.map((r) => r.ms)).toFixed(0)} ms wall (incl. Node start-up; ${median(appScans.map((r) => r.cpuMs)).toFixed(0)} ms CPU), peak RSS ${Math.max(...appScans.map((r) => r.mb)).toFixed(0)} MB (targets <= 2000 ms, <= 300 MB)${appScanFailed ? ` FAILED with exit status ${appScanFailed.status}` : ''}\n`,
);

// fix on each example and broken setup: proving every patch (server and browser models, before and after).
const { readdirSync, existsSync: exists } = await import('node:fs');
const FIX_SETUPS = [
  {
    dir: 'examples/auth-wraps-cors',
    args: ['--url', 'http://localhost:8000/items', '-H', 'Authorization: Bearer t'],
  },
  {
    dir: 'examples/missing-middleware',
    args: ['--url', 'http://localhost:8000/items', '-X', 'POST', '--json-body', '{}'],
  },
  {
    dir: 'examples/wildcard-credentials',
    args: ['--url', 'http://localhost:8000/me', '--credentials', 'include'],
  },
  ...readdirSync('test/fixtures/broken')
    .filter((name) => exists(join('test/fixtures/broken', name, 'cors-case.json')))
    .map((name) => {
      const dir = join('test/fixtures/broken', name);
      const c = JSON.parse(readFileSync(join(dir, 'cors-case.json'), 'utf8'));
      const args = ['--url', `http://localhost:8000${c.request.path}`, '-X', c.request.method];
      for (const [k, v] of Object.entries(c.request.headers ?? {})) args.push('-H', `${k}: ${v}`);
      if (c.request.credentials) args.push('--credentials', c.request.credentials);
      return { dir, args, origin: c.origin };
    }),
];
const fixTimes = FIX_SETUPS.map(({ dir, args, origin }) => ({
  dir,
  ms: median(
    [0, 1, 2].map(() =>
      timed(process.execPath, [
        'bin/cors-doctor.cjs',
        'fix',
        dir,
        '--origin',
        origin ?? ORIGIN,
        ...args,
        '--json',
      ]),
    ),
  ),
}));
const slowest = fixTimes.reduce((a, b) => (b.ms > a.ms ? b : a));
process.stdout.write(
  `fix (every patch proven) on ${fixTimes.length} examples and broken setups: median of each ${fixTimes.map((t) => t.ms.toFixed(0)).join(', ')} ms wall (incl. Node start-up); slowest ${slowest.dir} ${slowest.ms.toFixed(0)} ms (target <= 1000 ms each)\n`,
);

// verify: the page's fetch() in each real browser, cold start included (launch, page, fetch, close), one
// browser per run, against examples/correct under uvicorn.
const { startUvicorn, fastapiAvailable } = await import('../dist/src/local-servers/uvicorn.js');
const { browserUnavailableReason } = await import('../dist/src/browsers/launch.js');
const uvicornMissing = await fastapiAvailable();
if (uvicornMissing) {
  process.stdout.write(`verify: not measured (${uvicornMissing})\n`);
} else {
  const app = await startUvicorn({ appDir: 'examples/correct' });
  try {
    for (const browser of ['chrome', 'firefox']) {
      const missing = await browserUnavailableReason(browser);
      if (missing) {
        process.stdout.write(`verify in ${browser}: not measured (${missing})\n`);
        continue;
      }
      const walls = [];
      const inBrowser = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const run = spawnSync(
          process.execPath,
          [
            'bin/cors-doctor.cjs',
            'verify',
            `${app.url}/items`,
            '--origin',
            ORIGIN,
            '--browser',
            browser,
            '--json',
          ],
          { encoding: 'utf8' },
        );
        walls.push(performance.now() - t0);
        const report = JSON.parse(run.stdout);
        inBrowser.push(report.browsers[browser].ms);
      }
      process.stdout.write(
        `verify in ${browser} (GET /items, examples/correct under uvicorn): median ${median(walls).toFixed(0)} ms wall for the whole command (incl. Node start-up and check's prediction), ${median(inBrowser).toFixed(0)} ms from launch to close (target <= 3000 ms per browser)\n`,
      );
    }
  } finally {
    await app.stop();
  }
}

// audit: one URL of a FastAPI app under uvicorn whose regex lets look-alikes in (so the second round runs
// too), beside the floor: the same requests, each by its own curl (as for check), and all of them by one
// curl process. The commands run asynchronously: uvicorn writes an access log line per request into a
// pipe this process must drain.
const runTimed = (command, args) =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.once('error', reject);
    child.once('close', () => resolve({ ms: performance.now() - t0, stdout }));
  });
if (uvicornMissing) {
  process.stdout.write(`audit: not measured (${uvicornMissing})\n`);
} else {
  const app = await startUvicorn({ appDir: 'test/fixtures/audit/regex-suffix' });
  try {
    const target = `${app.url}/me`;
    const audits = [];
    const curls = [];
    const oneCurl = [];
    const nodeStarts = [];
    let probes = [];
    for (let i = 0; i < 9; i++) {
      const run = await runTimed(process.execPath, [
        'bin/cors-doctor.cjs',
        'audit',
        target,
        '--origin',
        'https://app.example.com',
        '--json',
      ]);
      audits.push(run.ms);
      probes = JSON.parse(run.stdout).probes;
      // The floor as for check: each request by its own curl, the times summed; and all of them from one
      // curl process over one connection, for comparison.
      const curlArgs = probes.map((p) => {
        const args = ['-s', '-o', '/dev/null', target, '-H', `Origin: ${p.origin}`];
        if (p.kind === 'preflight')
          args.push(
            '-X',
            'OPTIONS',
            '-H',
            'Access-Control-Request-Method: PUT',
            '-H',
            'Access-Control-Request-Headers: authorization',
          );
        else if (p.credentials) args.push('-H', 'Cookie: cors_doctor_probe=1');
        return args;
      });
      let each = 0;
      for (const args of curlArgs) each += (await runTimed('curl', args)).ms;
      curls.push(each);
      oneCurl.push(
        (
          await runTimed(
            'curl',
            curlArgs.flatMap((args, n) => (n > 0 ? ['--next', ...args] : args)),
          )
        ).ms,
      );
      nodeStarts.push((await runTimed(process.execPath, ['-e', '0'])).ms);
    }
    const a = median(audits);
    const floor = median(curls) + median(nodeStarts);
    process.stdout.write(
      `audit (${probes.length} probes, regex-suffix under uvicorn): median ${a.toFixed(0)} ms wall (target <= 1000 ms); the same ${probes.length} requests by curl ${median(curls).toFixed(0)} ms + node start-up ${median(nodeStarts).toFixed(0)} ms = ${floor.toFixed(0)} ms; ratio ${(a / floor).toFixed(2)} (target <= 1.3); all ${probes.length} from one curl process over one connection: ${median(oneCurl).toFixed(0)} ms\n`,
    );
  } finally {
    await app.stop();
  }
}

// watch: the proxy in front of a local server, its added time and a load of 200 requests a second
// (scripts/bench-watch.js).
{
  const { benchWatch } = await import('./bench-watch.js');
  await benchWatch({ serverSource, origin: ORIGIN, dir });
}
