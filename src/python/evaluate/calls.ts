// Calls: dispatch on the callee (value methods, classes, project functions) and external functions (builtins, os.getenv / os.environ.get, json.loads, typing.cast).
import type { Node } from 'web-tree-sitter';
import type { PyValue, ResolvedValue } from '../types.js';
import { envValue } from './environment.js';
import type { Evaluator } from './evaluator.js';
import { callMethod } from './methods.js';
import { describe, type Obj, type Scope } from './objects.js';
import { type Args, callArgs, decoratorNames } from './syntax.js';
import { dedupe, jsonToPy, plainOf, pyRepr, short, truthy } from './values.js';

export function evalCall(ev: Evaluator, node: Node, scope: Scope): Obj {
  const fnNode = node.childForFieldName('function');
  if (!fnNode) return ev.unknown(node, scope, 'incomplete call');
  const callee = ev.evaluate(fnNode, scope);
  const args = callArgs(node);
  switch (callee.t) {
    case 'method':
      return callMethod(ev, callee.recv, callee.name, args, node, scope);
    case 'ext':
      return callExternal(ev, callee.qname, args, node, scope);
    case 'class':
      if (args.splats.length === 0)
        return { t: 'instance', mod: callee.mod, node: callee.node, call: node, callScope: scope };
      return { t: 'instance', mod: callee.mod, node: callee.node };
    case 'func': {
      if (args.splats.length > 0)
        return ev.unknown(node, scope, 'a call with *args/**kwargs is not evaluated');
      const decorators = decoratorNames(callee.node);
      if (decorators.some((d) => d === 'classmethod')) callee.self = undefined;
      const pos = args.positional.map((a) => ev.evaluate(a, scope));
      const kws = new Map([...args.keywords].map(([k, v]) => [k, ev.evaluate(v, scope)] as [string, Obj]));
      return ev.callFunction(callee, pos, kws, node, scope);
    }
    case 'unknown':
      return ev.unknown(node, scope, callee.reason);
    default:
      return ev.unknown(node, scope, `calling ${describe(callee)} is not evaluated`);
  }
}

function callExternal(ev: Evaluator, qname: string, args: Args, node: Node, scope: Scope): Obj {
  const arg0 = args.positional[0];
  if (qname === 'os.getenv' || qname === 'os.environ.get' || qname === 'os.environ.setdefault') {
    const nameNode = arg0 ?? args.keywords.get('key');
    if (!nameNode) return ev.unknown(node, scope, 'getenv without a name');
    const n = ev.evaluate(nameNode, scope);
    if (n.t !== 'val' || n.rv.value.kind !== 'str')
      return ev.unknown(node, scope, 'the variable name cannot be resolved');
    const def = args.positional[1] ?? args.keywords.get('default') ?? null;
    const fname = qname === 'os.getenv' ? 'os.getenv' : qname.replace(/^os\.environ\./, 'os.environ.');
    return envValue(ev, n.rv.value.value, node, scope, def, `${fname}(${pyRepr(n.rv.value.value)})`);
  }
  const conv = (f: (v: Extract<Obj, { t: 'val' }>) => Obj | undefined): Obj => {
    if (!arg0) return ev.unknown(node, scope, `${qname}() without an argument`);
    const v = ev.evaluate(arg0, scope);
    if (v.t !== 'val')
      return v.t === 'unknown'
        ? ev.unknown(node, scope, v.reason)
        : ev.unknown(node, scope, `${short(arg0.text)} is not a literal value`);
    return f(v) ?? ev.unknown(node, scope, `${qname}(${v.rv.value.kind}) is not evaluated`);
  };
  switch (qname) {
    case 'builtins.str':
      if (!arg0) return ev.val({ kind: 'str', value: '' }, node, scope);
      return conv((v) => {
        const p = v.rv.value;
        if (p.kind === 'str') return { t: 'val', rv: { ...v.rv } };
        if (p.kind === 'int') return ev.derive(v.rv, { kind: 'str', value: String(p.value) }, node, scope);
        if (p.kind === 'bool')
          return ev.derive(v.rv, { kind: 'str', value: p.value ? 'True' : 'False' }, node, scope);
        if (p.kind === 'none') return ev.derive(v.rv, { kind: 'str', value: 'None' }, node, scope);
        return undefined;
      });
    case 'builtins.int':
      return conv((v) => {
        const p = v.rv.value;
        if (p.kind === 'int') return v;
        if (p.kind === 'bool') return ev.derive(v.rv, { kind: 'int', value: p.value ? 1 : 0 }, node, scope);
        if (p.kind === 'str' && /^\s*[-+]?\d+\s*$/.test(p.value))
          return ev.derive(v.rv, { kind: 'int', value: Number.parseInt(p.value, 10) }, node, scope, 'int()');
        if (p.kind === 'str')
          return ev.unknown(node, scope, `ValueError: invalid literal for int(): ${pyRepr(p.value)}`);
        return undefined;
      });
    case 'builtins.bool':
      return conv((v) => {
        const t = truthy(v.rv.value);
        return t === undefined
          ? undefined
          : ev.derive(v.rv, { kind: 'bool', value: t }, node, scope, 'bool()');
      });
    case 'builtins.list':
    case 'builtins.tuple':
    case 'builtins.set':
    case 'builtins.sorted': {
      const kind = qname === 'builtins.sorted' ? 'list' : (qname.slice(9) as 'list' | 'tuple' | 'set');
      if (!arg0) return ev.val({ kind, items: [] }, node, scope);
      return conv((v) => {
        const p = v.rv.value;
        let items: ResolvedValue[] | undefined;
        if (p.kind === 'list' || p.kind === 'tuple' || p.kind === 'set') items = p.items;
        else if (p.kind === 'str')
          items = [...p.value].map((ch) => ({ ...v.rv, value: { kind: 'str', value: ch } }) as ResolvedValue);
        if (!items) return undefined;
        if (qname === 'builtins.sorted') {
          const plain = items.map((i) => plainOf(i.value));
          if (plain.some((x) => typeof x !== 'string')) return undefined;
          items = [...items].sort((a, b) =>
            (plainOf(a.value) as string) < (plainOf(b.value) as string) ? -1 : 1,
          );
        }
        return ev.derive(
          v.rv,
          { kind, items: kind === 'set' ? dedupe(items) : items },
          node,
          scope,
          `${kind}()`,
        );
      });
    }
    case 'builtins.isinstance': {
      const v = arg0 ? ev.evaluate(arg0, scope) : undefined;
      const typeNode = args.positional[1];
      if (v?.t !== 'val' || !typeNode || v.rv.value.kind === 'unresolved')
        return ev.unknown(node, scope, 'isinstance() cannot be decided');
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
        return ev.unknown(node, scope, 'isinstance() with a type that is not evaluated');
      return ev.val({ kind: 'bool', value: kinds.some((t) => map[t]?.includes(k)) }, node, scope);
    }
    case 'builtins.len':
      return conv((v) => {
        const p = v.rv.value;
        if (p.kind === 'str') return ev.val({ kind: 'int', value: p.value.length }, node, scope);
        if (p.kind === 'list' || p.kind === 'tuple' || p.kind === 'set')
          return ev.val({ kind: 'int', value: p.items.length }, node, scope);
        return undefined;
      });
    case 'json.loads':
      return conv((v) => {
        if (v.rv.value.kind !== 'str') return undefined;
        try {
          const data = JSON.parse(v.rv.value.value);
          return ev.derive(
            v.rv,
            jsonToPy(data, v.rv.source, v.rv.value.value, []),
            node,
            scope,
            'json.loads()',
          );
        } catch {
          return ev.unknown(node, scope, `json.loads raises JSONDecodeError on ${pyRepr(v.rv.value.value)}`);
        }
      });
    case 'builtins.dict':
      return args.splats.length === 0 && args.positional.length === 0
        ? { t: 'dict', node, scope }
        : ev.unknown(node, scope, 'dict() with positional arguments');
    case 'typing.cast':
      return args.positional[1]
        ? ev.evaluate(args.positional[1], scope)
        : ev.unknown(node, scope, 'cast() without a value');
    case 'functools.lru_cache':
    case 'functools.cache':
      return ev.unknown(node, scope, 'a decorator');
    default:
      return { t: 'extcall', qname, call: node, scope };
  }
}
