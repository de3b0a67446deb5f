import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPythonProject } from '../../../src/python/read-project.js';
import { cors, lineIn, plain, REPO, stack } from './helpers.js';

const VERSIONS = {
  fastapi: { version: '0.92.0', specifier: '==0.92.0', source: { file: 'requirements.txt', line: 1 } },
  starlette: { version: '0.26.1', specifier: '==0.26.1', source: { file: 'requirements.txt', line: 2 } },
};

/** The real example apps shipped with the package and the FastAPI fixtures used by the browser tests. */
const CASES: Array<{
  dir: string;
  layers: string[];
  origins?: unknown;
  methods?: unknown;
  headers?: unknown;
  credentials?: unknown;
}> = [
  {
    dir: 'examples/correct',
    layers: ['cors'],
    origins: ['http://localhost:3000'],
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    headers: ['Authorization', 'Content-Type'],
    credentials: true,
  },
  {
    dir: 'examples/auth-wraps-cors',
    layers: ['http-function:require_bearer_token', 'cors'],
    origins: ['http://localhost:3000'],
    methods: ['*'],
    headers: ['*'],
    credentials: true,
  },
  { dir: 'examples/error-500', layers: ['cors'], origins: ['http://localhost:3000'], credentials: true },
  { dir: 'examples/missing-middleware', layers: [] },
  { dir: 'examples/wildcard-credentials', layers: ['cors'], origins: ['*'], credentials: true },
  {
    dir: 'test/fixtures/fastapi/credentials-not-allowed',
    layers: ['cors'],
    origins: ['http://localhost:3000'],
    credentials: undefined,
  },
  { dir: 'test/fixtures/fastapi/default-methods', layers: ['cors'], methods: undefined, headers: ['*'] },
  { dir: 'test/fixtures/fastapi/duplicate-acao', layers: ['http-function:add_cors_header', 'cors'] },
  {
    dir: 'test/fixtures/fastapi/env-origins-spaces',
    layers: ['cors'],
    origins: ['http://localhost:5173', ' http://localhost:3000'],
  },
  { dir: 'test/fixtures/fastapi/exception-handler-500', layers: ['cors'] },
  { dir: 'test/fixtures/fastapi/headers-not-allowed', layers: ['cors'], headers: undefined, methods: ['*'] },
  { dir: 'test/fixtures/fastapi/https-redirect-outermost', layers: ['https-redirect', 'cors'] },
  { dir: 'test/fixtures/fastapi/loopback-ip', layers: ['cors'], origins: ['http://127.0.0.1:3000'] },
  { dir: 'test/fixtures/fastapi/other-port', layers: ['cors'], origins: ['http://localhost:5173'] },
  { dir: 'test/fixtures/fastapi/slash-redirect', layers: ['cors'] },
  { dir: 'test/fixtures/fastapi/trailing-slash', layers: ['cors'], origins: ['http://localhost:3000/'] },
  { dir: 'test/fixtures/fastapi/trusted-host-outermost', layers: ['trusted-host', 'cors'] },
];

describe('real example apps', () => {
  it.each(CASES)('$dir', async ({ dir, layers, ...expected }) => {
    const root = join(REPO, dir);
    const p = await readPythonProject(root);
    expect(p.apps).toHaveLength(1);
    expect(p.filesWithErrors).toEqual([]);
    expect(p.versions).toEqual(VERSIONS);
    const app = p.apps[0] as (typeof p.apps)[number];
    expect(app.source).toEqual({ file: 'main.py', line: lineIn(root, 'main.py', 'app = FastAPI(') });
    const user = app.middleware
      .slice(1, -2)
      .map((m) => (m.kind === 'http-function' ? `${m.kind}:${m.name}` : m.kind));
    expect(user).toEqual(layers);
    expect(stack(app)[0]).toBe('ServerErrorMiddleware server-error/builtin');
    expect(stack(app).slice(-2)).toEqual(['ExceptionMiddleware exception/builtin', 'Router router/builtin']);
    if (layers.includes('cors')) {
      const entry = cors(app);
      expect(entry.source).toEqual({ file: 'main.py', line: lineIn(root, 'main.py', 'CORSMiddleware,') - 1 });
      const o = entry.options ?? {};
      if ('origins' in expected) expect(plain(o.allow_origins)).toEqual(expected.origins);
      if ('methods' in expected) expect(plain(o.allow_methods)).toEqual(expected.methods);
      if ('headers' in expected) expect(plain(o.allow_headers)).toEqual(expected.headers);
      if ('credentials' in expected) expect(plain(o.allow_credentials)).toEqual(expected.credentials);
    }
  });

  it('auth-wraps-cors: the auth middleware rejects with 401 and does not let OPTIONS through', async () => {
    const root = join(REPO, 'examples/auth-wraps-cors');
    const p = await readPythonProject(root);
    const auth = p.apps[0]?.middleware[1];
    expect(auth).toMatchObject({
      name: 'require_bearer_token',
      registration: 'decorator',
      source: { file: 'main.py', line: lineIn(root, 'main.py', '@app.middleware("http")') },
      behaviour: {
        skipsOptions: false,
        mayReject: {
          status: 401,
          source: { file: 'main.py', line: lineIn(root, 'main.py', 'status_code=401') },
        },
      },
    });
  });

  it('exception-handler-500: the Exception handler belongs to ServerErrorMiddleware', async () => {
    const root = join(REPO, 'test/fixtures/fastapi/exception-handler-500');
    const p = await readPythonProject(root);
    const line = lineIn(root, 'main.py', '@app.exception_handler(Exception)');
    expect(p.apps[0]?.middleware[0]?.exceptionHandlers).toEqual([
      { key: 'Exception', source: { file: 'main.py', line } },
    ]);
  });

  it('correct: /me reads Authorization and the session cookie', async () => {
    const p = await readPythonProject(join(REPO, 'examples/correct'));
    const me = p.apps[0]?.routes.find((r) => r.path === '/me');
    expect(me).toMatchObject({
      methods: ['GET'],
      readsHeaders: ['authorization'],
      readsCookies: ['session'],
    });
  });
});
