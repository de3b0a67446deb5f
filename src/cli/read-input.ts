import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { BadInputError, FileSystemError, systemErrorCode } from '../core/errors.js';

/** Inputs larger than this are refused rather than read into memory. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

async function readStdin(maxBytes: number): Promise<Buffer> {
  if (process.stdin.isTTY) {
    throw new BadInputError(
      'no input: give a file, or pipe JSON on standard input (e.g. `cat scenario.json | cors-doctor simulate -`)',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of process.stdin) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxBytes)
        throw new BadInputError(
          `standard input is larger than ${maxBytes >> 20} MiB: split it into smaller files`,
        );
      chunks.push(buffer);
    }
  } catch (error) {
    // Standard input redirected from a folder (`< dir`) or a device that cannot be read.
    if (systemErrorCode(error)) throw FileSystemError.from(error, 'standard input', 'read');
    throw error;
  }
  return Buffer.concat(chunks);
}

async function readPath(path: string, maxBytes: number): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new BadInputError(`${path} is a directory: give a JSON file`);
    if (info.size > maxBytes)
      throw new BadInputError(`${path} is larger than ${maxBytes >> 20} MiB: split it into smaller files`);
    return await readFile(path);
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    throw FileSystemError.from(error, path, 'read');
  }
}

/** Reads a UTF-8 text file (or `-` for standard input), refusing binary and oversized input. */
export async function readTextInput(
  source: string,
  maxBytes = MAX_INPUT_BYTES,
): Promise<{ text: string; name: string }> {
  const name = source === '-' ? 'standard input' : source;
  const buffer = source === '-' ? await readStdin(maxBytes) : await readPath(source, maxBytes);
  if (buffer.includes(0)) throw new BadInputError(`${name} is a binary file: give a JSON text file`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(buffer);
  return { text: text.replace(/^\uFEFF/, ''), name };
}

/** Parses JSON with an error that says where it broke. */
export function parseJsonInput(text: string, name: string): unknown {
  if (text.trim() === '')
    throw new BadInputError(`${name} is empty: expected a JSON scenario or an array of them`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = (error as Error).message.replace(/^JSON\.parse: /, '');
    throw new BadInputError(`${name} is not valid JSON (${detail}): fix the syntax and retry`);
  }
}

/** Chunks of this size are read from a file opened as a stream. */
const STREAM_CHUNK_BYTES = 64 * 1024;

/** The chunks of `stream`, a read error becoming one line that names the input. */
async function* chunksOf(stream: AsyncIterable<unknown>, name: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if (systemErrorCode(error)) throw FileSystemError.from(error, name, 'read');
    throw error;
  }
}

/**
 * Opens a file (or `-` for standard input) to be read chunk by chunk, so that memory holds one chunk at a
 * time whatever the input's size. A folder or a terminal is refused before anything is read.
 */
export async function openInputStream(
  source: string,
): Promise<{ name: string; chunks: AsyncIterable<Buffer> }> {
  if (source === '-') {
    if (process.stdin.isTTY)
      throw new BadInputError(
        'no input: give a file, or pipe JSON on standard input (e.g. `cat scenario.json | cors-doctor simulate -`)',
      );
    return { name: 'standard input', chunks: chunksOf(process.stdin, 'standard input') };
  }
  try {
    if ((await stat(source)).isDirectory())
      throw new BadInputError(`${source} is a directory: give a JSON file`);
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    throw FileSystemError.from(error, source, 'read');
  }
  return {
    name: source,
    chunks: chunksOf(createReadStream(source, { highWaterMark: STREAM_CHUNK_BYTES }), source),
  };
}
