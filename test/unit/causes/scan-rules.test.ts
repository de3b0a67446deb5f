import { describe, expect, it } from 'vitest';
import { scanApp } from '../../../src/causes/index.js';
import type { ScanContext } from '../../../src/causes/types.js';
import type { PythonApp } from '../../../src/python/types.js';
import {
  app,
  authMiddleware,
  bool,
  cors,
  list,
  project,
  route,
  rv,
  str,
  unresolved,
} from '../../support/python-app.js';

const ORIGIN = 'http://localhost:3000';
const right = {
  allow_origins: rv(list(ORIGIN)),
  allow_credentials: rv(bool(true)),
  allow_methods: rv(list('*')),
  allow_headers: rv(list('*')),
};

function codes(a: PythonApp, extra: Partial<ScanContext> = {}): string[] {
  const context: ScanContext = {
    project: project(a),
    app: a,
    origins: [ORIGIN],
    starletteVersion: '0.26.1',
    ...extra,
  };
  return scanApp(context).map((f) => f.code);
}

// Each row: an app as read from source, and the cause codes scan must report (an empty list: none).
const TABLE: Array<[string, PythonApp, string[]]> = [
  ['a correct app', app([cors(right)], [route('PUT', '/items/{id}', ['authorization'])]), []],
  ['no CORSMiddleware in an app with routes', app([]), ['no-cors-middleware']],
  ['no CORSMiddleware and no routes', app([], []), []],
  [
    'trailing slash',
    app([cors({ ...right, allow_origins: rv(list(`${ORIGIN}/`)) })]),
    ['origin-malformed', 'origin-not-allowed'],
  ],
  [
    'a path',
    app([cors({ ...right, allow_origins: rv(list(`${ORIGIN}/app`)) })]),
    ['origin-malformed', 'origin-not-allowed'],
  ],
  [
    'no scheme',
    app([cors({ ...right, allow_origins: rv(list('localhost:3000')) })]),
    ['origin-malformed', 'origin-not-allowed'],
  ],
  [
    'upper case',
    app([cors({ ...right, allow_origins: rv(list('http://LOCALHOST:3000')) })]),
    ['origin-malformed', 'origin-not-allowed'],
  ],
  [
    'default port written out',
    app([cors({ ...right, allow_origins: rv(list('https://example.com:443')) })]),
    ['origin-malformed', 'origin-not-allowed'],
  ],
  [
    'regex text in allow_origins',
    app([cors({ ...right, allow_origins: rv(list('https://.*\\.example\\.com')) })]),
    ['origin-malformed', 'origin-not-allowed'],
  ],
  [
    'a str instead of a list',
    app([cors({ ...right, allow_origins: rv(str('http://localhost:5173,http://x')) })]),
    ['origin-malformed', 'origin-not-allowed'],
  ],
  [
    'None',
    app([cors({ ...right, allow_origins: rv({ kind: 'none' }) })]),
    ['origin-malformed', 'origin-not-allowed'],
  ],
  [
    'another port',
    app([cors({ ...right, allow_origins: rv(list('http://localhost:5173')) })]),
    ['origin-not-allowed'],
  ],
  [
    '127.0.0.1 instead of localhost',
    app([cors({ ...right, allow_origins: rv(list('http://127.0.0.1:3000')) })]),
    ['origin-not-allowed'],
  ],
  [
    'regex that fully matches',
    app([
      cors({ ...right, allow_origins: rv(list()), allow_origin_regex: rv(str('http://localhost:\\d+')) }),
    ]),
    [],
  ],
  [
    'regex that only prefix-matches',
    app([cors({ ...right, allow_origins: rv(list()), allow_origin_regex: rv(str('http://local')) })]),
    ['origin-not-allowed'],
  ],
  [
    'unresolved origins: never guessed, said',
    app([cors({ ...right, allow_origins: rv(unresolved('get_origins()')) })]),
    ['scan-incomplete'],
  ],
  [
    'env var unset: [""]',
    app([
      cors({
        ...right,
        allow_origins: rv({
          kind: 'list',
          items: [rv(str(''), 12, { via: ['os.getenv("ORIGINS", "")', 'split(",")'] })],
        }),
      }),
    ]),
    ['env-origins-misparsed', 'origin-not-allowed'],
  ],
  [
    'spaces after commas',
    app([
      cors({
        ...right,
        allow_origins: rv({
          kind: 'list',
          items: [rv(str('http://localhost:5173')), rv(str(` ${ORIGIN}`), 12, { via: ['split(",")'] })],
        }),
      }),
    ]),
    ['env-origins-misparsed', 'origin-not-allowed'],
  ],
  [
    '* with credentials',
    app([cors({ ...right, allow_origins: rv(list('*')) })]),
    ['wildcard-with-credentials', 'wildcard-credentials-reflection'],
  ],
  [
    '* without credentials',
    app([cors({ ...right, allow_origins: rv(list('*')), allow_credentials: rv(bool(false)) })]),
    [],
  ],
  [
    'default allow_methods with PUT routes',
    app([cors({ allow_origins: rv(list(ORIGIN)) })], [route('PUT', '/items/{id}')]),
    ['method-not-allowed'],
  ],
  [
    'lower-case methods',
    app([cors({ ...right, allow_methods: rv(list('get', 'put')) })], [route('GET', '/items')]),
    ['method-not-allowed'],
  ],
  [
    'Authorization read but not allowed',
    app(
      [cors({ ...right, allow_headers: rv(list('content-type')) })],
      [route('GET', '/me', ['authorization'])],
    ),
    ['header-not-allowed'],
  ],
  [
    'a custom header read, default allow_headers',
    app([cors({ ...right, allow_headers: undefined })], [route('GET', '/me', ['x-api-key'])]),
    ['header-not-allowed'],
  ],
  [
    'auth middleware added after CORS (outermost)',
    app([authMiddleware(), cors(right)]),
    ['preflight-rejected'],
  ],
  ['auth middleware that lets OPTIONS through', app([authMiddleware(20, true), cors(right)]), []],
  ['auth middleware inside CORS', app([cors(right), authMiddleware()]), []],
  [
    'TrustedHost outermost',
    app([
      {
        name: 'TrustedHostMiddleware',
        kind: 'trusted-host',
        registration: 'add_middleware',
        source: { file: 'app/main.py', line: 15 },
      },
      cors(right),
    ]),
    ['preflight-rejected'],
  ],
  [
    'HTTPSRedirect outermost',
    app([
      {
        name: 'HTTPSRedirectMiddleware',
        kind: 'https-redirect',
        registration: 'add_middleware',
        source: { file: 'app/main.py', line: 15 },
      },
      cors(right),
    ]),
    ['preflight-redirected'],
  ],
  ['two CORS middlewares', app([cors(right, 8), cors(right, 12)]), ['duplicate-cors-headers']],
  [
    'Access-Control-Allow-Origin appended in middleware outside CORS',
    app([appending('Access-Control-Allow-Origin', 18), cors(right)]),
    ['duplicate-cors-headers'],
  ],
  [
    'Access-Control-Allow-Origin appended in middleware inside CORS (replaced, not doubled)',
    app([cors(right), appending('Access-Control-Allow-Origin', 18)]),
    [],
  ],
  ['another header appended outside CORS', app([appending('X-Request-ID', 18), cors(right)]), []],
  [
    '@exception_handler(Exception)',
    app([cors(right)], undefined, {
      exceptionHandlers: [{ key: 'Exception', source: { file: 'app/main.py', line: 40 } }],
    }),
    ['error-response-without-cors'],
  ],
  [
    'HTTPException raised in @app.middleware',
    app([
      {
        ...authMiddleware(),
        behaviour: { raisesHttpException: { file: 'app/main.py', line: 23 }, skipsOptions: true },
      },
      cors(right),
    ]),
    ['error-response-without-cors'],
  ],
  [
    'a header the route sets but does not expose',
    app([cors(right)], [route('GET', '/items', [], ['X-Total-Count'])]),
    ['header-not-exposed'],
  ],
];

describe('scan rules on apps read from source', () => {
  it.each(TABLE)('%s', (_title, a, expected) => {
    expect(codes(a).sort()).toEqual([...expected].sort());
  });
  it('without --origin there is no origin-specific finding', () => {
    expect(
      codes(app([cors({ ...right, allow_origins: rv(list('http://localhost:5173')) })]), { origins: [] }),
    ).toEqual([]);
  });
  it('--method narrows to the request the frontend makes', () => {
    const a = app([cors({ allow_origins: rv(list(ORIGIN)) })], [route('GET', '/items')]);
    expect(codes(a)).toEqual([]);
    expect(codes(a, { request: { method: 'DELETE', headers: [] } })).toEqual(['method-not-allowed']);
  });
  it('* with credentials explains the version: reflection from Starlette 1.0', () => {
    const a = app([cors({ ...right, allow_origins: rv(list('*')) })]);
    const old = scanApp({ project: project(a), app: a, origins: [], starletteVersion: '0.26.1' })[0];
    const modern = scanApp({ project: project(a), app: a, origins: [], starletteVersion: '1.3.1' })[0];
    expect(old?.message).toMatch(/without a Cookie header/);
    expect(modern?.message).toMatch(/any website can make credentialed requests/);
  });
});

/** An `@app.middleware("http")` function that appends a response header line. */
function appending(name: string, line: number): PythonApp['middleware'][number] {
  return {
    name: 'add_header',
    kind: 'http-function',
    registration: 'decorator',
    source: { file: 'app/main.py', line: line - 3 },
    behaviour: {
      skipsOptions: false,
      writesHeaders: [
        { name, value: 'http://localhost:3000', mode: 'append', source: { file: 'app/main.py', line } },
      ],
    },
  };
}
