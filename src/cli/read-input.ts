import { readFile, stat } from 'node:fs/promises';
import { BadInputError } from '../core/errors.js';

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
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes)
      throw new BadInputError(
        `standard input is larger than ${maxBytes >> 20} MiB: split it into smaller files`,
      );
    chunks.push(buffer);
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BadInputError(`${path}: no such file`);
    if (code === 'ELOOP')
      throw new BadInputError(`${path}: too many levels of symbolic links (a symlink loop)`);
    if (code === 'EACCES') throw new BadInputError(`${path}: permission denied`);
    throw new BadInputError(`${path}: cannot read (${code ?? String(error)})`);
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
