import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastapiAvailable, startUvicorn, type UvicornServer } from '../../src/local-servers/uvicorn.js';
import { startWatch, type WatchServer } from '../../src/watch/server.js';

/**
 * `watch` in front of a real FastAPI app under uvicorn that streams an answer and echoes WebSocket messages:
 * the proxy passes the stream as it comes (no buffering) and the upgrade both ways.
 */
const inCI = process.env.CI === 'true';
const noFastapi = await fastapiAvailable();
if (noFastapi && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${noFastapi}`);

const watchOf = (target: string) =>
  startWatch({ target: new URL(target), port: 0, host: '127.0.0.1', maxExchanges: 500, showSecrets: false });

describe.skipIf(noFastapi !== undefined)('watch streams answers and passes WebSocket upgrades', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-watch-stream-'));
  writeFileSync(
    join(dir, 'main.py'),
    [
      'import asyncio',
      'from fastapi import FastAPI, WebSocket',
      'from fastapi.responses import StreamingResponse',
      'app = FastAPI()',
      '@app.get("/stream")',
      'async def stream():',
      '    async def chunks():',
      '        yield b"first\\n"',
      '        await asyncio.sleep(1.0)',
      '        yield b"second\\n"',
      '    return StreamingResponse(chunks(), media_type="text/plain")',
      '@app.websocket("/ws")',
      'async def echo(websocket: WebSocket):',
      '    await websocket.accept()',
      '    text = await websocket.receive_text()',
      '    await websocket.send_text("echo:" + text)',
      '    await websocket.close()',
      '',
    ].join('\n'),
  );
  let server: UvicornServer;
  let watch: WatchServer;
  beforeAll(async () => {
    server = await startUvicorn({ appDir: dir, timeoutMs: 20_000 });
    watch = await watchOf(server.url);
  });
  afterAll(async () => {
    await watch?.close();
    await server?.stop();
  });

  it('the first chunk reaches the page before the answer ends', async () => {
    const started = Date.now();
    const times = await new Promise<number[]>((resolve, reject) => {
      const got: number[] = [];
      httpRequest(`${watch.url}/stream`, { agent: false }, (res) => {
        res.on('data', () => got.push(Date.now() - started));
        res.on('end', () => resolve(got));
      })
        .on('error', reject)
        .end();
    });
    // The app sleeps a second between its chunks: a proxy that held the answer back would deliver them together.
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(500);
  });

  it('a WebSocket through the proxy: handshake 101 and an echoed frame', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(watch.url).port), '127.0.0.1', () => {
        socket.write(
          `GET /ws HTTP/1.1\r\nHost: ${new URL(watch.url).host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let buffer = Buffer.alloc(0);
      let sent = false;
      socket.on('data', (d: Buffer) => {
        buffer = Buffer.concat([buffer, d]);
        const end = buffer.indexOf('\r\n\r\n');
        if (!sent && end >= 0) {
          expect(buffer.subarray(0, 12).toString()).toBe('HTTP/1.1 101');
          buffer = buffer.subarray(end + 4);
          sent = true;
          const mask = Buffer.from([1, 2, 3, 4]);
          const payload = Buffer.from('hello').map((b, i) => b ^ (mask[i % 4] as number));
          socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | 5]), mask, payload]));
        }
        if (sent && buffer.length >= 2 && buffer.length >= 2 + ((buffer[1] as number) & 0x7f)) {
          resolve(buffer.subarray(2, 2 + ((buffer[1] as number) & 0x7f)).toString());
          socket.destroy();
        }
      });
      socket.on('error', reject);
    });
    expect(reply).toBe('echo:hello');
  });
});
