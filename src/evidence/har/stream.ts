/**
 * A HAR file read as a stream: the bytes are followed as they arrive, and the elements of `log.entries` are
 * cut out one by one and handed over as text, so that memory holds one chunk and one entry at a time however
 * large the file is. Everything outside `log.entries` (version, creator, pages: small) is kept as a skeleton,
 * with `[]` in place of the entries, and parsed at the end: its syntax errors and a truncated file are found
 * there, with the byte where they are.
 */
import { BadInputError } from '../../core/errors.js';

/** One entry of `log.entries`, as text, with where it starts in the file. */
export interface EntryText {
  index: number;
  offset: number;
  text: string;
}

/** The largest entry read (a body saved whole in a HAR can be large; beyond this, the file is refused). */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;
/** The largest skeleton (everything but the entries) kept. */
export const MAX_SKELETON_BYTES = 16 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BOM = [0xef, 0xbb, 0xbf];
const isJsonSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** Keys longer than this are never `log` or `entries`: their text is not kept. */
const MAX_KEY_BYTES = 32;

/** Not JSON, with where: one line. */
export const notJson = (name: string, detail: string) =>
  new BadInputError(`${name} is not a HAR file: it is not valid JSON (${detail})`);

/**
 * Follows a HAR file's bytes: the skeleton (outside `log.entries`) byte by byte with its nesting and object
 * keys, and the entries with only strings, escapes and nesting, so that each entry is cut where it ends.
 */
export class HarEntrySplitter {
  /** Containers open in the skeleton: `{` or `[`, with the key being read in each object. */
  private stack: Array<{ open: number; key?: string }> = [];
  private skeleton: Buffer[] = [];
  private skeletonBytes = 0;
  private inString = false;
  private escaped = false;
  /** The bytes of the string being read in the skeleton (for keys), or undefined once it is too long. */
  private stringBytes: number[] | undefined;
  private lastString: string | undefined;
  /** Inside `log.entries`: depth inside the current entry, and its held bytes. */
  private inEntries = false;
  private entryDepth = 0;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private entryOffset = 0;
  private index = 0;
  private consumed = 0;
  private started = false;
  private sawEntries = false;

  constructor(private readonly name: string) {}

  /** Takes the next chunk; returns the entries it completes. */
  push(chunk: Buffer): EntryText[] {
    const out: EntryText[] = [];
    let i = 0;
    const n = chunk.length;
    if (!this.started) {
      // A byte order mark, then the first byte says whether this is JSON at all.
      while (i < n && this.consumed + i < 3 && chunk[i] === BOM[this.consumed + i]) i++;
      while (i < n && isJsonSpace(chunk[i] as number)) i++;
      if (i === n) {
        this.consumed += n;
        return out;
      }
      this.started = true;
      const first = chunk[i] as number;
      if (first !== OPEN_BRACE) {
        const what =
          first === OPEN_BRACKET
            ? 'it is a JSON array, and a HAR file is an object {"log": {...}}'
            : chunk.indexOf(0) !== -1
              ? 'it is a binary file'
              : `it does not start with {, byte ${this.consumed + i} is ${JSON.stringify(String.fromCharCode(first))}`;
        throw new BadInputError(`${this.name} is not a HAR file: ${what}`);
      }
    }
    let skeletonStart = i;
    /** Where the next backslash and quote of this chunk are (n: none), each found once. */
    let nextBackslash = -1;
    let nextQuote = -1;
    while (i < n) {
      if (this.inEntries) {
        // Entries: only strings and nesting matter; a top-level comma or the closing bracket ends an entry.
        let start = i;
        for (; i < n; i++) {
          if (this.inString) {
            if (this.escaped) {
              this.escaped = false;
              continue;
            }
            // Most of a HAR's bytes are inside strings (bodies, headers): jump to the next quote or backslash.
            if (nextBackslash < i) {
              nextBackslash = chunk.indexOf(BACKSLASH, i);
              if (nextBackslash === -1) nextBackslash = n;
            }
            if (nextQuote < i) {
              nextQuote = chunk.indexOf(QUOTE, i);
              if (nextQuote === -1) nextQuote = n;
            }
            if (nextBackslash < nextQuote) {
              i = nextBackslash; // the next byte is escaped
              this.escaped = true;
            } else if (nextQuote === n) {
              i = n - 1;
            } else {
              i = nextQuote;
              this.inString = false;
            }
            continue;
          }
          const c = chunk[i] as number;
          if (c === QUOTE) this.inString = true;
          else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.entryDepth++;
          else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && this.entryDepth > 0) this.entryDepth--;
          else if (this.entryDepth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
            const text = this.take(chunk.subarray(start, i));
            if (text.trim() !== '') out.push({ index: this.index++, offset: this.entryOffset, text });
            else if (c === COMMA || this.index > 0)
              throw notJson(this.name, `a value is missing in log.entries at byte ${this.consumed + i}`);
            start = i + 1;
            this.entryOffset = this.consumed + start;
            if (c === CLOSE_BRACKET) {
              // Back to the skeleton: the entries stand there as [].
              this.inEntries = false;
              this.addSkeleton(Buffer.from(']'));
              i++;
              skeletonStart = i;
              break;
            }
          }
        }
        if (this.inEntries) this.hold(chunk.subarray(start, n));
        continue;
      }
      const c = chunk[i] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          this.lastString = this.stringBytes ? decodeKey(this.stringBytes) : undefined;
          i++;
          continue;
        }
        if (this.stringBytes) {
          if (this.stringBytes.length >= MAX_KEY_BYTES) this.stringBytes = undefined;
          else this.stringBytes.push(c);
        }
        i++;
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
        this.stringBytes = [];
      } else if (c === COLON) {
        const top = this.stack.at(-1);
        if (top?.open === OPEN_BRACE) top.key = this.lastString;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (c === OPEN_BRACKET && this.atEntries()) {
          // log.entries begins: the skeleton keeps its brackets, the entries are cut out.
          this.addSkeleton(chunk.subarray(skeletonStart, i + 1));
          this.inEntries = true;
          this.sawEntries = true;
          this.entryDepth = 0;
          i++;
          this.entryOffset = this.consumed + i;
          continue;
        }
        this.stack.push({ open: c });
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.stack.pop();
      } else if (c === COMMA) {
        const top = this.stack.at(-1);
        if (top) top.key = undefined;
      }
      i++;
    }
    if (!this.inEntries && skeletonStart < n) this.addSkeleton(chunk.subarray(skeletonStart, n));
    this.consumed += n;
    return out;
  }

  /** The input ended: the skeleton, parsed. Throws when the file is truncated or is not JSON. */
  end(): unknown {
    if (!this.started) throw new BadInputError(`${this.name} is empty: a HAR file is JSON {"log": {...}}`);
    if (this.inEntries) {
      throw new BadInputError(
        `${this.name} is truncated: it ends inside log.entries, in entry ${this.index} (${this.index} complete entries before it); save the HAR again`,
      );
    }
    const text = Buffer.concat(this.skeleton).toString('utf8');
    try {
      return JSON.parse(text);
    } catch (error) {
      if (this.stack.length > 0 || this.inString)
        throw new BadInputError(
          `${this.name} is truncated: the JSON ends before its closing brackets${this.sawEntries ? ` (after ${this.index} entries)` : ''}; save the HAR again`,
        );
      throw notJson(this.name, (error as Error).message.replace(/^JSON\.parse: /, ''));
    }
  }

  /** The container being read is the root's `log` object and the key being read is `entries`. */
  private atEntries(): boolean {
    const [root, log] = this.stack;
    return (
      this.stack.length === 2 &&
      root?.key === 'log' &&
      log?.open === OPEN_BRACE &&
      log.key === 'entries' &&
      !this.sawEntries
    );
  }

  private addSkeleton(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.skeletonBytes += bytes.length;
    if (this.skeletonBytes > MAX_SKELETON_BYTES)
      throw new BadInputError(
        `${this.name}: the HAR holds more than ${MAX_SKELETON_BYTES >> 20} MiB outside log.entries; is it a HAR file?`,
      );
    this.skeleton.push(Buffer.from(bytes));
  }

  private hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.heldBytes += bytes.length;
    if (this.heldBytes > MAX_ENTRY_BYTES)
      throw new BadInputError(
        `${this.name}: entry ${this.index} of log.entries is larger than ${MAX_ENTRY_BYTES >> 20} MiB`,
      );
    this.held.push(Buffer.from(bytes));
  }

  private take(rest: Buffer): string {
    if (this.heldBytes + rest.length > MAX_ENTRY_BYTES) this.hold(rest);
    const bytes = this.held.length === 0 ? rest : Buffer.concat([...this.held, rest]);
    this.held = [];
    this.heldBytes = 0;
    return bytes.toString('utf8');
  }
}

/** A short string's text, escapes included. */
function decodeKey(bytes: number[]): string | undefined {
  try {
    return JSON.parse(`"${Buffer.from(bytes).toString('utf8')}"`) as string;
  } catch {
    return undefined;
  }
}

/** One entry parsed, with an error that names it. */
export function parseEntry(entry: EntryText, name: string): unknown {
  try {
    return JSON.parse(entry.text);
  } catch (error) {
    const detail = (error as Error).message.replace(/^JSON\.parse: /, '');
    throw notJson(name, `log.entries[${entry.index}], which starts at byte ${entry.offset}: ${detail}`);
  }
}

/** What the skeleton says of the file: its version, the browser that wrote it, its pages. */
export interface HarLog {
  version: string;
  creator: string;
  browser?: string;
  pages: Array<{ id: string; title: string }>;
}

/** HAR versions DevTools writes (Firefox wrote 1.1 before it wrote 1.2). */
const VERSIONS = ['1.1', '1.2'];

/** The skeleton checked: a `log` object with `entries` and a version cors-doctor reads. */
export function readSkeleton(skeleton: unknown, name: string): HarLog {
  const log = (skeleton as { log?: unknown } | null)?.log;
  if (!log || typeof log !== 'object' || Array.isArray(log))
    throw new BadInputError(`${name} is not a HAR file: it has no "log" object`);
  const l = log as Record<string, unknown>;
  if (!Array.isArray(l.entries))
    throw new BadInputError(`${name} is not a HAR file: its "log" has no "entries" array`);
  const version = typeof l.version === 'string' ? l.version : undefined;
  if (version === undefined || !VERSIONS.includes(version))
    throw new BadInputError(
      `${name} is HAR version ${version === undefined ? '(none given)' : JSON.stringify(version)}: cors-doctor reads HAR 1.2 (and 1.1), as Chrome and Firefox DevTools save it`,
    );
  const creator = (l.creator as { name?: unknown } | undefined)?.name;
  const browser = (l.browser as { name?: unknown } | undefined)?.name;
  const pages = Array.isArray(l.pages)
    ? l.pages.flatMap((p: unknown) => {
        const page = p as { id?: unknown; title?: unknown } | null;
        return typeof page?.id === 'string' && typeof page.title === 'string'
          ? [{ id: page.id, title: page.title }]
          : [];
      })
    : [];
  return {
    version,
    creator: typeof creator === 'string' ? creator : '',
    ...(typeof browser === 'string' && { browser }),
    pages,
  };
}
