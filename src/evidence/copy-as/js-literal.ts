// A JavaScript literal as a "Copy as fetch" text holds it: DevTools writes JSON (JSON.stringify with 2 or 4
// spaces), and a hand-edited copy may use what JavaScript allows besides: single-quoted and template strings
// without substitutions, unquoted keys, trailing commas, comments, undefined. Nothing is evaluated.

export type JsValue = string | number | boolean | null | undefined | JsValue[] | { [key: string]: JsValue };

export class JsLiteralError extends Error {}

/** Reads literals from `text`, starting at `pos`. */
export class JsLiteralReader {
  constructor(
    readonly text: string,
    public pos = 0,
  ) {}

  /** Skips white space and comments. */
  skip(): void {
    const { text } = this;
    for (;;) {
      while (this.pos < text.length && /\s/.test(text[this.pos] as string)) this.pos++;
      if (text.startsWith('//', this.pos)) {
        const end = text.indexOf('\n', this.pos);
        this.pos = end < 0 ? text.length : end + 1;
      } else if (text.startsWith('/*', this.pos)) {
        const end = text.indexOf('*/', this.pos + 2);
        if (end < 0) throw new JsLiteralError('a comment is never closed');
        this.pos = end + 2;
      } else return;
    }
  }

  /** Consumes `token` (after white space) or returns false. */
  eat(token: string): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  expect(token: string, what: string): void {
    if (!this.eat(token)) throw new JsLiteralError(`expected ${what} at ${this.where()}`);
  }

  where(): string {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    return `line ${line}, column ${this.pos - before.lastIndexOf('\n')}`;
  }

  string(): string {
    this.skip();
    const quote = this.text[this.pos];
    if (quote !== '"' && quote !== "'" && quote !== '`')
      throw new JsLiteralError(`expected a string at ${this.where()}`);
    let value = '';
    let i = this.pos + 1;
    const { text } = this;
    while (i < text.length && text[i] !== quote) {
      const ch = text[i] as string;
      if (quote === '`' && ch === '$' && text[i + 1] === '{') {
        throw new JsLiteralError(`a template string with \${…} at ${this.where()}: write the value itself`);
      }
      if (ch !== '\\') {
        if (ch === '\n' && quote !== '`')
          throw new JsLiteralError(`a string is never closed at ${this.where()}`);
        value += ch;
        i++;
        continue;
      }
      const next = text[i + 1] ?? '';
      i += 2;
      const simple: Record<string, string> = {
        n: '\n',
        r: '\r',
        t: '\t',
        b: '\b',
        f: '\f',
        v: '\v',
        '0': '\0',
      };
      if (next in simple && !(next === '0' && /[0-9]/.test(text[i] ?? ''))) value += simple[next];
      else if (next === 'u' && text[i] === '{') {
        const end = text.indexOf('}', i);
        value += String.fromCodePoint(Number.parseInt(text.slice(i + 1, end), 16));
        i = end + 1;
      } else if (next === 'u' || next === 'x') {
        const size = next === 'u' ? 4 : 2;
        const hex = text.slice(i, i + size);
        if (!new RegExp(`^[0-9A-Fa-f]{${size}}$`).test(hex))
          throw new JsLiteralError(`a bad \\${next} escape at ${this.where()}`);
        value += String.fromCharCode(Number.parseInt(hex, 16));
        i += size;
      } else if (next === '\n') {
        // A line continuation.
      } else value += next;
    }
    if (i >= text.length) throw new JsLiteralError(`a string is never closed at ${this.where()}`);
    this.pos = i + 1;
    return value;
  }

  value(): JsValue {
    this.skip();
    const ch = this.text[this.pos];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"' || ch === "'" || ch === '`') return this.string();
    const word = /^(-?(?:\d+\.?\d*(?:[eE][+-]?\d+)?)|true|false|null|undefined)/.exec(
      this.text.slice(this.pos),
    );
    if (!word) throw new JsLiteralError(`expected a value at ${this.where()}`);
    this.pos += (word[0] as string).length;
    const w = word[0] as string;
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (w === 'undefined') return undefined;
    return Number(w);
  }

  private key(): string {
    this.skip();
    const ch = this.text[this.pos];
    if (ch === '"' || ch === "'" || ch === '`') return this.string();
    const ident = /^[A-Za-z_$][\w$]*/.exec(this.text.slice(this.pos))?.[0];
    if (!ident) throw new JsLiteralError(`expected a property name at ${this.where()}`);
    this.pos += ident.length;
    return ident;
  }

  private object(): { [key: string]: JsValue } {
    this.expect('{', '{');
    const result: { [key: string]: JsValue } = Object.create(null);
    while (!this.eat('}')) {
      const key = this.key();
      this.expect(':', `":" after ${JSON.stringify(key)}`);
      result[key] = this.value();
      if (!this.eat(',')) {
        this.expect('}', '"," or "}"');
        break;
      }
    }
    return result;
  }

  private array(): JsValue[] {
    this.expect('[', '[');
    const result: JsValue[] = [];
    while (!this.eat(']')) {
      result.push(this.value());
      if (!this.eat(',')) {
        this.expect(']', '"," or "]"');
        break;
      }
    }
    return result;
  }
}
