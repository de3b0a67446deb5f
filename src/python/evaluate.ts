import type { Node } from 'web-tree-sitter';
import { type Binding, collectBindings, type ModuleInfo, type ProjectIndex } from './modules.js';
import { lineOf } from './parser.js';
import { decodeStringNode } from './strings.js';
import type { PyValue, ResolvedValue, SourceRef } from './types.js';

/** What an expression evaluates to, statically. */
export type Obj =
  | { t: 'val'; rv: ResolvedValue }
  | { t: 'module'; mod: ModuleInfo }
  | { t: 'namespace'; from: ModuleInfo; dotted: string; level: number }
  | { t: 'ext'; qname: string }
  | { t: 'class'; mod: ModuleInfo; node: Node }
  | { t: 'func'; mod: ModuleInfo; node: Node; self?: Obj }
  | { t: 'instance'; mod: ModuleInfo; node: Node; call?: Node; callScope?: Scope }
  | { t: 'extcall'; qname: string; call: Node; scope: Scope; origin?: { mod: ModuleInfo; name: string } }
  | { t: 'method'; recv: Obj; name: string }
  | { t: 'dict'; node: Node; scope: Scope }
  | { t: 'unknown'; expression: string; reason: string; source: SourceRef };

export interface Scope {
  mod: ModuleInfo;
  /** A function whose body's assignments are visible (static lookup). */
  fn?: Node;
  /** A class body being evaluated. */
  cls?: Node;
  /** Bound names (parameters, comprehension variables, executed assignments). */
  locals?: Map<string, Obj>;
  parent?: Scope;
}

export interface EnvHit {
  value: string;
  source: SourceRef;
  /** e.g. `.env CORS_ORIGINS at .env:2`. */
  label: string;
}

export interface EnvProvider {
  /** The process environment as the project defines it (compose `environment:`, `env_file:`, a `.env` near `mod`). */
  process(
    name: string,
    mod: ModuleInfo,
    caseInsensitive: boolean,
    nearbyDotenv?: boolean,
  ): EnvHit | undefined;
  /** A dotenv file named by settings (`env_file=`), resolved from `mod`'s directory upwards. */
  dotenv(file: string, name: string, mod: ModuleInfo, caseInsensitive: boolean): EnvHit | undefined;
}

const MAX_DEPTH = 40;

export const refOf = (node: Node, mod: ModuleInfo): SourceRef => ({ file: mod.rel, line: lineOf(node) });
const short = (text: string, n = 60): string => {
  const one = text.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};
const pyRepr = (s: string): string => JSON.stringify(s);

export function unresolvedRv(node: Node, mod: ModuleInfo, reason: string, via: string[] = []): ResolvedValue {
  return {
    value: { kind: 'unresolved', expression: node.text, reason },
    source: refOf(node, mod),
    expression: node.text,
    via,
  };
}

/** Python truthiness; undefined when unknown. */
export function truthy(v: PyValue): boolean | undefined {
  switch (v.kind) {
    case 'str':
      return v.value.length > 0;
    case 'int':
      return v.value !== 0;
    case 'bool':
      return v.value;
    case 'none':
      return false;
    case 'list':
    case 'tuple':
    case 'set':
      return v.items.length > 0;
    default:
      return undefined;
  }
}

/** Plain JS view of a value (for equality and JSON); undefined when it contains unresolved parts. */
export function plainOf(v: PyValue): unknown {
  switch (v.kind) {
    case 'str':
    case 'int':
    case 'bool':
      return v.value;
    case 'none':
      return null;
    case 'list':
    case 'tuple':
    case 'set': {
      const out: unknown[] = [];
      for (const i of v.items) {
        const p = plainOf(i.value);
        if (p === undefined) return undefined;
        out.push(p);
      }
      return out;
    }
    default:
      return undefined;
  }
}

const PY_WS =
  ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
export function pyStrip(s: string, chars: string | undefined, mode: 'both' | 'l' | 'r'): string {
  const set = chars ?? PY_WS;
  let a = 0;
  let b = s.length;
  if (mode !== 'r') while (a < b && set.includes(s[a] as string)) a++;
  if (mode !== 'l') while (b > a && set.includes(s[b - 1] as string)) b--;
  return s.slice(a, b);
}
export function pySplit(s: string, sep: string | undefined, maxsplit = -1): string[] {
  if (sep === undefined) {
    const parts = s.split(new RegExp(`[${PY_WS}]+`)).filter((p) => p.length > 0);
    if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
    // Rare; approximate by re-joining the remainder on single spaces is wrong, so split manually.
    const out: string[] = [];
    let rest = pyStrip(s, undefined, 'l');
    while (out.length < maxsplit) {
      const m = new RegExp(`[${PY_WS}]+`).exec(rest);
      if (!m) break;
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    if (rest.length > 0) out.push(rest);
    return out;
  }
  const parts = s.split(sep);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)];
}

/** JSON text -> a Python value as `json.loads` (and pydantic's env decoding) gives it. */
export function jsonToPy(data: unknown, source: SourceRef, expression: string, via: string[]): PyValue {
  if (typeof data === 'string') return { kind: 'str', value: data };
  if (typeof data === 'boolean') return { kind: 'bool', value: data };
  if (data === null) return { kind: 'none' };
  if (typeof data === 'number' && Number.isInteger(data)) return { kind: 'int', value: data };
  if (Array.isArray(data)) {
    return {
      kind: 'list',
      items: data.map((d) => ({
        value: jsonToPy(d, source, expression, via),
        source,
        expression: JSON.stringify(d),
        via,
      })),
    };
  }
  return { kind: 'unresolved', expression, reason: 'a JSON object or number that is not an int' };
}

interface Args {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*x` / `**x` arguments (not expanded). */
  splats: Node[];
}

export function callArgs(call: Node): Args {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const splats: Node[] = [];
  const list = call.childForFieldName('arguments');
  if (list?.type === 'argument_list') {
    for (const a of list.namedChildren) {
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text;
        const value = a.childForFieldName('value');
        if (name && value) keywords.set(name, value);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') splats.push(a);
      else if (a.type !== 'comment') positional.push(a);
    }
  } else if (list) positional.push(list); // generator expression argument
  return { positional, keywords, splats };
}

type ExecResult = { returned: Obj } | undefined;

/** Static evaluation of Python expressions across a project's modules. */
export class Evaluator {
  private readonly moduleCache = new Map<number, Obj>();
  private readonly active = new Set<string>();
  private depth = 0;

  constructor(
    readonly index: ProjectIndex,
    readonly env: EnvProvider,
  ) {}

  // ---------------------------------------------------------------------------------------------
  // Results

  val(value: PyValue, node: Node, scope: Scope, via: string[] = [], env?: ResolvedValue['env']): Obj {
    const rv: ResolvedValue = { value, source: refOf(node, scope.mod), expression: node.text, via };
    if (env) rv.env = env;
    return { t: 'val', rv };
  }

  unknown(node: Node, scope: Scope, reason: string): Obj {
    return { t: 'unknown', expression: node.text, reason, source: refOf(node, scope.mod) };
  }

  /** The expression's value as a ResolvedValue standing at `node` (unresolved when not a plain value). */
  resolve(node: Node, scope: Scope): ResolvedValue {
    return this.toRv(this.evaluate(node, scope), node, scope);
  }

  toRv(obj: Obj, node: Node, scope: Scope): ResolvedValue {
    const source = refOf(node, scope.mod);
    if (obj.t === 'val') {
      const rv: ResolvedValue = { value: obj.rv.value, source, expression: node.text, via: obj.rv.via };
      if (obj.rv.env) rv.env = obj.rv.env;
      return rv;
    }
    if (obj.t === 'unknown') {
      const via =
        obj.expression !== node.text
          ? [`${short(obj.expression)} at ${obj.source.file}:${obj.source.line}`]
          : [];
      return {
        value: { kind: 'unresolved', expression: node.text, reason: obj.reason },
        source,
        expression: node.text,
        via,
      };
    }
    return {
      value: { kind: 'unresolved', expression: node.text, reason: `not a literal value (${describe(obj)})` },
      source,
      expression: node.text,
      via: [],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  evaluate(node: Node, scope: Scope): Obj {
    if (this.depth > MAX_DEPTH) return this.unknown(node, scope, 'too deeply nested to follow');
    this.depth++;
    try {
      return this.evaluateInner(node, scope);
    } finally {
      this.depth--;
    }
  }

  private evaluateInner(node: Node, scope: Scope): Obj {
    switch (node.type) {
      case 'string':
      case 'concatenated_string':
        return this.evalString(node, scope);
      case 'integer': {
        const text = node.text.replace(/_/g, '').toLowerCase();
        const n = /^0[xob]/.test(text) ? Number(text) : Number.parseInt(text.replace(/l$/, ''), 10);
        return Number.isSafeInteger(n)
          ? this.val({ kind: 'int', value: n }, node, scope)
          : this.unknown(node, scope, 'integer too large');
      }
      case 'float':
        return this.unknown(node, scope, 'a float');
      case 'true':
      case 'false':
        return this.val({ kind: 'bool', value: node.type === 'true' }, node, scope);
      case 'none':
        return this.val({ kind: 'none' }, node, scope);
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return this.evalSequence(node, node.type === 'expression_list' ? 'tuple' : node.type, scope);
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c.type !== 'comment');
        return inner ? this.evaluate(inner, scope) : this.unknown(node, scope, 'empty parentheses');
      }
      case 'identifier':
        return this.lookupName(node.text, node, scope);
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute');
        if (!obj || !attr) return this.unknown(node, scope, 'incomplete attribute');
        return this.getAttr(this.evaluate(obj, scope), attr.text, node, scope);
      }
      case 'subscript':
        return this.evalSubscript(node, scope);
      case 'call':
        return this.evalCall(node, scope);
      case 'binary_operator':
        return this.evalBinary(node, scope);
      case 'boolean_operator':
        return this.evalBoolean(node, scope);
      case 'not_operator': {
        const arg = node.childForFieldName('argument');
        const v = arg ? this.evaluate(arg, scope) : undefined;
        const t = v?.t === 'val' ? truthy(v.rv.value) : undefined;
        return t === undefined
          ? this.unknown(node, scope, 'the operand cannot be resolved')
          : this.val({ kind: 'bool', value: !t }, node, scope);
      }
      case 'comparison_operator':
        return this.evalComparison(node, scope);
      case 'conditional_expression': {
        const [a, cond, b] = node.namedChildren.filter((c) => c.type !== 'comment');
        if (!a || !cond || !b) return this.unknown(node, scope, 'incomplete conditional');
        const c = this.evaluate(cond, scope);
        const t = c.t === 'val' ? truthy(c.rv.value) : undefined;
        if (t === undefined)
          return this.unknown(
            node,
            scope,
            `depends on the condition ${short(cond.text)}, which cannot be resolved`,
          );
        return this.withVia(
          this.evaluate(t ? a : b, scope),
          `${short(cond.text)} is ${t ? 'true' : 'false'}`,
        );
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
        return this.evalComprehension(node, scope);
      case 'dictionary':
        return { t: 'dict', node, scope };
      case 'keyword_argument': {
        const v = node.childForFieldName('value');
        return v ? this.evaluate(v, scope) : this.unknown(node, scope, 'incomplete keyword');
      }
      case 'type': {
        const inner = node.namedChildren[0];
        return inner ? this.evaluate(inner, scope) : this.unknown(node, scope, 'empty type');
      }
      default:
        return this.unknown(node, scope, `${node.type.replace(/_/g, ' ')} is not evaluated statically`);
    }
  }

  private withVia(obj: Obj, step: string): Obj {
    if (obj.t !== 'val') return obj;
    return { t: 'val', rv: { ...obj.rv, via: [step, ...obj.rv.via] } };
  }

  private evalString(node: Node, scope: Scope): Obj {
    const parts =
      node.type === 'concatenated_string' ? node.namedChildren.filter((c) => c.type === 'string') : [node];
    let out = '';
    for (const part of parts) {
      const decoded = decodeStringNode(part, (expr) => {
        const v = this.evaluate(expr, scope);
        if (v.t !== 'val') return undefined;
        const p = v.rv.value;
        if (p.kind === 'str') return p.value;
        if (p.kind === 'int') return String(p.value);
        if (p.kind === 'bool') return p.value ? 'True' : 'False';
        if (p.kind === 'none') return 'None';
        return undefined;
      });
      if (decoded.kind === 'bytes') return this.unknown(node, scope, 'a bytes literal');
      if (decoded.kind === 'unresolved') return this.unknown(node, scope, decoded.reason);
      out += decoded.value;
    }
    return this.val({ kind: 'str', value: out }, node, scope);
  }

  private evalSequence(node: Node, kind: 'list' | 'tuple' | 'set', scope: Scope): Obj {
    const items: ResolvedValue[] = [];
    for (const child of node.namedChildren) {
      if (child.type === 'comment') continue;
      if (child.type === 'list_splat') {
        const inner = child.namedChildren[0];
        const v = inner ? this.evaluate(inner, scope) : undefined;
        if (
          v?.t === 'val' &&
          (v.rv.value.kind === 'list' || v.rv.value.kind === 'tuple' || v.rv.value.kind === 'set')
        ) {
          items.push(...v.rv.value.items);
        } else items.push(this.toRv(v ?? this.unknown(child, scope, 'empty splat'), child, scope));
        continue;
      }
      items.push(this.resolve(child, scope));
    }
    const out: ResolvedValue[] = kind === 'set' ? dedupe(items) : items;
    return this.val({ kind, items: out }, node, scope);
  }

  private evalSubscript(node: Node, scope: Scope): Obj {
    const valueNode = node.childForFieldName('value');
    const indexNode = node.childForFieldName('subscript');
    if (!valueNode || !indexNode) return this.unknown(node, scope, 'incomplete subscript');
    const target = this.evaluate(valueNode, scope);
    if (target.t === 'ext' && target.qname === 'os.environ') {
      const key = this.evaluate(indexNode, scope);
      if (key.t !== 'val' || key.rv.value.kind !== 'str')
        return this.unknown(node, scope, 'the variable name cannot be resolved');
      return this.envValue(
        key.rv.value.value,
        node,
        scope,
        undefined,
        `os.environ[${pyRepr(key.rv.value.value)}]`,
      );
    }
    if (target.t === 'val') {
      const v = target.rv.value;
      const idx = this.evaluate(indexNode, scope);
      if ((v.kind === 'list' || v.kind === 'tuple') && idx.t === 'val' && idx.rv.value.kind === 'int') {
        const i = idx.rv.value.value < 0 ? v.items.length + idx.rv.value.value : idx.rv.value.value;
        const item = v.items[i];
        if (!item) return this.unknown(node, scope, 'IndexError: index out of range');
        return { t: 'val', rv: { ...item, via: [...target.rv.via, ...item.via] } };
      }
      if (v.kind === 'str' && idx.t === 'val' && idx.rv.value.kind === 'int') {
        const i = idx.rv.value.value < 0 ? v.value.length + idx.rv.value.value : idx.rv.value.value;
        const ch = v.value[i];
        if (ch === undefined) return this.unknown(node, scope, 'IndexError: index out of range');
        return this.derive(target.rv, { kind: 'str', value: ch }, node, scope, `[${idx.rv.value.value}]`);
      }
    }
    if (target.t === 'dict') {
      const key = this.evaluate(indexNode, scope);
      if (key.t === 'val' && key.rv.value.kind === 'str') {
        const entry = this.dictEntry(target, key.rv.value.value);
        if (entry) return this.evaluate(entry, target.scope);
      }
    }
    return this.unknown(node, scope, 'subscript cannot be resolved');
  }

  /** The value node of `key` in a dict literal or `dict(k=v)` call. */
  dictEntry(d: Extract<Obj, { t: 'dict' }>, key: string): Node | undefined {
    if (d.node.type === 'dictionary') {
      for (const pair of d.node.namedChildren) {
        if (pair.type !== 'pair') continue;
        const k = pair.childForFieldName('key');
        const kv = k ? this.evaluate(k, d.scope) : undefined;
        if (kv?.t === 'val' && kv.rv.value.kind === 'str' && kv.rv.value.value === key)
          return pair.childForFieldName('value') ?? undefined;
      }
      return undefined;
    }
    return callArgs(d.node).keywords.get(key);
  }

  /** Keyword entries of a dict literal / `dict(...)` call, when all keys are plain strings. */
  dictEntries(d: Extract<Obj, { t: 'dict' }>): Map<string, Node> | undefined {
    if (d.node.type !== 'dictionary') return callArgs(d.node).keywords;
    const out = new Map<string, Node>();
    for (const pair of d.node.namedChildren) {
      if (pair.type === 'comment') continue;
      if (pair.type !== 'pair') return undefined;
      const k = pair.childForFieldName('key');
      const v = pair.childForFieldName('value');
      const kv = k ? this.evaluate(k, d.scope) : undefined;
      if (!v || kv?.t !== 'val' || kv.rv.value.kind !== 'str') return undefined;
      out.set(kv.rv.value.value, v);
    }
    return out;
  }

  private evalBinary(node: Node, scope: Scope): Obj {
    const op = node.childForFieldName('operator')?.text;
    const l = node.childForFieldName('left');
    const r = node.childForFieldName('right');
    if (!l || !r) return this.unknown(node, scope, 'incomplete operation');
    const a = this.evaluate(l, scope);
    const b = this.evaluate(r, scope);
    if (a.t !== 'val' || b.t !== 'val') {
      const bad = a.t !== 'val' ? a : b;
      return this.unknown(
        node,
        scope,
        bad.t === 'unknown'
          ? bad.reason
          : `operand ${short((bad === a ? l : r).text)} is not a literal value`,
      );
    }
    const x = a.rv.value;
    const y = b.rv.value;
    const via = [...a.rv.via, ...b.rv.via];
    const env = a.rv.env ?? b.rv.env;
    if (op === '+') {
      if (x.kind === 'str' && y.kind === 'str')
        return this.val({ kind: 'str', value: x.value + y.value }, node, scope, via, env);
      if (x.kind === 'int' && y.kind === 'int')
        return this.val({ kind: 'int', value: x.value + y.value }, node, scope, via, env);
      if ((x.kind === 'list' && y.kind === 'list') || (x.kind === 'tuple' && y.kind === 'tuple')) {
        return this.val({ kind: x.kind, items: [...x.items, ...y.items] }, node, scope, via, env);
      }
      return this.unknown(node, scope, `TypeError: cannot add ${x.kind} and ${y.kind}`);
    }
    if (op === '|' && x.kind === 'set' && y.kind === 'set')
      return this.val({ kind: 'set', items: dedupe([...x.items, ...y.items]) }, node, scope, via, env);
    if (op === '*' && (x.kind === 'list' || x.kind === 'str') && y.kind === 'int') {
      if (x.kind === 'str')
        return this.val({ kind: 'str', value: x.value.repeat(Math.max(0, y.value)) }, node, scope, via, env);
      const items: ResolvedValue[] = [];
      for (let i = 0; i < y.value; i++) items.push(...x.items);
      return this.val({ kind: 'list', items }, node, scope, via, env);
    }
    if (op === '%' && x.kind === 'str') return this.unknown(node, scope, '%-formatting is not evaluated');
    if (x.kind === 'int' && y.kind === 'int' && (op === '-' || op === '*')) {
      return this.val(
        { kind: 'int', value: op === '-' ? x.value - y.value : x.value * y.value },
        node,
        scope,
        via,
        env,
      );
    }
    return this.unknown(node, scope, `operator ${op} is not evaluated`);
  }

  private evalBoolean(node: Node, scope: Scope): Obj {
    const op = node.childForFieldName('operator')?.text;
    const l = node.childForFieldName('left');
    const r = node.childForFieldName('right');
    if (!l || !r) return this.unknown(node, scope, 'incomplete operation');
    const a = this.evaluate(l, scope);
    const t =
      a.t === 'val'
        ? truthy(a.rv.value)
        : a.t === 'instance' || a.t === 'module' || a.t === 'class'
          ? true
          : undefined;
    if (t === undefined)
      return this.unknown(node, scope, a.t === 'unknown' ? a.reason : `${short(l.text)} cannot be resolved`);
    if (op === 'or') return t ? a : this.withVia(this.evaluate(r, scope), `${short(l.text)} is empty`);
    return t ? this.evaluate(r, scope) : a;
  }

  private evalComparison(node: Node, scope: Scope): Obj {
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
    if (operands.length !== 2 || merged.length !== 1) return this.unknown(node, scope, 'chained comparison');
    const a = this.evaluate(operands[0] as Node, scope);
    const b = this.evaluate(operands[1] as Node, scope);
    if (a.t !== 'val' || b.t !== 'val') return this.unknown(node, scope, 'an operand cannot be resolved');
    const pa = plainOf(a.rv.value);
    const pb = plainOf(b.rv.value);
    if (pa === undefined || pb === undefined)
      return this.unknown(node, scope, 'an operand cannot be resolved');
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
    if (result === undefined) return this.unknown(node, scope, `comparison ${op} is not evaluated`);
    return this.val(
      { kind: 'bool', value: result },
      node,
      scope,
      [...a.rv.via, ...b.rv.via, `${op} ${short((operands[1] as Node).text)}`],
      a.rv.env ?? b.rv.env,
    );
  }

  private evalComprehension(node: Node, scope: Scope): Obj {
    const body = node.childForFieldName('body');
    const clauses = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    if (!body) return this.unknown(node, scope, 'incomplete comprehension');
    const kind = node.type === 'set_comprehension' ? 'set' : 'list';
    const items: ResolvedValue[] = [];
    const via: string[] = [];
    let env: ResolvedValue['env'];
    const run = (i: number, s: Scope): string | undefined => {
      if (i === clauses.length) {
        items.push(this.resolve(body, s));
        return undefined;
      }
      const clause = clauses[i] as Node;
      if (clause.type === 'if_clause') {
        const cond = clause.namedChildren[0];
        const c = cond ? this.evaluate(cond, s) : undefined;
        const t = c?.t === 'val' ? truthy(c.rv.value) : undefined;
        if (t === undefined) return `the filter ${short(clause.text)} cannot be resolved`;
        return t ? run(i + 1, s) : undefined;
      }
      const left = clause.childForFieldName('left');
      const right = clause.childForFieldName('right');
      if (left?.type !== 'identifier' || !right)
        return 'only simple `for x in ...` comprehensions are evaluated';
      const src = this.evaluate(right, s);
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
        const err = run(i + 1, { ...s, locals, parent: s });
        if (err) return err;
      }
      return undefined;
    };
    const err = run(0, scope);
    if (err) return this.unknown(node, scope, err);
    return this.val(
      { kind, items: kind === 'set' ? dedupe(items) : items },
      node,
      scope,
      dedupeStrings(via),
      env,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Names

  lookupName(name: string, node: Node, scope: Scope): Obj {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const v = s.locals?.get(name);
      if (v) return v;
    }
    if (scope.fn) {
      const body = scope.fn.childForFieldName('body');
      if (body) {
        const b = lastBefore(collectBindings(body).get(name), node);
        if (b) return this.fromBinding(b, name, scope.mod, { mod: scope.mod, fn: scope.fn });
      }
      if (paramNames(scope.fn).includes(name))
        return this.unknown(
          node,
          scope,
          `${name} is a parameter of ${scope.fn.childForFieldName('name')?.text ?? 'a function'}`,
        );
    }
    if (scope.cls) {
      const body = scope.cls.childForFieldName('body');
      const b = body ? lastBefore(collectBindings(body).get(name), node) : undefined;
      if (b) return this.fromBinding(b, name, scope.mod, { mod: scope.mod, cls: scope.cls });
    }
    return this.moduleAttr(scope.mod, name, node, scope);
  }

  /** A module-level name of `mod` (following imports, star imports, builtins). */
  moduleAttr(mod: ModuleInfo, name: string, site: Node, siteScope: Scope): Obj {
    const b = last(mod.bindings.get(name));
    if (b) return this.fromBinding(b, name, mod, { mod });
    for (const [key, list] of mod.bindings) {
      if (!key.startsWith('*')) continue;
      const star = list[0];
      if (star?.kind !== 'star') continue;
      const file = this.index.findModuleFile(mod, star.module, star.level);
      const target = file ? this.index.getModule(file) : undefined;
      if (target?.bindings.has(name))
        return this.guard(`${target.rel}#${name}`, site, siteScope, () =>
          this.moduleAttr(target, name, site, siteScope),
        );
      if (!file && star.level === 0) return { t: 'ext', qname: `${star.module}.${name}` };
    }
    if (BUILTINS.has(name)) return { t: 'ext', qname: `builtins.${name}` };
    return this.unknown(site, siteScope, `${name} is not defined in ${mod.rel}`);
  }

  private guard(key: string, site: Node, scope: Scope, f: () => Obj): Obj {
    if (this.active.has(key)) return this.unknown(site, scope, 'circular definition');
    this.active.add(key);
    try {
      return f();
    } finally {
      this.active.delete(key);
    }
  }

  private readonly importCache = new Map<string, Obj>();

  fromBinding(b: Binding, name: string, mod: ModuleInfo, scope: Scope): Obj {
    switch (b.kind) {
      case 'import':
      case 'from': {
        const key = `${mod.rel}:${b.node.id}:${name}`;
        const cached = this.importCache.get(key);
        if (cached) return cached;
        const r =
          b.kind === 'import'
            ? (this.importModule(mod, b.module, 0) ?? ({ t: 'ext', qname: b.module } as Obj))
            : this.importFrom(mod, b.module, b.level, b.name, b.node);
        if (r.t !== 'unknown' || r.reason !== 'circular definition') this.importCache.set(key, r);
        return r;
      }
      case 'def':
        return { t: 'func', mod, node: b.node };
      case 'class':
        return { t: 'class', mod, node: b.node };
      case 'annotation':
        return this.unknown(b.node, scope, `${name} is declared without a value`);
      case 'star':
        return this.unknown(b.node, scope, 'star import');
      case 'assign': {
        const cacheable = !scope.fn && !scope.cls && !scope.locals;
        const cached = cacheable ? this.moduleCache.get(b.value.id) : undefined;
        if (cached) return cached;
        const result = this.guard(`${mod.rel}@${b.value.id}`, b.value, scope, () => {
          const v = this.evaluate(b.value, scope);
          const step = `${name} at ${mod.rel}:${lineOf(b.node)}`;
          if (v.t === 'val') return { t: 'val', rv: { ...v.rv, via: [step, ...v.rv.via] } } as Obj;
          if (v.t === 'extcall' && !v.origin) return { ...v, origin: { mod, name } };
          return v;
        });
        if (cacheable) this.moduleCache.set(b.value.id, result);
        return result;
      }
    }
  }

  importModule(from: ModuleInfo, dotted: string, level: number): Obj | undefined {
    const file = this.index.findModuleFile(from, dotted, level);
    if (file) {
      const mod = this.index.getModule(file);
      if (mod) return { t: 'module', mod };
    }
    if (this.index.isNamespacePackage(from, dotted, level) !== undefined)
      return { t: 'namespace', from, dotted, level };
    return undefined;
  }

  private importFrom(mod: ModuleInfo, module: string, level: number, name: string, site: Node): Obj {
    const dotted = module ? `${module}.${name}` : name;
    const asModule = this.index.findModuleFile(mod, dotted, level);
    if (asModule) {
      const m = this.index.getModule(asModule);
      if (m) return { t: 'module', mod: m };
    }
    const pkgFile = this.index.findModuleFile(mod, module, level);
    if (pkgFile) {
      const pkg = this.index.getModule(pkgFile);
      if (pkg)
        return this.guard(`${pkg.rel}#${name}`, site, { mod }, () =>
          this.moduleAttr(pkg, name, site, { mod }),
        );
    }
    if (level === 0 && !this.index.isNamespacePackage(mod, module, 0))
      return { t: 'ext', qname: canonical(`${module}.${name}`) };
    return this.unknown(site, { mod }, `cannot find ${'.'.repeat(level)}${module}.${name} in the project`);
  }

  getAttr(obj: Obj, attr: string, node: Node, scope: Scope): Obj {
    switch (obj.t) {
      case 'module':
        return this.guard(`${obj.mod.rel}#${attr}`, node, scope, () => {
          const sub = this.index.findModuleFile(obj.mod, attr, obj.mod.isPackage ? 1 : 0);
          if (!obj.mod.bindings.has(attr) && sub && obj.mod.isPackage) {
            const m = this.index.getModule(sub);
            if (m) return { t: 'module', mod: m } as Obj;
          }
          return this.moduleAttr(obj.mod, attr, node, scope);
        });
      case 'namespace':
        return (
          this.importModule(obj.from, `${obj.dotted}.${attr}`, obj.level) ??
          this.unknown(node, scope, `cannot find ${obj.dotted}.${attr}`)
        );
      case 'ext':
        return { t: 'ext', qname: canonical(`${obj.qname}.${attr}`) };
      case 'instance':
        return this.instanceAttr(obj, attr, node, scope);
      case 'class': {
        const found = this.classMember(obj.mod, obj.node, attr);
        if (!found)
          return this.unknown(node, scope, `${attr} is not defined in class ${className(obj.node)}`);
        if (found.b.kind === 'def') return { t: 'func', mod: found.mod, node: found.b.node };
        return this.fromBinding(found.b, attr, found.mod, { mod: found.mod, cls: found.cls });
      }
      case 'val':
        return { t: 'method', recv: obj, name: attr };
      case 'extcall':
        return this.unknown(node, scope, `${short(obj.call.text)} is not evaluated (${obj.qname})`);
      case 'unknown':
        return obj;
      default:
        return this.unknown(node, scope, `attribute ${attr} of ${describe(obj)} is not evaluated`);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Classes and instances

  /** Project base classes of a class, resolved. */
  classBases(mod: ModuleInfo, cls: Node): Obj[] {
    const list = cls.childForFieldName('superclasses');
    if (!list) return [];
    return list.namedChildren
      .filter((c) => c.type !== 'keyword_argument' && c.type !== 'comment')
      .map((c) => this.evaluate(c, { mod }));
  }

  /** The qualified external names this class derives from (through project classes). */
  externalBases(mod: ModuleInfo, cls: Node, seen = new Set<number>()): string[] {
    if (seen.has(cls.id)) return [];
    seen.add(cls.id);
    const out: string[] = [];
    for (const b of this.classBases(mod, cls)) {
      if (b.t === 'ext') out.push(b.qname);
      else if (b.t === 'class') out.push(...this.externalBases(b.mod, b.node, seen));
    }
    return out;
  }

  /** A member binding of a class or its project bases. */
  classMember(
    mod: ModuleInfo,
    cls: Node,
    name: string,
    seen = new Set<number>(),
  ): { b: Binding; mod: ModuleInfo; cls: Node } | undefined {
    if (seen.has(cls.id)) return undefined;
    seen.add(cls.id);
    const body = cls.childForFieldName('body');
    const b = body ? last(collectBindings(body).get(name)) : undefined;
    if (b) return { b, mod, cls };
    for (const base of this.classBases(mod, cls)) {
      if (base.t === 'class') {
        const found = this.classMember(base.mod, base.node, name, seen);
        if (found) return found;
      }
    }
    return undefined;
  }

  settingsFlavour(mod: ModuleInfo, cls: Node): 'v1' | 'v2' | undefined {
    for (const q of this.externalBases(mod, cls)) {
      if (
        q === 'pydantic.BaseSettings' ||
        q === 'pydantic.v1.BaseSettings' ||
        q === 'pydantic.env_settings.BaseSettings'
      )
        return 'v1';
      if (q.startsWith('pydantic_settings.')) return 'v2';
    }
    return undefined;
  }

  private instanceAttr(inst: Extract<Obj, { t: 'instance' }>, attr: string, node: Node, scope: Scope): Obj {
    const key = `inst:${inst.node.id}:${inst.call?.id ?? 0}:${attr}`;
    return this.guard(key, node, scope, () => {
      const found = this.classMember(inst.mod, inst.node, attr);
      const flavour = this.settingsFlavour(inst.mod, inst.node);
      if (found?.b.kind === 'def') {
        const def = found.b.node;
        const decorators = decoratorNames(def);
        if (
          decorators.some(
            (d) =>
              d === 'property' ||
              d === 'computed_field' ||
              d === 'cached_property' ||
              d.endsWith('.cached_property'),
          )
        ) {
          const r = this.callFunction(
            { t: 'func', mod: found.mod, node: def, self: inst },
            [],
            new Map(),
            node,
            scope,
          );
          return this.withVia(
            r,
            `${className(inst.node)}.${attr} property at ${found.mod.rel}:${lineOf(def)}`,
          );
        }
        return { t: 'func', mod: found.mod, node: def, self: inst };
      }
      if (flavour) return this.settingsField(inst, attr, node, scope, flavour, found);
      if (found && isDataclass(inst.node)) return this.dataclassField(inst, attr, node, scope, found);
      // Plain class: keyword arguments of the constructor are not fields; `self.x = ...` in __init__, then class attributes.
      const init = this.classMember(inst.mod, inst.node, '__init__');
      if (init?.b.kind === 'def') {
        const assigned = selfAssignment(init.b.node, attr);
        if (assigned === 'mutated')
          return this.unknown(
            node,
            scope,
            `self.${attr} is modified in place in ${className(inst.node)}.__init__`,
          );
        if (assigned) {
          return this.withVia(
            this.evaluate(assigned.value, { mod: init.mod, fn: init.b.node }),
            `self.${attr} at ${init.mod.rel}:${lineOf(assigned.node)}`,
          );
        }
      }
      if (found)
        return this.fromBinding(found.b, `${className(found.cls)}.${attr}`, found.mod, {
          mod: found.mod,
          cls: found.cls,
        });
      return this.unknown(node, scope, `${attr} is not an attribute of ${className(inst.node)}`);
    });
  }

  /** What a `default_factory` makes: a lambda's body, a function's result, or an empty list, tuple or set. */
  private factoryValue(factory: Node, mod: ModuleInfo, node: Node, scope: Scope): Obj | undefined {
    if (factory.type === 'lambda') return this.evaluate(factory.childForFieldName('body') as Node, { mod });
    const f = this.evaluate(factory, { mod });
    if (f.t === 'func') return this.callFunction(f, [], new Map(), node, scope);
    if (f.t === 'ext' && ['builtins.list', 'builtins.tuple', 'builtins.set'].includes(f.qname))
      return this.val(
        { kind: f.qname.slice(9) as 'list' | 'tuple' | 'set', items: [] },
        factory,
        { mod },
        [],
      );
    return undefined;
  }

  /** A field of a `@dataclass` instance: the constructor's keyword argument, else the field's default. */
  private dataclassField(
    inst: Extract<Obj, { t: 'instance' }>,
    attr: string,
    node: Node,
    scope: Scope,
    found: { b: Binding; mod: ModuleInfo; cls: Node },
  ): Obj {
    const clsName = className(inst.node);
    const fieldStep = `${clsName}.${attr} field at ${found.mod.rel}:${lineOf(found.b.node)}`;
    const args = inst.call ? callArgs(inst.call) : undefined;
    const kw = args?.keywords.get(attr);
    if (kw && inst.callScope)
      return this.withVia(
        this.evaluate(kw, inst.callScope),
        `${clsName}(${attr}=...) at ${inst.callScope.mod.rel}:${lineOf(kw)}`,
      );
    if (args && args.positional.length > 0)
      return this.unknown(node, scope, `${clsName}(...) is called with positional arguments`);
    if (found.b.kind !== 'assign')
      return this.fromBinding(found.b, `${clsName}.${attr}`, found.mod, { mod: found.mod, cls: found.cls });
    const value = found.b.value;
    const fieldScope: Scope = { mod: found.mod, cls: found.cls };
    const callee =
      value.type === 'call'
        ? this.evaluate(value.childForFieldName('function') as Node, { mod: found.mod })
        : undefined;
    if (callee?.t !== 'ext' || callee.qname !== 'dataclasses.field')
      return this.withVia(this.evaluate(value, fieldScope), fieldStep);
    const options = callArgs(value).keywords;
    const byDefault = options.get('default');
    if (byDefault) return this.withVia(this.evaluate(byDefault, fieldScope), `${fieldStep}: default`);
    const factory = options.get('default_factory');
    const made = factory ? this.factoryValue(factory, found.mod, node, scope) : undefined;
    if (made) return this.withVia(made, `${fieldStep}: default_factory`);
    return this.unknown(
      node,
      scope,
      `${clsName}.${attr} has no default that can be read (${short(value.text)})`,
    );
  }

  private settingsField(
    inst: Extract<Obj, { t: 'instance' }>,
    attr: string,
    node: Node,
    scope: Scope,
    flavour: 'v1' | 'v2',
    found: { b: Binding; mod: ModuleInfo; cls: Node } | undefined,
  ): Obj {
    const clsName = className(inst.node);
    if (!found || (found.b.kind !== 'assign' && found.b.kind !== 'annotation')) {
      return this.unknown(node, scope, `${attr} is not a field of ${clsName}`);
    }
    const fmod = found.mod;
    const fieldNode = found.b.node;
    const fieldStep = `${clsName}.${attr} field at ${fmod.rel}:${lineOf(fieldNode)}`;
    const annotation = found.b.kind === 'assign' ? found.b.annotation : found.b.annotation;
    const config = this.settingsConfig(inst.mod, inst.node, flavour);
    // Default and Field(...) options.
    let defaultNode: Node | undefined;
    let defaultFactory: Node | undefined;
    let envName = `${config.prefix}${attr}`;
    let fieldHasAlias = false;
    if (found.b.kind === 'assign') {
      const value = found.b.value;
      const callee =
        value.type === 'call'
          ? this.evaluate(value.childForFieldName('function') as Node, { mod: fmod })
          : undefined;
      if (
        callee?.t === 'ext' &&
        (callee.qname === 'pydantic.Field' || callee.qname === 'pydantic.fields.Field')
      ) {
        const args = callArgs(value);
        const first = args.positional[0];
        defaultNode =
          args.keywords.get('default') ?? (first && first.type !== 'ellipsis' ? first : undefined);
        defaultFactory = args.keywords.get('default_factory');
        const aliasNode =
          args.keywords.get(flavour === 'v1' ? 'env' : 'validation_alias') ?? args.keywords.get('alias');
        if (aliasNode) {
          const a = this.evaluate(aliasNode, { mod: fmod });
          if (a.t === 'val' && a.rv.value.kind === 'str') {
            envName = a.rv.value.value;
            fieldHasAlias = true;
          } else
            return this.unknown(
              node,
              scope,
              `the env name of ${clsName}.${attr} (${short(aliasNode.text)}) cannot be resolved`,
            );
        }
      } else defaultNode = value;
    }
    void fieldHasAlias;
    // Constructor keyword arguments win.
    const kw = inst.call ? callArgs(inst.call).keywords.get(attr) : undefined;
    if (kw && inst.callScope)
      return this.withVia(
        this.evaluate(kw, inst.callScope),
        `${clsName}(${attr}=...) at ${inst.callScope.mod.rel}:${lineOf(kw)}`,
      );
    const ci = !config.caseSensitive;
    // Looked up case-insensitively: shown the way environment variables are written.
    if (ci) envName = envName.toUpperCase();
    // Real environment first, then the settings' env_file (later files win), then a .env near the code.
    let hit = this.env.process(envName, inst.mod, ci, false);
    if (!hit) {
      for (const f of [...config.envFiles].reverse()) {
        hit = this.env.dotenv(f, envName, inst.mod, ci);
        if (hit) break;
      }
    }
    if (!hit && config.envFiles.length === 0) hit = this.env.process(envName, inst.mod, ci, true);
    if (!hit) {
      const env = { name: envName, defaultUsed: true };
      if (defaultNode) {
        const d = this.evaluate(defaultNode, { mod: fmod, cls: found.cls });
        const r =
          d.t === 'val'
            ? ({
                t: 'val',
                rv: { ...d.rv, env, via: [fieldStep, `${envName} not set: default used`, ...d.rv.via] },
              } as Obj)
            : d;
        return r;
      }
      if (defaultFactory) {
        const made = this.factoryValue(defaultFactory, fmod, node, scope);
        if (made?.t === 'val')
          return {
            t: 'val',
            rv: {
              ...made.rv,
              env,
              via: [fieldStep, `${envName} not set: default_factory used`, ...made.rv.via],
            },
          };
        if (made) return made;
        return this.unknown(
          node,
          scope,
          `${clsName}.${attr} uses default_factory ${short(defaultFactory.text)}`,
        );
      }
      if (annotation && /\bOptional\b|\|\s*None\b|\bNone\s*\|/.test(annotation.text)) {
        return this.val(
          { kind: 'none' },
          fieldNode,
          { mod: fmod },
          [fieldStep, `${envName} not set: None`],
          env,
        );
      }
      return this.unknown(
        node,
        scope,
        `${clsName}.${attr} is required and ${envName} is not set in any .env or compose file (pydantic raises a ValidationError)`,
      );
    }
    const env = { name: envName, valueFrom: hit.source, defaultUsed: false };
    const via = [fieldStep, hit.label];
    const ann = analyseAnnotation(annotation?.text ?? '', (n) => this.evaluate(n, { mod: fmod }), annotation);
    const decoding = ann.noDecode || config.enableDecoding === false ? false : ann.complex;
    let value: PyValue = { kind: 'str', value: hit.value };
    const at = hit.source;
    if (decoding) {
      let data: unknown;
      let ok = true;
      try {
        data = JSON.parse(hit.value);
      } catch {
        ok = false;
      }
      if (ok) {
        value = jsonToPy(data, at, hit.value, []);
        via.push(`JSON-decoded (${ann.typeText} field)`);
      } else if (flavour === 'v2' && ann.unionWithStr) {
        via.push(`not JSON; kept as a string (${ann.typeText} allows str)`);
      } else if (flavour === 'v1' && ann.complexInUnion) {
        // pydantic v1 `field_is_complex`: a Union with a complex member sets allow_parse_failure.
        via.push(`not JSON; kept as a string (pydantic v1 lets a Union field's JSON decoding fail)`);
      } else {
        return this.unknown(
          node,
          scope,
          flavour === 'v1'
            ? `pydantic v1 raises SettingsError: error parsing env var "${ci ? envName.toLowerCase() : envName}" — ${ann.typeText} fields are JSON-decoded and ${pyRepr(hit.value)} (${hit.label}) is not JSON`
            : `pydantic-settings raises SettingsError: error parsing value for field "${attr}" from source "EnvSettingsSource" — ${ann.typeText} fields are JSON-decoded and ${pyRepr(hit.value)} (${hit.label}) is not JSON`,
        );
      }
    }
    let cur: Obj = { t: 'val', rv: itemsAt({ value, source: at, expression: hit.value, via: [] }, at) };
    // Before-validators (pre=True / mode="before" / BeforeValidator).
    for (const v of [
      ...ann.beforeValidators.map((n) => ({ fn: this.evaluate(n, { mod: fmod }), label: n.text })),
      ...this.fieldValidators(inst, attr, flavour, 'before'),
    ]) {
      cur = this.runValidator(v.fn, v.label, cur, node, scope);
      if (cur.t !== 'val') return cur;
      via.push(
        `validator ${v.label}`,
        ...cur.rv.via.filter((s) => !s.startsWith(v.label.split(' ')[0] as string)),
      );
      cur = { t: 'val', rv: { ...cur.rv, via: [] } };
    }
    // Type coercion.
    cur = this.coerce(cur, ann, flavour, node, scope, via);
    if (cur.t !== 'val') return cur;
    for (const v of this.fieldValidators(inst, attr, flavour, 'after')) {
      cur = this.runValidator(v.fn, v.label, cur, node, scope);
      if (cur.t !== 'val') return cur;
      via.push(
        `validator ${v.label}`,
        ...cur.rv.via.filter((s) => !s.startsWith(v.label.split(' ')[0] as string)),
      );
      cur = { t: 'val', rv: { ...cur.rv, via: [] } };
    }
    return {
      t: 'val',
      rv: { ...cur.rv, source: at, expression: hit.value, via: [...via, ...cur.rv.via], env },
    };
  }

  private coerce(
    cur: Obj,
    ann: AnnotationInfo,
    flavour: 'v1' | 'v2',
    node: Node,
    scope: Scope,
    via: string[],
  ): Obj {
    if (cur.t !== 'val') return cur;
    const v = cur.rv.value;
    const coerceItem = (item: ResolvedValue, type: string): ResolvedValue | string => {
      if (item.value.kind !== 'str') return item;
      if (URL_TYPES.has(type)) {
        let url: URL;
        try {
          url = new URL(item.value.value);
        } catch {
          return `${pyRepr(item.value.value)} is not a valid URL (${type} validation fails)`;
        }
        if (flavour === 'v2') {
          const href = url.href;
          return href === item.value.value
            ? item
            : {
                ...item,
                value: { kind: 'str', value: href },
                via: [
                  ...item.via,
                  `pydantic v2 ${type} normalises ${pyRepr(item.value.value)} to ${pyRepr(href)}`,
                ],
              };
        }
        return item;
      }
      if (type === 'bool') {
        const s = item.value.value.trim().toLowerCase();
        if (['1', 'true', 'yes', 'on', 't', 'y'].includes(s))
          return { ...item, value: { kind: 'bool', value: true } };
        if (['0', 'false', 'no', 'off', 'f', 'n'].includes(s))
          return { ...item, value: { kind: 'bool', value: false } };
        return `${pyRepr(item.value.value)} is not a valid bool`;
      }
      if (type === 'int') {
        const s = item.value.value.trim();
        return /^[-+]?\d+$/.test(s)
          ? { ...item, value: { kind: 'int', value: Number.parseInt(s, 10) } }
          : `${pyRepr(item.value.value)} is not a valid int`;
      }
      return item;
    };
    if ((v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') && ann.itemType) {
      const items: ResolvedValue[] = [];
      for (const it of v.items) {
        const r = coerceItem(it, ann.itemType);
        if (typeof r === 'string')
          return this.unknown(node, scope, `pydantic raises a ValidationError: ${r}`);
        items.push(r);
      }
      const kind = ann.container ?? v.kind;
      if (items.some((i, k) => i !== v.items[k]) && flavour === 'v2')
        via.push(`pydantic v2 ${ann.itemType} adds a trailing "/" to origins without a path`);
      return { t: 'val', rv: { ...cur.rv, value: { kind, items } } };
    }
    if (v.kind === 'str' && ann.scalarType) {
      const r = coerceItem(cur.rv, ann.scalarType);
      if (typeof r === 'string') return this.unknown(node, scope, `pydantic raises a ValidationError: ${r}`);
      return { t: 'val', rv: r };
    }
    if (v.kind === 'str' && ann.complex && !ann.unionWithStr) {
      return this.unknown(
        node,
        scope,
        `pydantic raises a ValidationError: a string is not a valid ${ann.typeText}`,
      );
    }
    return cur;
  }

  private runValidator(fn: Obj, label: string, input: Obj, node: Node, scope: Scope): Obj {
    if (fn.t !== 'func')
      return this.unknown(node, scope, `the validator ${label} cannot be evaluated statically`);
    const params = paramList(fn.node).filter((p) => p.name !== 'cls' && p.name !== 'self');
    const first = params[0];
    if (!first) return this.unknown(node, scope, `the validator ${label} takes no value`);
    const out = this.callFunction(
      { ...fn, self: undefined },
      [],
      new Map([[first.name, input]]),
      node,
      scope,
      true,
    );
    if (out.t === 'unknown')
      return this.unknown(
        node,
        scope,
        `the validator ${label} at ${fn.mod.rel}:${lineOf(fn.node)} cannot be evaluated statically (${out.reason})`,
      );
    return out;
  }

  private fieldValidators(
    inst: Extract<Obj, { t: 'instance' }>,
    field: string,
    flavour: 'v1' | 'v2',
    when: 'before' | 'after',
  ): Array<{ fn: Obj; label: string }> {
    const out: Array<{ fn: Obj; label: string }> = [];
    const visit = (mod: ModuleInfo, cls: Node, seen: Set<number>) => {
      if (seen.has(cls.id)) return;
      seen.add(cls.id);
      for (const base of this.classBases(mod, cls)) if (base.t === 'class') visit(base.mod, base.node, seen);
      const body = cls.childForFieldName('body');
      for (const stmt of body?.namedChildren ?? []) {
        if (stmt.type !== 'decorated_definition') continue;
        const def = stmt.childForFieldName('definition');
        if (def?.type !== 'function_definition') continue;
        for (const dec of stmt.namedChildren.filter((c) => c.type === 'decorator')) {
          const call = dec.namedChildren[0];
          if (call?.type !== 'call') continue;
          const fname = call.childForFieldName('function')?.text ?? '';
          const last = fname.split('.').pop();
          if (last !== 'validator' && last !== 'field_validator') continue;
          const args = callArgs(call);
          const names = args.positional
            .map((p) => this.evaluate(p, { mod }))
            .map((o) => (o.t === 'val' && o.rv.value.kind === 'str' ? o.rv.value.value : undefined));
          if (!names.includes(field) && !names.includes('*')) continue;
          const modeNode = args.keywords.get('mode');
          const preNode = args.keywords.get('pre');
          let isBefore: boolean;
          if (last === 'validator') isBefore = preNode?.text === 'True';
          else isBefore = modeNode ? /["'](before|plain|wrap)["']/.test(modeNode.text) : false;
          if (isBefore !== (when === 'before')) continue;
          out.push({
            fn: { t: 'func', mod, node: def },
            label: `${def.childForFieldName('name')?.text ?? '?'} at ${mod.rel}:${lineOf(def)}`,
          });
        }
      }
    };
    visit(inst.mod, inst.node, new Set());
    void flavour;
    return out;
  }

  private settingsConfig(
    mod: ModuleInfo,
    cls: Node,
    flavour: 'v1' | 'v2',
  ): { prefix: string; caseSensitive: boolean; envFiles: string[]; enableDecoding?: boolean } {
    const out: { prefix: string; caseSensitive: boolean; envFiles: string[]; enableDecoding?: boolean } = {
      prefix: '',
      caseSensitive: false,
      envFiles: [],
    };
    const apply = (key: string, node: Node, scope: Scope) => {
      const v = this.evaluate(node, scope);
      if (v.t !== 'val') return;
      const p = v.rv.value;
      if (key === 'env_prefix' && p.kind === 'str') out.prefix = p.value;
      if (key === 'case_sensitive' && p.kind === 'bool') out.caseSensitive = p.value;
      if (key === 'enable_decoding' && p.kind === 'bool') out.enableDecoding = p.value;
      if (key === 'env_file') {
        if (p.kind === 'str') out.envFiles = [p.value];
        else if (p.kind === 'list' || p.kind === 'tuple')
          out.envFiles = p.items.flatMap((i) => (i.value.kind === 'str' ? [i.value.value] : []));
        else if (p.kind === 'none') out.envFiles = [];
      }
    };
    const chain: Array<{ mod: ModuleInfo; cls: Node }> = [];
    const visit = (m: ModuleInfo, c: Node, seen: Set<number>) => {
      if (seen.has(c.id)) return;
      seen.add(c.id);
      for (const base of this.classBases(m, c)) if (base.t === 'class') visit(base.mod, base.node, seen);
      chain.push({ mod: m, cls: c });
    };
    visit(mod, cls, new Set());
    for (const { mod: m, cls: c } of chain) {
      const body = c.childForFieldName('body');
      if (!body) continue;
      const bindings = collectBindings(body);
      if (flavour === 'v1') {
        const config = last(bindings.get('Config'));
        if (config?.kind === 'class') {
          const cb = collectBindings(config.node.childForFieldName('body') as Node);
          for (const key of ['env_prefix', 'case_sensitive', 'env_file']) {
            const b = last(cb.get(key));
            if (b?.kind === 'assign') apply(key, b.value, { mod: m, cls: config.node });
          }
        }
      }
      const mc = last(bindings.get('model_config'));
      if (mc?.kind === 'assign') {
        const d = this.evaluate(mc.value, { mod: m, cls: c });
        const entries =
          d.t === 'dict'
            ? this.dictEntries(d)
            : d.t === 'extcall' || mc.value.type === 'call'
              ? callArgs(mc.value).keywords
              : undefined;
        for (const [k, n] of entries ?? []) apply(k, n, { mod: m, cls: c });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  private evalCall(node: Node, scope: Scope): Obj {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return this.unknown(node, scope, 'incomplete call');
    const callee = this.evaluate(fnNode, scope);
    const args = callArgs(node);
    switch (callee.t) {
      case 'method':
        return this.callMethod(callee.recv, callee.name, args, node, scope);
      case 'ext':
        return this.callExternal(callee.qname, args, node, scope);
      case 'class':
        if (args.splats.length === 0)
          return { t: 'instance', mod: callee.mod, node: callee.node, call: node, callScope: scope };
        return { t: 'instance', mod: callee.mod, node: callee.node };
      case 'func': {
        if (args.splats.length > 0)
          return this.unknown(node, scope, 'a call with *args/**kwargs is not evaluated');
        const decorators = decoratorNames(callee.node);
        if (decorators.some((d) => d === 'classmethod')) callee.self = undefined;
        const pos = args.positional.map((a) => this.evaluate(a, scope));
        const kws = new Map(
          [...args.keywords].map(([k, v]) => [k, this.evaluate(v, scope)] as [string, Obj]),
        );
        return this.callFunction(callee, pos, kws, node, scope);
      }
      case 'unknown':
        return this.unknown(node, scope, callee.reason);
      default:
        return this.unknown(node, scope, `calling ${describe(callee)} is not evaluated`);
    }
  }

  private envValue(
    name: string,
    node: Node,
    scope: Scope,
    defaultNode: Node | undefined | null,
    label: string,
  ): Obj {
    const step = `${label} at ${scope.mod.rel}:${lineOf(node)}`;
    const hit = this.env.process(name, scope.mod, false, true);
    if (hit)
      return this.val({ kind: 'str', value: hit.value }, node, scope, [step, hit.label], {
        name,
        valueFrom: hit.source,
        defaultUsed: false,
      });
    const env = { name, defaultUsed: true };
    if (defaultNode === undefined) {
      return this.unknown(
        node,
        scope,
        `${name} is not set in any .env or compose file (${label} raises KeyError)`,
      );
    }
    if (defaultNode === null)
      return this.val({ kind: 'none' }, node, scope, [step, `${name} not set: None`], env);
    const d = this.evaluate(defaultNode, scope);
    if (d.t !== 'val') return d;
    return { t: 'val', rv: { ...d.rv, via: [step, `${name} not set: default used`, ...d.rv.via], env } };
  }

  private callExternal(qname: string, args: Args, node: Node, scope: Scope): Obj {
    const arg0 = args.positional[0];
    if (qname === 'os.getenv' || qname === 'os.environ.get' || qname === 'os.environ.setdefault') {
      const nameNode = arg0 ?? args.keywords.get('key');
      if (!nameNode) return this.unknown(node, scope, 'getenv without a name');
      const n = this.evaluate(nameNode, scope);
      if (n.t !== 'val' || n.rv.value.kind !== 'str')
        return this.unknown(node, scope, 'the variable name cannot be resolved');
      const def = args.positional[1] ?? args.keywords.get('default') ?? null;
      const fname = qname === 'os.getenv' ? 'os.getenv' : qname.replace(/^os\.environ\./, 'os.environ.');
      return this.envValue(n.rv.value.value, node, scope, def, `${fname}(${pyRepr(n.rv.value.value)})`);
    }
    const conv = (f: (v: Extract<Obj, { t: 'val' }>) => Obj | undefined): Obj => {
      if (!arg0) return this.unknown(node, scope, `${qname}() without an argument`);
      const v = this.evaluate(arg0, scope);
      if (v.t !== 'val')
        return v.t === 'unknown'
          ? this.unknown(node, scope, v.reason)
          : this.unknown(node, scope, `${short(arg0.text)} is not a literal value`);
      return f(v) ?? this.unknown(node, scope, `${qname}(${v.rv.value.kind}) is not evaluated`);
    };
    switch (qname) {
      case 'builtins.str':
        if (!arg0) return this.val({ kind: 'str', value: '' }, node, scope);
        return conv((v) => {
          const p = v.rv.value;
          if (p.kind === 'str') return { t: 'val', rv: { ...v.rv } };
          if (p.kind === 'int')
            return this.derive(v.rv, { kind: 'str', value: String(p.value) }, node, scope);
          if (p.kind === 'bool')
            return this.derive(v.rv, { kind: 'str', value: p.value ? 'True' : 'False' }, node, scope);
          if (p.kind === 'none') return this.derive(v.rv, { kind: 'str', value: 'None' }, node, scope);
          return undefined;
        });
      case 'builtins.int':
        return conv((v) => {
          const p = v.rv.value;
          if (p.kind === 'int') return v;
          if (p.kind === 'bool')
            return this.derive(v.rv, { kind: 'int', value: p.value ? 1 : 0 }, node, scope);
          if (p.kind === 'str' && /^\s*[-+]?\d+\s*$/.test(p.value))
            return this.derive(
              v.rv,
              { kind: 'int', value: Number.parseInt(p.value, 10) },
              node,
              scope,
              'int()',
            );
          if (p.kind === 'str')
            return this.unknown(node, scope, `ValueError: invalid literal for int(): ${pyRepr(p.value)}`);
          return undefined;
        });
      case 'builtins.bool':
        return conv((v) => {
          const t = truthy(v.rv.value);
          return t === undefined
            ? undefined
            : this.derive(v.rv, { kind: 'bool', value: t }, node, scope, 'bool()');
        });
      case 'builtins.list':
      case 'builtins.tuple':
      case 'builtins.set':
      case 'builtins.sorted': {
        const kind = qname === 'builtins.sorted' ? 'list' : (qname.slice(9) as 'list' | 'tuple' | 'set');
        if (!arg0) return this.val({ kind, items: [] }, node, scope);
        return conv((v) => {
          const p = v.rv.value;
          let items: ResolvedValue[] | undefined;
          if (p.kind === 'list' || p.kind === 'tuple' || p.kind === 'set') items = p.items;
          else if (p.kind === 'str')
            items = [...p.value].map(
              (ch) => ({ ...v.rv, value: { kind: 'str', value: ch } }) as ResolvedValue,
            );
          if (!items) return undefined;
          if (qname === 'builtins.sorted') {
            const plain = items.map((i) => plainOf(i.value));
            if (plain.some((x) => typeof x !== 'string')) return undefined;
            items = [...items].sort((a, b) =>
              (plainOf(a.value) as string) < (plainOf(b.value) as string) ? -1 : 1,
            );
          }
          return this.derive(
            v.rv,
            { kind, items: kind === 'set' ? dedupe(items) : items },
            node,
            scope,
            `${kind}()`,
          );
        });
      }
      case 'builtins.isinstance': {
        const v = arg0 ? this.evaluate(arg0, scope) : undefined;
        const typeNode = args.positional[1];
        if (v?.t !== 'val' || !typeNode || v.rv.value.kind === 'unresolved')
          return this.unknown(node, scope, 'isinstance() cannot be decided');
        const kinds = (typeNode.type === 'tuple' ? typeNode.namedChildren : [typeNode]).map((t) => t.text);
        const map: Record<string, PyValue['kind'][]> = {
          str: ['str'],
          list: ['list'],
          tuple: ['tuple'],
          set: ['set'],
          int: ['int', 'bool'],
          bool: ['bool'],
        };
        const k = v.rv.value.kind;
        if (kinds.some((t) => !(t in map)))
          return this.unknown(node, scope, 'isinstance() with a type that is not evaluated');
        return this.val({ kind: 'bool', value: kinds.some((t) => map[t]?.includes(k)) }, node, scope);
      }
      case 'builtins.len':
        return conv((v) => {
          const p = v.rv.value;
          if (p.kind === 'str') return this.val({ kind: 'int', value: p.value.length }, node, scope);
          if (p.kind === 'list' || p.kind === 'tuple' || p.kind === 'set')
            return this.val({ kind: 'int', value: p.items.length }, node, scope);
          return undefined;
        });
      case 'json.loads':
        return conv((v) => {
          if (v.rv.value.kind !== 'str') return undefined;
          try {
            const data = JSON.parse(v.rv.value.value);
            return this.derive(
              v.rv,
              jsonToPy(data, v.rv.source, v.rv.value.value, []),
              node,
              scope,
              'json.loads()',
            );
          } catch {
            return this.unknown(
              node,
              scope,
              `json.loads raises JSONDecodeError on ${pyRepr(v.rv.value.value)}`,
            );
          }
        });
      case 'builtins.dict':
        return args.splats.length === 0 && args.positional.length === 0
          ? { t: 'dict', node, scope }
          : this.unknown(node, scope, 'dict() with positional arguments');
      case 'typing.cast':
        return args.positional[1]
          ? this.evaluate(args.positional[1], scope)
          : this.unknown(node, scope, 'cast() without a value');
      case 'functools.lru_cache':
      case 'functools.cache':
        return this.unknown(node, scope, 'a decorator');
      default:
        return { t: 'extcall', qname, call: node, scope };
    }
  }

  /** A value derived from `base` (keeps its env and via, adds a step). */
  derive(base: ResolvedValue, value: PyValue, node: Node, scope: Scope, step?: string): Obj {
    const via = step ? [...base.via, step] : [...base.via];
    const rv: ResolvedValue = { value, source: refOf(node, scope.mod), expression: node.text, via };
    if (base.env) rv.env = base.env;
    return { t: 'val', rv };
  }

  private callMethod(recv: Obj, name: string, args: Args, node: Node, scope: Scope): Obj {
    if (recv.t !== 'val')
      return this.unknown(node, scope, `.${name}() on ${describe(recv)} is not evaluated`);
    const base = recv.rv;
    const v = base.value;
    const strArg = (i: number, kw?: string): string | null | undefined => {
      const n = args.positional[i] ?? (kw ? args.keywords.get(kw) : undefined);
      if (!n) return undefined;
      const a = this.evaluate(n, scope);
      if (a.t !== 'val') return null;
      if (a.rv.value.kind === 'str') return a.rv.value.value;
      if (a.rv.value.kind === 'none') return undefined;
      return null;
    };
    const intArg = (i: number, kw: string): number | null | undefined => {
      const n = args.positional[i] ?? args.keywords.get(kw);
      if (!n) return undefined;
      const a = this.evaluate(n, scope);
      return a.t === 'val' && a.rv.value.kind === 'int' ? a.rv.value.value : null;
    };
    const argText = args.positional.map((a) => a.text).join(', ');
    const step = `${name}(${argText})`;
    if (v.kind === 'unresolved') return this.unknown(node, scope, v.reason);
    if (v.kind === 'str') {
      const s = v.value;
      const strOut = (value: string) => this.derive(base, { kind: 'str', value }, node, scope, step);
      switch (name) {
        case 'split':
        case 'rsplit': {
          const sep = strArg(0, 'sep');
          const max = intArg(1, 'maxsplit');
          if (sep === null || max === null)
            return this.unknown(node, scope, 'split() arguments cannot be resolved');
          if (sep === '') return this.unknown(node, scope, 'ValueError: empty separator');
          let parts: string[];
          if (name === 'rsplit' && max !== undefined && max >= 0) {
            const rev = pySplit(
              [...s].reverse().join(''),
              sep === undefined ? undefined : [...sep].reverse().join(''),
              max,
            );
            parts = rev.map((p) => [...p].reverse().join('')).reverse();
          } else parts = pySplit(s, sep, max ?? -1);
          const itemSource = base.env?.valueFrom ?? refOf(node, scope.mod);
          const items: ResolvedValue[] = parts.map((p) => {
            const rv: ResolvedValue = {
              value: { kind: 'str', value: p },
              source: itemSource,
              expression: pyRepr(p),
              via: [],
            };
            if (base.env) rv.env = base.env;
            return rv;
          });
          return this.derive(base, { kind: 'list', items }, node, scope, step);
        }
        case 'strip':
        case 'lstrip':
        case 'rstrip': {
          const chars = strArg(0, 'chars');
          if (chars === null) return this.unknown(node, scope, `${name}() argument cannot be resolved`);
          return strOut(pyStrip(s, chars, name === 'strip' ? 'both' : name === 'lstrip' ? 'l' : 'r'));
        }
        case 'lower':
        case 'casefold':
          return strOut(s.toLowerCase());
        case 'upper':
          return strOut(s.toUpperCase());
        case 'replace': {
          const a = strArg(0);
          const b = strArg(1);
          if (typeof a !== 'string' || typeof b !== 'string')
            return this.unknown(node, scope, 'replace() arguments cannot be resolved');
          return strOut(a === '' ? s : s.split(a).join(b));
        }
        case 'removesuffix':
        case 'removeprefix': {
          const a = strArg(0);
          if (typeof a !== 'string')
            return this.unknown(node, scope, `${name}() argument cannot be resolved`);
          if (name === 'removesuffix') return strOut(a && s.endsWith(a) ? s.slice(0, -a.length) : s);
          return strOut(a && s.startsWith(a) ? s.slice(a.length) : s);
        }
        case 'startswith':
        case 'endswith': {
          const n = args.positional[0];
          const a = n ? this.evaluate(n, scope) : undefined;
          if (a?.t !== 'val') return this.unknown(node, scope, `${name}() argument cannot be resolved`);
          const opts =
            a.rv.value.kind === 'str'
              ? [a.rv.value.value]
              : a.rv.value.kind === 'tuple'
                ? a.rv.value.items.map((i) => (i.value.kind === 'str' ? i.value.value : null))
                : [null];
          if (opts.some((o) => o === null))
            return this.unknown(node, scope, `${name}() argument cannot be resolved`);
          const r = opts.some((o) =>
            name === 'startswith' ? s.startsWith(o as string) : s.endsWith(o as string),
          );
          return this.val({ kind: 'bool', value: r }, node, scope);
        }
        case 'join': {
          const n = args.positional[0];
          const a = n ? this.evaluate(n, scope) : undefined;
          if (a?.t !== 'val') return this.unknown(node, scope, 'join() argument cannot be resolved');
          const p = a.rv.value;
          if (p.kind !== 'list' && p.kind !== 'tuple' && p.kind !== 'set')
            return this.unknown(node, scope, 'join() of a non-list');
          const parts: string[] = [];
          for (const i of p.items) {
            if (i.value.kind !== 'str') return this.unknown(node, scope, 'join() of non-string items');
            parts.push(i.value.value);
          }
          return this.derive(a.rv, { kind: 'str', value: parts.join(s) }, node, scope, `${pyRepr(s)}.join()`);
        }
        case 'format':
          return this.unknown(node, scope, 'str.format() is not evaluated');
        case 'isdigit':
          return this.val({ kind: 'bool', value: /^\d+$/.test(s) }, node, scope);
      }
    }
    if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') {
      if (name === 'copy') return this.derive(base, v, node, scope);
    }
    return this.unknown(node, scope, `${v.kind}.${name}() is not evaluated`);
  }

  /** Runs a project function's body statically (simple statements only). */
  callFunction(
    fn: Extract<Obj, { t: 'func' }>,
    positional: Obj[],
    keywords: Map<string, Obj>,
    site: Node,
    siteScope: Scope,
    strict = false,
  ): Obj {
    const key = `call:${fn.mod.rel}:${fn.node.id}`;
    if (this.active.has(key)) return this.unknown(site, siteScope, 'recursive call');
    this.active.add(key);
    try {
      const locals = new Map<string, Obj>();
      const params = paramList(fn.node);
      let pi = 0;
      const queue = [...positional];
      for (const p of params) {
        if (p.kind === 'splat' || p.kind === 'kwsplat') continue;
        if (pi === 0 && fn.self && (p.name === 'self' || p.name === 'cls')) {
          locals.set(p.name, fn.self);
          pi++;
          continue;
        }
        pi++;
        const given = keywords.get(p.name) ?? queue.shift();
        if (given) locals.set(p.name, given);
        else if (p.default) locals.set(p.name, this.evaluate(p.default, { mod: fn.mod }));
        else if (!strict || p.name === 'cls' || p.name === 'self')
          locals.set(
            p.name,
            this.unknown(fn.node, { mod: fn.mod }, `${p.name} is a parameter without a known value`),
          );
        else
          locals.set(
            p.name,
            this.unknown(fn.node, { mod: fn.mod }, `${p.name} is a parameter without a known value`),
          );
      }
      const scope: Scope = { mod: fn.mod, locals };
      const body = fn.node.childForFieldName('body');
      if (!body) return this.unknown(site, siteScope, 'function without body');
      const r = this.execBlock(body, scope);
      const fname = fn.node.childForFieldName('name')?.text ?? 'function';
      if (!r) return this.val({ kind: 'none' }, site, siteScope, [`${fname}() returns None`]);
      const out = r.returned;
      if (out.t === 'unknown')
        return this.unknown(site, siteScope, `${fname}() at ${fn.mod.rel}:${lineOf(fn.node)}: ${out.reason}`);
      if (out.t === 'val')
        return {
          t: 'val',
          rv: { ...out.rv, via: [`${fname}() at ${fn.mod.rel}:${lineOf(fn.node)}`, ...out.rv.via] },
        };
      return out;
    } finally {
      this.active.delete(key);
    }
  }

  /**
   * A local list after `x.append(e)`, `x.extend(e)` or `x += e`, when both are known; undefined otherwise
   * (the caller then marks the variable unresolved).
   */
  private grownList(
    current: Obj | undefined,
    arg: Node,
    scope: Scope,
    stmt: Node,
    how: 'append' | 'extend' | '+=',
  ): Obj | undefined {
    if (current?.t !== 'val' || current.rv.value.kind !== 'list') return undefined;
    const added = this.evaluate(arg, scope);
    if (added.t !== 'val') return undefined;
    let items: ResolvedValue[];
    if (how === 'append') items = [added.rv];
    else if (added.rv.value.kind === 'list' || added.rv.value.kind === 'tuple') items = added.rv.value.items;
    else return undefined;
    const name = how === '+=' ? `${short(stmt.text)}` : `.${how}(${short(arg.text)})`;
    return {
      t: 'val',
      rv: {
        ...current.rv,
        value: { kind: 'list', items: [...current.rv.value.items, ...items] },
        via: [...current.rv.via, `${name} at ${scope.mod.rel}:${lineOf(stmt)}`],
      },
    };
  }

  private execBlock(block: Node, scope: Scope): ExecResult {
    const locals = scope.locals as Map<string, Obj>;
    for (const stmt of block.namedChildren) {
      switch (stmt.type) {
        case 'comment':
        case 'pass_statement':
        case 'global_statement':
        case 'nonlocal_statement':
        case 'import_statement':
        case 'import_from_statement':
          continue;
        case 'expression_statement': {
          const e = stmt.namedChildren[0];
          if (e?.type === 'assignment') {
            const left = e.childForFieldName('left');
            const right = e.childForFieldName('right');
            if (left?.type === 'identifier' && right) locals.set(left.text, this.evaluate(right, scope));
            else if (left)
              return {
                returned: this.unknown(stmt, scope, `assignment to ${short(left.text)} is not evaluated`),
              };
          } else if (e?.type === 'augmented_assignment') {
            const left = e.childForFieldName('left');
            const right = e.childForFieldName('right');
            const op = e.childForFieldName('operator')?.text;
            if (left?.type === 'identifier') {
              const grown =
                op === '+=' && right
                  ? this.grownList(locals.get(left.text), right, scope, stmt, '+=')
                  : undefined;
              locals.set(left.text, grown ?? this.unknown(stmt, scope, `${left.text} is modified in place`));
            }
          } else if (e?.type === 'call') {
            const fn = e.childForFieldName('function');
            const method = fn?.childForFieldName('attribute')?.text ?? '';
            if (fn?.type === 'attribute' && /^(append|extend|insert|remove|add|update|pop)$/.test(method)) {
              const target = fn.childForFieldName('object');
              const args = e.childForFieldName('arguments')?.namedChildren ?? [];
              if (target?.type === 'identifier') {
                const grown =
                  (method === 'append' || method === 'extend') &&
                  args.length === 1 &&
                  args[0]?.type !== 'keyword_argument'
                    ? this.grownList(locals.get(target.text), args[0] as Node, scope, stmt, method)
                    : undefined;
                locals.set(
                  target.text,
                  grown ?? this.unknown(stmt, scope, `${target.text} is modified in place`),
                );
              }
            }
          }
          continue;
        }
        case 'return_statement': {
          const e = stmt.namedChildren[0];
          return { returned: e ? this.evaluate(e, scope) : this.val({ kind: 'none' }, stmt, scope) };
        }
        case 'raise_statement':
          return {
            returned: this.unknown(stmt, scope, `raises ${short(stmt.namedChildren[0]?.text ?? '')}`),
          };
        case 'if_statement': {
          const branches: Array<{ cond?: Node; body?: Node }> = [
            {
              cond: stmt.childForFieldName('condition') ?? undefined,
              body: stmt.childForFieldName('consequence') ?? undefined,
            },
          ];
          for (const alt of stmt.childrenForFieldName('alternative')) {
            if (alt.type === 'elif_clause')
              branches.push({
                cond: alt.childForFieldName('condition') ?? undefined,
                body: alt.childForFieldName('consequence') ?? undefined,
              });
            else
              branches.push({
                body: alt.childForFieldName('body') ?? alt.namedChildren.find((c) => c.type === 'block'),
              });
          }
          let taken: Node | undefined;
          let decided = false;
          for (const br of branches) {
            if (!br.cond) {
              taken = br.body;
              decided = true;
              break;
            }
            const c = this.evaluate(br.cond, scope);
            const t = c.t === 'val' ? truthy(c.rv.value) : c.t === 'instance' ? true : undefined;
            if (t === undefined)
              return {
                returned: this.unknown(
                  br.cond,
                  scope,
                  `depends on the condition ${short(br.cond.text)}, which cannot be resolved${c.t === 'unknown' ? ` (${c.reason})` : ''}`,
                ),
              };
            if (t) {
              taken = br.body;
              decided = true;
              break;
            }
          }
          if (decided && taken) {
            const r = this.execBlock(taken, scope);
            if (r) return r;
          }
          continue;
        }
        case 'function_definition':
        case 'class_definition':
        case 'decorated_definition':
          continue;
        default:
          return {
            returned: this.unknown(stmt, scope, `a ${stmt.type.replace(/_/g, ' ')} is not evaluated`),
          };
      }
    }
    return undefined;
  }
}

// -----------------------------------------------------------------------------------------------
// Helpers

const BUILTINS = new Set([
  'str',
  'int',
  'bool',
  'list',
  'tuple',
  'set',
  'dict',
  'len',
  'sorted',
  'isinstance',
  'frozenset',
  'print',
  'map',
  'filter',
]);
const URL_TYPES = new Set(['AnyUrl', 'AnyHttpUrl', 'HttpUrl', 'AnyWebsocketUrl', 'WebsocketUrl']);

const ALIASES: Array<[RegExp, string]> = [
  [/^fastapi\.applications\.FastAPI$/, 'fastapi.FastAPI'],
  [/^starlette\.applications\.Starlette$/, 'starlette.Starlette'],
  [/^fastapi\.routing\.APIRouter$/, 'fastapi.APIRouter'],
  [/^pydantic\.v1\.BaseSettings$/, 'pydantic.BaseSettings'],
  [/^pydantic_settings\.main\.BaseSettings$/, 'pydantic_settings.BaseSettings'],
  [/^os\.path\.os\./, 'os.'],
  [/^fastapi\.params\./, 'fastapi.'],
  [/^fastapi\.param_functions\./, 'fastapi.'],
];
export function canonical(qname: string): string {
  for (const [re, to] of ALIASES) if (re.test(qname)) return qname.replace(re, to);
  return qname;
}

export function describe(obj: Obj): string {
  switch (obj.t) {
    case 'module':
      return `module ${obj.mod.rel}`;
    case 'namespace':
      return `package ${obj.dotted}`;
    case 'ext':
      return obj.qname;
    case 'class':
      return `class ${className(obj.node)}`;
    case 'func':
      return `function ${obj.node.childForFieldName('name')?.text ?? '?'}`;
    case 'instance':
      return `an instance of ${className(obj.node)}`;
    case 'extcall':
      return `a ${obj.qname.split('.').pop()} object`;
    case 'method':
      return `method ${obj.name}`;
    case 'dict':
      return 'a dict';
    case 'val':
      return obj.rv.value.kind;
    case 'unknown':
      return obj.reason;
  }
}

export const className = (cls: Node): string => cls.childForFieldName('name')?.text ?? '?';

function last<T>(list: T[] | undefined): T | undefined {
  return list && list.length > 0 ? list[list.length - 1] : undefined;
}

function lastBefore(list: Binding[] | undefined, node: Node): Binding | undefined {
  if (!list) return undefined;
  let found: Binding | undefined;
  for (const b of list) if (b.node.startIndex < node.startIndex) found = b;
  return found;
}

function dedupe(items: ResolvedValue[]): ResolvedValue[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const p = plainOf(i.value);
    if (p === undefined) return true;
    const k = JSON.stringify(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function dedupeStrings(list: string[]): string[] {
  return [...new Set(list)];
}

function itemsAt(rv: ResolvedValue, at: SourceRef): ResolvedValue {
  const v = rv.value;
  if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set')
    return { ...rv, value: { ...v, items: v.items.map((i) => ({ ...i, source: at })) } };
  return rv;
}

export interface Param {
  name: string;
  kind: 'plain' | 'splat' | 'kwsplat';
  default?: Node;
  type?: Node;
  node: Node;
}

export function paramList(fn: Node): Param[] {
  const out: Param[] = [];
  const params = fn.childForFieldName('parameters');
  for (const p of params?.namedChildren ?? []) {
    switch (p.type) {
      case 'identifier':
        out.push({ name: p.text, kind: 'plain', node: p });
        break;
      case 'typed_parameter': {
        const inner = p.namedChildren[0];
        const type = p.childForFieldName('type') ?? undefined;
        if (inner?.type === 'identifier')
          out.push(
            type
              ? { name: inner.text, kind: 'plain', type, node: p }
              : { name: inner.text, kind: 'plain', node: p },
          );
        else if (inner?.type === 'list_splat_pattern' || inner?.type === 'dictionary_splat_pattern') {
          out.push({
            name: inner.namedChildren[0]?.text ?? '',
            kind: inner.type === 'list_splat_pattern' ? 'splat' : 'kwsplat',
            node: p,
          });
        }
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = p.childForFieldName('name')?.text;
        const value = p.childForFieldName('value') ?? undefined;
        const type = p.childForFieldName('type') ?? undefined;
        if (name) {
          const param: Param = { name, kind: 'plain', node: p };
          if (value) param.default = value;
          if (type) param.type = type;
          out.push(param);
        }
        break;
      }
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern':
        out.push({
          name: p.namedChildren[0]?.text ?? '',
          kind: p.type === 'list_splat_pattern' ? 'splat' : 'kwsplat',
          node: p,
        });
        break;
    }
  }
  return out;
}

function paramNames(fn: Node): string[] {
  return paramList(fn).map((p) => p.name);
}

/** Decorator names of a function (`property`, `app.get`, `lru_cache` ...), without call arguments. */
/** A class decorated with `@dataclass` (`dataclasses.dataclass`, `pydantic.dataclasses.dataclass`). */
function isDataclass(cls: Node): boolean {
  return decoratorNames(cls).some((d) => /(^|\.)dataclass$/.test(d));
}

export function decoratorNames(def: Node): string[] {
  const parent = def.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return parent.namedChildren
    .filter((c) => c.type === 'decorator')
    .map((d) => {
      const e = d.namedChildren[0];
      const target = e?.type === 'call' ? e.childForFieldName('function') : e;
      return target?.text ?? '';
    });
}

/**
 * The last `self.attr = value` at the top level of `__init__` (undefined when there is none), or
 * `mutated` when `self.attr` is changed in place there (`self.attr.append(...)`, `self.attr += ...`).
 */
function selfAssignment(init: Node, attr: string): { value: Node; node: Node } | 'mutated' | undefined {
  const body = init.childForFieldName('body');
  let found: { value: Node; node: Node } | undefined;
  const isSelfAttr = (n: Node | null | undefined) =>
    n?.type === 'attribute' &&
    n.childForFieldName('object')?.text === 'self' &&
    n.childForFieldName('attribute')?.text === attr;
  const mutated = (n: Node): boolean =>
    (n.type === 'augmented_assignment' && isSelfAttr(n.childForFieldName('left'))) ||
    (n.type === 'call' && isSelfAttr(n.childForFieldName('function')?.childForFieldName('object'))) ||
    n.namedChildren.some(mutated);
  if (body && mutated(body)) return 'mutated';
  for (const stmt of body?.namedChildren ?? []) {
    const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (
      left?.type === 'attribute' &&
      left.childForFieldName('object')?.text === 'self' &&
      left.childForFieldName('attribute')?.text === attr &&
      right
    ) {
      found = { value: right, node: a };
    }
  }
  return found;
}

export interface AnnotationInfo {
  typeText: string;
  complex: boolean;
  unionWithStr: boolean;
  /** A Union of several members, one of them complex: pydantic v1 then keeps a value that is not JSON as a string. */
  complexInUnion: boolean;
  noDecode: boolean;
  container?: 'list' | 'tuple' | 'set';
  itemType?: string;
  scalarType?: string;
  beforeValidators: Node[];
}

/** What pydantic needs from a field annotation: complex (JSON-decoded from env), item type, validators. */
export function analyseAnnotation(text: string, _evaluate: (n: Node) => Obj, node?: Node): AnnotationInfo {
  const info: AnnotationInfo = {
    typeText: text.replace(/\s+/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').trim() || 'untyped',
    complex: false,
    unionWithStr: false,
    complexInUnion: false,
    noDecode: false,
    beforeValidators: [],
  };
  let t = text.trim();
  // Annotated[T, meta...]
  const annotated = /^(?:typing\.|typing_extensions\.)?Annotated\[(.*)\]$/s.exec(t);
  if (annotated) {
    const parts = splitTop(annotated[1] as string);
    t = (parts[0] ?? '').trim();
    for (const meta of parts.slice(1)) if (/^NoDecode\b/.test(meta.trim())) info.noDecode = true;
    if (node) {
      for (const call of node.descendantsOfType('call')) {
        const f = call.childForFieldName('function')?.text ?? '';
        if (/(^|\.)BeforeValidator$/.test(f)) {
          const arg = callArgs(call).positional[0];
          if (arg) info.beforeValidators.push(arg);
        }
      }
    }
  }
  const optional = /^(?:typing\.)?Optional\[(.*)\]$/s.exec(t);
  if (optional) t = `${optional[1]} | None`;
  const unionM = /^(?:typing\.)?Union\[(.*)\]$/s.exec(t);
  const members = (unionM ? splitTop(unionM[1] as string) : splitTop(t, '|'))
    .map((m) => m.trim())
    .filter((m) => m && m !== 'None');
  for (const m of members) {
    const gm =
      /^(?:typing\.)?(list|List|set|Set|tuple|Tuple|frozenset|FrozenSet|Sequence|dict|Dict|Mapping)(?:\[(.*)\])?$/s.exec(
        m,
      );
    if (gm) {
      info.complex = true;
      const c = (gm[1] as string).toLowerCase();
      info.container =
        c === 'set' || c === 'frozenset'
          ? 'set'
          : c === 'tuple'
            ? 'tuple'
            : c === 'dict' || c === 'mapping'
              ? undefined
              : 'list';
      const inner = splitTop(gm[2] ?? '')[0]?.trim();
      if (inner) info.itemType = inner.replace(/^pydantic\./, '');
    } else if (m === 'str') {
      // handled below
    } else info.scalarType = m.replace(/^pydantic\./, '');
  }
  info.unionWithStr = info.complex && members.includes('str');
  // A real Union (Optional[X] is not one for pydantic v1: it becomes X, allowing None).
  info.complexInUnion = info.complex && members.length > 1;
  if (info.complex) info.scalarType = undefined;
  return info;
}

function splitTop(s: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[' || ch === '(') depth++;
    if (ch === ']' || ch === ')') depth--;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}
