import { resolve } from 'node:path';
import pc from 'picocolors';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/analyze.js';
import { scanFolder } from '../../../src/analysis/scan-folder.js';
import type { AuditReport } from '../../../src/core/audit.js';
import type { Exchange } from '../../../src/core/exchange.js';
import type { PageFetch } from '../../../src/core/page.js';
import type { CheckReport, ScanReport } from '../../../src/core/report.js';
import type { HeaderList } from '../../../src/model/types.js';
import { checkSequence } from '../../../src/report/html/check.js';
import { escapeHtml, html } from '../../../src/report/html/markup.js';
import { MASK, maskReport } from '../../../src/report/mask.js';
import { parseFormat, render } from '../../../src/report/renderers.js';

const ORIGIN = 'http://localhost:3000';
const API = 'http://api.example.test/items/1';
const HOSTILE = '</script><img src=x onerror=alert(1)>';
const options = { style: pc.createColors(false), version: '0.0.0' };

const page: PageFetch = {
  url: API,
  origin: ORIGIN,
  method: 'PUT',
  headers: [
    ['Content-Type', 'application/json'],
    ['X-Note', HOSTILE],
    ['Authorization', 'Bearer at_Fe38Yk9zLq4Wv7Bn2Xc5Zm8Rt1'],
  ],
  body: '{"name":"Saw"}',
  credentials: 'include',
};

const preflight = (status: number, headers: HeaderList, body = ''): Exchange => ({
  kind: 'preflight',
  request: {
    method: 'OPTIONS',
    url: API,
    headers: [
      ['Origin', ORIGIN],
      ['Access-Control-Request-Method', 'PUT'],
      ['Access-Control-Request-Headers', 'authorization,content-type,x-note'],
    ],
  },
  response: { status, statusText: status === 200 ? 'OK' : 'Unauthorized', headers, bodyExcerpt: body },
  ms: 3,
});

const actual = (status: number, headers: HeaderList, body = '{}'): Exchange => ({
  kind: 'actual',
  request: { method: 'PUT', url: API, headers: [['Origin', ORIGIN], ...page.headers], body: page.body },
  response: {
    status,
    statusText: status === 200 ? 'OK' : 'Internal Server Error',
    headers,
    bodyExcerpt: body,
  },
  ms: 4,
});

const ALLOW: HeaderList = [
  ['Access-Control-Allow-Origin', ORIGIN],
  ['Access-Control-Allow-Credentials', 'true'],
  ['Access-Control-Allow-Methods', 'PUT'],
  ['Access-Control-Allow-Headers', 'authorization, content-type, x-note'],
];

/** Real verdicts from the browser model for recorded exchanges; the failing step each must be marked at. */
const CASES: Array<{ title: string; exchanges: Exchange[]; marked: RegExp | undefined; outcome: string }> = [
  {
    title: 'preflight answered 401 without CORS headers (hostile values in headers and body)',
    exchanges: [preflight(401, [['X-Debug', HOSTILE]], `{"detail":"${HOSTILE}"}`)],
    marked: /^answer: 401/,
    outcome: 'blocked',
  },
  {
    title: 'preflight passes, the actual request gets a 500 without CORS headers',
    exchanges: [preflight(200, ALLOW), actual(500, [['X-Debug', HOSTILE]], HOSTILE)],
    marked: /^answer: 500/,
    outcome: 'blocked',
  },
  {
    title: 'nothing answers the preflight',
    exchanges: [
      { ...preflight(200, []), response: undefined, error: { code: 'ECONNREFUSED', message: HOSTILE } },
    ],
    marked: /^no answer \(ECONNREFUSED\)/,
    outcome: 'blocked',
  },
  {
    title: 'allowed',
    exchanges: [preflight(200, ALLOW), actual(200, ALLOW)],
    marked: undefined,
    outcome: 'allowed',
  },
];

const reportOf = (exchanges: Exchange[]): CheckReport => analyze(page, exchanges, ['chrome', 'firefox']);
const htmlOf = (report: CheckReport): string => render('html', { command: 'check', report }, options);

/** Every tag of the document: its name and its attributes (text never holds `<`: it is escaped). */
function tags(text: string): Array<{ name: string; attributes: Array<[string, string]> }> {
  return [...text.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)].map((m) => ({
    name: (m[1] as string).toLowerCase(),
    attributes: [...(m[2] as string).matchAll(/([\w:-]+)(?:="([^"]*)")?/g)].map(
      (a) => [(a[1] as string).toLowerCase(), a[2] ?? ''] as [string, string],
    ),
  }));
}

/** The attributes that make a browser load something. */
const loadingAttributes = (text: string): string[] =>
  tags(text).flatMap((t) =>
    t.attributes
      .filter(([n]) =>
        [
          'src',
          'href',
          'xlink:href',
          'srcset',
          'action',
          'formaction',
          'poster',
          'data',
          'background',
        ].includes(n),
      )
      .map(([n, v]) => `${t.name} ${n}=${v}`),
  );

/** Every start tag's name. */
const tagNames = (text: string): string[] => tags(text).map((t) => t.name);

/** Event handler attributes (`onerror`, `onload`, ...). */
const handlers = (text: string): string[] =>
  tags(text).flatMap((t) => t.attributes.filter(([n]) => n.startsWith('on')).map(([n]) => `${t.name} ${n}`));

/** Every `<` that starts no tag, closing tag or the doctype (0 when the markup is what the tags say). */
const strayAngles = (text: string): number =>
  (text.match(/</g) ?? []).length -
  (
    text.match(
      /<([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>|<\/[a-zA-Z][\w-]*>|<!DOCTYPE html>/g,
    ) ?? []
  ).length;

/** The heading levels in document order. */
const headingLevels = (text: string): number[] =>
  [...text.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));

const ALLOWED_TAGS = new Set(
  'html head meta title style body main footer section div p ul ol li h1 h2 h3 h4 h5 h6 span strong code pre ins del table caption thead tbody tr th td figure figcaption svg g rect line polygon text desc'.split(
    ' ',
  ),
);

describe('escapeHtml and the html tag', () => {
  it.each([
    ['</script><img src=x onerror=alert(1)>', '&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'],
    ['" onmouseover="alert(1)', '&quot; onmouseover=&quot;alert(1)'],
    ["' autofocus onfocus='x", '&#39; autofocus onfocus=&#39;x'],
    ['a & b &amp; c', 'a &amp; b &amp;amp; c'],
    ['<!-- x --> <![CDATA[ y ]]>', '&lt;!-- x --&gt; &lt;![CDATA[ y ]]&gt;'],
    ['plain text', 'plain text'],
  ])('%s', (input, escaped) => {
    expect(escapeHtml(input)).toBe(escaped);
    expect(html`<p title="${input}">${input}</p>`.value).toBe(`<p title="${escaped}">${escaped}</p>`);
  });

  it('keeps markup made by the tag, escapes text in lists, prints nothing for false, null and undefined', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['<a>', inner]}${false}${null}${undefined}${0}</p>`.value).toBe(
      '<p><b>&lt;i&gt;</b>&lt;a&gt;<b>&lt;i&gt;</b>0</p>',
    );
  });
});

describe('check report as HTML', () => {
  it.each(CASES)(
    '$title: the failing step is marked with a symbol and words',
    ({ exchanges, marked, outcome }) => {
      const report = reportOf(exchanges);
      expect(Object.values(report.browsers).map((v) => v.outcome)).toEqual([outcome, outcome]);
      const { messages } = checkSequence(report, 'x');
      const failed = messages.filter((m) => m.failed !== undefined);
      const out = htmlOf(report);
      if (marked === undefined) {
        expect(failed).toEqual([]);
        expect(messages.at(-1)).toMatchObject({ mark: '✓', label: 'the page reads the answer' });
        expect(out).toContain('no step fails');
        return;
      }
      expect(failed.map((m) => m.label)).toEqual([expect.stringMatching(marked)]);
      expect(failed[0]?.failed).toMatch(/^blocked here by Chrome 156 and Firefox 153/);
      expect(messages.at(-1)).toMatchObject({ mark: '✗', label: 'fetch() rejects with a TypeError' });
      // In the SVG: the failed group carries the ✗ symbol and the words, not only a colour.
      const group = out.match(/<g class="message failed">[\s\S]*?<\/g>/)?.[0] ?? '';
      expect(group).toContain('✗ blocked here by Chrome 156 and Firefox 153');
      expect(group).toContain('stroke-dasharray');
      expect(out).toMatch(/<desc id="check-sequence-desc">[^<]*FAILED: blocked here by/);
    },
  );

  it.each(CASES)('$title: structure, escaping and nothing to load', ({ exchanges }) => {
    const report = reportOf(exchanges);
    // A cause message and evidence carrying hostile text too.
    if (report.causes[0]) {
      report.causes[0].summary = `${HOSTILE} ${report.causes[0].summary}`;
      report.causes[0].evidence.push(HOSTILE);
    }
    const out = htmlOf(report);
    expect(out.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(out).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    );
    // Escaped wherever it appears: never a tag, always the text.
    expect(out).not.toContain('<img');
    expect(out).not.toContain('</script>');
    expect(out).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(tagNames(out).filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
    expect(handlers(out)).toEqual([]);
    expect(strayAngles(out)).toBe(0);
    // No resource reference: URLs only as text.
    expect(loadingAttributes(out)).toEqual([]);
    expect(out).not.toMatch(/url\(|@import/i);
    expect(out).toContain(API);
    // One h1, sections at h2, items at h3 and below; no level skipped.
    const levels = headingLevels(out);
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    levels.forEach((l, i) => {
      if (i > 0) expect(l).toBeLessThanOrEqual((levels[i - 1] as number) + 1);
    });
    const h2 = [...out.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(h2).toEqual(expect.arrayContaining(['Sequence', 'Browsers', 'Exchanges', 'Reproduce with curl']));
    // Each browser's console lines, exactly (escaped as text).
    for (const verdict of Object.values(report.browsers))
      for (const line of verdict.messages) expect(out).toContain(escapeHtml(line));
  });

  it('prints secrets masked, as the text output does, once the report is masked as check masks it', () => {
    const masked = maskReport(reportOf(CASES[1]?.exchanges ?? []), false);
    const out = htmlOf(masked);
    const text = render('text', { command: 'check', report: masked }, options);
    expect(out).not.toContain('at_Fe38Yk9zLq4Wv7Bn2Xc5Zm8Rt1');
    expect(text).not.toContain('at_Fe38Yk9zLq4Wv7Bn2Xc5Zm8Rt1');
    expect(out).toContain(`Bearer ${MASK}`);
    expect(out).toContain('values shown as *** are masked');
  });

  it('--format html is a format of check, scan and har', () => {
    expect(parseFormat('check', 'html', false)).toBe('html');
    expect(parseFormat('scan', 'html', false)).toBe('html');
    expect(parseFormat('har', 'html', false)).toBe('html');
  });
});

describe('scan report as HTML (the examples)', () => {
  const reports = new Map<string, ScanReport>();
  beforeAll(async () => {
    for (const example of ['auth-wraps-cors', 'missing-middleware', 'correct'])
      reports.set(
        example,
        (await scanFolder(resolve('examples', example), { origins: [ORIGIN], write: false })).report,
      );
  }, 60_000);

  it.each(['auth-wraps-cors', 'missing-middleware'])(
    '%s: every patch line as a coloured diff line, +/- kept',
    (example) => {
      const report = reports.get(example) as ScanReport;
      const out = render('html', { command: 'scan', report }, options);
      const patches = report.findings.flatMap((f) => (f.fix?.patch ? [f.fix.patch] : []));
      expect(patches.length).toBeGreaterThan(0);
      for (const patch of patches)
        for (const line of patch.trimEnd().split('\n')) {
          const text = escapeHtml(line);
          if (/^(---|\+\+\+) /.test(line)) expect(out).toContain(`<span class="file">${text}</span>`);
          else if (line.startsWith('@@')) expect(out).toContain(`<span class="hunk">${text}</span>`);
          else if (line.startsWith('+')) expect(out).toContain(`<ins>${text}</ins>`);
          else if (line.startsWith('-')) expect(out).toContain(`<del>${text}</del>`);
          else expect(out).toContain(`<span>${text}</span>`);
        }
      expect(out).toContain('Lines starting with + are added, lines starting with - are removed.');
      for (const f of report.findings) expect(out).toContain(`<code>${f.code}</code>`);
      expect(out).toContain(`<span class="severity bad">✗ error</span>`);
      expect(loadingAttributes(out)).toEqual([]);
      expect(tagNames(out).filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
      expect(headingLevels(out)[0]).toBe(1);
    },
  );

  it('correct: no error, the warning said in words with a symbol', () => {
    const report = reports.get('correct') as ScanReport;
    const out = render('html', { command: 'scan', report }, options);
    const warnings = report.findings.filter((f) => f.severity === 'warning').length;
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(out).toContain(`⚠ 0 error(s), ${warnings} warning(s).`);
    expect(out).toContain(`<span class="severity warn">⚠ warning</span>`);
    expect(out).toMatch(/<h3>FastAPI app <code>app<\/code> at <code>main\.py:\d+<\/code><\/h3>/);
    expect(out).toContain('CORSMiddleware');
  });
});

describe('audit report as HTML', () => {
  // The contract's example (docs/cli-contract.md), with hostile text where a server or source could put it.
  const report: AuditReport = {
    url: 'https://api.example.com/api/account',
    origins: ['https://app.example.com'],
    probes: [
      {
        origin: 'https://app.example.com.attacker.test',
        credentials: true,
        kind: 'actual',
        status: 200,
        allowOrigin: 'https://app.example.com.attacker.test',
        allowCredentials: true,
        ms: 2.1,
      },
      { origin: 'null', credentials: false, kind: 'actual', status: 0, allowCredentials: false, ms: 1 },
    ],
    findings: [
      {
        code: 'origin-prefix-bypass',
        severity: 'error',
        origin: 'https://app.example.com.attacker.test',
        credentials: true,
        impact: `any page on app.example.com.attacker.test can read /api/account ${HOSTILE}`,
        evidence: [`GET with Origin: https://app.example.com.attacker.test -> 200 ${HOSTILE}`],
        locations: [{ file: 'app/main.py', line: 7 }],
        fix: {
          summary: 'anchor the regex',
          patch:
            '--- a/app/main.py\n+++ b/app/main.py\n@@ -7 +7 @@\n-allow_origin_regex="https://app.example.com.*"\n+allow_origin_regex=r"https://app\\.example\\.com"\n',
        },
        reproduce:
          "curl -si 'https://api.example.com/api/account' -H 'Origin: https://app.example.com.attacker.test' -H 'Cookie: session=***'",
      },
    ],
    notes: [HOSTILE],
  };

  it('findings with origin, impact, evidence, diff and curl; probes as a table; every value escaped', () => {
    expect(parseFormat('audit', 'html', false)).toBe('html');
    const out = render('html', { command: 'audit', report }, options);
    expect(out).toContain('<h1>CORS security audit: https://api.example.com/api/account</h1>');
    expect(out).toMatch(
      /<h3><span class="severity bad">✗ error<\/span> <code>origin-prefix-bypass<\/code>: <code>https:\/\/app\.example\.com\.attacker\.test<\/code> gets through with cookies<\/h3>/,
    );
    expect(out).toContain('<del>-allow_origin_regex=&quot;https://app.example.com.*&quot;</del>');
    expect(out).toContain('<ins>+allow_origin_regex=r&quot;https://app\\.example\\.com&quot;</ins>');
    expect(out).toContain('values shown as *** are masked');
    expect(out).toContain('<td>no answer</td>');
    expect(out).toContain('✗ 1 finding(s), 1 of severity error or warning.');
    expect(out).not.toContain('<img');
    expect(handlers(out)).toEqual([]);
    expect(strayAngles(out)).toBe(0);
    expect(loadingAttributes(out)).toEqual([]);
    expect(tagNames(out).filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
  });
});
