/**
 * `cors-doctor audit` of an https:// URL, against a real uvicorn serving TLS with the self-signed
 * certificate of test/fixtures/tls (for localhost and 127.0.0.1). Not trusted, nothing answers: one line
 * on stderr naming the TLS error, exit 3. Trusted the way Node trusts any extra certificate
 * (NODE_EXTRA_CA_CERTS, read when the process starts: the bundled CLI runs as its own process), the audit
 * runs over TLS as over plain HTTP and finds the hole of the app.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/core/audit.js';
import { fastapiAvailable, freePort, PYTHON } from '../../src/local-servers/uvicorn.js';
import { runCli } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/cors-doctor.cjs');
const TLS = join(ROOT, 'test/fixtures/tls');
const CERT = join(TLS, 'self-signed.crt');
const KEY = join(TLS, 'self-signed.key');
// Any host ending in example.com is trusted with credentials: attacker-example.com gets through.
const APP = join(ROOT, 'test/fixtures/audit/regex-suffix');
const FRONTEND = 'https://app.example.com';

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

let uvicorn: ChildProcess | undefined;
let port = 0;
let output = '';

beforeAll(async () => {
  if (unavailable) return;
  port = await freePort();
  uvicorn = spawn(
    PYTHON,
    [
      '-m',
      'uvicorn',
      'main:app',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--ssl-keyfile',
      KEY,
      '--ssl-certfile',
      CERT,
    ],
    // The access log (stdout) is not read: the CLI below runs as a process this one waits for.
    { cwd: APP, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
  );
  uvicorn.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk).slice(-4096);
  });
  for (let tries = 0; !(await accepts(port)); tries++) {
    if (tries > 150 || uvicorn.exitCode !== null)
      throw new Error(`uvicorn with TLS did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  if (!uvicorn || uvicorn.exitCode !== null) return;
  const exited = new Promise((resolve) => uvicorn?.once('exit', resolve));
  uvicorn.kill('SIGTERM');
  await exited;
});

/** A GET from `origin` with a cookie, over TLS trusting the test certificate. */
function resend(url: string, origin: string) {
  return new Promise<{ allowOrigin?: string; allowCredentials?: string }>((resolve, reject) => {
    const req = request(
      url,
      { ca: readFileSync(CERT), headers: { Origin: origin, Cookie: 'session=attacker-test' } },
      (res) => {
        res.resume();
        resolve({
          allowOrigin: res.headers['access-control-allow-origin'] as string | undefined,
          allowCredentials: res.headers['access-control-allow-credentials'] as string | undefined,
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(unavailable !== undefined)('audit of an https:// URL (uvicorn with TLS)', () => {
  it.each(['localhost', '127.0.0.1'])(
    'the certificate not trusted (%s): one line naming the TLS error, exit 3',
    async (host) => {
      const url = `https://${host}:${port}/me`;
      const run = await runCli(['audit', url, '--origin', FRONTEND]);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toEqual([
        `cors-doctor: nothing answered the audit of ${url}: TLS error talking to ${host}:${port} (DEPTH_ZERO_SELF_SIGNED_CERT): check the certificate or use http:// for a plain-HTTP server`,
      ]);
      const json = await runCli(['audit', url, '--origin', FRONTEND, '--json']);
      expect(json.code).toBe(3);
      expect((JSON.parse(json.stdout) as AuditReport).probes.map((p) => p.status)).toEqual([0]);
    },
  );

  it('the certificate trusted through NODE_EXTRA_CA_CERTS: every probe answered over TLS, the hole found and reproduced', async () => {
    const url = `https://localhost:${port}/me`;
    const run = spawnSync(process.execPath, [BIN, 'audit', url, '--origin', FRONTEND, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: CERT },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.url).toBe(url);
    expect(report.probes.length).toBeGreaterThan(20);
    expect(report.probes.filter((p) => p.status === 0)).toEqual([]);
    expect(report.findings.map((f) => [f.code, f.origin, f.credentials])).toEqual([
      ['origin-suffix-bypass', 'https://attacker-example.com', true],
    ]);
    expect(report.findings[0]?.reproduce).toContain(`'${url}'`);
    expect(await resend(url, 'https://attacker-example.com')).toEqual({
      allowOrigin: 'https://attacker-example.com',
      allowCredentials: 'true',
    });
    expect((await resend(url, FRONTEND)).allowOrigin).toBe(FRONTEND);
  });
});
