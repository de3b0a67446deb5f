import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check.js';
import { nginxAvailable, startNginx } from '../../src/local-servers/nginx.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { HeaderList } from '../../src/model/types.js';

const inCI = process.env.CI === 'true';
const unavailable = nginxAvailable() ?? (await fastapiAvailable());
if (unavailable && inCI) throw new Error(`CI needs nginx, FastAPI and uvicorn: ${unavailable}`);

const FIXTURE = 'test/fixtures/nginx/add-header-without-always';
const ORIGIN = 'http://localhost:3000';
const JSON_BODY: HeaderList = [['Content-Type', 'application/json']];

// Each row: a request through nginx (which adds CORS headers without "always") to a FastAPI app without CORS.
const TABLE: Array<
  [string, string, string, HeaderList, string | undefined, 'allowed' | 'blocked', string | undefined]
> = [
  ['a successful GET gets nginx CORS headers', 'GET', '/orders', [], undefined, 'allowed', undefined],
  [
    'a JSON POST: nginx answers the preflight, the app fails with 500',
    'POST',
    '/orders',
    JSON_BODY,
    '{"item":"saw"}',
    'blocked',
    'proxy-headers-missing-on-errors',
  ],
  [
    'a 404 from the app loses the CORS headers',
    'GET',
    '/orders/7',
    [],
    undefined,
    'blocked',
    'proxy-headers-missing-on-errors',
  ],
];

describe.skipIf(unavailable !== undefined)(
  `check through a real nginx${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let app: Awaited<ReturnType<typeof startUvicorn>>;
    let proxy: Awaited<ReturnType<typeof startNginx>>;
    beforeAll(async () => {
      app = await startUvicorn({ appDir: `${FIXTURE}/app`, timeoutMs: 20_000 });
      proxy = await startNginx(`${FIXTURE}/nginx.conf`, app.port);
    });
    afterAll(async () => {
      await proxy?.stop();
      await app?.stop();
    });

    it.each(TABLE)('%s', async (_title, method, path, headers, body, outcome, cause) => {
      const report = await check(
        {
          url: `${proxy.url}${path}`,
          origin: ORIGIN,
          method,
          headers,
          credentials: 'same-origin',
          ...(body !== undefined && { body }),
        },
        { browsers: ['chrome', 'firefox'], timeoutMs: 5000 },
      );
      expect(report.browsers.chrome?.outcome).toBe(outcome);
      expect(report.browsers.firefox?.outcome).toBe(outcome);
      const codes = report.causes.filter((c) => c.severity === 'error').map((c) => c.code);
      if (cause) expect(codes).toEqual([cause]);
      else expect(codes).toEqual([]);
    });
  },
);
