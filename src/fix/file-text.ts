/**
 * A source file as bytes and as text, and the bytes of a changed text: the lines a change does not touch
 * keep their bytes exactly (encoding, line endings, a BOM); changed lines are written in the file's own
 * encoding and line ending. Writing is atomic (a temporary file renamed over the original) and refuses a
 * file that changed on disk since it was read.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { diffLines } from 'diff';

export type SourceEncoding = 'utf8' | 'latin1' | 'utf16le' | 'utf16be';

export interface SourceFile {
  /** The bytes as read. */
  bytes: Buffer;
  /** The text edits work on: decoded, without a BOM, line endings as `\n`. */
  text: string;
  encoding: SourceEncoding;
  /** The byte order mark the file starts with (UTF-8's or UTF-16's), kept as it was. */
  bom: Buffer;
  /** The line ending new lines get: the file's own (`\r\n` when most of its lines end so). */
  eol: '\n' | '\r\n';
}

/** Raised when a file cannot be written as asked (it changed since it was read, it is read-only). */
export class WriteRefused extends Error {}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const UTF16LE_BOM = Buffer.from([0xff, 0xfe]);
const UTF16BE_BOM = Buffer.from([0xfe, 0xff]);

/** Swaps the bytes of each UTF-16 code unit (big-endian <-> little-endian). */
const swapped = (bytes: Buffer): Buffer => Buffer.from(bytes).swap16();

function decodeBody(bytes: Buffer): { bom: Buffer; encoding: SourceEncoding; decoded: string } {
  for (const [bom, encoding] of [
    [UTF8_BOM, 'utf8'],
    [UTF16LE_BOM, 'utf16le'],
    [UTF16BE_BOM, 'utf16be'],
  ] as const) {
    const body = bytes.subarray(bom.length);
    if (!bytes.subarray(0, bom.length).equals(bom) || (encoding !== 'utf8' && body.length % 2 !== 0))
      continue;
    const decoded =
      encoding === 'utf8'
        ? body.toString('utf8')
        : (encoding === 'utf16le' ? body : swapped(body)).toString('utf16le');
    return { bom, encoding, decoded };
  }
  try {
    const decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return { bom: Buffer.alloc(0), encoding: 'utf8', decoded };
  } catch {
    return { bom: Buffer.alloc(0), encoding: 'latin1', decoded: bytes.toString('latin1') };
  }
}

/**
 * A file's text: UTF-16 or UTF-8 when a byte order mark says so, UTF-8 when the bytes are valid UTF-8,
 * else Latin-1 (each byte one character).
 */
export function decodeSource(bytes: Buffer): SourceFile {
  const { bom, encoding, decoded } = decodeBody(bytes);
  const crlf = decoded.split('\r\n').length - 1;
  const lf = decoded.split('\n').length - 1;
  return {
    bytes,
    text: decoded.replaceAll('\r\n', '\n'),
    encoding,
    bom,
    eol: crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n',
  };
}

/** The raw lines of the file (each with its own line ending), the BOM left out. */
function rawLines(file: SourceFile): Buffer[] {
  const body = file.bytes.subarray(file.bom.length);
  // A line ends at the code unit of `\n`: one byte, or two in UTF-16.
  const unit = file.encoding === 'utf16le' || file.encoding === 'utf16be' ? 2 : 1;
  const isNewline = (i: number) =>
    unit === 1
      ? body[i] === 0x0a
      : file.encoding === 'utf16le'
        ? body[i] === 0x0a && body[i + 1] === 0
        : body[i] === 0 && body[i + 1] === 0x0a;
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i + unit <= body.length; i += unit) {
    if (isNewline(i)) {
      lines.push(body.subarray(start, i + unit));
      start = i + unit;
    }
  }
  if (start < body.length) lines.push(body.subarray(start));
  return lines;
}

/** Throws when `text` holds characters the file's encoding cannot write. */
function encode(file: SourceFile, text: string): Buffer {
  const withEol = file.eol === '\r\n' ? text.replaceAll('\n', '\r\n') : text;
  if (file.encoding === 'latin1' && [...withEol].some((c) => (c.codePointAt(0) ?? 0) > 0xff)) {
    throw new WriteRefused('the change holds characters that the file’s Latin-1 encoding cannot write');
  }
  if (file.encoding === 'utf16be') return swapped(Buffer.from(withEol, 'utf16le'));
  return Buffer.from(withEol, file.encoding);
}

/**
 * The bytes of `after` (a changed `file.text`): unchanged lines are copied from the original bytes, added
 * lines are encoded as the file is.
 */
export function encodeChange(file: SourceFile, after: string): Buffer {
  const original = rawLines(file);
  const parts: Buffer[] = [file.bom];
  let line = 0;
  for (const change of diffLines(file.text, after)) {
    const count = change.count ?? 0;
    if (change.removed) {
      line += count;
    } else if (change.added) {
      parts.push(encode(file, change.value));
    } else {
      const kept = original.slice(line, line + count);
      parts.push(...kept);
      line += count;
    }
  }
  return Buffer.concat(parts);
}

/** Reads a project file for a change. */
export async function readSource(abs: string): Promise<SourceFile> {
  return decodeSource(await readFile(abs));
}

const WRITE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/**
 * Writes `bytes` over `abs` atomically, unless the file no longer holds `expected` (changed since it was
 * read) or cannot be written. Keeps the file's mode.
 */
export async function writeSourceAtomically(
  abs: string,
  expected: Buffer,
  bytes: Buffer,
  shown = path.basename(abs),
): Promise<void> {
  const rel = shown;
  const now = await readFile(abs);
  if (!now.equals(expected)) throw new WriteRefused(`${rel} changed since it was read; run again`);
  const temporary = path.join(
    path.dirname(abs),
    `.${path.basename(abs)}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const { mode } = await stat(abs);
    if ((mode & 0o222) === 0) throw Object.assign(new Error('read-only'), { code: 'EACCES' });
    await writeFile(temporary, bytes, { flag: 'wx', mode: mode & 0o7777 });
    await chmod(temporary, mode & 0o7777);
    await rename(temporary, abs);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why = WRITE_ERRORS[code];
    if (why) throw new WriteRefused(`cannot write ${rel}: ${why} (${code})`);
    throw error;
  }
}
