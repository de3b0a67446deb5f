import type { Project } from '../../src/project/types.js';
import type {
  CorsOptions,
  MiddlewareEntry,
  PythonApp,
  PyValue,
  ResolvedValue,
  RouteInfo,
} from '../../src/python/types.js';

const FILE = 'app/main.py';

/** A resolved value written at `line` of app/main.py. */
export function rv(value: PyValue, line = 10, extra: Partial<ResolvedValue> = {}): ResolvedValue {
  return { value, source: { file: FILE, line }, expression: JSON.stringify(plain(value)), via: [], ...extra };
}
function plain(v: PyValue): unknown {
  if ('items' in v) return v.items.map((i) => plain(i.value));
  if (v.kind === 'none') return null;
  if (v.kind === 'unresolved') return v.expression;
  return v.value;
}
export const str = (value: string): PyValue => ({ kind: 'str', value });
export const bool = (value: boolean): PyValue => ({ kind: 'bool', value });
export const list = (...items: string[]): PyValue => ({ kind: 'list', items: items.map((i) => rv(str(i))) });
export const unresolved = (expression: string): PyValue => ({
  kind: 'unresolved',
  expression,
  reason: 'test',
});

export function cors(options: CorsOptions, line = 8): MiddlewareEntry {
  return {
    name: 'CORSMiddleware',
    kind: 'cors',
    registration: 'add_middleware',
    source: { file: FILE, line },
    options,
  };
}
export function authMiddleware(line = 20, skipsOptions = false): MiddlewareEntry {
  return {
    name: 'require_token',
    kind: 'http-function',
    registration: 'decorator',
    source: { file: FILE, line },
    behaviour: { mayReject: { status: 401, source: { file: FILE, line: line + 3 } }, skipsOptions },
  };
}
export function route(
  method: string,
  path: string,
  readsHeaders: string[] = [],
  setsHeaders: string[] = [],
): RouteInfo {
  return {
    path,
    methods: [method],
    source: { file: FILE, line: 30 },
    readsHeaders,
    readsCookies: [],
    setsHeaders,
  };
}

/** An app with Starlette's built-in layers around the given user middleware (outermost first). */
export function app(
  middleware: MiddlewareEntry[],
  routes: RouteInfo[] = [route('GET', '/items')],
  extra: Partial<PythonApp> = {},
): PythonApp {
  return {
    source: { file: FILE, line: 5 },
    framework: 'fastapi',
    variable: 'app',
    middleware: [
      { name: 'ServerErrorMiddleware', kind: 'server-error', registration: 'builtin' },
      ...middleware,
      { name: 'ExceptionMiddleware', kind: 'exception', registration: 'builtin' },
      { name: 'Router', kind: 'router', registration: 'builtin' },
    ],
    routes,
    mounts: [],
    exceptionHandlers: [],
    redirectSlashes: true,
    ...extra,
  };
}

export function project(...apps: PythonApp[]): Project {
  return {
    root: '/p',
    apps,
    versions: {},
    proxies: [],
    filesWithErrors: [],
    stats: { filesSeen: 1, filesParsed: 1, skipped: 0 },
  };
}
