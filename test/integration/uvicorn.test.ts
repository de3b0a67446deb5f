import { describe, expect, it } from 'vitest';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  `startUvicorn runs a real FastAPI app${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it('serves examples/correct with CORS headers for http://localhost:3000, then stops', async () => {
      const server = await startUvicorn({ appDir: 'examples/correct', timeoutMs: 20_000 });
      try {
        expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
        const response = await fetch(`${server.url}/items`, { headers: { Origin: 'http://localhost:3000' } });
        expect(response.status).toBe(200);
        expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
        expect(response.headers.get('access-control-allow-credentials')).toBe('true');
        expect(await response.json()).toEqual([{ id: 1, name: 'Hammer', price: 9.5 }]);
      } finally {
        await server.stop();
      }
      expect(server.output()).toContain('GET /items HTTP/1.1" 200');
      await expect(fetch(`${server.url}/items`)).rejects.toThrow();
      await server.stop(); // idempotent
    });

    it('fails with the last output lines when the app cannot be imported', async () => {
      await expect(
        startUvicorn({ appDir: 'examples/correct', app: 'missing_module:app', timeoutMs: 20_000 }),
      ).rejects.toThrow(
        /uvicorn exited early \(code 1\) for missing_module:app .*Could not import module "missing_module"/,
      );
    });
  },
);
