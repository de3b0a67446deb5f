// Expressions: literals, strings and f-strings, sequences, subscripts, dict literals, operators, conditionals, comprehensions.
import type { Node } from 'web-tree-sitter';
import { decodeStringNode } from '../strings.js';
import type { ResolvedValue } from '../types.js';
import { evalCall } from './calls.js';
import { envValue } from './environment.js';
import type { Evaluator } from './evaluator.js';
import { type Obj, type Scope, withVia } from './objects.js';
import { callArgs } from './syntax.js';
import { dedupe, dedupeStrings, plainOf, pyRepr, short, truthy } from './values.js';

/** One evaluation step: what `node` evaluates to (the evaluator keeps the depth limit). */
export function evaluateExpression(ev: Evaluator, node: Node, scope: Scope): Obj {
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
      return evalString(ev, node, scope);
    case 'integer': {
      const text = node.text.replace(/_/g, '').toLowerCase();
      const n = /^0[xob]/.test(text) ? Number(text) : Number.parseInt(text.replace(/l$/, ''), 10);
      return Number.isSafeInteger(n)
        ? ev.val({ kind: 'int', value: n }, node, scope)
        : ev.unknown(node, scope, 'integer too large');
    }
    case 'float':
      return ev.unknown(node, scope, 'a float');
    case 'true':
    case 'false':
      return ev.val({ kind: 'bool', value: node.type === 'true' }, node, scope);
    case 'none':
      return ev.val({ kind: 'none' }, node, scope);
    case 'list':
    case 'tuple':
    case 'set':
    case 'expression_list':
      return evalSequence(ev, node, node.type === 'expression_list' ? 'tuple' : node.type, scope);
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c) => c.type !== 'comment');
      return inner ? ev.evaluate(inner, scope) : ev.unknown(node, scope, 'empty parentheses');
    }
    case 'identifier':
      return ev.lookupName(node.text, node, scope);
    case 'attribute': {
      const obj = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute');
      if (!obj || !attr) return ev.unknown(node, scope, 'incomplete attribute');
      return ev.getAttr(ev.evaluate(obj, scope), attr.text, node, scope);
    }
    case 'subscript':
      return evalSubscript(ev, node, scope);
    case 'call':
      return evalCall(ev, node, scope);
    case 'binary_operator':
      return evalBinary(ev, node, scope);
    case 'boolean_operator':
      return evalBoolean(ev, node, scope);
    case 'not_operator': {
      const arg = node.childForFieldName('argument');
      const v = arg ? ev.evaluate(arg, scope) : undefined;
      const t = v?.t === 'val' ? truthy(v.rv.value) : undefined;
      return t === undefined
        ? ev.unknown(node, scope, 'the operand cannot be resolved')
        : ev.val({ kind: 'bool', value: !t }, node, scope);
    }
    case 'comparison_operator':
      return evalComparison(ev, node, scope);
    case 'conditional_expression': {
      const [a, cond, b] = node.namedChildren.filter((c) => c.type !== 'comment');
      if (!a || !cond || !b) return ev.unknown(node, scope, 'incomplete conditional');
      const c = ev.evaluate(cond, scope);
      const t = c.t === 'val' ? truthy(c.rv.value) : undefined;
      if (t === undefined)
        return ev.unknown(
          node,
          scope,
          `depends on the condition ${short(cond.text)}, which cannot be resolved`,
        );
      return withVia(ev.evaluate(t ? a : b, scope), `${short(cond.text)} is ${t ? 'true' : 'false'}`);
    }
    case 'list_comprehension':
    case 'set_comprehension':
    case 'generator_expression':
      return evalComprehension(ev, node, scope);
    case 'dictionary':
      return { t: 'dict', node, scope };
    case 'keyword_argument': {
      const v = node.childForFieldName('value');
      return v ? ev.evaluate(v, scope) : ev.unknown(node, scope, 'incomplete keyword');
    }
    case 'type': {
      const inner = node.namedChildren[0];
      return inner ? ev.evaluate(inner, scope) : ev.unknown(node, scope, 'empty type');
    }
    default:
      return ev.unknown(node, scope, `${node.type.replace(/_/g, ' ')} is not evaluated statically`);
  }
}

function evalString(ev: Evaluator, node: Node, scope: Scope): Obj {
  const parts =
    node.type === 'concatenated_string' ? node.namedChildren.filter((c) => c.type === 'string') : [node];
  let out = '';
  for (const part of parts) {
    const decoded = decodeStringNode(part, (expr) => {
      const v = ev.evaluate(expr, scope);
      if (v.t !== 'val') return undefined;
      const p = v.rv.value;
      if (p.kind === 'str') return p.value;
      if (p.kind === 'int') return String(p.value);
      if (p.kind === 'bool') return p.value ? 'True' : 'False';
      if (p.kind === 'none') return 'None';
      return undefined;
    });
    if (decoded.kind === 'bytes') return ev.unknown(node, scope, 'a bytes literal');
    if (decoded.kind === 'unresolved') return ev.unknown(node, scope, decoded.reason);
    out += decoded.value;
  }
  return ev.val({ kind: 'str', value: out }, node, scope);
}

function evalSequence(ev: Evaluator, node: Node, kind: 'list' | 'tuple' | 'set', scope: Scope): Obj {
  const items: ResolvedValue[] = [];
  for (const child of node.namedChildren) {
    if (child.type === 'comment') continue;
    if (child.type === 'list_splat') {
      const inner = child.namedChildren[0];
      const v = inner ? ev.evaluate(inner, scope) : undefined;
      if (
        v?.t === 'val' &&
        (v.rv.value.kind === 'list' || v.rv.value.kind === 'tuple' || v.rv.value.kind === 'set')
      ) {
        items.push(...v.rv.value.items);
      } else items.push(ev.toRv(v ?? ev.unknown(child, scope, 'empty splat'), child, scope));
      continue;
    }
    items.push(ev.resolve(child, scope));
  }
  const out: ResolvedValue[] = kind === 'set' ? dedupe(items) : items;
  return ev.val({ kind, items: out }, node, scope);
}

function evalSubscript(ev: Evaluator, node: Node, scope: Scope): Obj {
  const valueNode = node.childForFieldName('value');
  const indexNode = node.childForFieldName('subscript');
  if (!valueNode || !indexNode) return ev.unknown(node, scope, 'incomplete subscript');
  const target = ev.evaluate(valueNode, scope);
  if (target.t === 'ext' && target.qname === 'os.environ') {
    const key = ev.evaluate(indexNode, scope);
    if (key.t !== 'val' || key.rv.value.kind !== 'str')
      return ev.unknown(node, scope, 'the variable name cannot be resolved');
    return envValue(
      ev,
      key.rv.value.value,
      node,
      scope,
      undefined,
      `os.environ[${pyRepr(key.rv.value.value)}]`,
    );
  }
  if (target.t === 'val') {
    const v = target.rv.value;
    const idx = ev.evaluate(indexNode, scope);
    if ((v.kind === 'list' || v.kind === 'tuple') && idx.t === 'val' && idx.rv.value.kind === 'int') {
      const i = idx.rv.value.value < 0 ? v.items.length + idx.rv.value.value : idx.rv.value.value;
      const item = v.items[i];
      if (!item) return ev.unknown(node, scope, 'IndexError: index out of range');
      return { t: 'val', rv: { ...item, via: [...target.rv.via, ...item.via] } };
    }
    if (v.kind === 'str' && idx.t === 'val' && idx.rv.value.kind === 'int') {
      const i = idx.rv.value.value < 0 ? v.value.length + idx.rv.value.value : idx.rv.value.value;
      const ch = v.value[i];
      if (ch === undefined) return ev.unknown(node, scope, 'IndexError: index out of range');
      return ev.derive(target.rv, { kind: 'str', value: ch }, node, scope, `[${idx.rv.value.value}]`);
    }
  }
  if (target.t === 'dict') {
    const key = ev.evaluate(indexNode, scope);
    if (key.t === 'val' && key.rv.value.kind === 'str') {
      const entry = dictEntry(ev, target, key.rv.value.value);
      if (entry) return ev.evaluate(entry, target.scope);
    }
  }
  return ev.unknown(node, scope, 'subscript cannot be resolved');
}

/** The value node of `key` in a dict literal or `dict(k=v)` call. */
export function dictEntry(ev: Evaluator, d: Extract<Obj, { t: 'dict' }>, key: string): Node | undefined {
  if (d.node.type === 'dictionary') {
    for (const pair of d.node.namedChildren) {
      if (pair.type !== 'pair') continue;
      const k = pair.childForFieldName('key');
      const kv = k ? ev.evaluate(k, d.scope) : undefined;
      if (kv?.t === 'val' && kv.rv.value.kind === 'str' && kv.rv.value.value === key)
        return pair.childForFieldName('value') ?? undefined;
    }
    return undefined;
  }
  return callArgs(d.node).keywords.get(key);
}

/** Keyword entries of a dict literal / `dict(...)` call, when all keys are plain strings. */
export function dictEntries(ev: Evaluator, d: Extract<Obj, { t: 'dict' }>): Map<string, Node> | undefined {
  if (d.node.type !== 'dictionary') return callArgs(d.node).keywords;
  const out = new Map<string, Node>();
  for (const pair of d.node.namedChildren) {
    if (pair.type === 'comment') continue;
    if (pair.type !== 'pair') return undefined;
    const k = pair.childForFieldName('key');
    const v = pair.childForFieldName('value');
    const kv = k ? ev.evaluate(k, d.scope) : undefined;
    if (!v || kv?.t !== 'val' || kv.rv.value.kind !== 'str') return undefined;
    out.set(kv.rv.value.value, v);
  }
  return out;
}

function evalBinary(ev: Evaluator, node: Node, scope: Scope): Obj {
  const op = node.childForFieldName('operator')?.text;
  const l = node.childForFieldName('left');
  const r = node.childForFieldName('right');
  if (!l || !r) return ev.unknown(node, scope, 'incomplete operation');
  const a = ev.evaluate(l, scope);
  const b = ev.evaluate(r, scope);
  if (a.t !== 'val' || b.t !== 'val') {
    const bad = a.t !== 'val' ? a : b;
    return ev.unknown(
      node,
      scope,
      bad.t === 'unknown' ? bad.reason : `operand ${short((bad === a ? l : r).text)} is not a literal value`,
    );
  }
  const x = a.rv.value;
  const y = b.rv.value;
  const via = [...a.rv.via, ...b.rv.via];
  const env = a.rv.env ?? b.rv.env;
  if (op === '+') {
    if (x.kind === 'str' && y.kind === 'str')
      return ev.val({ kind: 'str', value: x.value + y.value }, node, scope, via, env);
    if (x.kind === 'int' && y.kind === 'int')
      return ev.val({ kind: 'int', value: x.value + y.value }, node, scope, via, env);
    if ((x.kind === 'list' && y.kind === 'list') || (x.kind === 'tuple' && y.kind === 'tuple')) {
      return ev.val({ kind: x.kind, items: [...x.items, ...y.items] }, node, scope, via, env);
    }
    return ev.unknown(node, scope, `TypeError: cannot add ${x.kind} and ${y.kind}`);
  }
  if (op === '|' && x.kind === 'set' && y.kind === 'set')
    return ev.val({ kind: 'set', items: dedupe([...x.items, ...y.items]) }, node, scope, via, env);
  if (op === '*' && (x.kind === 'list' || x.kind === 'str') && y.kind === 'int') {
    if (x.kind === 'str')
      return ev.val({ kind: 'str', value: x.value.repeat(Math.max(0, y.value)) }, node, scope, via, env);
    const items: ResolvedValue[] = [];
    for (let i = 0; i < y.value; i++) items.push(...x.items);
    return ev.val({ kind: 'list', items }, node, scope, via, env);
  }
  if (op === '%' && x.kind === 'str') return ev.unknown(node, scope, '%-formatting is not evaluated');
  if (x.kind === 'int' && y.kind === 'int' && (op === '-' || op === '*')) {
    return ev.val(
      { kind: 'int', value: op === '-' ? x.value - y.value : x.value * y.value },
      node,
      scope,
      via,
      env,
    );
  }
  return ev.unknown(node, scope, `operator ${op} is not evaluated`);
}

function evalBoolean(ev: Evaluator, node: Node, scope: Scope): Obj {
  const op = node.childForFieldName('operator')?.text;
  const l = node.childForFieldName('left');
  const r = node.childForFieldName('right');
  if (!l || !r) return ev.unknown(node, scope, 'incomplete operation');
  const a = ev.evaluate(l, scope);
  const t =
    a.t === 'val'
      ? truthy(a.rv.value)
      : a.t === 'instance' || a.t === 'module' || a.t === 'class'
        ? true
        : undefined;
  if (t === undefined)
    return ev.unknown(node, scope, a.t === 'unknown' ? a.reason : `${short(l.text)} cannot be resolved`);
  if (op === 'or') return t ? a : withVia(ev.evaluate(r, scope), `${short(l.text)} is empty`);
  return t ? ev.evaluate(r, scope) : a;
}

function evalComparison(ev: Evaluator, node: Node, scope: Scope): Obj {
  const operands = node.namedChildren.filter((c) => c.type !== 'comment');
  const ops: string[] = [];
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    if (c && !c.isNamed) ops.push(c.text);
  }
  // `not in` / `is not` come as two tokens.
  const merged: string[] = [];
  for (let i = 0; i < ops.length; i++) {
    if ((ops[i] === 'not' && ops[i + 1] === 'in') || (ops[i] === 'is' && ops[i + 1] === 'not')) {
      merged.push(`${ops[i]} ${ops[i + 1]}`);
      i++;
    } else merged.push(ops[i] as string);
  }
  if (operands.length !== 2 || merged.length !== 1) return ev.unknown(node, scope, 'chained comparison');
  const a = ev.evaluate(operands[0] as Node, scope);
  const b = ev.evaluate(operands[1] as Node, scope);
  if (a.t !== 'val' || b.t !== 'val') return ev.unknown(node, scope, 'an operand cannot be resolved');
  const pa = plainOf(a.rv.value);
  const pb = plainOf(b.rv.value);
  if (pa === undefined || pb === undefined) return ev.unknown(node, scope, 'an operand cannot be resolved');
  const op = merged[0];
  let result: boolean | undefined;
  if (op === '==' || op === '!=' || op === 'is' || op === 'is not') {
    const eq = JSON.stringify(pa) === JSON.stringify(pb);
    result = op === '==' || op === 'is' ? eq : !eq;
  } else if (op === 'in' || op === 'not in') {
    let contains: boolean | undefined;
    if (typeof pb === 'string' && typeof pa === 'string') contains = pb.includes(pa);
    else if (Array.isArray(pb)) contains = pb.some((x) => JSON.stringify(x) === JSON.stringify(pa));
    if (contains !== undefined) result = op === 'in' ? contains : !contains;
  }
  if (result === undefined) return ev.unknown(node, scope, `comparison ${op} is not evaluated`);
  return ev.val(
    { kind: 'bool', value: result },
    node,
    scope,
    [...a.rv.via, ...b.rv.via, `${op} ${short((operands[1] as Node).text)}`],
    a.rv.env ?? b.rv.env,
  );
}

function evalComprehension(ev: Evaluator, node: Node, scope: Scope): Obj {
  const body = node.childForFieldName('body');
  const clauses = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
  if (!body) return ev.unknown(node, scope, 'incomplete comprehension');
  const kind = node.type === 'set_comprehension' ? 'set' : 'list';
  const items: ResolvedValue[] = [];
  const via: string[] = [];
  let env: ResolvedValue['env'];
  // `[str(o).rstrip("/") for o in origins]`: each item stays written where its element is written (the
  // `.env` line, the literal in the list), so an origin is added or corrected there.
  const first = clauses[0]?.childForFieldName('left');
  const mapsItems = clauses.length === 1 && first?.type === 'identifier' && transformsOnly(body, first.text);
  // Names the code that maps the items, where a change to every item (a strip) is written.
  const mapping = `each item as ${body.text} at ${scope.mod.rel}:${body.startPosition.row + 1}`;
  const run = (i: number, s: Scope, el?: ResolvedValue): string | undefined => {
    if (i === clauses.length) {
      const out = ev.resolve(body, s);
      items.push(
        mapsItems && el && out.value.kind === 'str'
          ? { ...el, value: out.value, via: dedupeStrings([...el.via, ...out.via, mapping]) }
          : out,
      );
      return undefined;
    }
    const clause = clauses[i] as Node;
    if (clause.type === 'if_clause') {
      const cond = clause.namedChildren[0];
      const c = cond ? ev.evaluate(cond, s) : undefined;
      const t = c?.t === 'val' ? truthy(c.rv.value) : undefined;
      if (t === undefined) return `the filter ${short(clause.text)} cannot be resolved`;
      return t ? run(i + 1, s) : undefined;
    }
    const left = clause.childForFieldName('left');
    const right = clause.childForFieldName('right');
    if (left?.type !== 'identifier' || !right)
      return 'only simple `for x in ...` comprehensions are evaluated';
    const src = ev.evaluate(right, s);
    if (src.t !== 'val')
      return src.t === 'unknown'
        ? `${short(right.text)}: ${src.reason}`
        : `${short(right.text)} is not a literal value`;
    via.push(...src.rv.via);
    env ??= src.rv.env;
    const v = src.rv.value;
    let elems: ResolvedValue[];
    if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') elems = v.items;
    else if (v.kind === 'str')
      elems = [...v.value].map((ch) => ({ ...src.rv, value: { kind: 'str', value: ch } }));
    else if (v.kind === 'unresolved') return `${short(right.text)}: ${v.reason}`;
    else return `${short(right.text)} is not iterable`;
    for (const el of elems) {
      if (el.value.kind === 'unresolved')
        return `an item of ${short(right.text)} cannot be resolved (${el.value.reason})`;
      const locals = new Map<string, Obj>([[left.text, { t: 'val', rv: el }]]);
      const err = run(i + 1, { ...s, locals, parent: s }, el);
      if (err) return err;
    }
    return undefined;
  };
  const err = run(0, scope);
  if (err) return ev.unknown(node, scope, err);
  return ev.val(
    { kind, items: kind === 'set' ? dedupe(items) : items },
    node,
    scope,
    dedupeStrings(via),
    env,
  );
}

/** True when `body` is the loop variable `name` passed through str() and string cleaning methods only. */
function transformsOnly(body: Node, name: string): boolean {
  if (body.type === 'identifier') return body.text === name;
  if (body.type === 'parenthesized_expression') {
    const inner = body.namedChildren[0];
    return inner !== undefined && body.namedChildren.length === 1 && transformsOnly(inner, name);
  }
  if (body.type !== 'call') return false;
  const fn = body.childForFieldName('function');
  const args = (body.childForFieldName('arguments')?.namedChildren ?? []).filter((c) => c.type !== 'comment');
  if (fn?.type === 'identifier' && fn.text === 'str')
    return args.length === 1 && transformsOnly(args[0] as Node, name);
  if (fn?.type !== 'attribute') return false;
  const method = fn.childForFieldName('attribute')?.text ?? '';
  const obj = fn.childForFieldName('object');
  return (
    ITEM_CLEANING.has(method) &&
    obj !== null &&
    args.every((a) => a.type === 'string') &&
    transformsOnly(obj, name)
  );
}

const ITEM_CLEANING = new Set(['strip', 'rstrip', 'lstrip', 'lower', 'casefold', 'removesuffix']);
