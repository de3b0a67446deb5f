/**
 * A sequence diagram as inline SVG: three lifelines (the page, the browser, the server) and the messages
 * between them in order. A failed message is marked three ways: a dashed thick line, a ✗ symbol, and a
 * text label saying what failed; the SVG's title and description give the same steps as text.
 */
import { html, type Markup } from './markup.js';

export type Party = 'page' | 'browser' | 'server';

/** One arrow of the diagram. */
export interface SequenceMessage {
  from: Party;
  to: Party;
  /** Above the arrow. */
  label: string;
  /** Below the arrow, smaller (a header that matters, the credentials mode). */
  detail?: string;
  /** When this step is where the request fails: what to print under it (after `✗`). */
  failed?: string;
  /** A symbol before the label: `✓` a good end, `✗` a bad one (the failed step itself is `failed`). */
  mark?: '✓' | '✗';
}

export interface SequenceDiagram {
  /** Unique within the page (ids of the title and description). */
  id: string;
  /** Names of the lifelines: the page's origin, the browser, the server's origin. */
  parties: Record<Party, { title: string; subtitle: string }>;
  messages: SequenceMessage[];
}

const WIDTH = 780;
const X: Record<Party, number> = { page: 125, browser: 390, server: 655 };
const BOX = 230;
const HEAD = 64;
const ROW = 50;
const ROW_WITH_FAILURE = 72;
// An estimate of one character's width at 12 px (sans-serif text runs narrower; monospace ~7.2 px).
const CHAR = 6.6;
const BOLD_CHAR = 7.4;

/** `text` cut to `max` characters, with `…` when cut. */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

function arrowHead(x: number, y: number, direction: 1 | -1, colour: string): Markup {
  const back = x - direction * 9;
  return html`<polygon points="${x},${y} ${back},${y - 5} ${back},${y + 5}" fill="${colour}"/>`;
}

function messageRow(m: SequenceMessage, top: number): Markup {
  const x1 = X[m.from];
  const x2 = X[m.to];
  const direction = x2 > x1 ? 1 : -1;
  const mid = (x1 + x2) / 2;
  const room = Math.floor(Math.abs(x2 - x1) / CHAR) + 6;
  const y = top + 22;
  const failed = m.failed !== undefined;
  const colour = failed ? '#a00018' : '#1b1b1b';
  const label = `${failed ? '✗ ' : m.mark ? `${m.mark} ` : ''}${m.label}`;
  const line = failed
    ? html`<line x1="${x1}" y1="${y}" x2="${x2 - direction * 9}" y2="${y}" stroke="${colour}" stroke-width="2.5" stroke-dasharray="7 4"/>`
    : html`<line x1="${x1}" y1="${y}" x2="${x2 - direction * 9}" y2="${y}" stroke="${colour}" stroke-width="1.5"/>`;
  // The failure's words may be longer than the arrow: they run from the diagram's nearer edge.
  const rightSide = mid > WIDTH / 2;
  const failureX = rightSide ? WIDTH - 8 : 8;
  const failureRoom = Math.floor((WIDTH - 16) / BOLD_CHAR);
  return html`<g class="message${failed ? ' failed' : ''}">
${line}${arrowHead(x2, y, direction as 1 | -1, colour)}
<text x="${mid}" y="${y - 7}" text-anchor="middle" font-size="13" font-weight="${failed ? 700 : 400}" fill="${colour}">${shorten(label, room)}</text>
${m.detail !== undefined && html`<text x="${mid}" y="${y + 16}" text-anchor="middle" font-size="11" fill="#454545" font-family="ui-monospace, Menlo, Consolas, monospace">${shorten(m.detail, Math.floor(room * 0.92))}</text>`}
${failed && html`<text x="${failureX}" y="${y + (m.detail !== undefined ? 34 : 18)}" text-anchor="${rightSide ? 'end' : 'start'}" font-size="12" font-weight="700" fill="${colour}">${shorten(`✗ ${m.failed}`, failureRoom)}</text>`}
</g>
`;
}

/** The steps as sentences (the SVG's description, for screen readers and text search). */
export function describeSteps(diagram: SequenceDiagram): string {
  const name = (p: Party) => `${diagram.parties[p].title} (${diagram.parties[p].subtitle})`;
  return diagram.messages
    .map((m, i) => {
      const mark = m.failed !== undefined ? ` FAILED: ${m.failed}.` : m.mark === '✓' ? ' OK.' : '';
      const detail = m.detail !== undefined ? ` (${m.detail})` : '';
      return `${i + 1}. ${name(m.from)} to ${name(m.to)}: ${m.label}${detail}.${mark}`;
    })
    .join(' ');
}

/** The diagram as an inline `<svg>` with its title and description. */
export function sequenceSvg(diagram: SequenceDiagram): Markup {
  const rows: Markup[] = [];
  let top = HEAD + 8;
  for (const m of diagram.messages) {
    rows.push(messageRow(m, top));
    top += m.failed !== undefined ? ROW_WITH_FAILURE : ROW;
  }
  const height = top + 10;
  const parties = (Object.keys(X) as Party[]).map((p) => {
    const { title, subtitle } = diagram.parties[p];
    const room = Math.floor((BOX - 10) / 7.4);
    return html`<g class="party">
<rect x="${X[p] - BOX / 2}" y="6" width="${BOX}" height="48" rx="4" fill="#f0f0f0" stroke="#6b6b6b"/>
<text x="${X[p]}" y="26" text-anchor="middle" font-size="14" font-weight="700" fill="#1b1b1b">${shorten(title, room)}</text>
<text x="${X[p]}" y="44" text-anchor="middle" font-size="11" fill="#454545" font-family="ui-monospace, Menlo, Consolas, monospace">${shorten(subtitle, room)}</text>
<line x1="${X[p]}" y1="54" x2="${X[p]}" y2="${height - 6}" stroke="#8a8a8a" stroke-width="1" stroke-dasharray="3 3"/>
</g>
`;
  });
  const failures = diagram.messages.filter((m) => m.failed !== undefined).length;
  const title =
    failures > 0
      ? `Sequence of the exchanges; ${failures === 1 ? 'one step fails' : `${failures} steps fail`} (marked ✗)`
      : 'Sequence of the exchanges; no step fails';
  return html`<svg class="sequence" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${diagram.id}-title ${diagram.id}-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif">
<title id="${diagram.id}-title">${title}</title>
<desc id="${diagram.id}-desc">${describeSteps(diagram)}</desc>
${parties}${rows}</svg>`;
}
