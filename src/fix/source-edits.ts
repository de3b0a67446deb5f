/**
 * Builders of `SourceEdit`s for the scan rules: the smallest change to a CORSMiddleware registration
 * or to a literal value. Each returns undefined when the source is not written in a way a safe,
 * mechanical edit can follow (a value computed elsewhere, a registration inside a list, ...): the
 * finding then keeps its summary and no patch.
 */
import type { SourceEdit } from '../core/causes.js';
import type { MiddlewareEntry, PythonApp, ResolvedValue } from '../python/types.js';

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

/** Adds string items after the last item of a list literal (wherever the list is written). */
export function appendToList(items: ResolvedValue[], added: string[]): SourceEdit[] | undefined {
  const last = items.at(-1);
  if (!last) return undefined;
  const quote = /["']/.exec(last.expression)?.[0] ?? '"';
  return replaceLiteral(last, [last.expression, ...added.map((a) => `${quote}${a}${quote}`)].join(', '));
}

/** Moves the CORSMiddleware registration below `outer`, so CORS becomes the outer layer. */
export function moveCorsAfter(cors: MiddlewareEntry, outer: MiddlewareEntry): SourceEdit[] | undefined {
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
 * Makes CORSMiddleware the outermost user middleware: moves its registration below the last middleware
 * registered in the same file (the middleware added last runs first).
 */
export function corsOutermost(app: PythonApp, cors: MiddlewareEntry): SourceEdit[] | undefined {
  const index = app.middleware.indexOf(cors);
  const outer = app.middleware
    .slice(0, index)
    .filter((m) => (m.registration === 'add_middleware' || m.registration === 'decorator') && m.source)
    .sort((a, b) => (b.source?.line ?? 0) - (a.source?.line ?? 0))[0];
  return outer ? moveCorsAfter(cors, outer) : undefined;
}
