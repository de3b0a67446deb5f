/**
 * The fixture of an audit test live: its FastAPI app under uvicorn, behind a real nginx when the case
 * names a configuration template (`@PORT@`, `@UPSTREAM@`, `@PREFIX@`); the template deployed with its
 * placeholders filled in (as the project reader reads it) and turned back after a patch; what a request
 * from an origin gets.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendRaw } from '../../src/evidence/probe/http.js';
import { startNginx } from '../../src/local-servers/nginx.js';
import { startUvicorn } from '../../src/local-servers/uvicorn.js';
import { headerValues } from '../../src/model/header-list.js';

/** Where the app is in the fixture and the nginx template in front of it, as audit-case.json says. */
export interface ServedCase {
  /** The app's folder, when not the fixture's own. */
  app?: string;
  /** An nginx configuration template in front of the app. */
  nginx?: string;
}

/** The fixture's server, live. */
export interface Served {
  url: string;
  /** The app's port, when nginx is in front of it. */
  upstream?: number;
  stop(): Promise<void>;
}

/** The project in `dir` live: uvicorn, behind nginx (its template in `dir`) when the case says so. */
export async function serve(dir: string, c: ServedCase): Promise<Served> {
  const app = await startUvicorn({ appDir: c.app ? join(dir, c.app) : dir });
  if (!c.nginx) return { url: app.url, stop: () => app.stop() };
  try {
    const proxy = await startNginx(join(dir, c.nginx), app.port);
    return {
      url: proxy.url,
      upstream: app.port,
      async stop() {
        await proxy.stop();
        await app.stop();
      },
    };
  } catch (error) {
    await app.stop();
    throw error;
  }
}

/** Where nginx's temporary files would go: the project reader reads the path, nginx never sees it. */
export const NGINX_PREFIX = '/var/lib/cors-doctor-audit';

/** A copy of `dir` (made under `under`) with nginx's configuration `conf` as it runs: placeholders filled in. */
export function deployed(dir: string, conf: string, server: Served, under: string): string {
  const copy = mkdtempSync(join(under, 'deployed-'));
  cpSync(dir, copy, { recursive: true });
  const text = readFileSync(join(dir, conf), 'utf8')
    .replaceAll('@PREFIX@', NGINX_PREFIX)
    .replaceAll('@PORT@', new URL(server.url).port)
    .replaceAll('@UPSTREAM@', String(server.upstream));
  writeFileSync(join(copy, conf), text);
  return copy;
}

/** A deployed (and patched) configuration turned back into a template that startNginx fills in. */
export const template = (text: string, server: Served): string =>
  text
    .replaceAll(NGINX_PREFIX, '@PREFIX@')
    .replaceAll(`:${new URL(server.url).port};`, ':@PORT@;')
    .replaceAll(`:${server.upstream};`, ':@UPSTREAM@;');

/**
 * What a plain GET from `origin` gets, with a cookie or without; or, when `preflight`, what the preflight
 * of a PUT with Authorization gets.
 */
export async function answerTo(url: string, origin: string, cookie: boolean, preflight = false) {
  const headers: Array<[string, string]> = [['Origin', origin]];
  if (preflight)
    headers.push(
      ['Access-Control-Request-Method', 'PUT'],
      ['Access-Control-Request-Headers', 'authorization'],
    );
  else if (cookie) headers.push(['Cookie', 'session=attacker-test']);
  const sent = await sendRaw({ method: preflight ? 'OPTIONS' : 'GET', url, headers }, 5000);
  const answer = sent.response?.headers ?? [];
  return {
    allowOrigin: headerValues(answer, 'access-control-allow-origin'),
    allowCredentials: headerValues(answer, 'access-control-allow-credentials'),
  };
}
