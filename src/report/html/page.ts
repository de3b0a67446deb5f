/**
 * The page around a report: one self-contained HTML document (inline style sheet, inline SVG, no script,
 * no font, image or link to load), readable on screen and on paper. A Content-Security-Policy forbids any
 * load at all, so the page stays offline even if a value slipped through unescaped.
 */
import { html, type Interpolation, type Markup, trusted } from './markup.js';

// Colours: every text colour has a contrast of at least 7:1 on its background (WCAG AAA); meaning is
// never carried by colour alone (each state also has a symbol and a word).
const STYLE_SHEET = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1b1b1b; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid #d0d0d0; }
h3 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; overflow-wrap: anywhere; }
h4, h5, h6 { font-size: 1rem; margin: 1rem 0 .5rem; }
p, ul, ol { margin: .5rem 0; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em; }
pre { background: #f4f4f4; border: 1px solid #d0d0d0; border-radius: 4px; padding: .6rem .8rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; margin: .5rem 0; }
.meta { color: #454545; }
.verdict, .severity { display: inline-block; font-weight: 700; padding: 0 .4rem; border-radius: 3px; border: 1px solid currentColor; }
.ok { color: #17602a; background: #eaf6ec; }
.bad { color: #a00018; background: #fdecee; }
.warn { color: #6b4200; background: #fdf3e1; }
.info { color: #0b4a7a; background: #e8f1fa; }
.console { background: #fff7f7; border-color: #e5b8bd; color: #5c000c; }
.warnings { background: #fffaf0; border-color: #e5d0a8; color: #4d3000; }
.diff { background: #fafafa; padding: .4rem 0; }
.diff code { white-space: normal; }
.diff span, .diff ins, .diff del { display: block; min-height: 1.5em; padding: 0 .8rem; text-decoration: none; white-space: pre-wrap; }
.diff ins { background: #e3f4e6; color: #0d3d17; }
.diff del { background: #fbe4e6; color: #5f0711; }
.diff .hunk { color: #0b4a7a; background: #eef4fa; }
.diff .file { font-weight: 700; }
.diff-legend { color: #454545; font-size: .9em; }
table { border-collapse: collapse; margin: .5rem 0; width: 100%; }
th, td { border: 1px solid #c8c8c8; padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f0f0f0; white-space: nowrap; }
.headers { margin: .25rem 0 .5rem; }
.headers td:first-child { white-space: nowrap; width: 1%; }
.cors-header td { font-weight: 700; }
figure { margin: .5rem 0 1rem; }
figcaption { color: #454545; font-size: .9em; }
caption { text-align: left; color: #454545; font-size: .9em; }
svg.sequence { width: 100%; height: auto; max-width: 56rem; border: 1px solid #d0d0d0; border-radius: 4px; background: #fff; }
section { break-inside: auto; }
.item { border-left: 4px solid #d0d0d0; padding-left: .9rem; margin: 1rem 0; }
.item.bad { border-left-color: #a00018; background: none; color: inherit; }
.item.warn { border-left-color: #8a5a00; background: none; color: inherit; }
.item.ok { border-left-color: #17602a; background: none; color: inherit; }
.item.info { border-left-color: #0b4a7a; background: none; color: inherit; }
footer { margin-top: 3rem; color: #454545; font-size: .85em; border-top: 1px solid #d0d0d0; padding-top: .5rem; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  h3, h4 { break-after: avoid; }
  pre, table, figure, .item > h3 { break-inside: avoid; }
  pre { white-space: pre-wrap; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** The document: `title` in the tab and as the h1's text comes from the sections themselves. */
export function htmlPage(title: string, body: Interpolation, footer: string): Markup {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${trusted(STYLE_SHEET)}</style>
</head>
<body>
<main>
${body}
<footer>${footer}</footer>
</main>
</body>
</html>
`;
}
