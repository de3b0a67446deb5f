/**
 * nginx configuration split over files, as packaged nginx reads it: the main file includes
 * `/etc/nginx/conf.d/*.conf` (the project's nginx/conf.d/, copied there), the map is in a file of its own and
 * the CORS headers in a snippet a location includes by a path relative to the main configuration. The
 * project's files are deployed as a Dockerfile's `COPY nginx/ /etc/nginx/` would (into a folder standing for
 * /etc/nginx), served by a real nginx in front of a real uvicorn, and every request gets from the offline
 * model (the project as written, its includes resolved among its files) what it got live.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import type { PageFetch } from '../../src/core/page.js';
import { NGINX, nginxAvailable, nginxRejects } from '../../src/local-servers/nginx.js';
import { fastapiAvailable, freePort, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { BrowserName } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';

const inCI = process.env.CI === 'true';
const unavailable = nginxAvailable() ?? (await fastapiAvailable());
if (unavailable && inCI) throw new Error(`CI needs nginx, FastAPI and uvicorn: ${unavailable}`);

const FIXTURE = 'test/fixtures/nginx/split-include';
const BROWSERS: BrowserName[] = ['chrome', 'firefox'];

interface Row {
  title: string;
  origin: string;
  method: string;
  path: string;
  json?: boolean;
  outcome: 'allowed' | 'blocked';
}

const ROWS: Row[] = [
  {
    title: 'GET from the frontend',
    origin: 'http://localhost:3000',
    method: 'GET',
    path: '/me',
    outcome: 'allowed',
  },
  {
    title: 'GET from another site',
    origin: 'https://evil.test',
    method: 'GET',
    path: '/me',
    outcome: 'blocked',
  },
  {
    title: 'PUT with JSON from the frontend (preflight answered by the snippet)',
    origin: 'http://localhost:3000',
    method: 'PUT',
    path: '/items/1',
    json: true,
    outcome: 'allowed',
  },
  {
    title: 'PUT with JSON from another site',
    origin: 'https://evil.test',
    method: 'PUT',
    path: '/items/1',
    json: true,
    outcome: 'blocked',
  },
];

/** Every file below `dir`, relative to it. */
function filesOf(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under)).flatMap((name) => {
    const rel = under ? `${under}/${name}` : name;
    return statSync(join(dir, rel)).isDirectory() ? filesOf(dir, rel) : [rel];
  });
}

describe.skipIf(unavailable !== undefined && !inCI)(
  'nginx split over included files: live and offline alike',
  () => {
    const work = mkdtempSync(join(tmpdir(), 'cors-doctor-split-'));
    let project = '';
    let url = '';
    let stop: () => Promise<void> = async () => {};

    beforeAll(async () => {
      const app = await startUvicorn({ appDir: join(FIXTURE, 'app') });
      const port = await freePort();
      const fill = (text: string, prefix: string) =>
        text
          .replaceAll('@PREFIX@', prefix)
          .replaceAll('@PORT@', String(port))
          .replaceAll('@UPSTREAM@', String(app.port));
      // The project as the reader sees it: placeholders filled, paths as written.
      project = join(work, 'project');
      cpSync(FIXTURE, project, { recursive: true });
      for (const f of filesOf(project).filter((f) => f.endsWith('.conf')))
        writeFileSync(join(project, f), fill(readFileSync(join(project, f), 'utf8'), join(work, 'prefix')));
      // Deployed: nginx/ copied to a folder standing for /etc/nginx, its absolute paths pointing there.
      const etc = join(work, 'etc-nginx');
      const prefix = join(work, 'prefix');
      for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
        mkdirSync(join(prefix, dir), { recursive: true });
      cpSync(join(project, 'nginx'), etc, { recursive: true });
      for (const f of filesOf(etc))
        writeFileSync(join(etc, f), readFileSync(join(etc, f), 'utf8').replaceAll('/etc/nginx/', `${etc}/`));
      const conf = join(etc, 'nginx.conf');
      const rejected = nginxRejects(conf, etc);
      if (rejected) throw new Error(`nginx -t: ${rejected}`);
      const child: ChildProcess = spawn(NGINX, ['-p', etc, '-c', conf], { stdio: 'ignore' });
      url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        if (
          await fetch(`${url}/me`).then(
            () => true,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 50));
      }
      stop = async () => {
        if (child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
        await app.stop();
      };
    });

    afterAll(async () => {
      await stop();
      rmSync(work, { recursive: true, force: true });
    });

    it.each(ROWS)('$title', async (row) => {
      const page: PageFetch = {
        url: `${url}${row.path}`,
        origin: row.origin,
        method: row.method,
        headers: row.json ? [['Content-Type', 'application/json']] : [],
        ...(row.json && { body: '{}' }),
        credentials: 'same-origin',
      };
      const options = { browsers: BROWSERS, timeoutMs: 5000 };
      const live = await check(page, options);
      const offline = await checkWithSource(page, options, await readProject(project), { offline: true });
      for (const b of BROWSERS) {
        expect(live.browsers[b]?.outcome).toBe(row.outcome);
        expect(offline.browsers[b]?.outcome).toBe(live.browsers[b]?.outcome);
        expect(offline.browsers[b]?.messages[0]).toBe(live.browsers[b]?.messages[0]);
      }
      expect(offline.offline?.proxy).toBe('nginx/nginx.conf');
      const path = offline.exchanges.flatMap((x) => x.predicted?.path ?? []).join(' -> ');
      expect(path).toContain(
        'include /etc/nginx/conf.d/*.conf at nginx/nginx.conf:21 reads nginx/conf.d/00-maps.conf, nginx/conf.d/api.conf',
      );
      expect(path).toContain(
        'include snippets/cors.conf at nginx/conf.d/api.conf:6 reads nginx/snippets/cors.conf',
      );
    });
  },
);
