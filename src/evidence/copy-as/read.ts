// Reading the text of `check --from`: a file, or standard input for `-`.
import { readFile, stat } from 'node:fs/promises';
import { BadInputError, FileSystemError, systemErrorCode } from '../../core/errors.js';

/** A copied request is a few kilobytes; its body may be larger, but not this large. */
const MAX_COPY_BYTES = 16 * 1024 * 1024;

const tooLarge = (name: string): BadInputError =>
  new BadInputError(
    `${name} is larger than ${MAX_COPY_BYTES >> 20} MiB: it is not one copied request (Copy as cURL or Copy as fetch)`,
  );

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) {
    throw new BadInputError(
      'no input: --from - reads the copied request from standard input; pipe it in (e.g. `pbpaste | cors-doctor check --from -`) or give a file',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      if (size > MAX_COPY_BYTES) throw tooLarge('standard input');
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (systemErrorCode(error)) throw FileSystemError.from(error, 'standard input', 'read');
    throw error;
  }
  return Buffer.concat(chunks);
}

async function readPath(path: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new BadInputError(`${path} is a folder: give the file that holds the copied request`);
    if (info.size > MAX_COPY_BYTES) throw tooLarge(path);
    return await readFile(path);
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    throw FileSystemError.from(error, path, 'read');
  }
}

/** The text of a copied request, from a file or `-` (standard input). */
export async function readCopiedText(source: string): Promise<{ text: string; name: string }> {
  const name = source === '-' ? 'standard input' : source;
  const buffer = source === '-' ? await readStdin() : await readPath(source);
  if (buffer.includes(0))
    throw new BadInputError(`${name} is a binary file: give the text of Copy as cURL or Copy as fetch`);
  return { text: new TextDecoder('utf-8').decode(buffer), name };
}
