import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pc from 'picocolors';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/analysis/check.js';
import { checkWithSource } from '../../src/analysis/check-with-source.js';
import { scanFolder } from '../../src/analysis/scan-folder.js';
import { audit } from '../../src/audit/audit.js';
import { joinWithSource } from '../../src/audit/project.js';
import { browserUnavailableReason, type LaunchedBrowser, launchBrowser } from '../../src/browsers/launch.js';
import { openObservationPage } from '../../src/browsers/observe.js';
import { judgeHar } from '../../src/cli/commands/har.js';
import type { PageFetch } from '../../src/core/page.js';
import type { CheckReport } from '../../src/core/report.js';
import { harFromObject } from '../../src/evidence/har/index.js';
import {
  fastapiAvailable,
  freePort,
  startUvicorn,
  type UvicornServer,
} from '../../src/local-servers/uvicorn.js';
import { readProject } from '../../src/project/read-project.js';
import { type WatchedExchange, watchSnapshotHtml } from '../../src/report/html/index.js';
import { maskReport, maskSecrets } from '../../src/report/mask.js';
import { type CommandResult, render } from '../../src/report/renderers.js';
import type { WatchEntry } from '../../src/watch/entry.js';
import { startWatch } from '../../src/watch/server.js';
import { ChromeHarRecorder } from '../fixtures/har/record.js';

/**
 * The HTML report of real results (check against real FastAPI apps under uvicorn, scan of the examples),
 * opened from a file in the real Chromium of this machine: it loads nothing but itself, runs nothing that
 * a hostile value could inject, has its structure, contrast and diff text in the browser's own DOM, and
 * prints to PDF. Screenshots are kept in a temporary folder (its path is printed).
 */
const inCI = process.env.CI === 'true';
const chromium = await browserUnavailableReason('chrome');
const fastapi = await fastapiAvailable();
if (inCI && (chromium || fastapi))
  throw new Error(
    `CI needs Chromium, FastAPI and uvicorn: ${[chromium, fastapi].filter(Boolean).join('; ')}`,
  );
const unavailable = chromium ?? fastapi;

const ORIGIN = 'http://localhost:3000';
const HOSTILE = '</script><img src=x onerror=alert(1)>';
const TOKEN = 'at_Fe38Yk9zLq4Wv7Bn2Xc5Zm8Rt1Yh6Jd3';
const options = { style: pc.createColors(false), version: '0.0.0' };

interface Row {
  title: string;
  /** The app folder; `project` reads its source too (causes with places and patches). */
  app: string;
  project?: boolean;
  method: string;
  path: string;
  body?: string;
  /** The step the diagram must mark as failed, or none when the request is allowed. */
  failedStep?: RegExp;
  patch: boolean;
}

const ROWS: Row[] = [
  {
    title: 'auth layer answers the preflight 401 (with the source: a patch)',
    app: 'examples/auth-wraps-cors',
    project: true,
    method: 'PUT',
    path: '/items/1',
    body: '{"name":"Saw","price":12}',
    failedStep: /answer: 401 Unauthorized/,
    patch: true,
  },
  {
    title: 'actual request answered 500 without CORS headers',
    app: 'examples/error-500',
    method: 'POST',
    path: '/items',
    body: '{"name":"Saw","price":12}',
    failedStep: /answer: 500 Internal Server Error/,
    patch: false,
  },
  {
    title: 'no CORS middleware: the preflight answered 405',
    app: 'examples/missing-middleware',
    method: 'PUT',
    path: '/items/1',
    body: '{"name":"Saw","price":12}',
    failedStep: /answer: 405/,
    patch: false,
  },
  {
    title: 'allowed',
    app: 'examples/correct',
    method: 'PUT',
    path: '/items/1',
    body: '{"name":"Saw","price":12}',
    patch: false,
  },
];

const SCANS = ['examples/auth-wraps-cors', 'examples/missing-middleware'];

/** Audits of real apps (with their source): the finding expected, or none. */
const AUDITS: Array<{ app: string; path: string; finding?: string }> = [
  { app: 'examples/wildcard-credentials', path: '/me', finding: 'wildcard-credentials-reflection' },
  { app: 'examples/correct', path: '/me' },
];

/** WCAG contrast of two `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe.skipIf(unavailable !== undefined)(
  `HTML report in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const servers = new Map<string, UvicornServer>();
    const reports = new Map<string, CheckReport>();
    let browser: LaunchedBrowser;
    let shots: string;

    beforeAll(async () => {
      shots = await mkdtemp(join(tmpdir(), 'cors-doctor-html-'));
      console.log(`HTML reports and screenshots in ${shots}`);
      for (const row of ROWS) {
        const server = servers.get(row.app) ?? (await startUvicorn({ appDir: row.app, timeoutMs: 20_000 }));
        servers.set(row.app, server);
        const page: PageFetch = {
          url: `${server.url}${row.path}`,
          origin: ORIGIN,
          method: row.method,
          headers: [
            ['Content-Type', 'application/json'],
            ['Authorization', `Bearer ${TOKEN}`],
            // Accept with characters that are not safelisted: in the preflight's list, which every app allows.
            ['Accept', HOSTILE],
          ],
          ...(row.body !== undefined && { body: row.body }),
          credentials: 'include',
        };
        const probe = { browsers: ['chrome', 'firefox'] as const, timeoutMs: 5000 };
        const report = row.project
          ? await checkWithSource(
              page,
              { ...probe, browsers: [...probe.browsers] },
              await readProject(row.app),
            )
          : await check(page, { ...probe, browsers: [...probe.browsers] });
        // A cause message with hostile text: it must show as text too.
        if (report.causes[0]) report.causes[0].summary = `${report.causes[0].summary} ${HOSTILE}`;
        // As check prints it: masked first.
        reports.set(row.title, maskReport(report, false));
      }
      browser = await launchBrowser('chrome', { oneShot: true });
    });
    afterAll(async () => {
      await browser?.close();
      await Promise.all([...servers.values()].map((s) => s.stop()));
    });

    /** Opens `html` from a file with every request but the document's failing the test. */
    async function open(
      name: string,
      html: string,
    ): Promise<{ page: Page; requests: string[]; dialogs: string[] }> {
      const file = join(shots, `${name}.html`);
      await writeFile(file, html);
      const url = pathToFileURL(file).href;
      const page = await browser.browser.newPage();
      const requests: string[] = [];
      const dialogs: string[] = [];
      // A load the page's Content-Security-Policy refuses never reaches the network: the console says it.
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) requests.push(`refused: ${m.text()}`);
      });
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (request.url() === url) return void request.continue();
        requests.push(request.url());
        void request.abort();
      });
      await page.setViewport({ width: 1100, height: 900 });
      await page.goto(url, { waitUntil: 'load' });
      return { page, requests, dialogs };
    }

    /** What every report must be in the browser: offline, inert, structured, legible, printable. */
    async function checkPage(name: string, html: string, page: Page, requests: string[], dialogs: string[]) {
      expect(requests).toEqual([]);
      expect(dialogs).toEqual([]);
      const dom = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        title: document.title,
        h1: [...document.querySelectorAll('h1')].map((h) => h.textContent),
        levels: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => Number(h.tagName[1])),
        active: document.querySelectorAll(
          'img,script,iframe,object,embed,link,video,audio,form,[src],[href],[srcset]',
        ).length,
        text: document.body.innerText,
        resources: performance.getEntriesByType('resource').length,
      }));
      expect(dom.lang).toBe('en');
      expect(dom.h1).toHaveLength(1);
      expect(dom.title).toBe(dom.h1[0]);
      dom.levels.forEach((l, i) => {
        if (i > 0) expect(l).toBeLessThanOrEqual((dom.levels[i - 1] as number) + 1);
      });
      expect(dom.active).toBe(0);
      expect(dom.resources).toBe(0);
      // Contrast of every text element against the background it sits on (AA for normal text: 4.5).
      const pairs = await page.evaluate(() => {
        const background = (el: Element | null): string => {
          for (let e = el; e; e = e.parentElement) {
            const bg = getComputedStyle(e).backgroundColor;
            if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
          }
          return 'rgb(255, 255, 255)';
        };
        return [...document.querySelectorAll('body *')]
          .filter((e) =>
            [...e.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== ''),
          )
          .filter((e) => !(e instanceof SVGElement))
          .map((e) => ({
            tag: e.tagName,
            color: getComputedStyle(e).color,
            bg: background(e),
            text: (e.textContent ?? '').slice(0, 40),
          }));
      });
      const low = pairs.filter((p) => contrast(p.color, p.bg) < 4.5);
      expect(low).toEqual([]);
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
      await page.emulateMediaType('print');
      await page.screenshot({ path: join(shots, `${name}-print.png`), fullPage: true });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(Buffer.from(pdf).subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(10_000);
      expect((await readFile(join(shots, `${name}.png`))).subarray(1, 4).toString()).toBe('PNG');
      expect(requests).toEqual([]);
      expect(html.length).toBeGreaterThan(0);
      return dom;
    }

    it.each(ROWS)('check: $title', async (row) => {
      const report = reports.get(row.title) as CheckReport;
      const name = `check-${ROWS.indexOf(row)}`;
      const html = render('html', { command: 'check', report } satisfies CommandResult, options);
      const { page, requests, dialogs } = await open(name, html);
      try {
        const dom = await checkPage(name, html, page, requests, dialogs);
        // Hostile values (a request header, a cause message) are text on the page, never markup.
        expect(dom.text).toContain(HOSTILE);
        if (report.causes[0]) expect(dom.text).toContain(report.causes[0].summary);
        // Secrets are masked as in the text output.
        expect(html).not.toContain(TOKEN);
        if (report.exchanges.some((x) => x.kind === 'actual')) expect(dom.text).toContain('Bearer ***');
        // Each browser's console lines, exactly.
        for (const verdict of Object.values(report.browsers))
          for (const line of verdict.messages) expect(dom.text).toContain(line);
        // The diagram: the failing step carries a symbol and words.
        const failed = await page.$$eval('svg.sequence g.message.failed text', (ts) =>
          ts.map((t) => t.textContent),
        );
        if (row.failedStep) {
          expect(failed[0]).toMatch(/^✗ /);
          expect(failed.join(' ')).toMatch(row.failedStep);
          expect(failed.join(' ')).toMatch(/✗ blocked here by Chrome 156 and Firefox 153/);
        } else {
          expect(failed).toEqual([]);
          const last = await page.$$eval('svg.sequence g.message text', (ts) => ts.at(-1)?.textContent);
          expect(last).toBe('✓ the page reads the answer');
        }
        // The patch as a diff whose text is the patch itself, +/- kept.
        const patch = report.causes.find((c) => c.fix?.patch)?.fix?.patch;
        expect(patch !== undefined).toBe(row.patch);
        if (patch) {
          const shown = await page.$eval('pre.diff', (p) => (p as HTMLElement).innerText);
          expect(shown.trimEnd()).toBe(patch.trimEnd());
          const added = await page.$$eval('pre.diff ins', (l) => l.map((e) => e.textContent));
          expect(added.length).toBeGreaterThan(0);
          for (const line of added) expect(line).toMatch(/^\+/);
        }
        // The curl commands, as text.
        expect(dom.text).toMatch(/curl -i -X (OPTIONS|PUT|POST) http:\/\/127\.0\.0\.1:\d+\//);
      } finally {
        await page.close();
      }
    });

    it.each(AUDITS)('audit: $app', async ({ app, path, finding }) => {
      const server = servers.get(app) ?? (await startUvicorn({ appDir: app, timeoutMs: 20_000 }));
      servers.set(app, server);
      const result = await audit(`${server.url}${path}`, [ORIGIN], {
        maxProbes: 40,
        rate: 1000,
        timeoutMs: 5000,
      });
      // As audit prints it: joined with the source, then masked.
      const report = maskSecrets(await joinWithSource(result.report, app));
      expect(report.findings.map((f) => f.code)).toEqual(finding ? [finding] : []);
      const name = `audit-${AUDITS.findIndex((a) => a.app === app)}`;
      const html = render('html', { command: 'audit', report }, options);
      const { page, requests, dialogs } = await open(name, html);
      try {
        const dom = await checkPage(name, html, page, requests, dialogs);
        const rows = await page.$$eval('table tbody tr', (trs) => trs.length);
        expect(rows).toBe(report.probes.length);
        for (const f of report.findings) {
          expect(dom.text).toContain(`${f.code}: ${f.origin} gets through`);
          expect(dom.text).toContain(f.impact);
          if (f.reproduce) expect(dom.text).toContain(f.reproduce);
          const shown = await page.$eval('pre.diff', (p) => (p as HTMLElement).innerText);
          expect(shown.trimEnd()).toBe(f.fix?.patch?.trimEnd());
        }
        if (!finding)
          expect(dom.text).toContain('✓ No finding: no attacking origin tried could read the API.');
      } finally {
        await page.close();
      }
    });

    it('har: a HAR recorded by Chromium, judged with the source', async () => {
      const app = 'examples/auth-wraps-cors';
      const server = servers.get(app) ?? (await startUvicorn({ appDir: app, timeoutMs: 20_000 }));
      servers.set(app, server);
      // The page at the frontend's origin, recorded as DevTools records it.
      const created = new Promise<Page | null>((resolve) =>
        browser.browser.once('targetcreated', (target) => resolve(target.page())),
      );
      const opening = openObservationPage(browser, `${ORIGIN}/`, { servePage: true });
      const recorder = await ChromeHarRecorder.attach((await created) as Page);
      const observation = await opening;
      let har: unknown;
      try {
        const put = {
          url: `${server.url}/items/1`,
          method: 'PUT',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${TOKEN}`,
            'X-Note': HOSTILE,
          },
          body: '{"name":"Saw","price":12}',
        };
        for (const request of [put, put, { url: `${server.url}/health`, method: 'GET' }])
          await observation.observe(request);
        await recorder.settle();
        har = recorder.har(`${ORIGIN}/`, { sanitize: false });
      } finally {
        await recorder.detach();
        await observation.close();
      }
      // As har prints it: judged (with the source), then masked.
      const report = maskSecrets(
        await judgeHar(harFromObject(har, 'app.har'), 'app.har', await readProject(app)),
      );
      expect(report.requests.map((r) => [r.request.method, r.har.count])).toEqual([
        ['PUT', 2],
        ['GET', 1],
      ]);
      const html = render('html', { command: 'har', report }, options);
      const { page, requests, dialogs } = await open('har-0', html);
      try {
        const dom = await checkPage('har-0', html, page, requests, dialogs);
        expect(html).not.toContain(TOKEN);
        expect(dom.text).toContain(HOSTILE);
        const h2 = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent));
        expect(h2).toEqual(['Requests', `✗ Blocked: PUT ${server.url}/items/1`, 'Allowed requests']);
        expect(await page.$eval('table', (t) => (t as HTMLTableElement).tBodies[0]?.rows.length)).toBe(2);
        expect(dom.text).toContain('× 2 identical requests');
        const failed = await page.$$eval('svg.sequence g.message.failed text', (ts) =>
          ts.map((t) => t.textContent),
        );
        expect(failed.join(' ')).toMatch(
          /answer: 401 Unauthorized.*✗ blocked here by Chrome 156 and Firefox 153: preflight-rejected/,
        );
        const blocked = report.requests[0];
        expect(dom.text).toContain(blocked?.har.replay);
        const patch = blocked?.causes.find((c) => c.fix?.patch)?.fix?.patch;
        expect(patch).toBeDefined();
        expect((await page.$eval('pre.diff', (p) => (p as HTMLElement).innerText)).trimEnd()).toBe(
          patch?.trimEnd(),
        );
        for (const verdict of Object.values(blocked?.browsers ?? {}))
          for (const line of verdict.messages) expect(dom.text).toContain(line);
      } finally {
        await page.close();
      }
    });

    it('watch: a snapshot of the exchanges Chromium made through the proxy', async () => {
      const app = 'examples/error-500';
      const server = servers.get(app) ?? (await startUvicorn({ appDir: app, timeoutMs: 20_000 }));
      servers.set(app, server);
      const watch = await startWatch({
        target: new URL(server.url),
        port: await freePort(),
        host: '127.0.0.1',
        maxExchanges: 100,
        showSecrets: false,
      });
      let entries: WatchEntry[];
      try {
        const observation = await openObservationPage(browser, `${ORIGIN}/`, { servePage: true });
        try {
          const post = {
            url: `${watch.url}/items`,
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              Authorization: `Bearer ${TOKEN}`,
              'X-Note': HOSTILE,
            },
            body: '{"name":"Saw","price":12}',
          };
          await observation.observe(post);
          await observation.observe({ url: `${watch.url}/items`, method: 'GET' });
        } finally {
          await observation.close();
        }
        for (let i = 0; i < 50 && watch.book.list().some((e) => e.outcome === 'pending'); i++)
          await new Promise((r) => setTimeout(r, 100));
        entries = watch.book.list();
      } finally {
        await watch.close();
      }
      // The entries of exchanges.json are what the snapshot reads.
      const shown: WatchedExchange[] = entries;
      expect(shown.map((e) => [e.method, e.outcome])).toEqual([
        ['POST', 'blocked'],
        ['GET', 'allowed'],
      ]);
      const html = watchSnapshotHtml(shown, server.url, '0.0.0');
      const { page, requests, dialogs } = await open('watch-0', html);
      try {
        const dom = await checkPage('watch-0', html, page, requests, dialogs);
        expect(html).not.toContain(TOKEN);
        expect(dom.text).toContain(HOSTILE);
        expect(await page.$eval('table', (t) => (t as HTMLTableElement).tBodies[0]?.rows.length)).toBe(2);
        const h2 = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent));
        expect(h2).toEqual(['Exchanges', `✗ #${entries[0]?.id} blocked: POST ${watch.url}/items`]);
        const failed = await page.$$eval('svg.sequence g.message.failed text', (ts) =>
          ts.map((t) => t.textContent),
        );
        expect(failed.join(' ')).toMatch(/answer: 500 Internal Server Error.*✗ blocked here by Chrome 156/);
        for (const line of entries[0]?.messages ?? []) expect(dom.text).toContain(line);
        expect(dom.text).toContain('error-response-without-cors');
      } finally {
        await page.close();
      }
    });

    it.each(SCANS)('scan: %s', async (dir) => {
      const { report } = await scanFolder(resolve(dir), { origins: [ORIGIN], write: false });
      const name = `scan-${SCANS.indexOf(dir)}`;
      const html = render('html', { command: 'scan', report }, options);
      const { page, requests, dialogs } = await open(name, html);
      try {
        const dom = await checkPage(name, html, page, requests, dialogs);
        for (const f of report.findings) expect(dom.text).toContain(f.code);
        const patches = report.findings.flatMap((f) => (f.fix?.patch ? [f.fix.patch.trimEnd()] : []));
        expect(patches.length).toBeGreaterThan(0);
        const shown = await page.$$eval('pre.diff', (ps) =>
          ps.map((p) => (p as HTMLElement).innerText.trimEnd()),
        );
        expect(shown).toEqual(patches);
      } finally {
        await page.close();
      }
    });
  },
);
