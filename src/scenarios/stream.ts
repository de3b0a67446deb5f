/**
 * Scenarios read as a stream: a top-level JSON array is cut into its elements as the bytes arrive, and
 * each element is parsed and validated on its own, so that memory holds one chunk and one element at a
 * time however long the array is. A lone scenario (any other top-level value) is read whole.
 */

import { BadInputError } from '../core/errors.js';
import type { Scenario } from '../model/types.js';
import { parseScenario, ScenarioInputError } from './schema.js';

/** A lone scenario, or one element of a top-level array, larger than this is refused. */
export const MAX_SCENARIO_BYTES = 64 * 1024 * 1024;

/** What the splitter found in a chunk: the elements it completed, or (at the end) the whole lone document. */
export type JsonPiece =
  | { kind: 'element'; index: number; offset: number; text: string }
  | { kind: 'document'; text: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const isJsonSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Not valid JSON, with where: the same words as a whole document's error. */
const syntaxError = (name: string, detail: string) =>
  new BadInputError(`${name} is not valid JSON (${detail}): fix the syntax and retry`);

/**
 * Cuts JSON text, chunk by chunk, into the elements of its top-level array (strings, escapes and nesting
 * followed byte by byte; each element's own syntax is left to JSON.parse). Any other top-level value is
 * kept whole and handed over at the end. Bytes are split only at ASCII characters, so UTF-8 sequences
 * stay whole.
 */
export class TopLevelArraySplitter {
  private state: 'start' | 'element' | 'after' | 'document' = 'start';
  /** How many bytes of a byte order mark opened the input. */
  private bom = 0;
  /** Bytes of the current element (or of the document) from earlier chunks. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Where the current element starts in the whole input. */
  private elementOffset = 0;
  private index = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Bytes of the input before the current chunk. */
  private consumed = 0;

  constructor(
    private readonly name: string,
    private readonly maxBytes = MAX_SCENARIO_BYTES,
  ) {}

  /** Takes the next chunk; returns the elements it completes. */
  push(chunk: Buffer): JsonPiece[] {
    if (chunk.indexOf(0) !== -1)
      throw new BadInputError(`${this.name} is a binary file: give a JSON text file`);
    const pieces: JsonPiece[] = [];
    let i = 0;
    const n = chunk.length;
    if (this.state === 'start') {
      // A byte order mark opens the input only (it may come in pieces).
      while (i < n && this.consumed + i < 3 && this.bom === this.consumed + i && chunk[i] === BOM[this.bom]) {
        this.bom++;
        i++;
      }
      const partialBom = this.bom > 0 && this.bom < 3;
      while (i < n && !partialBom && isJsonSpace(chunk[i] as number)) i++;
      if (i < n) {
        if (chunk[i] === OPEN_BRACKET && !partialBom) {
          this.state = 'element';
          i++;
          this.elementOffset = this.consumed + i;
        } else {
          this.state = 'document';
          // Not a byte order mark after all: its first bytes belong to the document.
          if (partialBom) this.hold(BOM.subarray(0, this.bom), 'document');
        }
      }
    }
    if (this.state === 'document') {
      this.hold(chunk.subarray(i), 'document');
      this.consumed += n;
      return pieces;
    }
    let start = i; // where the current element's bytes begin in this chunk
    for (; i < n && this.state === 'element'; i++) {
      const c = chunk[i] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACKET || c === OPEN_BRACE) this.depth++;
      else if ((c === CLOSE_BRACKET || c === CLOSE_BRACE) && this.depth > 0) this.depth--;
      else if (this.depth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
        const text = this.take(chunk.subarray(start, i));
        const empty = text.trim() === '';
        if (c === CLOSE_BRACKET) this.state = 'after';
        if (empty && !(c === CLOSE_BRACKET && this.index === 0))
          throw syntaxError(
            this.name,
            `a value is missing before the ${c === COMMA ? "','" : "']'"} at byte ${this.consumed + i}`,
          );
        if (!empty) pieces.push({ kind: 'element', index: this.index++, offset: this.elementOffset, text });
        start = i + 1;
        this.elementOffset = this.consumed + start;
      }
    }
    if (this.state === 'element') this.hold(chunk.subarray(start), 'element');
    for (; i < n; i++) {
      if (!isJsonSpace(chunk[i] as number))
        throw syntaxError(
          this.name,
          `unexpected data after the array's closing ']', at byte ${this.consumed + i}`,
        );
    }
    this.consumed += n;
    return pieces;
  }

  /** The input ended: the lone document, if it was one; an error if an array was left open. */
  end(): JsonPiece[] {
    if (this.state === 'document') return [{ kind: 'document', text: this.take(Buffer.alloc(0)) }];
    if (this.state === 'start') return [{ kind: 'document', text: '' }];
    if (this.state === 'element') {
      const started = this.held.some((bytes) => bytes.some((c) => !isJsonSpace(c)));
      const where = started
        ? `inside element [${this.index}]`
        : this.index === 0
          ? 'before its first element'
          : `after element [${this.index - 1}]`;
      throw syntaxError(this.name, `the input ends inside the top-level array, ${where}`);
    }
    return [];
  }

  private hold(bytes: Buffer, what: 'element' | 'document'): void {
    if (bytes.length === 0) return;
    this.heldBytes += bytes.length;
    if (this.heldBytes > this.maxBytes) {
      const limit = `${this.maxBytes >> 20} MiB`;
      throw new BadInputError(
        what === 'document'
          ? `${this.name} is larger than ${limit}: split it into smaller files`
          : `${this.name}: element [${this.index}] is larger than ${limit}: split it`,
      );
    }
    this.held.push(bytes);
  }

  /** The held bytes and `rest`, as text (lenient UTF-8: invalid sequences become U+FFFD). */
  private take(rest: Buffer): string {
    if (this.heldBytes + rest.length > this.maxBytes) this.hold(rest, 'element'); // throws
    const bytes = this.held.length === 0 ? rest : Buffer.concat([...this.held, rest]);
    this.held = [];
    this.heldBytes = 0;
    return bytes.toString('utf8');
  }
}

/** The JSON of a lone scenario: the same messages as reading it whole. */
function parseDocument(text: string, name: string): unknown {
  if (text.trim() === '')
    throw new BadInputError(`${name} is empty: expected a JSON scenario or an array of them`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = (error as Error).message.replace(/^JSON\.parse: /, '');
    throw syntaxError(name, detail);
  }
}

function parseElement(piece: Extract<JsonPiece, { kind: 'element' }>, name: string): unknown {
  try {
    return JSON.parse(piece.text);
  } catch (error) {
    const detail = (error as Error).message.replace(/^JSON\.parse: /, '');
    throw syntaxError(name, `element [${piece.index}], which starts at byte ${piece.offset}: ${detail}`);
  }
}

/** Scenarios validated as they are read, with the error naming the input (`name`) and the element. */
export interface ScenarioBatch {
  /** True when the input is a lone scenario rather than an array of them. */
  single: boolean;
  scenarios: Scenario[];
}

function validated(value: unknown, index: number | undefined, name: string): Scenario {
  try {
    return parseScenario(value, index);
  } catch (error) {
    if (error instanceof ScenarioInputError) throw new ScenarioInputError(`${name}: ${error.message}`);
    throw error;
  }
}

/**
 * Reads scenarios from `chunks` (the bytes of a file or of standard input) as they arrive: one batch per
 * chunk, with the elements of a top-level array that chunk completed, each parsed and validated. Bad
 * input throws a BadInputError naming the element (`[12].request.url: ...`).
 */
export async function* streamScenarios(
  chunks: AsyncIterable<Buffer>,
  name: string,
): AsyncGenerator<ScenarioBatch> {
  const splitter = new TopLevelArraySplitter(name);
  for await (const chunk of chunks) {
    const scenarios: Scenario[] = [];
    try {
      for (const piece of splitter.push(chunk))
        if (piece.kind === 'element') scenarios.push(validated(parseElement(piece, name), piece.index, name));
    } catch (error) {
      // The elements before the bad one are handed over first, as if the chunk had ended there.
      if (scenarios.length > 0) yield { single: false, scenarios };
      throw error;
    }
    if (scenarios.length > 0) yield { single: false, scenarios };
  }
  const last = splitter.end();
  if (last[0]?.kind === 'document') {
    const value = parseDocument(last[0].text, name);
    // A top-level array is always split above: what is read whole is one scenario.
    yield { single: true, scenarios: [validated(value, undefined, name)] };
  }
}
