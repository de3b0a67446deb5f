import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeSource,
  encodeChange,
  WriteRefused,
  writeSourceAtomically,
} from '../../../src/fix/file-text.js';

const SOURCE = 'app = FastAPI()  # café\nallow_origins=["http://localhost:3000/"]\nprint("ok")\n';

/** A change on line 2 only: every other line must keep its bytes. */
const change = (text: string) => text.replace('localhost:3000/', 'localhost:3000');

const crlf = (text: string) => text.replaceAll('\n', '\r\n');
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

describe('encodeChange keeps the bytes of the lines it does not change', () => {
  it.each([
    ['UTF-8', (t: string) => Buffer.from(t, 'utf8')],
    ['Latin-1', (t: string) => Buffer.from(t, 'latin1')],
    ['CRLF line endings', (t: string) => Buffer.from(crlf(t), 'utf8')],
    ['a UTF-8 BOM', (t: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t, 'utf8')])],
    ['Latin-1 with CRLF', (t: string) => Buffer.from(crlf(t), 'latin1')],
    ['no newline at the end', (t: string) => Buffer.from(t.trimEnd(), 'utf8')],
    [
      'UTF-16 LE with its BOM',
      (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]),
    ],
    [
      'UTF-16 BE with its BOM, CRLF',
      (t: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(crlf(t))]),
    ],
  ])('%s', (_name, encode) => {
    const bytes = encode(SOURCE);
    const file = decodeSource(bytes);
    expect(file.text).toContain('café');
    // The file as its own editor would have written the change: every other byte is where it was.
    expect(encodeChange(file, change(file.text))).toEqual(encode(change(SOURCE)));
  });

  it('writes an added line with the file’s own line ending and encoding', () => {
    const file = decodeSource(Buffer.from(SOURCE.replaceAll('\n', '\r\n'), 'latin1'));
    const written = encodeChange(file, file.text.replace('print("ok")\n', 'print("ok")\nx = "é"\n'));
    expect(written.toString('latin1')).toBe(`${SOURCE.replaceAll('\n', '\r\n')}x = "é"\r\n`);
  });

  it('refuses a character a Latin-1 file cannot hold', () => {
    const file = decodeSource(Buffer.from(SOURCE, 'latin1'));
    expect(() => encodeChange(file, `${file.text}x = "→"\n`)).toThrow(/Latin-1/);
  });
});

describe('writeSourceAtomically', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const fileWith = async (text: string) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cors-doctor-write-'));
    dirs.push(dir);
    const file = path.join(dir, 'main.py');
    await writeFile(file, text);
    return file;
  };

  it('replaces the file', async () => {
    const file = await fileWith('a\n');
    await writeSourceAtomically(file, Buffer.from('a\n'), Buffer.from('b\n'));
    expect(await readFile(file, 'utf8')).toBe('b\n');
  });

  it.each([
    [
      'changed since it was read',
      'changed since it was read; run again',
      async (f: string) => writeFile(f, 'c\n'),
    ],
    ['read-only', 'cannot write main.py: permission denied (EACCES)', async (f: string) => chmod(f, 0o444)],
  ])('refuses a file %s, with one line', async (_name, message, spoil) => {
    const file = await fileWith('a\n');
    await spoil(file);
    const before = await readFile(file);
    await expect(writeSourceAtomically(file, Buffer.from('a\n'), Buffer.from('b\n'))).rejects.toThrow(
      new WriteRefused(message.startsWith('cannot') ? message : `main.py ${message}`),
    );
    expect(await readFile(file)).toEqual(before);
  });
});
