// The watch benchmark of scripts/bench.js, in a module of its own.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

// watch: the proxy (the bundled CLI, in its own process) in front of a local server. First the time a
// request takes through it beside the same request sent directly (one kept-alive connection each,
// interleaved, a browser's preflight and PUT); then 200 requests a second for BENCH_WATCH_SECONDS (10 s here,
// the target is 30 s: set BENCH_WATCH_SECONDS=30), with the proxy's resident memory read each second. A
// request that errs or gets an answer other than 200 counts as failed, by its cause (ECONNRESET, HTTP 502).
//
// `serverSource` is the local server's program (it prints its port), `origin` the page's origin, `dir` a
// folder for the probe's files; the lines go to stdout as bench.js prints its others.
export async function benchWatch({ serverSource, origin: ORIGIN, dir }) {
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const target = spawn(process.execPath, ['-e', serverSource], { stdio: ['ignore', 'pipe', 'inherit'] });
  const targetPort = await new Promise((resolve) =>
    target.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
  );
  const watchPort = await new Promise((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  // A preloaded probe writes the proxy's live heap (after a full collection) each second: RSS alone also
  // counts what V8 keeps reserved after the heap has shrunk.
  const heapFile = join(dir, 'watch-heap');
  const heapProbe = join(dir, 'watch-heap.cjs');
  writeFileSync(
    heapProbe,
    "setInterval(() => { global.gc(); require('node:fs').appendFileSync(process.env.BENCH_HEAP_FILE, process.memoryUsage().heapUsed + '\\n'); }, 1000).unref();\n",
  );
  const proxy = spawn(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      heapProbe,
      'bin/cors-doctor.cjs',
      'watch',
      '--target',
      `http://127.0.0.1:${targetPort}`,
      '--port',
      String(watchPort),
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', BENCH_HEAP_FILE: heapFile },
    },
  );
  await new Promise((resolve, reject) => {
    let said = '';
    proxy.stderr.on('data', (d) => {
      said += d;
      if (said.includes('Ctrl-C')) resolve();
    });
    proxy.once('exit', (code) => reject(new Error(`watch exited with ${code}: ${said}`)));
  });
  const UA =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36';
  const PAIR = [
    {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'User-Agent': UA,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    },
    {
      method: 'PUT',
      headers: { Origin: ORIGIN, 'User-Agent': UA, 'Content-Type': 'application/json' },
      body: '{}',
    },
  ];
  const send = (port, agent, { method, headers, body }) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/items/1', method, headers, agent },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(performance.now() - t0)
              : reject(
                  Object.assign(new Error(`status ${res.statusCode}`), { code: `HTTP ${res.statusCode}` }),
                ),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const direct = new Agent({ keepAlive: true, maxSockets: 1 });
  const through = new Agent({ keepAlive: true, maxSockets: 1 });
  const plain = [];
  const proxied = [];
  for (let i = 0; i < 1200; i++) {
    const step = PAIR[i % 2];
    const a = await send(targetPort, direct, step);
    const b = await send(watchPort, through, step);
    if (i >= 200) {
      plain.push(a);
      proxied.push(b);
    }
  }
  const added = median(proxied) - median(plain);
  process.stdout.write(
    `watch adds ${added.toFixed(2)} ms median per request on loopback (${median(proxied).toFixed(2)} ms through it, ${median(plain).toFixed(2)} ms direct; 1,000 requests each, preflight and PUT; target <= 2 ms)\n`,
  );

  const seconds = Number(process.env.BENCH_WATCH_SECONDS ?? 10);
  const rate = 200;
  const rssMb = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proxy.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  writeFileSync(heapFile, '');
  const pool = new Agent({ keepAlive: true, maxSockets: 32 });
  const latencies = [];
  const samples = [];
  let sent = 0;
  let failed = 0;
  const failures = new Map();
  const inFlight = new Set();
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const elapsed = (performance.now() - t0) / 1000;
      if (elapsed >= seconds) {
        clearInterval(tick);
        resolve();
        return;
      }
      if (samples.length < Math.floor(elapsed)) samples.push(rssMb());
      const due = Math.floor(elapsed * rate) - sent;
      for (let i = 0; i < due; i++) {
        const p = send(watchPort, pool, PAIR[sent % 2]).then(
          (ms) => latencies.push(ms),
          (error) => {
            failed++;
            const why = error.code ?? error.message;
            failures.set(why, (failures.get(why) ?? 0) + 1);
          },
        );
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        sent++;
      }
    }, 2);
  });
  await Promise.all(inFlight);
  samples.push(rssMb());
  const p99 = latencies.sort((a, b) => a - b)[Math.floor(latencies.length * 0.99)] ?? 0;
  const heap = readFileSync(heapFile, 'utf8')
    .trim()
    .split('\n')
    .map((b) => Number(b) / 1e6);
  const atFive = (xs) => xs.filter((_, i) => i % 5 === 4).map((mb) => mb.toFixed(0));
  process.stdout.write(
    `watch holds ${rate} requests/s for ${seconds} s${seconds < 30 ? ' (shortened from 30 s; BENCH_WATCH_SECONDS=30 for the full run)' : ''}: ${latencies.length.toLocaleString('en')} answered, ${failed} failed${failed > 0 ? ` (${[...failures].map(([why, n]) => `${why} ${n}`).join(', ')})` : ''}, median ${median(latencies).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; proxy heap after collection every 5 s ${atFive(heap).join(', ')} MB, RSS ${atFive(samples).join(', ')} MB (target: flat)\n`,
  );
  proxy.kill('SIGINT');
  target.kill();
  direct.destroy();
  through.destroy();
  pool.destroy();
}
