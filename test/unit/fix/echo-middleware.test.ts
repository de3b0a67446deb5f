// A hand-written middleware that writes the Origin back, replaced by CORSMiddleware when it does nothing
// else: rows of middleware as people write it, each replaced (the result parses as Python) or refused with
// the reason.
import { describe, expect, it } from 'vitest';
import { readPattern, starletteCompile } from '../../../src/causes/security-scan.js';
import { corsMiddlewareInstead, echoMiddlewareFix, fullmatchOf } from '../../../src/fix/echo-middleware.js';
import { edited } from '../../../src/fix/patches.js';

const APP = 'https://app.example.com';

/** A module with `middleware` (lines at the top level) between `app = FastAPI()` and a route. */
const module = (middleware: string[], head: string[] = ['from fastapi import FastAPI, Request']): string =>
  [
    ...head,
    '',
    'app = FastAPI()',
    '',
    '',
    ...middleware,
    '',
    '',
    '@app.get("/me")',
    'def me():',
    '    return {"user": "alice"}',
    '',
  ].join('\n');

/** `@app.middleware("http")` over `body` (lines of the function's body). */
const decorated = (body: string[], name = 'allow_the_caller'): string[] => [
  '@app.middleware("http")',
  `async def ${name}(request: Request, call_next):`,
  ...body.map((l) => `    ${l}`),
];

const HEAD = ['from fastapi import FastAPI, Request'];

/** The Origin written back under `test` (an `if` line). */
const guarded = (test: string): string[] => [
  'response = await call_next(request)',
  'origin = request.headers.get("origin")',
  test,
  '    response.headers["Access-Control-Allow-Origin"] = origin',
  '    response.headers["Access-Control-Allow-Credentials"] = "true"',
  'return response',
];

const ECHO = [
  'response = await call_next(request)',
  'origin = request.headers.get("origin")',
  'if origin:',
  '    response.headers["Access-Control-Allow-Origin"] = origin',
  '    response.headers["Access-Control-Allow-Credentials"] = "true"',
  'return response',
];

/** The middleware entry as the app reader gives it: registered where `marker` first is. */
function entryOf(text: string, name: string, marker: string, registration: string) {
  const line = text.split('\n').findIndex((l) => l.includes(marker)) + 1;
  return { name, registration, source: { file: 'main.py', line } };
}

interface Row {
  name: string;
  text: string;
  entry?: { name: string; marker: string; registration: string };
  origins?: string[];
  framework?: string;
  /** Lines the result has. */
  has?: string[];
  /** Lines the result no longer has. */
  lacks?: string[];
  /** Refused: why. */
  why?: RegExp;
}

const DECORATOR = { name: 'allow_the_caller', marker: '@app.middleware', registration: 'decorator' };

const ROWS: Row[] = [
  {
    name: 'an Origin echoed under `if origin:`',
    text: module(decorated(ECHO)),
    has: [
      'from fastapi.middleware.cors import CORSMiddleware',
      'app.add_middleware(',
      '    allow_origins=["https://app.example.com"],',
      '    allow_credentials=True,',
    ],
    lacks: ['@app.middleware("http")', '    response = await call_next(request)'],
  },
  {
    name: 'written straight back, with methods, headers, exposed headers and max age',
    text: module(
      decorated([
        '"""CORS for the frontend."""',
        'response: Response = await call_next(request)',
        'response.headers["Access-Control-Allow-Origin"] = request.headers.get("origin", "")',
        "response.headers['Access-Control-Allow-Credentials'] = 'true'",
        'response.headers["Access-Control-Allow-Methods"] = "GET, post,PUT"',
        'response.headers["Access-Control-Allow-Headers"] = "Authorization, X-CSRF-Token"',
        'response.headers.append("Access-Control-Expose-Headers", "X-Total-Count")',
        'response.headers["Access-Control-Max-Age"] = "600"',
        'response.headers["Vary"] = "Origin"  # caches keep one answer per origin',
        'return response',
      ]),
    ),
    has: [
      '    allow_methods=["GET", "POST", "PUT"],',
      '    allow_headers=["Authorization", "X-CSRF-Token"],',
      '    expose_headers=["X-Total-Count"],',
      '    max_age=600,',
    ],
  },
  {
    name: 'preflights answered by the middleware itself, the Origin written on every answer',
    text: module(
      decorated([
        'if request.method == "OPTIONS":',
        '    response = Response(status_code=204)',
        'else:',
        '    response = await call_next(request)',
        'response.headers["Access-Control-Allow-Origin"] = request.headers.get("origin", "")',
        'response.headers["Access-Control-Allow-Credentials"] = "true"',
        'response.headers["Access-Control-Allow-Methods"] = "GET, PUT, OPTIONS"',
        'return response',
      ]),
    ),
    has: ['    allow_methods=["GET", "PUT", "OPTIONS"],', '    allow_credentials=True,'],
  },
  {
    name: 'a response made outside a test of OPTIONS',
    text: module(
      decorated([
        'response = JSONResponse({"detail": "maintenance"}, status_code=503)',
        'response.headers["Access-Control-Allow-Origin"] = request.headers.get("origin", "")',
        'return response',
      ]),
    ),
    why: /does more than write CORS headers \(main\.py:\d+: `response = JSONResponse/,
  },
  {
    name: 'a Starlette app: the import from starlette',
    text: module(decorated(ECHO), ['from starlette.applications import Starlette']).replace(
      'FastAPI()',
      'Starlette()',
    ),
    framework: 'starlette',
    has: ['from starlette.middleware.cors import CORSMiddleware'],
  },
  {
    name: 'CORSMiddleware already imported: not imported twice',
    text: module(decorated(ECHO), [
      'from fastapi import FastAPI, Request',
      'from fastapi.middleware.cors import CORSMiddleware',
    ]),
    has: ['app.add_middleware('],
  },
  {
    name: 'inside an app factory: at the function indentation',
    text: [
      'from fastapi import FastAPI, Request',
      '',
      '',
      'def create_app():',
      '    app = FastAPI()',
      '',
      ...decorated(ECHO).map((l) => `    ${l}`),
      '',
      '    return app',
      '',
    ].join('\n'),
    has: ['    app.add_middleware(', '        allow_origins=["https://app.example.com"],', '    return app'],
  },
  {
    name: 'a BaseHTTPMiddleware class: the class goes, its registration becomes CORSMiddleware',
    text: [
      'from fastapi import FastAPI, Request',
      'from starlette.middleware.base import BaseHTTPMiddleware',
      '',
      '',
      'class EchoOrigin(BaseHTTPMiddleware):',
      '    async def dispatch(self, request, call_next):',
      ...ECHO.map((l) => `        ${l}`),
      '',
      '',
      'app = FastAPI()',
      'app.add_middleware(EchoOrigin)',
      '',
    ].join('\n'),
    entry: { name: 'EchoOrigin', marker: 'add_middleware(EchoOrigin)', registration: 'add_middleware' },
    has: ['app.add_middleware(', '    CORSMiddleware,'],
    lacks: ['class EchoOrigin(BaseHTTPMiddleware):', 'app.add_middleware(EchoOrigin)'],
  },
  {
    name: 'a class with more methods than dispatch',
    text: [
      'from starlette.middleware.base import BaseHTTPMiddleware',
      '',
      'class EchoOrigin(BaseHTTPMiddleware):',
      '    def __init__(self, app, origins):',
      '        super().__init__(app)',
      '',
      '    async def dispatch(self, request, call_next):',
      ...ECHO.map((l) => `        ${l}`),
      '',
      'app.add_middleware(EchoOrigin)',
      '',
    ].join('\n'),
    entry: { name: 'EchoOrigin', marker: 'add_middleware(EchoOrigin)', registration: 'add_middleware' },
    why: /EchoOrigin defines other methods than dispatch/,
  },
  {
    name: 'a class registered with arguments',
    text: [
      'class EchoOrigin(BaseHTTPMiddleware):',
      '    async def dispatch(self, request, call_next):',
      ...ECHO.map((l) => `        ${l}`),
      '',
      'app.add_middleware(EchoOrigin, origins=["*"])',
      '',
    ].join('\n'),
    entry: { name: 'EchoOrigin', marker: 'add_middleware(EchoOrigin', registration: 'add_middleware' },
    why: /registered with arguments/,
  },
  {
    name: 'another header beside the CORS ones',
    text: module(
      decorated([
        'response = await call_next(request)',
        'response.headers["X-Frame-Options"] = "DENY"',
        ...ECHO.slice(1),
      ]),
    ),
    why: /does more than write CORS headers \(main\.py:\d+: it writes X-Frame-Options, which CORSMiddleware does not write\)/,
  },
  {
    name: 'a log line',
    text: module(decorated([...ECHO.slice(0, 2), 'logger.info("origin %s", origin)', ...ECHO.slice(2)])),
    why: /does more than write CORS headers \(main\.py:\d+: `logger\.info\("origin %s", origin\)`\)/,
  },
  {
    name: 'an else branch',
    text: module(
      decorated([...ECHO.slice(0, 5), 'else:', '    response.status_code = 403', 'return response']),
    ),
    why: /does more than write CORS headers \(main\.py:\d+: `response\.status_code = 403`\)/,
  },
  {
    name: 'a literal Access-Control-Allow-Origin',
    text: module(
      decorated([
        ...ECHO.slice(0, 4),
        '    response.headers["Access-Control-Allow-Origin"] = "*"',
        ...ECHO.slice(4),
      ]),
    ),
    why: /it writes Access-Control-Allow-Origin as "\*"/,
  },
  {
    name: 'Vary on more than Origin',
    text: module(
      decorated([...ECHO.slice(0, 5), '    response.headers["Vary"] = "Origin, Cookie"', 'return response']),
    ),
    why: /it writes Vary: Origin, Cookie/,
  },
  {
    name: 'the function used elsewhere',
    text: `${module(decorated(ECHO))}\nMIDDLEWARE = [allow_the_caller]\n`,
    why: /allow_the_caller is used elsewhere in main\.py/,
  },
  {
    name: 'another decorator on the function',
    text: module([
      '@app.middleware("http")',
      '@traced',
      'async def allow_the_caller(request, call_next):',
      ...ECHO.map((l) => `    ${l}`),
    ]),
    why: /has other decorators/,
  },
  {
    name: 'the Origin tested against a module-level set of origins, and nothing else: the set listed',
    text: module(decorated(guarded('if origin in ALLOWED:')), [
      ...HEAD,
      'ALLOWED = {"https://app.example.com"}',
    ]),
    has: ['    allow_origins=["https://app.example.com"],'],
  },
  {
    name: 'a pattern compiled at module level',
    text: module(decorated(guarded('if origin and TRUSTED.fullmatch(origin):')), [
      ...HEAD,
      'import re',
      'TRUSTED = re.compile(r"https://app\\.example\\.com")',
    ]),
    has: ['    allow_origins=["https://app.example.com"],'],
  },
  {
    name: 'a set of origins or a platform suffix: the set would be dropped',
    text: module(decorated(guarded('if origin in ALLOWED or origin.endswith(".vercel.app"):')), [
      ...HEAD,
      'ALLOWED = {"https://app.example.com", "https://admin.example.com"}',
    ]),
    why: /its test of the origin \(main\.py:\d+: `if origin in ALLOWED or origin\.endswith\("\.vercel\.app"\):` joins several tests of the origin with `or`\)/,
  },
  {
    name: 'origins read from settings',
    text: module(decorated(guarded('if origin and origin in settings.CORS_ORIGINS:'))),
    why: /names settings\.CORS_ORIGINS\) decides on more than CORSMiddleware with allow_origins=\["https:\/\/app\.example\.com"\]/,
  },
  {
    name: 'a function of the project deciding',
    text: module(decorated(guarded('if is_trusted(origin):'))),
    why: /`if is_trusted\(origin\):` names is_trusted/,
  },
  {
    name: 'the path of the request deciding too',
    text: module(decorated(guarded('if origin and request.url.path.startswith("/api"):'))),
    why: /names request\.url\.path\.startswith/,
  },
  {
    name: 'no origin given',
    text: module(decorated(ECHO)),
    origins: [],
    why: /no frontend origin was given \(--origin\)/,
  },
];

describe('CORSMiddleware instead of a middleware that writes the Origin back', () => {
  it.each(ROWS)('$name', async (row) => {
    const e = row.entry ?? DECORATOR;
    const entry = entryOf(row.text, e.name, e.marker, e.registration);
    const out = corsMiddlewareInstead(row.text, entry, row.origins ?? [APP], row.framework ?? 'fastapi');
    if (row.why) {
      expect(out.edits).toBeUndefined();
      expect(out.why).toMatch(row.why);
      return;
    }
    expect(out.why).toBeUndefined();
    const after = await edited('main.py', row.text, out.edits ?? []);
    const lines = after.split('\n');
    for (const l of row.has ?? []) expect(lines, l).toContain(l);
    for (const l of row.lacks ?? []) expect(lines, l).not.toContain(l);
    // One import of CORSMiddleware, and nothing of the old handler left.
    expect(after.match(/import CORSMiddleware/g)).toHaveLength(1);
    expect(after).not.toMatch(/call_next/);
  });

  // The test of the origin as the middleware writes it: what it meant, as CORSMiddleware's pattern.
  const repair = (p: string) => readPattern(p, [APP], starletteCompile('fullmatch'), 'none');
  it.each([
    {
      test: 'origin.endswith("example.com")',
      check: { text: 'if origin and origin.endswith("example.com"):', literals: ['example.com'] },
      named: ['example.com'],
      to: String.raw`allow_origin_regex=r"https://([a-z0-9-]+\.)*example\.com"`,
    },
    {
      test: 're.match(r"https://.*.example.com", origin)',
      check: {
        text: 'if re.match(r"https://.*.example.com", origin):',
        literals: [String.raw`https://.*\.example\.com`],
        regex: { pattern: String.raw`https://.*\.example\.com`, mode: 'match' },
      },
      named: ['example.com'],
      // re.match lets anything follow (https://x.example.com.attacker.test): the repair closes it.
      to: String.raw`allow_origin_regex=r"https://[a-z0-9-]+\.example\.com"`,
    },
    {
      test: 're.search(r".example.com$", origin)',
      check: {
        text: 'if re.search(r".example.com$", origin):',
        literals: [String.raw`\.example\.com$`],
        regex: { pattern: String.raw`\.example\.com$`, mode: 'search' },
      },
      named: ['example.com'],
      to: String.raw`allow_origin_regex=r"https://app\.example\.com"`,
    },
    {
      test: 're.search(r"^https://.*.example.com", origin)',
      check: {
        text: 'if re.search(r"^https://.*.example.com", origin):',
        literals: [String.raw`^https://.*\.example\.com`],
        regex: { pattern: String.raw`^https://.*\.example\.com`, mode: 'search' },
      },
      named: ['example.com'],
      to: String.raw`allow_origin_regex=r"https://[a-z0-9-]+\.example\.com"`,
    },
    {
      test: 're.match(r"https://(app|admin).example.com$", origin)',
      check: {
        text: 'if re.match(r"https://(app|admin).example.com$", origin):',
        literals: [String.raw`https://(app|admin)\.example\.com$`],
        regex: { pattern: String.raw`https://(app|admin)\.example\.com$`, mode: 'match' },
      },
      named: ['example.com'],
      to: String.raw`allow_origin_regex=r"https://(app|admin)\.example\.com"`,
    },
    {
      test: 'origin.startswith("https://app.example.com")',
      check: { text: 'if origin.startswith("https://app.example.com"):', literals: [APP] },
      named: ['app.example.com'],
      to: 'allow_origins=["https://app.example.com"]',
    },
  ])('$test: replaced by CORSMiddleware with $to', async ({ check, named, to }) => {
    const text = module(decorated(ECHO));
    const entry = entryOf(text, 'allow_the_caller', '@app.middleware', 'decorator');
    const fix = echoMiddlewareFix(text, entry, [APP], 'fastapi', { check, named, repair });
    expect(fix.summary).toContain(`CORSMiddleware with ${to}`);
    const after = await edited('main.py', text, fix.edits ?? []);
    expect(after).toContain(`    ${to},`);
  });

  it.each([
    ['search', String.raw`\.example\.com$`, String.raw`.*(?:\.example\.com)`],
    ['search', String.raw`^https://app\.example\.com`, String.raw`(?:https://app\.example\.com).*`],
    ['search', String.raw`^https://app\.example\.com$`, String.raw`https://app\.example\.com`],
    ['search', String.raw`example\.com`, String.raw`.*(?:example\.com).*`],
    [
      'search',
      String.raw`^https://a\.test$|^https://b\.test$`,
      String.raw`.*(?:^https://a\.test$|^https://b\.test$).*`,
    ],
    ['match', String.raw`https://.*\.example\.com`, String.raw`(?:https://.*\.example\.com).*`],
    ['match', String.raw`https://app\.example\.com\Z`, String.raw`https://app\.example\.com`],
    ['fullmatch', String.raw`^https://app\.example\.com$`, String.raw`https://app\.example\.com`],
  ])('re.%s(r"%s") is re.fullmatch(r"%s")', (mode, pattern, full) => {
    expect(fullmatchOf(pattern, mode)).toBe(full);
  });

  it('a pattern that does not fully match every --origin: no patch, a snippet, and why', () => {
    const text = module(decorated(ECHO));
    const entry = entryOf(text, 'allow_the_caller', '@app.middleware', 'decorator');
    const pattern = String.raw`https://www\.example\.com`;
    const check = {
      text: `if re.fullmatch(r"${pattern}", origin):`,
      literals: [pattern],
      regex: { pattern, mode: 'fullmatch' },
    };
    const fix = echoMiddlewareFix(text, entry, [APP], 'fastapi', {
      check,
      named: ['www.example.com'],
      repair,
    });
    expect(fix.edits).toBeUndefined();
    expect(fix.snippet).toContain('if origin in TRUSTED_ORIGINS:');
    expect(fix.summary).toContain(
      String.raw`No patch: allow_origin_regex=r"https://www\.example\.com", what its test of the origin means under Starlette's full match, does not match https://app.example.com.`,
    );
  });

  it('a set of origins or a platform suffix: no patch, a snippet, and why', () => {
    const text = module(decorated(guarded('if origin in ALLOWED or origin.endswith(".vercel.app"):')), [
      ...HEAD,
      'ALLOWED = {"https://app.example.com", "https://admin.example.com"}',
    ]);
    const entry = entryOf(text, 'allow_the_caller', '@app.middleware', 'decorator');
    const check = {
      text: 'if origin in ALLOWED or origin.endswith(".vercel.app"):',
      literals: ['.vercel.app'],
    };
    const fix = echoMiddlewareFix(text, entry, [APP], 'fastapi', { check, named: ['vercel.app'], repair });
    expect(fix.edits).toBeUndefined();
    // By hand, the set keeps every origin the test trusted.
    expect(fix.snippet).toContain(
      'TRUSTED_ORIGINS = {"https://app.example.com", "https://admin.example.com"}  # at the top of the module',
    );
    expect(fix.summary).toMatch(
      /No patch: its test of the origin .* joins several tests of the origin with `or`/,
    );
  });

  it('a test naming sites no --origin is on, and nothing to repair it with: no patch, and why', () => {
    const text = module(decorated(ECHO));
    const entry = entryOf(text, 'allow_the_caller', '@app.middleware', 'decorator');
    const check = { text: 'if origin and origin.endswith("example.com"):', literals: ['example.com'] };
    const fix = echoMiddlewareFix(text, entry, [APP], 'fastapi', { check, named: ['example.com'] });
    expect(fix.edits).toBeUndefined();
    expect(fix.summary).toMatch(
      /No patch: its test of the origin names example\.com, which no --origin is on/,
    );
  });
});
