/**
 * Runs a real FastAPI app under uvicorn on a free loopback port, for integration tests and demos.
 *
 * Uses Debian's interpreter (`/usr/bin/python3`, packages python3-fastapi and python3-uvicorn), not
 * whatever `python3` is first on PATH: version managers (pyenv, asdf) put interpreters there that
 * usually lack FastAPI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const INSTALL_HINT = 'install with: apt-get install -y python3-fastapi python3-uvicorn';

const OUTPUT_LIMIT = 64 * 1024;
const TAIL_LINES = 3;
const POLL_MS = 100;
const STOP_GRACE_MS = 3000;

export interface StartUvicornOptions {
  /** Directory holding the app (its working directory and import root). */
  appDir: string;
  /** `module:attribute` of the ASGI app. Default `main:app`. */
  app?: string;
  /** Extra environment variables for the Python process (added to this process's environment). */
  env?: Record<string, string>;
  /** Address uvicorn binds. Default `127.0.0.1`. */
  host?: string;
  /** How long to wait for the port to accept connections. Default 15 s. */
  timeoutMs?: number;
}

export interface UvicornServer {
  /** `http://<host>:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Terminates uvicorn (SIGTERM, then SIGKILL) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
  /** The last 64 KiB uvicorn wrote (stderr and stdout interleaved): startup log, access log, tracebacks. */
  output(): string;
}

/** Processes still running, killed if this Node process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

function childEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
  // A PYTHONHOME set for another interpreter (pyenv, venv tooling) breaks the system one.
  delete env.PYTHONHOME;
  return { ...env, ...extra };
}

function missingModule(text: string): string | undefined {
  return /No module named '?([\w.]+)'?/.exec(text)?.[1];
}

function lastLines(text: string, count = TAIL_LINES): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-count)
    .join(' | ');
}

let availability: Promise<string | undefined> | undefined;

/**
 * Why `/usr/bin/python3` cannot run FastAPI apps under uvicorn, or `undefined` when it can.
 * The answer is computed once per process.
 */
export function fastapiAvailable(): Promise<string | undefined> {
  availability ??= new Promise((done) => {
    if (!existsSync(PYTHON)) {
      done(`${PYTHON} not found; ${INSTALL_HINT}`);
      return;
    }
    let text = '';
    const child = spawn(PYTHON, ['-c', 'import fastapi, starlette, uvicorn'], {
      env: childEnv(undefined),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.once('error', (error) => done(`cannot run ${PYTHON}: ${error.message}; ${INSTALL_HINT}`));
    child.once('close', (code, signal) => {
      if (code === 0) done(undefined);
      else {
        const module = missingModule(text);
        done(
          module
            ? `${PYTHON} cannot import ${module}; ${INSTALL_HINT}`
            : `${PYTHON} cannot import fastapi and uvicorn (${signal ?? `exit ${code}`}: ${lastLines(text, 2)}); ${INSTALL_HINT}`,
        );
      }
    });
  });
  return availability;
}

/** A port that was free a moment ago on `host` (the kernel picks it; there is a small race). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? done(port) : fail(new Error(`could not get a free port on ${host}`))));
    });
  });
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Starts `/usr/bin/python3 -m uvicorn <app> --host <host> --port <free port>` in `appDir` and
 * resolves once the port accepts TCP connections. Rejects with a one-line error when Python,
 * FastAPI or uvicorn is missing, when uvicorn exits early (the message ends with its last output
 * lines) or when the port does not open within `timeoutMs`.
 */
export async function startUvicorn(options: StartUvicornOptions): Promise<UvicornServer> {
  const { app = 'main:app', host = '127.0.0.1', timeoutMs = 15_000 } = options;
  const appDir = resolve(options.appDir);
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) {
    throw new Error(`uvicorn: app directory not found: ${appDir}`);
  }
  if (!existsSync(PYTHON)) throw new Error(`uvicorn: ${PYTHON} not found; ${INSTALL_HINT}`);

  const port = await freePort(host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let buffer = '';
  const append = (chunk: Buffer) => {
    buffer += chunk.toString();
    if (buffer.length > OUTPUT_LIMIT) buffer = buffer.slice(-OUTPUT_LIMIT);
  };

  const child = spawn(
    PYTHON,
    ['-m', 'uvicorn', app, '--host', host, '--port', String(port), '--no-use-colors'],
    { cwd: appDir, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  trackChild(child);
  child.stdout.on('data', append);
  child.stderr.on('data', append);

  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      done();
    });
    child.once('error', (error) => {
      spawnError = error;
      if (child.pid === undefined) {
        exit = { code: null, signal: null };
        done();
      }
    });
  });

  const stop = async (): Promise<void> => {
    if (exit) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!exit) child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const where = `${app} in ${options.appDir}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError && child.pid === undefined) {
      throw new Error(`uvicorn: cannot run ${PYTHON}: ${spawnError.message}; ${INSTALL_HINT}`);
    }
    if (exit) {
      // Let the pipes drain so the traceback is complete.
      await new Promise<void>((done) =>
        child.stderr.readableEnded ? done() : child.stderr.once('end', done),
      );
      const module = missingModule(buffer);
      if (module && ['uvicorn', 'fastapi', 'starlette'].includes(module.split('.')[0] ?? '')) {
        throw new Error(`uvicorn: ${PYTHON} cannot import ${module}; ${INSTALL_HINT}`);
      }
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      throw new Error(`uvicorn exited early (${how}) for ${where}: ${lastLines(buffer) || 'no output'}`);
    }
    if (await accepts(host, port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `uvicorn did not accept connections on ${url} within ${timeoutMs} ms for ${where}: ${lastLines(buffer) || 'no output'}`,
      );
    }
    await sleep(POLL_MS);
  }

  return { url, port, stop, output: () => buffer };
}
