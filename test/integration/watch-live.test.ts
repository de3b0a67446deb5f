import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fastapiAvailable,
  freePort,
  startUvicorn,
  type UvicornServer,
} from '../../src/local-servers/uvicorn.js';
import { readProject } from '../../src/project/read-project.js';
import type { WatchEntry } from '../../src/watch/entry.js';
import type { WatchServer } from '../../src/watch/server.js';
import { sourceJoiner } from '../../src/watch/source.js';
import { runCli } from '../support/run-cli.js';
import { exchangesJson, ROOT, send, settledAfter, watchOf } from './watch-kit.js';

/**
 * `watch` as the page and the user meet it, in front of a real FastAPI app (uvicorn): exchanges.json and the
 * event stream, the ring of entries, masking, what the proxy refuses (it is not an open proxy), --project,
 * an unreachable target, bad options, a port in use, and Ctrl-C of the bundled CLI with each --format.
 */
const inCI = process.env.CI === 'true';
const noFastapi = await fastapiAvailable();
if (noFastapi && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${noFastapi}`);

describe.skipIf(noFastapi !== undefined)('watch: the live data, the proxy limits and bad input', () => {
  let server: UvicornServer;
  let watch: WatchServer;
  beforeAll(async () => {
    server = await startUvicorn({ appDir: join(ROOT, 'examples/auth-wraps-cors'), timeoutMs: 20_000 });
    watch = await watchOf(server.url, { maxExchanges: 4 });
  });
  afterAll(async () => {
    await watch?.close();
    await server?.stop();
  });
  const host = () => new URL(watch.url).host;
  const chrome =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36';

  it('exchanges.json: a blocked preflight is one entry, with the contract fields, secrets masked', async () => {
    const before = Math.max(0, ...(await exchangesJson(watch)).map((e) => e.id));
    const origin = 'http://localhost:3000';
    const answer = await send(`${watch.url}/me`, 'OPTIONS', [
      'Host',
      host(),
      'Origin',
      origin,
      'User-Agent',
      chrome,
      'Access-Control-Request-Method',
      'GET',
      'Access-Control-Request-Headers',
      'authorization',
    ]);
    expect(answer.status).toBe(401);
    const [entry] = await settledAfter(watch, before);
    expect(entry).toMatchObject({
      browser: 'chrome',
      origin,
      method: 'GET',
      url: `${watch.url}/me`,
      actual: null,
      outcome: 'blocked',
      stage: 'preflight',
      status: 401,
      causes: [{ code: 'preflight-rejected' }],
    });
    expect(typeof entry?.id).toBe('number');
    expect(Number.isNaN(Date.parse(entry?.time ?? ''))).toBe(false);
    expect(entry?.preflight?.request.method).toBe('OPTIONS');
    expect(entry?.preflight?.response?.status).toBe(401);
    expect(entry?.messages[0]).toContain(`Access to fetch at '${watch.url}/me' from origin '${origin}'`);
    expect(entry?.causes[0]?.fix?.summary).toBeTruthy();

    const secret = 'Bearer s3cr3t-t0ken-value';
    await send(`${watch.url}/me`, 'GET', [
      'Host',
      host(),
      'Origin',
      origin,
      'User-Agent',
      chrome,
      'Authorization',
      secret,
    ]);
    const text = JSON.stringify(await settledAfter(watch, entry?.id ?? 0));
    expect(text).not.toContain('s3cr3t');
    expect(text).toContain('Bearer ***');
  });

  it('the event stream brings each entry as it arrives; a browser the User-Agent does not name is judged as both', async () => {
    const events = await new Promise<IncomingMessage>((resolve, reject) =>
      httpRequest(`${watch.url}/__cors-doctor/events`, { agent: false }, resolve).on('error', reject).end(),
    );
    expect(events.headers['content-type']).toContain('text/event-stream');
    let text = '';
    // Settles on the data that completes an entry event (vitest's timeout bounds the wait).
    const entryArrived = new Promise<void>((resolve) => {
      events.on('data', (d: Buffer) => {
        text += d.toString();
        if (/event: entry\ndata: .*\n/.test(text)) resolve();
      });
    });
    await send(`${watch.url}/health`, 'GET', [
      'Host',
      host(),
      'Origin',
      'http://localhost:3000',
      'User-Agent',
      'curl/8.5.0',
    ]);
    await entryArrived;
    events.destroy();
    expect(text.startsWith('retry: 1000\nevent: snapshot\n')).toBe(true);
    const data = /event: entry\ndata: (.*)\n/.exec(text)?.[1] ?? '{}';
    const entry = JSON.parse(data) as WatchEntry;
    expect(entry).toMatchObject({ browser: 'unknown', path: '/health', outcome: 'allowed', status: 200 });
    expect(Object.keys(entry.browsers).sort()).toEqual(['chrome', 'firefox']);
  });

  it('keeps the last --max-exchanges entries, bodies cut to an excerpt', async () => {
    const big = `{"name":"${'x'.repeat(10_000)}","price":1}`;
    for (let i = 0; i < 6; i++)
      await send(
        `${watch.url}/items`,
        'POST',
        ['Host', host(), 'Content-Type', 'text/plain', 'Content-Length', String(big.length)],
        big,
      );
    const entries = await exchangesJson(watch);
    expect(entries).toHaveLength(4);
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => a - b));
    for (const e of entries)
      expect(Buffer.byteLength(e.actual?.request.body ?? '')).toBeLessThanOrEqual(2048);
  });

  it.each([
    {
      title: 'absolute-form request to another host',
      raw: 'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n',
      status: 403,
    },
    {
      title: 'CONNECT to another host',
      raw: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      status: 403,
    },
    {
      title: 'the live data asked under another host name (DNS rebinding)',
      raw: 'GET /__cors-doctor/exchanges.json HTTP/1.1\r\nHost: attacker.example:80\r\n\r\n',
      status: 403,
    },
    {
      title: 'absolute-form request to the target itself passes',
      raw: 'GET TARGET/health HTTP/1.1\r\nHost: HOST\r\n\r\n',
      status: 200,
    },
  ])('not an open proxy: $title → $status', async ({ raw, status }) => {
    const text = raw.replace('TARGET', server.url).replace('HOST', host());
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(watch.url).port), '127.0.0.1', () => socket.write(text));
      let got = '';
      socket.on('data', (d) => {
        got += d.toString('latin1');
        if (/\r\n\r\n/.test(got)) {
          socket.destroy();
          resolve(got);
        }
      });
      socket.on('error', reject);
    });
    expect(answer.split(' ')[1]).toBe(String(status));
    if (status === 403) expect(answer).toContain('\r\n\r\n');
  });

  it('--project: the cause names the line of the backend to change', async () => {
    const project = await readProject(join(ROOT, 'examples/auth-wraps-cors'));
    const joined = await watchOf(server.url, { enrich: sourceJoiner(project, new URL(server.url)) });
    try {
      await send(`${joined.url}/me`, 'OPTIONS', [
        'Host',
        new URL(joined.url).host,
        'Origin',
        'http://localhost:3000',
        'User-Agent',
        chrome,
        'Access-Control-Request-Method',
        'GET',
        'Access-Control-Request-Headers',
        'authorization',
      ]);
      const [entry] = await settledAfter(joined, 0);
      const cause = entry?.causes.find((c) => c.code === 'preflight-rejected');
      expect(cause?.locations[0]?.file).toBe('main.py');
      expect(cause?.confirmedBy).toBeTruthy();
    } finally {
      await joined.close();
    }
  });
});

describe('watch: a target that does not answer, a port in use, Ctrl-C', () => {
  it('an unreachable target: the page gets 502, the entry says why, the proxy keeps running', async () => {
    const port = await freePort();
    const watch = await watchOf(`http://127.0.0.1:${port}`);
    try {
      const lines = [
        'Host',
        new URL(watch.url).host,
        'Origin',
        'http://localhost:3000',
        'User-Agent',
        'Mozilla/5.0 Firefox/128.0',
      ];
      const first = await send(`${watch.url}/items`, 'GET', lines);
      expect(first.status).toBe(502);
      expect(first.body).toContain('did not answer');
      const [entry] = await settledAfter(watch, 0);
      expect(entry).toMatchObject({
        status: 502,
        outcome: 'blocked',
        browser: 'firefox',
        targetError: { code: 'ECONNREFUSED' },
      });
      expect(entry?.causes[0]?.code).toBe('server-unreachable');
      expect((await send(`${watch.url}/items`, 'GET', lines)).status).toBe(502);
      expect(await exchangesJson(watch)).toHaveLength(2);
    } finally {
      await watch.close();
    }
  });

  it('a port in use: one line, exit 2', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const { code, stderr } = await runCli([
        'watch',
        '--target',
        'http://127.0.0.1:9',
        '--port',
        String(port),
      ]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([
        `cors-doctor: port ${port} is in use on 127.0.0.1: stop what listens there, or pick another with --port`,
      ]);
    } finally {
      busy.close();
    }
  });

  it.each([
    { args: ['--target', 'localhost:8000'], says: '--target must be an http:// or https:// URL' },
    { args: ['--target', 'http://127.0.0.1:9', '--port', '70000'], says: '--port is a whole number' },
    {
      args: ['--target', 'http://127.0.0.1:9', '--max-exchanges', '0'],
      says: '--max-exchanges is a whole number',
    },
    {
      args: ['--target', 'http://127.0.0.1:9', '--format', 'json'],
      says: '--format of watch is text or html',
    },
  ])('bad option $args: one line, exit 2', async ({ args, says }) => {
    const { code, stderr } = await runCli(['watch', ...args]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(says);
  });

  it.each([
    { format: 'text', lines: 'stdout' },
    { format: 'html', lines: 'stderr' },
  ] as const)(
    'Ctrl-C (SIGINT) stops the bundled CLI cleanly with exit 0 (--format $format)',
    async ({ format, lines }) => {
      const bin = join(ROOT, 'bin/cors-doctor.cjs');
      expect(existsSync(join(ROOT, 'dist/cli/watch.cjs')), 'run npm run build').toBe(true);
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [bin, 'watch', '--target', 'http://127.0.0.1:9', '--port', String(port), '--format', format],
        { env: { ...process.env, NO_COLOR: '1' } },
      );
      const said = { stdout: '', stderr: '' };
      /** Resolves once `stream` has printed `text` (woken by its output). */
      const printed = (stream: 'stdout' | 'stderr', text: string) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (said[stream].includes(text)) resolve();
            else if (child.exitCode !== null)
              reject(new Error(`exited before printing ${text}: ${said.stderr}`));
            else return;
            child[stream].off('data', check);
          };
          child[stream].on('data', check);
          check();
        });
      child.stdout.on('data', (d) => {
        said.stdout += d;
      });
      child.stderr.on('data', (d) => {
        said.stderr += d;
      });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await printed('stderr', 'Ctrl-C');
      expect(said.stderr).toContain(`http://127.0.0.1:${port}/__cors-doctor/report.html`);
      const answer = await send(`http://127.0.0.1:${port}/items`, 'GET', ['Host', `127.0.0.1:${port}`]);
      expect(answer.status).toBe(502);
      await printed(lines, 'GET /items');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(said[lines]).toMatch(/GET \/items 502/);
      expect(said.stderr).toContain('stopped');
      if (format === 'html') {
        // The entries kept, as report.html serves them: one page on stdout, nothing else there.
        expect(said.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
        expect(said.stdout.trimEnd().endsWith('</html>')).toBe(true);
        expect(said.stdout).toContain('<code>GET /items</code>');
        expect(said.stdout).toContain('502 (target unreachable:');
      }
    },
  );
});
