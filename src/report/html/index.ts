/**
 * `--format html`: one self-contained page per command result. Each report kind is one entry of
 * `HTML_PAGES`: its title and its sections (built from the shared pieces of `parts.ts`); the page shell,
 * style sheet and escaping are common to all.
 */
import type { AuditReport } from '../../core/audit.js';
import type { CheckReport, ScanReport } from '../../core/report.js';
import type { HarReport } from '../../evidence/har/types.js';
import type { CommandName, CommandResult } from '../renderers.js';
import { auditSections } from './audit.js';
import { checkSections, checkTitle } from './check.js';
import { harSections } from './har.js';
import { html, type Markup } from './markup.js';
import { htmlPage } from './page.js';
import { scanSections } from './scan.js';
import { type WatchedExchange, watchSections } from './watch.js';

export { escapeHtml, html, Markup } from './markup.js';
export type { WatchedExchange } from './watch.js';

/** A page's title (the tab's and the h1's) and the sections under its h1 (headings from h2). */
export interface HtmlPage {
  title: string;
  body: Markup;
}

export const checkPage = (report: CheckReport): HtmlPage => ({
  title: `CORS check: ${checkTitle(report)}`,
  body: checkSections(report, 2, 'check'),
});

export const scanPage = (report: ScanReport): HtmlPage => ({
  title: `CORS scan: ${report.root}`,
  body: scanSections(report, 2),
});

export const auditPage = (report: AuditReport): HtmlPage => ({
  title: `CORS security audit: ${report.url}`,
  body: auditSections(report, 2),
});

export const harPage = (report: HarReport): HtmlPage => ({
  title: `CORS in a HAR file: ${report.file}`,
  body: harSections(report, 2),
});

/** A snapshot of `watch`: the entries of `exchanges.json` seen so far, for the proxy in front of `target`. */
export const watchPage = (entries: WatchedExchange[], target: string): HtmlPage => ({
  title: `CORS exchanges through watch: ${target}`,
  body: watchSections(entries, target, 2),
});

type PageOf = { [C in CommandName]?: (result: Extract<CommandResult, { command: C }>) => HtmlPage };

/** The report kinds `--format html` renders, by command. */
export const HTML_PAGES: PageOf = {
  check: (result) => checkPage(result.report),
  scan: (result) => scanPage(result.report),
  audit: (result) => auditPage(result.report),
  har: (result) => harPage(result.report),
};

/** The commands with an HTML page. */
export const HTML_COMMANDS = Object.keys(HTML_PAGES) as CommandName[];

/** The whole document of a page. */
export function htmlDocument(page: HtmlPage, version: string): string {
  const body = html`<h1>${page.title}</h1>
${page.body}`;
  return htmlPage(
    page.title,
    body,
    `Made by cors-doctor ${version}. This page loads nothing: it works offline and prints as is.`,
  ).value;
}

/** A snapshot of `watch` as one self-contained HTML document (to save or to serve). */
export const watchSnapshotHtml = (entries: WatchedExchange[], target: string, version: string): string =>
  htmlDocument(watchPage(entries, target), version);

/** A command's result as an HTML document. */
export function renderHtml(result: CommandResult, version: string): string {
  const pageOf = HTML_PAGES[result.command] as ((r: CommandResult) => HtmlPage) | undefined;
  if (!pageOf) throw new Error(`no HTML page for ${result.command}`);
  return htmlDocument(pageOf(result), version);
}
