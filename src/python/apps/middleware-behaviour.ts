// What middleware code does, read statically: responses it rejects with, HTTPException raised, OPTIONS checks, exempt paths, headers read and written.
import type { Node } from 'web-tree-sitter';
import { callArgs, type Evaluator, refOf } from '../evaluate.js';
import type { ModuleInfo } from '../modules.js';
import { walkNamed } from '../parser.js';
import { decodeStringNode } from '../strings.js';
import type { HttpExceptionRaise, MiddlewareEntry, SourceRef } from '../types.js';

const STATUS_NAMES: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  PAYMENT_REQUIRED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

function statusOf(ev: Evaluator, node: Node, mod: ModuleInfo, fn: Node): number | undefined {
  const m = /HTTP_(\d{3})_/.exec(node.text);
  if (m) return Number(m[1]);
  const named = /(?:HTTPStatus|status)\.([A-Z_]+)$/.exec(node.text);
  if (named && STATUS_NAMES[named[1] as string]) return STATUS_NAMES[named[1] as string];
  const v = ev.evaluate(node, { mod, fn });
  return v.t === 'val' && v.rv.value.kind === 'int' ? v.rv.value.value : undefined;
}

/** Static reading of middleware code: rejections, HTTPException, OPTIONS checks. */
export function behaviourOf(
  ev: Evaluator,
  fn: Node,
  mod: ModuleInfo,
): NonNullable<MiddlewareEntry['behaviour']> {
  const out: NonNullable<MiddlewareEntry['behaviour']> & {
    reads: string[];
    writes: NonNullable<NonNullable<MiddlewareEntry['behaviour']>['writesHeaders']>;
    exempt: string[];
    exemptPrefixes: string[];
    guarded: string[];
    guardedPrefixes: string[];
    optionsTests: Array<'plain' | 'preflight'>;
  } = {
    skipsOptions: false,
    reads: [],
    writes: [],
    exempt: [],
    exemptPrefixes: [],
    guarded: [],
    guardedPrefixes: [],
    optionsTests: [],
  };
  const body = fn.childForFieldName('body');
  if (!body) return { skipsOptions: false };
  /** Records a path test: paths the refusal leaves alone, or the only paths it applies to. */
  const pathTest = (test: Node, negated: boolean, paths: string[], prefix: boolean) => {
    const guard = pathTestGuards(test, negated);
    if (prefix) (guard ? out.guardedPrefixes : out.exemptPrefixes).push(...paths);
    else (guard ? out.guarded : out.exempt).push(...paths);
  };
  walkNamed(body, (n) => {
    if (n.type === 'call') {
      const f = n.childForFieldName('function');
      const name = f?.text.split('.').pop() ?? '';
      if (/Response$/.test(name) && !out.mayReject) {
        const a = callArgs(n);
        const statusNode =
          a.keywords.get('status_code') ?? (name === 'RedirectResponse' ? undefined : a.positional[1]);
        const status = statusNode ? statusOf(ev, statusNode, mod, fn) : undefined;
        if (status !== undefined && status >= 400) out.mayReject = { status, source: refOf(n, mod) };
      }
    } else if (n.type === 'raise_statement') {
      const e = n.namedChildren[0];
      const target = e?.type === 'call' ? e.childForFieldName('function') : e;
      if (target && /HTTPException$/.test(target.text)) {
        if (!out.raisesHttpException) out.raisesHttpException = refOf(n, mod);
        out.httpExceptions = [...(out.httpExceptions ?? []), httpExceptionRaise(ev, n, mod, fn)];
      }
    } else if (n.type === 'dictionary' && !out.mayReject) {
      // A raw ASGI answer: `await send({"type": "http.response.start", "status": 401, ...})`.
      const status = rawResponseStatus(n);
      if (status !== undefined && status >= 400) out.mayReject = { status, source: refOf(n, mod) };
    } else if (n.type === 'comparison_operator') {
      if (/\bmethod\b/.test(n.text) && /["']OPTIONS["']/i.test(n.text)) {
        out.skipsOptions = true;
        out.optionsTests.push(
          /access-control-request-method/i.test(conditionOf(n)?.text ?? '') ? 'preflight' : 'plain',
        );
      }
      // `request.url.path in PUBLIC_PATHS` / `not in` / `==`: paths the check leaves alone, or guards.
      const [left, right] = n.namedChildren;
      // `"authorization" in request.headers`, `b"x-api-key" not in headers`: a header the check reads.
      const read = left && right && /headers/i.test(right.text) ? headerName(left) : undefined;
      if (read !== undefined) out.reads.push(read);
      if (left && right && /\burl\.path$/.test(left.text)) {
        const v = ev.evaluate(right, { mod, fn });
        if (v.t === 'val') {
          const value = v.rv.value;
          const items = value.kind === 'str' ? [v.rv] : 'items' in value ? value.items : [];
          const operator = n.text.slice(left.endIndex - n.startIndex, right.startIndex - n.startIndex);
          const paths = items.flatMap((item) => (item.value.kind === 'str' ? [item.value.value] : []));
          pathTest(n, /\bnot\b|!=/.test(operator), paths, false);
        }
      }
    }
    if (n.type === 'call') {
      const fText = n.childForFieldName('function')?.text ?? '';
      // `request.url.path.startswith("/public")`: a prefix the check leaves alone.
      if (/\burl\.path\.startswith$/.test(fText)) {
        const arg = callArgs(n).positional[0];
        const prefix = arg?.type === 'string' ? stringLiteral(arg) : undefined;
        if (prefix !== undefined) pathTest(n, false, [prefix], true);
      }
      const f = n.childForFieldName('function')?.text ?? '';
      const a = callArgs(n);
      const first = a.positional[0];
      const literal = first?.type === 'string' ? stringLiteral(first) : undefined;
      // `request.headers.get("x-api-key")`, `dict(scope["headers"]).get(b"x-api-key")`, `headers.get(...)`.
      const name = first ? headerName(first) : undefined;
      if (/headers\W*\.(get|getlist)$/i.test(f) && name !== undefined) out.reads.push(name);
      if (/\.headers\.append$/.test(f) && literal !== undefined) {
        const v = a.positional[1];
        out.writes.push({
          name: literal,
          ...(v?.type === 'string' && stringLiteral(v) !== undefined && { value: stringLiteral(v) }),
          mode: 'append',
          source: refOf(n, mod),
        });
      }
    } else if (n.type === 'subscript') {
      const value = n.childForFieldName('value')?.text ?? '';
      const key = n.childForFieldName('subscript');
      const literal = key?.type === 'string' ? stringLiteral(key) : undefined;
      if (/\.headers$/.test(value) && literal !== undefined) {
        const parent = n.parent;
        if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === n.id) {
          const v = parent.childForFieldName('right');
          out.writes.push({
            name: literal,
            ...(v?.type === 'string' && stringLiteral(v) !== undefined && { value: stringLiteral(v) }),
            mode: 'set',
            source: refOf(n, mod),
          });
        } else {
          out.reads.push(literal.toLowerCase());
        }
      }
    }
    return true;
  });
  const { reads, writes, exempt, exemptPrefixes, guarded, guardedPrefixes, optionsTests, ...rest } = out;
  const result: NonNullable<MiddlewareEntry['behaviour']> = rest;
  const refuses = result.mayReject || result.raisesHttpException;
  if (refuses && (exempt.length > 0 || exemptPrefixes.length > 0)) {
    result.exemptPaths = { exact: exempt, prefixes: exemptPrefixes };
  }
  if (refuses && (guarded.length > 0 || guardedPrefixes.length > 0)) {
    result.guardedPaths = { exact: guarded, prefixes: guardedPrefixes };
  }
  if (optionsTests.length > 0 && optionsTests.every((t) => t === 'preflight'))
    result.skipsOnlyPreflights = true;
  const where = bodyStart(fn, mod);
  if (where) result.body = where;
  const guard = reads.find((h) => h === 'authorization' || /^x-(api-)?(key|token)/.test(h));
  if (result.mayReject && guard) result.rejectsWithout = guard;
  if (writes.length > 0) result.writesHeaders = writes;
  return result;
}

/** A plain string literal's value (no f-string fields); undefined otherwise. */
function stringLiteral(node: Node): string | undefined {
  const decoded = decodeStringNode(node, () => undefined);
  return decoded.kind === 'str' ? decoded.value : undefined;
}

/** The condition of the `if`/`elif` whose test holds `node`, when it is one. */
function conditionOf(node: Node): Node | undefined {
  let cur = node;
  while (cur.parent) {
    const p = cur.parent;
    if (p.type === 'if_statement' || p.type === 'elif_clause') {
      const condition = p.childForFieldName('condition');
      return condition?.id === cur.id ? condition : undefined;
    }
    if (p.type === 'block' || p.type === 'function_definition') return undefined;
    cur = p;
  }
  return undefined;
}

/**
 * Whether a path test picks the paths the refusal applies to (`if path.startswith("/api/"): refuse`) rather
 * than the paths it leaves alone (`if path in PUBLIC: return await call_next(request)`, `if path not in
 * PUBLIC: refuse`). A test outside an `if` condition leaves paths alone, as before.
 */
function pathTestGuards(test: Node, negatedOperator: boolean): boolean {
  let negated = negatedOperator;
  let cur = test;
  while (cur.parent) {
    const p = cur.parent;
    if (p.type === 'not_operator') negated = !negated;
    if (p.type === 'if_statement' || p.type === 'elif_clause') {
      if (p.childForFieldName('condition')?.id !== cur.id) return false;
      const branch = p.childForFieldName('consequence')?.text ?? '';
      const refuses = /\braise\b|Response\(|["']status["']\s*:\s*[45]\d\d/.test(branch);
      const passes = /call_next\(|\.app\(/.test(branch);
      if (refuses) return !negated;
      if (passes) return negated;
      return false;
    }
    if (p.type === 'block' || p.type === 'function_definition') return false;
    cur = p;
  }
  return false;
}

/** The status of a raw ASGI `http.response.start` message written as a dict literal. */
function rawResponseStatus(dict: Node): number | undefined {
  let start = false;
  let status: number | undefined;
  for (const pair of dict.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const key = pair.childForFieldName('key');
    const value = pair.childForFieldName('value');
    const name = key?.type === 'string' ? stringLiteral(key) : undefined;
    if (name === 'type' && value?.type === 'string') start = stringLiteral(value) === 'http.response.start';
    if (name === 'status' && value?.type === 'integer') status = Number(value.text);
  }
  return start ? status : undefined;
}

/** `raise HTTPException(...)`: where, as written, and its arguments' source text. */
function httpExceptionRaise(ev: Evaluator, raise: Node, mod: ModuleInfo, fn: Node): HttpExceptionRaise {
  const out: HttpExceptionRaise = { source: refOf(raise, mod), text: raise.text };
  const call = raise.namedChildren[0];
  if (call?.type !== 'call') return out;
  const a = callArgs(call);
  const status = a.keywords.get('status_code') ?? a.positional[0];
  const detail = a.keywords.get('detail') ?? a.positional[1];
  const headers = a.keywords.get('headers') ?? a.positional[2];
  if (status) {
    out.status = status.text;
    const code = statusOf(ev, status, mod, fn);
    if (code !== undefined) out.statusCode = code;
  }
  if (detail) out.detail = detail.text;
  if (headers) out.headers = headers.text;
  return out;
}

/** The first statement of a function's body (after its docstring), and its parameters without `self`. */
function bodyStart(
  fn: Node,
  mod: ModuleInfo,
): { first: SourceRef; parameters: string[]; async: boolean } | undefined {
  const statements = (fn.childForFieldName('body')?.namedChildren ?? []).filter(
    (n): n is Node => !!n && n.type !== 'comment',
  );
  const [head, next] = statements;
  const docstring = head?.type === 'expression_statement' && head.namedChildren[0]?.type === 'string';
  const first = docstring ? next : head;
  // A body on the `def` line itself (`def f(r, n): return ...`) has no line of its own to write before.
  if (!first || first.startPosition.row === fn.startPosition.row) return undefined;
  const parameters = (fn.childForFieldName('parameters')?.namedChildren ?? []).flatMap((p) => {
    if (!p) return [];
    const name = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren[0]);
    return name?.type === 'identifier' && name.text !== 'self' ? [name.text] : [];
  });
  return { first: refOf(first, mod), parameters, async: /^async\b/.test(fn.text) };
}

/** A header name written as a string or an ASCII bytes literal (`"X-API-Key"`, `b"authorization"`), lower-cased. */
function headerName(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  const bytes = /^[bB]["']([\w-]+)["']$/.exec(node.text)?.[1];
  return (bytes ?? stringLiteral(node))?.toLowerCase();
}
