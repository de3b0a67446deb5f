/**
 * HTML built only through the `html` template tag: every interpolated value is escaped unless it is
 * itself markup made by the tag, so text from a report (header values, URLs, messages, source lines) can
 * never open a tag, end an attribute or start a script. Attributes are always written double-quoted.
 */

/** Markup: text that is already HTML (made by `html`, or a constant of this folder through `trusted`). */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template may interpolate: text (escaped), markup (kept), lists of either; nothing for the rest. */
export type Interpolation = Markup | string | number | boolean | null | undefined | readonly Interpolation[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML: safe in element content and in double- or single-quoted attribute values, HTML and SVG. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

function piece(value: Interpolation): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Markup) return value.value;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escapeHtml(String(value));
}

/** The template tag: constant parts kept, interpolated values escaped (`false`, `null`, `undefined`: nothing). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += piece(value) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}

/** A constant of this folder (the style sheet) taken as markup. Never for text from a report. */
export const trusted = (constant: string): Markup => new Markup(constant);

/** A heading at `level` (1 to 6; deeper levels stay h6). */
export function heading(level: number, content: Interpolation, id?: string): Markup {
  const n = Math.min(Math.max(Math.round(level), 1), 6);
  const tag = trusted(`h${n}`);
  return id === undefined ? html`<${tag}>${content}</${tag}>` : html`<${tag} id="${id}">${content}</${tag}>`;
}
