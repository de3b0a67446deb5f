/**
 * Builders of `SourceEdit`s for the scan rules: the smallest change to a CORSMiddleware registration
 * or to a literal value. Each returns undefined when the source is not written in a way a safe,
 * mechanical edit can follow (a value computed elsewhere, a registration inside a list, ...): the
 * finding then keeps its summary and no patch.
 */
import { STATUS_CODES } from 'node:http';
import type { SourceEdit } from '../core/causes.js';
import type { MiddlewareEntry, PythonApp, ResolvedValue, SourceRef } from '../python/types.js';

/** A Python list literal of strings, double-quoted. */
export const pyList = (items: string[]): string => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

/** Source text that is a string literal (`"x"`, `r'x'`). */
const isStringLiteral = (expression: string): boolean => /^[rRuU]?["']/.test(expression);

/** Source text that is a literal (not a name or call whose meaning would change if replaced). */
const isLiteral = (expression: string): boolean =>
  /^(\[|\(|\{|[rRuU]?["']|True$|False$|None$|-?\d)/.test(expression.trim());

/** Sets `keyword` of a CORSMiddleware registration written as a call (`add_middleware`, `Middleware`, wrap). */
export function setCorsKeyword(
  entry: MiddlewareEntry,
  keyword: string,
  value: string,
  current: ResolvedValue | undefined,
): SourceEdit[] | undefined {
  if (!entry.source || entry.registration === 'builtin' || entry.registration === 'decorator')
    return undefined;
  if (current && (!isLiteral(current.expression) || current.source.file !== entry.source.file))
    return undefined;
  return [{ kind: 'set-keyword', call: entry.source, keyword, value }];
}

/** Replaces a string literal's text (`"http://localhost:3000/"`) by another value, where it is written. */
export function replaceStringValue(item: ResolvedValue, from: string, to: string): SourceEdit[] | undefined {
  const env = item.env?.valueFrom;
  if (item.env && !env) return undefined;
  const where = env ?? item.source;
  if (!env && !isStringLiteral(item.expression)) return undefined;
  return [{ kind: 'replace-text', file: where.file, line: where.line, from, to }];
}

/** Replaces a string literal written in Python source (not one from the environment) by `to`. */
export function replaceLiteral(item: ResolvedValue, to: string): SourceEdit[] | undefined {
  if (item.env || !isStringLiteral(item.expression)) return undefined;
  return [
    { kind: 'replace-text', file: item.source.file, line: item.source.line, from: item.expression, to },
  ];
}

/**
 * Writes `origins` where the literal `item` of the origins list `option` is written: in the source, as
 * string items in its place; where an environment variable is set (`.env`, compose), as its value; as the
 * default of a variable set nowhere in the project (`os.getenv("CORS_ORIGINS", "*").split(",")`, the only
 * item), as one string. Several origins are joined as the code splits the value.
 */
export function replaceOriginItem(
  option: ResolvedValue,
  item: ResolvedValue,
  origins: string[],
): SourceEdit[] | undefined {
  if (!item.env) return replaceLiteral(item, origins.map((o) => JSON.stringify(o)).join(', '));
  const one = option.value.kind === 'list' && option.value.items.length === 1;
  const separator = splitSeparator(option);
  if (!one || (origins.length > 1 && separator === undefined)) return undefined;
  const set = item.env.valueFrom;
  // Set in `.env` or a compose file: the origins go there, as the value.
  if (set)
    return /[\s"'\\#$]/.test(origins.join(separator ?? ''))
      ? undefined
      : [
          {
            kind: 'replace-text',
            file: set.file,
            line: set.line,
            from: '*',
            to: origins.join(separator ?? ''),
          },
        ];
  if (!item.env.defaultUsed) return undefined;
  // The default as written in the call that reads the variable (the item is the value split from it).
  const name = item.env.name.replace(/\W/g, '\\$&');
  const call = new RegExp(
    `\\b(?:getenv|environ\\.get)\\(\\s*(["'])${name}\\1\\s*,\\s*((["'])[^"'\\\\]*\\3)\\s*\\)`,
  );
  const written = call.exec(option.expression)?.[2];
  if (written === undefined || written.slice(1, -1) !== '*') return undefined;
  const quote = written[0] as string;
  const text = origins.join(separator ?? '');
  if (text.includes(quote) || text.includes('\\')) return undefined;
  return [
    {
      kind: 'replace-text',
      file: item.source.file,
      line: item.source.line,
      from: written,
      to: `${quote}${text}${quote}`,
    },
  ];
}

/** The separator the code splits an origins string with (`split(",")`), as the derivation notes it. */
const splitSeparator = (option: ResolvedValue): string | undefined =>
  option.via.map((v) => /^split\((["'])(.+?)\1\)$/.exec(v)).find((m) => m !== null)?.[2];

/**
 * Takes the origin `value` out of allow_origins (`option`, read as `items`): the item removed from the list
 * literal where it is written (in the call, a constant, a settings default), its layout kept; the keyword
 * rewritten when the origins are a tuple or set written in the call; or the origin taken out of the `.env`
 * or compose value the code splits.
 */
export function dropOrigin(
  entry: MiddlewareEntry,
  option: ResolvedValue,
  items: Array<{ value: string; source: SourceRef; resolved: ResolvedValue }>,
  value: string,
): SourceEdit[] | undefined {
  const at = items.findIndex((i) => i.value === value);
  const item = items[at];
  if (!item || items.length < 2) return undefined;
  const env = item.resolved.env;
  // A string written in a list literal: that item goes, the list keeps its layout.
  if (!env && isStringLiteral(item.resolved.expression) && option.value.kind === 'list')
    return [{ kind: 'remove-item', statement: item.source, item: item.resolved.expression }];
  const kind = option.value.kind;
  const whole =
    (kind === 'list' || kind === 'tuple' || kind === 'set') &&
    option.value.items.length === items.length &&
    !items.some((i) => i.resolved.env);
  const kept = pyList(items.map((i) => i.value).filter((v) => v !== value));
  const inCall = whole ? setCorsKeyword(entry, 'allow_origins', kept, option) : undefined;
  if (inCall) return inCall;
  const set = env?.valueFrom;
  const separator = splitSeparator(option);
  if (set && separator !== undefined)
    return [
      {
        kind: 'replace-text',
        file: set.file,
        line: set.line,
        from: at > 0 ? `${separator}${value}` : `${value}${separator}`,
        to: '',
      },
    ];
  return undefined;
}

/** Adds string items after the last item of a list literal (wherever the list is written). */
export function appendToList(items: ResolvedValue[], added: string[]): SourceEdit[] | undefined {
  const last = items.at(-1);
  if (!last) return undefined;
  const quote = /["']/.exec(last.expression)?.[0] ?? '"';
  return replaceLiteral(last, [last.expression, ...added.map((a) => `${quote}${a}${quote}`)].join(', '));
}

/** Moves the CORSMiddleware registration below `outer`, so CORS becomes the outer layer. */
function moveCorsAfter(cors: MiddlewareEntry, outer: MiddlewareEntry): SourceEdit[] | undefined {
  if (!cors.source || !outer.source || cors.registration !== 'add_middleware') return undefined;
  if (outer.registration !== 'add_middleware' && outer.registration !== 'decorator') return undefined;
  if (cors.source.file !== outer.source.file || cors.source.line >= outer.source.line) return undefined;
  return [{ kind: 'move-after', statement: cors.source, after: outer.source }];
}

/**
 * Adds a CORSMiddleware registration for `app`, after the last middleware registered in the app's file
 * (the middleware added last runs first), or after the app is created.
 */
export function addCorsMiddleware(app: PythonApp, origins: string[], credentials: boolean): SourceEdit[] {
  const registered = app.middleware
    .filter(
      (m) =>
        (m.registration === 'add_middleware' || m.registration === 'decorator') &&
        m.source?.file === app.source.file,
    )
    .map((m) => m.source?.line ?? 0);
  const after = Math.max(app.source.line, ...registered);
  const module = app.framework === 'fastapi' ? 'fastapi.middleware.cors' : 'starlette.middleware.cors';
  return [
    {
      kind: 'insert-after',
      statement: { file: app.source.file, line: after },
      imports: [`from ${module} import CORSMiddleware`],
      code: [
        '',
        '# Added last, so it is the outermost middleware: it answers preflights before any other one runs.',
        `${app.variable}.add_middleware(`,
        '    CORSMiddleware,',
        `    allow_origins=${pyList(origins.length > 0 ? origins : ['http://localhost:3000'])},`,
        ...(credentials ? ['    allow_credentials=True,'] : []),
        '    allow_methods=["*"],',
        '    allow_headers=["*"],',
        ')',
      ],
    },
  ];
}

/** A fix with its edits, when there are any. */
export function withEdits(
  summary: string,
  edits: SourceEdit[] | undefined,
): { summary: string; edits?: SourceEdit[] } {
  return edits ? { summary, edits } : { summary };
}

/**
 * Makes CORSMiddleware the outer layer of `over` (by default, of every middleware registered outside it
 * the way it is registered): moves its `add_middleware` call below the last of them (the middleware added
 * last runs first), or its item of a `middleware=[...]` list to the front (the first item is the
 * outermost). Undefined when moving CORS cannot put it outside all of `over`: one is registered in another
 * way (`add_middleware` layers always wrap the list's), in another file, or inside a function or a block.
 */
export function corsOutermost(
  app: PythonApp,
  cors: MiddlewareEntry,
  over?: MiddlewareEntry[],
): SourceEdit[] | undefined {
  const outside = app.middleware.slice(0, Math.max(0, app.middleware.indexOf(cors)));
  const registration =
    cors.registration === 'constructor' ? ['constructor'] : ['add_middleware', 'decorator'];
  const layers = over ?? outside.filter((m) => registration.includes(m.registration));
  if (layers.length === 0 || !cors.source || cors.nested) return undefined;
  const sameFile = (m: MiddlewareEntry) => m.source?.file === cors.source?.file && !m.nested;
  if (!layers.every((m) => registration.includes(m.registration) && sameFile(m))) return undefined;
  if (cors.registration === 'constructor') {
    // The list's first item, wherever the layers to pass are in it.
    const first = app.middleware.find((m) => m.registration === 'constructor');
    if (!first?.source || first === cors || !sameFile(first)) return undefined;
    return [
      {
        kind: 'move-item-before',
        statement: cors.source,
        before: first.source,
        names: { statement: cors.name, before: first.name },
      },
    ];
  }
  const last = layers.reduce((a, b) => ((b.source?.line ?? 0) > (a.source?.line ?? 0) ? b : a));
  return moveCorsAfter(cors, last);
}

/**
 * Lets CORS preflights through a middleware whose code is in the project, before anything else it does:
 * an OPTIONS request with Access-Control-Request-Method (what browsers send, never with credentials) goes
 * on to the CORS layer inside, which answers it; every other request meets the check as before.
 */
export function letPreflightsThrough(entry: MiddlewareEntry): SourceEdit[] | undefined {
  const b = entry.behaviour;
  // `await` is written only inside an `async def`; a plain `def __call__` returns the inner call instead.
  if (!b?.body) return undefined;
  const pass = b.body.async ? 'return await' : 'return';
  const comment = '# CORS preflights never carry credentials: let them through to CORSMiddleware.';
  if (entry.kind === 'http-function') {
    const [request, callNext] = b.body.parameters;
    if (!request || !callNext || !b.body.async) return undefined;
    return [
      {
        kind: 'insert-before',
        statement: b.body.first,
        imports: [],
        code: [
          comment,
          `if ${request}.method == "OPTIONS" and "access-control-request-method" in ${request}.headers:`,
          `    return await ${callNext}(${request})`,
        ],
      },
    ];
  }
  const [scope, receive, send] = b.body.parameters;
  if (entry.kind !== 'other' || !b.innerApp || !scope || !receive || !send) return undefined;
  return [
    {
      kind: 'insert-before',
      statement: b.body.first,
      imports: [],
      code: [
        comment,
        'if (',
        `    ${scope}["type"] == "http"`,
        `    and ${scope}["method"] == "OPTIONS"`,
        `    and b"access-control-request-method" in dict(${scope}["headers"])`,
        '):',
        `    ${pass} self.${b.innerApp}(${scope}, ${receive}, ${send})`,
      ],
    },
  ];
}

/**
 * Turns each `raise HTTPException(...)` of an http middleware into the response it meant
 * (`return JSONResponse(status_code=..., content={"detail": ...})`; in a pure ASGI `async def __call__`,
 * `return await JSONResponse(...)(scope, receive, send)`), which, unlike the exception, passes back through
 * the CORS layer outside; adds the JSONResponse import when the module lacks it.
 */
export function returnInsteadOfRaise(app: PythonApp, entry: MiddlewareEntry): SourceEdit[] | undefined {
  const b = entry.behaviour;
  const raises = b?.httpExceptions ?? [];
  const files = new Set(raises.map((r) => r.source.file));
  const [first] = raises;
  const [scope, receive, send] = b?.body?.parameters ?? [];
  const asgi = entry.kind === 'other' && b?.body?.async && scope && receive && send;
  if ((entry.kind !== 'http-function' && !asgi) || !first || files.size !== 1) return undefined;
  const answer = (response: string) =>
    asgi ? `return await ${response}(${scope}, ${receive}, ${send})` : `return ${response}`;
  const edits: SourceEdit[] = [];
  // From the last raise up: a replacement that takes fewer lines leaves the lines above it where they were.
  for (const r of [...raises].reverse()) {
    // Starlette's default detail is the status's reason phrase: known only for a known status.
    const phrase = r.statusCode === undefined ? undefined : STATUS_CODES[r.statusCode];
    const detail = r.detail ?? (phrase && JSON.stringify(phrase));
    if (!r.status || !detail) return undefined;
    const args = [
      `status_code=${r.status}`,
      `content={"detail": ${detail}}`,
      ...(r.headers ? [`headers=${r.headers}`] : []),
    ];
    edits.push({
      kind: 'replace-text',
      file: r.source.file,
      line: r.source.line,
      from: r.text,
      to: answer(`JSONResponse(${args.join(', ')})`),
    });
  }
  const module = app.framework === 'fastapi' ? 'fastapi.responses' : 'starlette.responses';
  // The import last: the replacements above name lines of the file as it is.
  edits.push({
    kind: 'insert-before',
    statement: first.source,
    code: [],
    imports: [`from ${module} import JSONResponse`],
  });
  return edits;
}
