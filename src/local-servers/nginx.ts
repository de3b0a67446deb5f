import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './uvicorn.js';

export const NGINX = '/usr/sbin/nginx';

/** Why nginx cannot run here, or undefined when it can. */
export function nginxAvailable(): string | undefined {
  if (!existsSync(NGINX)) return 'nginx is not installed (install with: apt-get install -y nginx-light)';
  return spawnSync(NGINX, ['-v']).status === 0 ? undefined : 'nginx -v failed';
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.end() !== undefined));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs a real nginx with a config template (`@PREFIX@`, `@PORT@`, `@UPSTREAM@` filled in) on a free
 * loopback port, in a temporary prefix folder. Checks the config with `nginx -t` first.
 */
/**
 * `nginx -t` on a configuration file: undefined when nginx accepts it, else its last error line.
 * `globals` are `-g` directives (e.g. a pid file and `error_log stderr;` for a file without them).
 */
export function nginxRejects(config: string, prefix: string, globals?: string): string | undefined {
  const args = ['-t', '-p', prefix, '-c', config, ...(globals ? ['-g', globals] : [])];
  const test = spawnSync(NGINX, args, { encoding: 'utf8' });
  if (test.status === 0) return undefined;
  return (
    test.stderr
      .trim()
      .split('\n')
      .filter((l) => !/test failed$/.test(l))
      .at(-1) ?? 'nginx -t failed'
  );
}

export async function startNginx(
  template: string,
  upstreamPort: number,
): Promise<{ url: string; stop(): Promise<void> }> {
  const prefix = mkdtempSync(join(tmpdir(), 'cors-doctor-nginx-'));
  for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, dir));
  const port = await freePort();
  const config = join(prefix, 'nginx.conf');
  writeFileSync(
    config,
    readFileSync(template, 'utf8')
      .replaceAll('@PREFIX@', prefix)
      .replaceAll('@PORT@', String(port))
      .replaceAll('@UPSTREAM@', String(upstreamPort)),
  );
  const rejected = nginxRejects(config, prefix);
  if (rejected) throw new Error(`nginx -t rejected ${template}: ${rejected}`);
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', config], { stdio: 'ignore' });
  await waitForPort(port, 10_000);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
