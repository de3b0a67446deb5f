// What middleware code does, read statically: responses it rejects with, HTTPException raised, OPTIONS checks, exempt paths, headers read and written.
import type { Node } from 'web-tree-sitter';
import { callArgs, type Evaluator, refOf } from '../evaluate.js';
import type { ModuleInfo } from '../modules.js';
import { walkNamed } from '../parser.js';
import { decodeStringNode } from '../strings.js';
import type { MiddlewareEntry } from '../types.js';

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
  } = { skipsOptions: false, reads: [], writes: [], exempt: [], exemptPrefixes: [] };
  const body = fn.childForFieldName('body');
  if (!body) return { skipsOptions: false };
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
      if (target && /HTTPException$/.test(target.text) && !out.raisesHttpException)
        out.raisesHttpException = refOf(n, mod);
    } else if (n.type === 'comparison_operator') {
      if (/\bmethod\b/.test(n.text) && /["']OPTIONS["']/i.test(n.text)) out.skipsOptions = true;
      // `request.url.path in PUBLIC_PATHS` / `not in` / `==`: paths the check leaves alone.
      const [left, right] = n.namedChildren;
      if (left && right && /\burl\.path$/.test(left.text)) {
        const v = ev.evaluate(right, { mod, fn });
        if (v.t === 'val') {
          const value = v.rv.value;
          const items = value.kind === 'str' ? [v.rv] : 'items' in value ? value.items : [];
          for (const item of items) if (item.value.kind === 'str') out.exempt.push(item.value.value);
        }
      }
    }
    if (n.type === 'call') {
      const fText = n.childForFieldName('function')?.text ?? '';
      // `request.url.path.startswith("/public")`: a prefix the check leaves alone.
      if (/\burl\.path\.startswith$/.test(fText)) {
        const arg = callArgs(n).positional[0];
        const prefix = arg?.type === 'string' ? stringLiteral(arg) : undefined;
        if (prefix !== undefined) out.exemptPrefixes.push(prefix);
      }
      const f = n.childForFieldName('function')?.text ?? '';
      const a = callArgs(n);
      const first = a.positional[0];
      const literal = first?.type === 'string' ? stringLiteral(first) : undefined;
      if (/\.headers\.(get|getlist)$/.test(f) && literal !== undefined) out.reads.push(literal.toLowerCase());
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
  const { reads, writes, exempt, exemptPrefixes, ...rest } = out;
  const result: NonNullable<MiddlewareEntry['behaviour']> = rest;
  if ((result.mayReject || result.raisesHttpException) && (exempt.length > 0 || exemptPrefixes.length > 0)) {
    result.exemptPaths = { exact: exempt, prefixes: exemptPrefixes };
  }
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
