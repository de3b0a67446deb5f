/**
 * Redirects fixed at their source, on real uvicorn and nginx: the trailing-slash 307 that nginx passes on to
 * another origin (test/fixtures/broken/trailing-slash-route-redirect) is named at the route's line, its
 * patch unblocks the request in the offline model behind the nginx model and live; HTTPSRedirectMiddleware
 * (test/fixtures/broken/https-redirect-actual) gets no backend patch, and the model shows that calling
 * https:// is what unblocks it; moving CORSMiddleware outermost past it (the patch once offered for
 * test/fixtures/fastapi/https-redirect-outermost) leaves the request blocked.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import { scanFolder } from '../../src/analysis/scan-folder.js';
import type { PageFetch } from '../../src/core/page.js';
import type { CheckReport } from '../../src/core/report.js';
import { edited } from '../../src/fix/patches.js';
import { corsOutermost } from '../../src/fix/source-edits.js';
import { nginxAvailable, startNginx } from '../../src/local-servers/nginx.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { BrowserName } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';
import { corsEntries } from '../../src/python/options.js';

const inCI = process.env.CI === 'true';
const unavailable = (await fastapiAvailable()) ?? nginxAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and nginx: ${unavailable}`);

const BROWSERS: BrowserName[] = ['chrome', 'firefox'];
const OPTIONS = { browsers: BROWSERS, timeoutMs: 10_000 };
const ORIGIN = 'http://localhost:3000';
const work = await mkdtemp(path.join(tmpdir(), 'cors-doctor-redirects-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const outcomes = (r: CheckReport) => BROWSERS.map((b) => r.browsers[b]?.outcome);
const locations = (r: CheckReport, code: string) =>
  r.causes.find((c) => c.code === code)?.locations.map((l) => `${l.file}:${l.line}`);

/** The app of `dir` under uvicorn with its nginx.conf in front; the config as it runs is written into `dir`. */
async function serveBehindNginx(dir: string) {
  const app = await startUvicorn({ appDir: dir, timeoutMs: 20_000 });
  const template = path.join(dir, 'nginx.conf.template');
  const proxy = await startNginx(template, app.port).catch(async (error) => {
    await app.stop();
    throw error;
  });
  // The project as deployed: the configuration with the ports it runs on, so the offline check puts the
  // nginx model in front of the app's.
  const port = new URL(proxy.url).port;
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    readFileSync(template, 'utf8').replaceAll('@PORT@', port).replaceAll('@UPSTREAM@', String(app.port)),
  );
  return {
    base: proxy.url,
    async stop() {
      await proxy.stop();
      await app.stop();
    },
  };
}

describe.skipIf(unavailable !== undefined)(
  `redirects to another origin, fixed at their source${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it('trailing-slash-route-redirect: named at the route, the route patch proven offline and live', async () => {
      const dir = path.join(work, 'slash');
      await cp('test/fixtures/broken/trailing-slash-route-redirect', dir, { recursive: true });
      await cp(path.join(dir, 'nginx.conf'), path.join(dir, 'nginx.conf.template'));
      const page = (base: string): PageFetch => ({
        url: `${base}/items`,
        origin: ORIGIN,
        method: 'GET',
        headers: [['Authorization', 'Bearer t0k3n']],
        credentials: 'same-origin',
      });

      const broken = await serveBehindNginx(dir);
      let url: string;
      try {
        url = page(broken.base).url;
        const live = await checkWithSource(page(broken.base), OPTIONS, await readProject(dir));
        expect(outcomes(live)).toEqual(['blocked', 'blocked']);
        expect(live.causes.map((c) => c.code)).toEqual(['redirect-drops-authorization']);
        expect(locations(live, 'redirect-drops-authorization')).toEqual(['main.py:20', 'nginx.conf:26']);
        const offline = await checkWithSource(page(broken.base), OPTIONS, await readProject(dir), {
          offline: true,
        });
        expect(offline.offline?.proxy).toBe('nginx.conf');
        expect(outcomes(offline)).toEqual(['blocked', 'blocked']);
        expect(offline.causes[0]?.code).toBe('redirect-to-other-origin');
        expect(offline.causes[0]?.locations[0]).toEqual({ file: 'main.py', line: 20 });

        const { written } = await scanFolder(dir, {
          origins: [ORIGIN],
          request: { method: 'GET', headers: page(broken.base).headers, url },
          write: true,
        });
        expect(written?.written).toEqual(['main.py']);
        expect(written?.applied).toEqual(['redirect-drops-authorization at main.py:20']);
        expect(await readFile(path.join(dir, 'main.py'), 'utf8')).toContain(
          '@app.get("/items", dependencies',
        );
        const proven = await checkWithSource(page(broken.base), OPTIONS, await readProject(dir), {
          offline: true,
        });
        expect(outcomes(proven)).toEqual(['allowed', 'allowed']);
        expect(proven.exchanges.some((x) => (x.hop ?? 0) > 0)).toBe(false);
      } finally {
        await broken.stop();
      }

      const fixed = await serveBehindNginx(dir);
      try {
        const after = await check(page(fixed.base), OPTIONS);
        expect(outcomes(after)).toEqual(['allowed', 'allowed']);
        expect(after.exchanges.find((x) => x.kind === 'actual')?.response?.status).toBe(200);
        expect(after.causes).toEqual([]);
      } finally {
        await fixed.stop();
      }
    });

    it('https-redirect-actual: named at HTTPSRedirectMiddleware, no backend patch; calling https:// passes', async () => {
      const dir = 'test/fixtures/broken/https-redirect-actual';
      const app = await startUvicorn({ appDir: dir, timeoutMs: 20_000 });
      const page = (url: string): PageFetch => ({
        url,
        origin: ORIGIN,
        method: 'PUT',
        headers: [['Content-Type', 'application/json']],
        body: '{"name":"Saw","price":14}',
        credentials: 'include',
        cookie: 'session=abc',
      });
      try {
        const live = await checkWithSource(page(`${app.url}/items/1`), OPTIONS, await readProject(dir));
        expect(outcomes(live)).toEqual(['blocked', 'blocked']);
        expect(live.causes.map((c) => c.code)).toEqual(['redirect-to-other-origin']);
        expect(locations(live, 'redirect-to-other-origin')).toEqual(['main.py:8']);
        expect(live.causes[0]?.fix?.patch).toBeUndefined();
      } finally {
        await app.stop();
      }
      const project = await readProject(dir);
      const offline = await checkWithSource(page('http://localhost:8000/items/1'), OPTIONS, project, {
        offline: true,
      });
      expect(outcomes(offline)).toEqual(['blocked', 'blocked']);
      expect(offline.causes[0]?.code).toBe('redirect-to-other-origin');
      // The frontend's fix, in the model: the page calls https://, nothing is redirected.
      const https = await checkWithSource(page('https://localhost:8443/items/1'), OPTIONS, project, {
        offline: true,
      });
      expect(outcomes(https)).toEqual(['allowed', 'allowed']);
      const { report } = await scanFolder(dir, {
        origins: [ORIGIN],
        request: { method: 'PUT', headers: [['Content-Type', 'application/json']], url: page('').url },
      });
      expect(report.findings.filter((f) => f.fix?.patch)).toEqual([]);
    });

    it('CORSMiddleware moved outermost past HTTPSRedirectMiddleware: the request stays blocked', async () => {
      const dir = path.join(work, 'https-outermost');
      await cp('test/fixtures/fastapi/https-redirect-outermost', dir, { recursive: true });
      const project = await readProject(dir);
      const app = project.apps[0];
      const cors = app && corsEntries(app)[0];
      const edits = app && cors ? corsOutermost(app, cors) : undefined;
      expect(edits).toBeDefined();
      const file = path.join(dir, 'main.py');
      writeFileSync(file, await edited('main.py', await readFile(file, 'utf8'), edits ?? []));
      const page: PageFetch = {
        url: 'http://localhost:8000/items/1',
        origin: ORIGIN,
        method: 'PUT',
        headers: [['Content-Type', 'application/json']],
        body: '{"name":"Saw","price":14}',
        credentials: 'include',
      };
      const moved = await checkWithSource(page, OPTIONS, await readProject(dir), { offline: true });
      expect(moved.exchanges.find((x) => x.kind === 'preflight')?.response?.status).toBe(200);
      expect(outcomes(moved)).toEqual(['blocked', 'blocked']);
      expect(moved.causes[0]?.code).toBe('redirect-to-other-origin');
      // Nor does scan offer that move any more.
      const { report } = await scanFolder('test/fixtures/fastapi/https-redirect-outermost', {
        origins: [ORIGIN],
        request: { method: 'PUT', headers: page.headers, url: page.url },
      });
      expect(report.findings.find((f) => f.code === 'preflight-redirected')?.fix?.patch).toBeUndefined();
    });
  },
);
