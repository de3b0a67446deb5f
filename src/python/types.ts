/**
 * What cors-doctor learns from a Python backend's source: its apps, each app's middleware stack as
 * Starlette builds it, the CORS options with their resolved values, routes and versions.
 */

/** A place in the project: path relative to the project root, 1-based line. */
export interface SourceRef {
  file: string;
  line: number;
}

/** A Python value as far as it can be resolved statically. */
export type PyValue =
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'list' | 'tuple' | 'set'; items: ResolvedValue[] }
  | { kind: 'unresolved'; expression: string; reason: string };

/** A value with where it was written and how it was derived (never guessed). */
export interface ResolvedValue {
  value: PyValue;
  /** Where the expression stands (e.g. the `allow_origins=` keyword). */
  source: SourceRef;
  /** The source text of the expression. */
  expression: string;
  /**
   * How the value was derived, outermost first, e.g.
   * `["os.getenv(\"CORS_ORIGINS\") at app/core/config.py:7", ".env CORS_ORIGINS at .env:2", "split(\",\")"]`.
   */
  via: string[];
  /** Set when the value depends on the environment (os.getenv, os.environ, BaseSettings fields). */
  env?: EnvSource;
}

/** Where a value read from the environment comes from. */
export interface EnvSource {
  name: string;
  /** The `.env` or compose line that sets it; absent when nothing in the project sets it. */
  valueFrom?: SourceRef;
  defaultUsed: boolean;
  /** Where the code reads it (`os.getenv(...)`, the settings field). */
  readAt?: SourceRef;
  /** How the variable's text becomes the value: JSON-decoded (a settings field of a complex type) or a string. */
  decoding?: 'json' | 'string';
  /**
   * When `name` is set nowhere but a near name is (the field's name without the settings' `env_prefix`, the
   * same name in another case where case matters): that variable, and the value the code would get if it
   * were named `name`.
   */
  setUnder?: { name: string; source: SourceRef; text: string; why: string; wouldBe?: ResolvedValue };
  /**
   * The line that sets the variable to the empty string, which the settings ignore (pydantic-settings
   * `env_ignore_empty`): the default applies, and a value written there takes its place.
   */
  emptyAt?: SourceRef;
}

/** The keyword options of a CORSMiddleware registration, as written and resolved. */
export interface CorsOptions {
  allow_origins?: ResolvedValue;
  allow_origin_regex?: ResolvedValue;
  allow_methods?: ResolvedValue;
  allow_headers?: ResolvedValue;
  allow_credentials?: ResolvedValue;
  expose_headers?: ResolvedValue;
  max_age?: ResolvedValue;
  allow_private_network?: ResolvedValue;
}

/** What a middleware does to a request, as far as CORS cares. */
export type MiddlewareKind =
  | 'server-error' // Starlette's ServerErrorMiddleware: produces 500s (and runs @exception_handler(500|Exception))
  | 'cors'
  | 'trusted-host'
  | 'https-redirect'
  | 'gzip'
  | 'session'
  | 'authentication' // starlette.middleware.authentication.AuthenticationMiddleware
  | 'http-function' // @app.middleware("http") or BaseHTTPMiddleware subclass: arbitrary code
  | 'other'
  | 'exception' // Starlette's ExceptionMiddleware: HTTPException handlers (inside user middleware)
  | 'router';

export interface MiddlewareEntry {
  /** The class or function name as written (`CORSMiddleware`, `require_token`, ...). */
  name: string;
  kind: MiddlewareKind;
  /** How it got onto the stack. */
  registration: 'builtin' | 'add_middleware' | 'decorator' | 'constructor' | 'wrap';
  source?: SourceRef;
  /** For `kind: 'cors'`. */
  options?: CorsOptions;
  /**
   * For code we cannot run (http-function, other): what static reading found, e.g. it returns a
   * 401/403 response, raises HTTPException (which becomes a 500 in middleware), checks the method.
   */
  behaviour?: {
    mayReject?: { status: number; source: SourceRef };
    raisesHttpException?: SourceRef;
    skipsOptions?: boolean;
    /**
     * The refusal depends on a request header the code reads (`authorization`, `x-api-key`): a request
     * that carries it is taken to pass. Absent: the condition is unknown.
     */
    rejectsWithout?: string;
    /** Paths the refusal leaves alone (`request.url.path in PUBLIC_PATHS`, `.startswith("/public")`). */
    exemptPaths?: { exact: string[]; prefixes: string[] };
    /** Response header lines the code writes: `response.headers.append(...)` or `response.headers[...] = ...`. */
    writesHeaders?: Array<{ name: string; value?: string; mode: 'append' | 'set'; source: SourceRef }>;
    /** The OPTIONS test also asks for Access-Control-Request-Method: only real preflights get through. */
    skipsOnlyPreflights?: boolean;
    /** The only paths the refusal applies to (`if request.url.path.startswith("/api/"): ...`). */
    guardedPaths?: { exact: string[]; prefixes: string[] };
    /** Each `raise HTTPException(...)`, as written, with the source text of its arguments. */
    httpExceptions?: HttpExceptionRaise[];
    /**
     * Where code that lets a request through is written: the function's first statement (after its
     * docstring), its parameters without `self` (`request, call_next`; `scope, receive, send`), and whether
     * it is an `async def` (where `await` may be written).
     */
    body?: { first: SourceRef; parameters: string[]; async: boolean };
    /** A pure ASGI class: the attribute of `self` that holds the app it wraps (`app` for `self.app`). */
    innerApp?: string;
  };
  /** Registered inside a function or a block, not by a statement at the top level of its module. */
  nested?: boolean;
  /** Set when the registration runs only under a condition (`if ENVIRONMENT == "development":`). */
  gate?: MiddlewareGate;
  /** Options of other known middleware (e.g. TrustedHost `allowed_hosts`). */
  arguments?: Record<string, ResolvedValue>;
  /**
   * The class as resolved through imports (`starlette.middleware.cors.CORSMiddleware`,
   * `app/middleware.py:AuthMiddleware`), when known.
   */
  qualifiedName?: string;
  /**
   * Exception handlers that run inside this layer: on the `server-error` entry the
   * `@app.exception_handler(500 | Exception)` ones, on the `exception` entry all others.
   */
  exceptionHandlers?: Array<{ key: string; source: SourceRef }>;
}

/** The condition a middleware registration runs under, decided with the environment the project gives. */
export interface MiddlewareGate {
  /** The condition as written (`ENVIRONMENT == "development"`); for `else:`, `not (...)` of the others. */
  condition: string;
  /** The `if`, `elif` or `else` line. */
  source: SourceRef;
  branch: 'if' | 'elif' | 'else';
  /** Whether the condition holds with the values the project sets; absent when it cannot be told. */
  holds?: boolean;
  /** How it was decided: the values of the names it reads and where they are set. */
  via: string[];
  /** The environment variables the condition reads, with the value each has (Python repr). */
  env: Array<{ source: EnvSource; value: string }>;
  /** The whole `if` statement: its indentation, its last line and that line's text, whether it has `else:`. */
  statement: { indent: string; lastLine: number; lastText: string; hasElse: boolean };
  /** The registration call up to its `(` (`app.add_middleware`), and the indentation of its body. */
  call?: string;
  bodyIndent?: string;
}

/** Variables a file of the project sets: a `.env` file, a compose service's `environment:`, a Dockerfile's `ENV`. */
export interface EnvFile {
  file: string;
  kind: 'dotenv' | 'compose' | 'dockerfile';
  entries: Array<{ name: string; value: string; line: number; text: string; service?: string }>;
  /** The last line of the file with text on it (a new line can follow it); texts are lines as written. */
  last?: { line: number; text: string };
  /** Compose: each service with the line of its `environment:` key (when it has one). */
  services?: Array<{ name: string; line: number; endLine: number; environment?: number }>;
}

/** `raise HTTPException(status_code=401, detail="...")` in middleware code. */
export interface HttpExceptionRaise {
  source: SourceRef;
  /** The whole `raise` statement as written. */
  text: string;
  /** Source text of the arguments: `status_code` (or the first positional), `detail`, `headers`. */
  status?: string;
  detail?: string;
  headers?: string;
  /** The status as a number, when it is a literal or a named constant. */
  statusCode?: number;
}

export interface RouteInfo {
  path: string;
  methods: string[];
  source: SourceRef;
  /** Request headers the route reads (Header(...) parameters, HTTPBearer/OAuth2 -> authorization). */
  readsHeaders: string[];
  /** Cookies the route reads (Cookie(...) parameters, APIKeyCookie). */
  readsCookies: string[];
  /** Response headers the route sets (e.g. X-Total-Count), when visible. */
  setsHeaders: string[];
}

export interface PythonApp {
  /** Where the app object is created. */
  source: SourceRef;
  framework: 'fastapi' | 'starlette';
  /** The module-level name bound to the app (`app`). */
  variable: string;
  /** The middleware a request meets, outermost first, including Starlette's built-in ones. */
  middleware: MiddlewareEntry[];
  routes: RouteInfo[];
  /** `app.mount(path, other)`: mounted sub-apps (their own stacks apply inside). */
  mounts: Array<{ path: string; target: string; source: SourceRef }>;
  /** `@app.exception_handler(key)` registrations. */
  exceptionHandlers: Array<{ key: string; source: SourceRef }>;
  /** `redirect_slashes` of the router (default true). */
  redirectSlashes: boolean;
}

export interface VersionInfo {
  /** The pinned (`==`), locked or minimum (`>=`, `~=`, `^`) version. */
  version: string;
  source: SourceRef;
  /** The requirement as written, normalised (`==0.26.1`, `>=0.100`); lock files give `==`. */
  specifier?: string;
}

export interface PythonProject {
  /** Absolute path of the project root. */
  root: string;
  apps: PythonApp[];
  versions: { starlette?: VersionInfo; fastapi?: VersionInfo; pydantic?: VersionInfo };
  /** Files the reader was asked for besides the app's (`ReadProjectOptions.otherFiles`), as text. */
  otherFiles?: Array<{ file: string; text: string }>;
  /** With `otherFiles`: every Python file of the project (paths relative to the root). */
  pythonFiles?: string[];
  /** The files that set environment variables for the app (`.env`, compose, Dockerfile `ENV`). */
  environment?: EnvFile[];
  /** Files tree-sitter parsed with errors (still read as far as possible). */
  filesWithErrors: Array<{ file: string; line: number; message: string }>;
  /** Counts for progress and benchmarks. */
  stats: { filesSeen: number; filesParsed: number; skipped: number };
  /** What the reader could not see, when something was not: the scan says so instead of "no problem". */
  unseen?: UnseenFiles;
}

/** Files the reader could not read or did not read, symlinks it did not follow, bounds it hit. */
export interface UnseenFiles {
  /**
   * Each file (or folder) it would have read, and why it did not: a dangling symlink, a FIFO, a folder
   * that cannot be listed, a file over the size limit, a binary file. `notText` marks a file that is not
   * text (a NUL byte), which Python itself would not run.
   */
  files: Array<{ file: string; why: string; notText?: boolean }>;
  /** Symlinks that lead out of the project, with their real target: not followed. */
  outsideLinks: Array<{ file: string; target: string }>;
  /** The bounds of the walk or of the reading that were hit, each in a sentence. */
  bounds: string[];
}
