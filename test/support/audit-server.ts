/**
 * The fixture of an audit test live: its FastAPI app under uvicorn, behind a real nginx when the case
 * names a configuration template (`@PORT@`, `@UPSTREAM@`, `@PREFIX@`); the template deployed with its
 * placeholders filled in (as the project reader reads it) and turned back after a patch; what a request
 * from an origin gets.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

/**
 * The files a configuration includes by a path relative to it (`include conf.d/*.conf;`, a `*` in the
 * file name only), as paths relative to `dir`, in nginx's order (sorted).
 */
export function includedFiles(dir: string, conf: string): Array<{ directive: string; files: string[] }> {
  const text = readFileSync(join(dir, conf), 'utf8');
  const base = dirname(conf) === '.' ? '' : `${dirname(conf)}/`;
  return [...text.matchAll(/^[ \t]*include[ \t]+([^\s;/][^\s;]*);/gm)].map((m) => {
    const path = `${base}${m[1]}`;
    const folder = dirname(path);
    const name = path.slice(folder.length + 1);
    const pattern = new RegExp(`^${name.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
    const listed = existsSync(join(dir, folder)) ? readdirSync(join(dir, folder)).sort() : [];
    return { directive: m[0], files: listed.filter((f) => pattern.test(f)).map((f) => `${folder}/${f}`) };
  });
}

/** The configuration with its relative includes written in place: nginx runs it from a folder of its own. */
function flattened(dir: string, conf: string): string {
  let text = readFileSync(join(dir, conf), 'utf8');
  for (const { directive, files } of includedFiles(dir, conf))
    text = text.replace(directive, files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n'));
  return text;
}

/** The project in `dir` live: uvicorn, behind nginx (its template in `dir`) when the case says so. */
export async function serve(dir: string, c: ServedCase): Promise<Served> {
  const app = await startUvicorn({ appDir: c.app ? join(dir, c.app) : dir });
  if (!c.nginx) return { url: app.url, stop: () => app.stop() };
  // A configuration split over included files runs as one file.
  const split =
    includedFiles(dir, c.nginx).length > 0 ? mkdtempSync(join(tmpdir(), 'cors-doctor-conf-')) : '';
  try {
    const conf = split ? join(split, 'nginx.conf') : join(dir, c.nginx);
    if (split) writeFileSync(conf, flattened(dir, c.nginx));
    const proxy = await startNginx(conf, app.port);
    return {
      url: proxy.url,
      upstream: app.port,
      async stop() {
        await proxy.stop();
        await app.stop();
        if (split) rmSync(split, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app.stop();
    if (split) rmSync(split, { recursive: true, force: true });
    throw error;
  }
}

/** Where nginx's temporary files would go: the project reader reads the path, nginx never sees it. */
export const NGINX_PREFIX = '/var/lib/cors-doctor-audit';

/** A copy of `dir` (made under `under`) with nginx's configuration `conf` as it runs: placeholders filled in. */
export function deployed(dir: string, conf: string, server: Served, under: string): string {
  const copy = mkdtempSync(join(under, 'deployed-'));
  cpSync(dir, copy, { recursive: true });
  // The configuration and the files it includes.
  for (const file of [conf, ...includedFiles(dir, conf).flatMap((i) => i.files)]) {
    const text = readFileSync(join(dir, file), 'utf8')
      .replaceAll('@PREFIX@', NGINX_PREFIX)
      .replaceAll('@PORT@', new URL(server.url).port)
      .replaceAll('@UPSTREAM@', String(server.upstream));
    writeFileSync(join(copy, file), text);
  }
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
