/**
 * Fixes written at the nginx directive, on real nginx in front of real uvicorn: for each nginx setup of
 * test/fixtures/broken, `check --project` names the cause with the directive where the fix is written first
 * (live, and offline through the nginx model where the model can predict the answer); `fix --write` writes a
 * proven patch; and nginx restarted with the patched configuration lets the request through, live and in
 * the models. The real Chromium and Firefox, on a page served at the origin, block the request before and
 * allow it after, as the model says.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import { fixProject } from '../../src/analysis/fix-project.js';
import { browserUnavailableReason, type LaunchedBrowser, launchBrowser } from '../../src/browsers/launch.js';
import { observeFetch } from '../../src/browsers/observe.js';
import type { PageFetch } from '../../src/core/page.js';
import type { CheckReport } from '../../src/core/report.js';
import { nginxAvailable, startNginx } from '../../src/local-servers/nginx.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { BrowserName, CredentialsMode, HeaderList } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';

const inCI = process.env.CI === 'true';
const unavailable = (await fastapiAvailable()) ?? nginxAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI, uvicorn and nginx: ${unavailable}`);

const BROWSERS: BrowserName[] = ['chrome', 'firefox'];
const browserMissing = {
  chrome: await browserUnavailableReason('chrome'),
  firefox: await browserUnavailableReason('firefox'),
};
for (const [name, missing] of Object.entries(browserMissing)) {
  if (missing && inCI) throw new Error(`CI needs ${name}: ${missing}`);
}
const OPTIONS = { browsers: BROWSERS, timeoutMs: 10_000 };

interface NginxCase {
  title: string;
  origin: string;
  request: {
    path: string;
    method: string;
    headers?: Record<string, string>;
    body?: string;
    credentials?: CredentialsMode;
    cookie?: string;
  };
  cause: string;
  fixAt: string;
  nginx: string;
}

// Each setup, and whether the models can predict its answer offline (an endpoint's own error status,
// such as a raised 401, is not modelled: offline assumes 200 and says so).
const SETUPS: Array<{ name: string; offline: boolean }> = [
  { name: 'nginx-add-header-without-always', offline: false },
  { name: 'nginx-credentials-line-missing', offline: true },
  { name: 'nginx-location-drops-server-headers', offline: true },
  { name: 'nginx-slash-redirect', offline: true },
  { name: 'nginx-duplicate-allow-origin', offline: true },
];

const work = await mkdtemp(path.join(tmpdir(), 'cors-doctor-nginx-fixes-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/**
 * The project of `dir` served: uvicorn on its app, nginx on `template` in front of it; the project's
 * nginx.conf is written with the ports they run on (the placeholders filled in), as it is deployed.
 */
async function serve(dir: string, template: string, conf: string) {
  const app = await startUvicorn({ appDir: dir, timeoutMs: 20_000 });
  const proxy = await startNginx(template, app.port).catch(async (error) => {
    await app.stop();
    throw error;
  });
  const port = new URL(proxy.url).port;
  writeFileSync(
    path.join(dir, conf),
    readFileSync(template, 'utf8').replaceAll('@PORT@', port).replaceAll('@UPSTREAM@', String(app.port)),
  );
  return {
    base: proxy.url,
    port,
    upstream: String(app.port),
    async stop() {
      await proxy.stop();
      await app.stop();
    },
  };
}

function pageFor(c: NginxCase, base: string): PageFetch {
  return {
    url: `${base}${c.request.path}`,
    origin: c.origin,
    method: c.request.method,
    headers: Object.entries(c.request.headers ?? {}) as HeaderList,
    credentials: c.request.credentials ?? 'same-origin',
    ...(c.request.body !== undefined && { body: c.request.body }),
    ...(c.request.cookie !== undefined && { cookie: c.request.cookie }),
  };
}

/** What the real browsers installed here do with the page's fetch(), from a page served at its origin. */
async function inBrowsers(
  browsers: Partial<Record<BrowserName, LaunchedBrowser>>,
  page: PageFetch,
): Promise<string[]> {
  const seen: string[] = [];
  for (const name of BROWSERS) {
    const browser = browsers[name];
    if (!browser) continue;
    const { cookie: _cookie, origin, ...request } = page;
    const real = await observeFetch(browser, `${origin}/`, request, { servePage: true });
    seen.push(`${name}: ${real.outcome}`);
  }
  return seen;
}

const outcomes = (r: CheckReport) => BROWSERS.map((b) => `${b}: ${r.browsers[b]?.outcome}`);
const allowed = BROWSERS.map((b) => `${b}: allowed`);
const causesOf = (r: CheckReport) =>
  r.causes.map((x) => `${x.code} @ ${x.locations.map((l) => `${l.file}:${l.line}`).join(' ')}`).join('\n');

describe.skipIf(unavailable !== undefined)(
  `nginx setups fixed at the directive${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const browsers: Partial<Record<BrowserName, LaunchedBrowser>> = {};
    beforeAll(async () => {
      for (const name of BROWSERS) if (!browserMissing[name]) browsers[name] = await launchBrowser(name);
    });
    afterAll(async () => {
      for (const browser of Object.values(browsers)) await browser?.close();
    });
    const real = (outcome: string) => BROWSERS.filter((b) => browsers[b]).map((b) => `${b}: ${outcome}`);

    it.each(SETUPS)('$name', async ({ name, offline }) => {
      const fixture = path.join('test/fixtures/broken', name);
      const c = JSON.parse(readFileSync(path.join(fixture, 'cors-case.json'), 'utf8')) as NginxCase;
      const dir = path.join(work, name);
      await cp(fixture, dir, { recursive: true });
      const template = path.join(work, `${name}.nginx.conf`);
      await cp(path.join(fixture, c.nginx), template);

      // Broken: blocked live, the cause's first location is the directive of the fix; the same offline.
      const broken = await serve(dir, template, c.nginx);
      let fixedTemplate: string;
      try {
        const page = pageFor(c, broken.base);
        const live = await checkWithSource(page, OPTIONS, await readProject(dir));
        expect(outcomes(live), causesOf(live)).toEqual(BROWSERS.map((b) => `${b}: blocked`));
        expect(await inBrowsers(browsers, page)).toEqual(real('blocked'));
        const cause = live.causes.find((x) => x.code === c.cause);
        const first = cause?.locations[0];
        expect(first && `${first.file}:${first.line}`, causesOf(live)).toBe(c.fixAt);
        if (offline) {
          const predicted = await checkWithSource(page, OPTIONS, await readProject(dir), { offline: true });
          expect(predicted.offline?.proxy).toBe(c.nginx);
          expect(outcomes(predicted)).toEqual(outcomes(live));
          const named = predicted.causes.find((x) => x.code === c.cause)?.locations[0];
          expect(named && `${named.file}:${named.line}`, causesOf(predicted)).toBe(c.fixAt);
        }

        // fix --write: a proven patch, written in the nginx configuration.
        const { origin: _origin, ...request } = page;
        const fixed = await fixProject(dir, {
          request,
          origins: [c.origin],
          browsers: BROWSERS,
          write: true,
        });
        const summary = JSON.stringify({ patches: fixed.patches, without: fixed.withoutPatch }, null, 1);
        expect(
          fixed.patches.map((p) => p.code),
          summary,
        ).toContain(c.cause);
        expect(fixed.written, summary).toContain(c.nginx);
        expect(
          fixed.after.every((v) => Object.values(v.browsers).every((o) => o === 'allowed')),
          summary,
        ).toBe(true);
        // The patched configuration as a template again, for the restart.
        fixedTemplate = path.join(work, `${name}.fixed.nginx.conf`);
        writeFileSync(
          fixedTemplate,
          readFileSync(path.join(dir, c.nginx), 'utf8')
            .replaceAll(`127.0.0.1:${broken.port}`, '127.0.0.1:@PORT@')
            .replaceAll(`127.0.0.1:${broken.upstream}`, '127.0.0.1:@UPSTREAM@'),
        );
      } finally {
        await broken.stop();
      }

      // Fixed: nginx (and the app) restarted on the patched project let the request through, live and offline.
      const patched = await serve(dir, fixedTemplate, c.nginx);
      try {
        const page = pageFor(c, patched.base);
        const live = await check(page, OPTIONS);
        expect(outcomes(live), live.causes.map((x) => x.summary).join('\n')).toEqual(allowed);
        expect(await inBrowsers(browsers, page)).toEqual(real('allowed'));
        const predicted = await checkWithSource(page, OPTIONS, await readProject(dir), { offline: true });
        expect(outcomes(predicted), causesOf(predicted)).toEqual(allowed);
      } finally {
        await patched.stop();
      }
    });
  },
);
