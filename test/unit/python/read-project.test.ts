import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPythonProject } from '../../../src/python/read-project.js';
import type { PythonProject } from '../../../src/python/types.js';
import { appNamed, cors, lineIn, PROJECTS, plain, stack } from './helpers.js';

const projects = new Map<string, PythonProject>();
async function read(name: string): Promise<PythonProject> {
  let p = projects.get(name);
  if (!p) {
    p = await readPythonProject(join(PROJECTS, name));
    projects.set(name, p);
  }
  return p;
}
const dir = (name: string) => join(PROJECTS, name);

describe('simple-literals: add_middleware with literal options', () => {
  let p: PythonProject;
  beforeAll(async () => {
    p = await read('simple-literals');
  });
  it('reads the stack', () => {
    const L = (s: string) => lineIn(dir('simple-literals'), 'app/main.py', s);
    expect(p.apps).toHaveLength(1);
    const app = appNamed(p, 'app');
    expect(app.source).toEqual({ file: 'app/main.py', line: L('FastAPI(') });
    expect(app.framework).toBe('fastapi');
    expect(stack(app)).toEqual([
      'ServerErrorMiddleware server-error/builtin',
      `CORSMiddleware cors/add_middleware app/main.py:${L('app.add_middleware(')}`,
      'ExceptionMiddleware exception/builtin',
      'Router router/builtin',
    ]);
  });
  it.each([
    ['allow_origins', ['http://localhost:3000', 'https://shop.example.com'], 'list'],
    ['allow_origin_regex', 'https://.*\\.shop\\.example\\.com', 'str'],
    ['allow_credentials', true, 'bool'],
    ['allow_methods', ['GET', 'POST'], 'tuple'],
    ['allow_headers', ['Authorization', 'Content-Type'], 'set'],
    ['expose_headers', ['X-Total-Count'], 'list'],
    ['max_age', 3600, 'int'],
  ] as const)('%s = %j (%s)', (key, value, kind) => {
    const opt = cors(appNamed(p, 'app')).options?.[key];
    expect(plain(opt)).toEqual(value);
    expect(opt?.value.kind).toBe(kind);
    expect(opt?.source).toEqual({
      file: 'app/main.py',
      line: lineIn(dir('simple-literals'), 'app/main.py', `${key}=`),
    });
  });
  it('reads versions from requirements.txt (minimum, compatible and pinned)', () => {
    expect(p.versions).toEqual({
      fastapi: { version: '0.110.0', specifier: '>=0.110.0', source: { file: 'requirements.txt', line: 2 } },
      starlette: { version: '0.36.3', specifier: '~=0.36.3', source: { file: 'requirements.txt', line: 3 } },
      pydantic: { version: '2.6.4', specifier: '==2.6.4', source: { file: 'requirements.txt', line: 4 } },
    });
  });
  it('reads the route', () => {
    expect(appNamed(p, 'app').routes).toEqual([
      {
        path: '/products',
        methods: ['GET'],
        source: { file: 'app/main.py', line: 18 },
        readsHeaders: [],
        readsCookies: [],
        setsHeaders: [],
      },
    ]);
  });
});

describe('middleware-order: Starlette ordering rules', () => {
  let p: PythonProject;
  const L = (s: string, file = 'app/main.py') => lineIn(dir('middleware-order'), file, s);
  beforeAll(async () => {
    p = await read('middleware-order');
  });
  it('puts the last added outermost and the constructor list innermost', () => {
    const app = appNamed(p, 'app');
    expect(stack(app)).toEqual([
      'ServerErrorMiddleware server-error/builtin',
      `require_token http-function/decorator app/main.py:${L('@app.middleware("http")')}`,
      `TenantMiddleware http-function/add_middleware app/main.py:${L('add_middleware(TenantMiddleware)')}`,
      `RateLimitMiddleware http-function/add_middleware app/main.py:${L('add_middleware(RateLimitMiddleware)')}`,
      `HTTPSRedirectMiddleware https-redirect/add_middleware app/main.py:${L('add_middleware(HTTPSRedirectMiddleware)')}`,
      `TrustedHostMiddleware trusted-host/add_middleware app/main.py:${L('add_middleware(TrustedHostMiddleware')}`,
      `CORSMiddleware cors/add_middleware app/main.py:${L('app.add_middleware(')}`,
      `GZipMiddleware gzip/constructor app/main.py:${L('Middleware(GZipMiddleware')}`,
      `SessionMiddleware session/constructor app/main.py:${L('Middleware(SessionMiddleware')}`,
      'ExceptionMiddleware exception/builtin',
      'Router router/builtin',
    ]);
    expect(app.redirectSlashes).toBe(false);
  });
  it('reads what middleware code does', () => {
    const [, token, tenant, rate] = appNamed(p, 'app').middleware;
    expect(token?.behaviour).toEqual({
      skipsOptions: false,
      mayReject: { status: 401, source: { file: 'app/main.py', line: L('status_code=401') } },
      rejectsWithout: 'authorization',
      body: {
        first: { file: 'app/main.py', line: L('if request.headers.get("authorization")') },
        parameters: ['request', 'call_next'],
        async: true,
      },
    });
    const raise = { file: 'app/middleware.py', line: L('raise HTTPException', 'app/middleware.py') };
    expect(tenant?.behaviour).toEqual({
      skipsOptions: true,
      raisesHttpException: raise,
      httpExceptions: [
        {
          source: raise,
          text: 'raise HTTPException(status_code=400, detail="missing tenant")',
          status: '400',
          statusCode: 400,
          detail: '"missing tenant"',
        },
      ],
      body: {
        first: { file: 'app/middleware.py', line: L('if request.method == "OPTIONS"', 'app/middleware.py') },
        parameters: ['request', 'call_next'],
        async: true,
      },
    });
    expect(rate?.behaviour).toEqual({
      skipsOptions: false,
      mayReject: {
        status: 429,
        source: { file: 'app/middleware.py', line: L('HTTP_429', 'app/middleware.py') },
      },
      body: {
        first: { file: 'app/middleware.py', line: L('if request.client', 'app/middleware.py') },
        parameters: ['request', 'call_next'],
        async: true,
      },
    });
    expect(rate?.qualifiedName).toBe('app/middleware.py:RateLimitMiddleware');
  });
  it('keeps arguments of other middleware', () => {
    const app = appNamed(p, 'app');
    const th = app.middleware.find((m) => m.kind === 'trusted-host');
    expect(plain(th?.arguments?.allowed_hosts)).toEqual(['api.example.com', '*.example.com']);
    expect(plain(app.middleware.find((m) => m.kind === 'gzip')?.arguments?.minimum_size)).toBe(500);
  });
  it('puts @exception_handler(500) on ServerErrorMiddleware, others on ExceptionMiddleware', () => {
    const app = appNamed(p, 'app');
    expect(app.exceptionHandlers).toEqual([
      { key: '500', source: { file: 'app/main.py', line: L('@app.exception_handler(500)') } },
      {
        key: 'HTTPException',
        source: { file: 'app/main.py', line: L('@app.exception_handler(HTTPException)') },
      },
    ]);
    expect(app.middleware[0]?.exceptionHandlers).toEqual([
      { key: '500', source: { file: 'app/main.py', line: L('@app.exception_handler(500)') } },
    ]);
    expect(app.middleware.at(-2)?.exceptionHandlers).toEqual([
      {
        key: 'HTTPException',
        source: { file: 'app/main.py', line: L('@app.exception_handler(HTTPException)') },
      },
    ]);
  });
  it('prefers poetry.lock over pyproject.toml', () => {
    expect(p.versions).toEqual({
      fastapi: { version: '0.95.2', specifier: '==0.95.2', source: { file: 'poetry.lock', line: 11 } },
      pydantic: { version: '1.10.15', specifier: '==1.10.15', source: { file: 'poetry.lock', line: 21 } },
      starlette: { version: '0.27.0', specifier: '==0.27.0', source: { file: 'poetry.lock', line: 27 } },
    });
  });
});

describe('env-getenv: os.getenv / os.environ with .env, defaults and docker-compose', () => {
  let p: PythonProject;
  beforeAll(async () => {
    p = await read('env-getenv');
  });
  const C = (s: string) => lineIn(dir('env-getenv'), 'app/config.py', s);
  /** Where app/config.py reads the variable. */
  const readAt = (s: string) => ({ file: 'app/config.py', line: C(s) });
  it.each([
    [
      'allow_origins',
      ['http://localhost:3000', ' http://localhost:5173', ''],
      { name: 'CORS_ORIGINS', valueFrom: { file: '.env', line: 2 }, defaultUsed: false },
      'ORIGINS_RAW = ',
    ],
    ['allow_methods', [''], { name: 'CORS_METHODS', defaultUsed: true }, 'CORS_METHODS = '],
    [
      'allow_headers',
      ['Authorization', 'Content-Type'],
      { name: 'CORS_HEADERS', defaultUsed: true },
      'CORS_HEADERS = ',
    ],
    [
      'allow_credentials',
      true,
      { name: 'CORS_CREDENTIALS', valueFrom: { file: 'docker-compose.yml', line: 5 }, defaultUsed: false },
      'CREDENTIALS = ',
    ],
    [
      'allow_origin_regex',
      'https://.*\\.example\\.com',
      { name: 'CORS_REGEX', valueFrom: { file: 'docker-compose.yml', line: 6 }, defaultUsed: false },
      'REGEX = ',
    ],
    ['max_age', 600, { name: 'CORS_MAX_AGE', defaultUsed: true }, 'MAX_AGE = '],
  ] as const)('%s', (key, value, env, reading) => {
    const opt = cors(appNamed(p, 'app')).options?.[key];
    expect(plain(opt)).toEqual(value);
    expect(opt?.env).toEqual({ ...env, readAt: readAt(reading) });
  });
  it('explains the derivation', () => {
    expect(cors(appNamed(p, 'app')).options?.allow_origins?.via).toEqual([
      `CORS_ORIGINS at app/config.py:${C('CORS_ORIGINS = ')}`,
      `ORIGINS_RAW at app/config.py:${C('ORIGINS_RAW = ')}`,
      `os.getenv("CORS_ORIGINS") at app/config.py:${C('ORIGINS_RAW = ')}`,
      '.env CORS_ORIGINS at .env:2',
      'split(",")',
    ]);
  });
  it('never guesses an unset os.environ["X"]', () => {
    const opt = cors(appNamed(p, 'app')).options?.expose_headers;
    expect(opt?.value).toMatchObject({ kind: 'unresolved', expression: 'config.EXPOSE' });
    expect(plain(opt)).toEqual({
      unresolved:
        'CORS_EXPOSE is not set in any .env or compose file (os.environ["CORS_EXPOSE"] raises KeyError)',
    });
  });
  it('evaluates strip comprehensions with a filter', () => {
    expect(plain(cors(appNamed(p, 'api')).options?.allow_origins)).toEqual([
      'http://localhost:3000',
      'http://localhost:5173',
    ]);
  });
});

describe('pydantic v1 BaseSettings', () => {
  let p: PythonProject;
  beforeAll(async () => {
    p = await read('pydantic-v1-settings');
  });
  it('JSON list from .env, v1 AnyHttpUrl keeps the trailing slash as written', () => {
    const opt = cors(appNamed(p, 'app')).options?.allow_origins;
    expect(plain(opt)).toEqual(['http://localhost:3000/', 'https://orders.example.com']);
    expect(opt?.env).toEqual({
      name: 'BACKEND_CORS_ORIGINS',
      valueFrom: { file: '.env', line: 2 },
      defaultUsed: false,
      readAt: { file: 'app/core/config.py', line: 9 },
      decoding: 'json',
    });
  });
  it.each([
    ['allow_credentials', true],
    ['allow_methods', ['GET']],
    ['allow_headers', ['Authorization', 'X-Request-Id']],
    ['allow_origin_regex', null],
  ] as const)('%s', (key, value) => {
    expect(plain(cors(appNamed(p, 'app')).options?.[key])).toEqual(value);
  });
  it('a comma list for a List field is a SettingsError in v1: unresolved', () => {
    const opt = cors(appNamed(p, 'other')).options?.allow_origins;
    expect(opt?.value.kind).toBe('unresolved');
    expect(plain(opt)).toEqual({
      unresolved:
        'pydantic v1 raises SettingsError: error parsing env var "EXTRA_ORIGINS" — List[str] fields are JSON-decoded and "http://localhost:8080,http://localhost:8081" (env_file .env EXTRA_ORIGINS at .env:3) is not JSON',
    });
  });
  it('the Field(env=...) name is used', () => {
    expect(cors(appNamed(p, 'app')).options?.allow_headers?.env?.name).toBe('CORS_ALLOW_HEADERS');
  });
});

describe('full-stack-fastapi-template', () => {
  it('settings.all_cors_origins: parse_cors BeforeValidator, AnyUrl "/" stripped, FRONTEND_HOST not normalised', async () => {
    const p = await read('fullstack-template');
    const app = appNamed(p, 'app');
    expect(app.source).toEqual({ file: 'backend/app/main.py', line: 13 });
    const opt = cors(app).options?.allow_origins;
    expect(plain(opt)).toEqual([
      'http://localhost',
      'http://localhost:5173',
      'https://localhost',
      'https://localhost:5173',
      'http://localhost.tiangolo.com',
      'http://localhost:5173/',
    ]);
    expect(opt?.via.slice(0, 5)).toEqual([
      'Settings.all_cors_origins property at backend/app/core/config.py:46',
      'all_cors_origins() at backend/app/core/config.py:46',
      'Settings.BACKEND_CORS_ORIGINS field at backend/app/core/config.py:40',
      'env_file .env BACKEND_CORS_ORIGINS at .env:7',
      'not JSON; kept as a string (Annotated[list[AnyUrl] | str, BeforeValidator(parse_cors)] allows str)',
    ]);
    expect(p.versions.starlette).toEqual({
      version: '0.46.2',
      specifier: '==0.46.2',
      source: { file: 'uv.lock', line: 20 },
    });
    expect(app.routes.map((r) => `${r.methods.join(',')} ${r.path} ${r.readsHeaders.join(',')}`)).toEqual([
      'POST /api/v1/login/access-token ',
      'GET /api/v1/items/ authorization',
      'POST /api/v1/items/ authorization',
    ]);
  });
  it('2024-02 style: field_validator(mode="before") + [str(origin).strip("/") ...]', async () => {
    const p = await read('fullstack-2024-02');
    expect(plain(cors(appNamed(p, 'app')).options?.allow_origins)).toEqual([
      'http://localhost',
      'http://localhost:5173',
      'https://dashboard.example.com',
    ]);
    // Without strip("/"), pydantic v2 URLs keep the "/" they gain.
    const strict = cors(appNamed(p, 'strict')).options?.allow_origins;
    expect(plain(strict)).toEqual(['http://localhost:3000/', 'https://app.example.com/']);
    expect(strict?.via).toContain('pydantic v2 AnyHttpUrl adds a trailing "/" to origins without a path');
  });
});

describe('wrapped-app: app = CORSMiddleware(app, ...) and other ASGI wrappers', () => {
  it('puts wrappers outside ServerErrorMiddleware, last wrap outermost', async () => {
    const p = await read('wrapped-app');
    const app = appNamed(p, 'app');
    const L = (s: string) => lineIn(dir('wrapped-app'), 'main.py', s);
    expect(stack(app)).toEqual([
      `ASGIApp other/wrap main.py:${L('socketio.ASGIApp')}`,
      `CORSMiddleware cors/wrap main.py:${L('app = CORSMiddleware(')}`,
      'ServerErrorMiddleware server-error/builtin',
      'ExceptionMiddleware exception/builtin',
      'Router router/builtin',
    ]);
    expect(plain(cors(app).options?.allow_origins)).toEqual(['https://app.example.com']);
    expect(app.middleware[2]?.exceptionHandlers).toEqual([
      { key: 'Exception', source: { file: 'main.py', line: L('@app.exception_handler') } },
    ]);
    expect(app.mounts).toEqual([
      {
        path: '/static',
        target: 'StaticFiles(directory="static")',
        source: { file: 'main.py', line: L('"/static"') },
      },
      { path: '/admin', target: 'admin', source: { file: 'main.py', line: L('app.mount("/admin"') } },
    ]);
    expect(p.apps.map((a) => a.variable)).toEqual(['app', 'admin']);
  });
});

describe('aliases and imports across modules', () => {
  it('follows FastAPI as F, fastapi.FastAPI, re-exported CORSMiddleware, helper functions and **kwargs', async () => {
    const p = await read('aliases');
    expect(p.apps.map((a) => `${a.variable} ${a.source.file}:${a.source.line}`)).toEqual([
      'app app/web/factory.py:14',
      'other app/web/factory.py:19',
    ]);
    const app = appNamed(p, 'app');
    expect(stack(app)[1]).toBe('StarletteCors cors/add_middleware app/web/factory.py:10');
    expect(cors(app).qualifiedName).toBe('starlette.middleware.cors.CORSMiddleware');
    expect(plain(cors(app).options?.allow_origins)).toEqual([
      'http://localhost:3000',
      'https://a.example.com',
      'https://b.example.com',
      'https://admin.example.com',
    ]);
    expect(plain(cors(app).options?.allow_methods)).toEqual(['GET', 'POST']);
    const other = appNamed(p, 'other');
    expect(stack(other)[1]).toBe('Cors cors/add_middleware app/main.py:6');
    expect(cors(other).qualifiedName).toBe('fastapi.middleware.cors.CORSMiddleware');
    expect(plain(cors(other).options?.allow_origins)).toEqual(['*']);
    expect(plain(cors(other).options?.allow_headers)).toEqual(['X-Custom']);
  });
});

describe('syntax errors', () => {
  it('reads what it can and lists the file', async () => {
    const p = await read('syntax-error');
    expect(p.filesWithErrors).toEqual([
      { file: 'app/main.py', line: 14, message: 'syntax error: missing ")"' },
    ]);
    const app = appNamed(p, 'app');
    expect(plain(cors(app).options?.allow_origins)).toEqual(['http://localhost:3000']);
    expect(app.routes.map((r) => r.path)).toEqual(['/items', '/health']);
  });
});

describe('routes', () => {
  it('combines prefixes and reads headers, cookies, dependencies two levels deep', async () => {
    const p = await read('routes');
    const app = appNamed(p, 'app');
    const I = (s: string) => lineIn(dir('routes'), 'app/api/items.py', s);
    expect(app.routes).toEqual([
      {
        path: '/api/v1/items',
        methods: ['GET'],
        source: { file: 'app/api/items.py', line: I('@router.get("")') },
        readsHeaders: ['x-api-key', 'x-request-id'],
        readsCookies: [],
        setsHeaders: ['X-Total-Count'],
      },
      {
        path: '/api/v1/items/{item_id}',
        methods: ['PUT', 'PATCH'],
        source: { file: 'app/api/items.py', line: I('@router.api_route') },
        readsHeaders: ['x-api-key', 'authorization', 'x-tenant-id'],
        readsCookies: [],
        setsHeaders: [],
      },
      {
        path: '/api/v1/items/{item_id}',
        methods: ['DELETE'],
        source: { file: 'app/api/items.py', line: I('@router.delete') },
        readsHeaders: ['x-api-key', 'authorization'],
        readsCookies: ['csrftoken'],
        setsHeaders: [],
      },
      {
        path: '/api/v1/items/raw',
        methods: ['GET'],
        source: { file: 'app/api/items.py', line: I('@router.get("/raw")') },
        readsHeaders: ['x-api-key', 'my_header'],
        readsCookies: ['sessionid'],
        setsHeaders: [],
      },
      {
        path: '/ping',
        methods: ['OPTIONS'],
        source: { file: 'app/main.py', line: 13 },
        readsHeaders: ['x-token'],
        readsCookies: [],
        setsHeaders: [],
      },
      {
        path: '/ping',
        methods: ['HEAD'],
        source: { file: 'app/main.py', line: 13 },
        readsHeaders: ['x-token'],
        readsCookies: [],
        setsHeaders: [],
      },
    ]);
  });
});

describe('starlette-app', () => {
  it('Starlette(middleware=[...]) is inside a later add_middleware; routes=[Route(...)]; Pipfile.lock', async () => {
    const p = await read('starlette-app');
    const app = appNamed(p, 'app');
    expect(app.framework).toBe('starlette');
    expect(stack(app)).toEqual([
      'ServerErrorMiddleware server-error/builtin',
      'AuthenticationMiddleware authentication/add_middleware app.py:18',
      'CORSMiddleware cors/constructor app.py:14',
      'ExceptionMiddleware exception/builtin',
      'Router router/builtin',
    ]);
    expect(app.routes.map((r) => `${r.methods.join(',')} ${r.path}`)).toEqual(['GET /', 'POST /submit']);
    expect(p.versions).toEqual({
      starlette: { version: '0.37.2', specifier: '==0.37.2', source: { file: 'Pipfile.lock', line: 4 } },
    });
  });
});
