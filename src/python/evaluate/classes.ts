// Classes and instances: project base classes, members through inheritance, and attributes of instances (properties, settings and dataclass fields, `self.x` in __init__).
import type { Node } from 'web-tree-sitter';
import { type Binding, collectBindings, type ModuleInfo } from '../modules.js';
import { lineOf } from '../parser.js';
import { dataclassField, isDataclass } from './dataclasses.js';
import type { Evaluator } from './evaluator.js';
import { type Obj, type Scope, withVia } from './objects.js';
import { settingsField } from './settings.js';
import { className, decoratorNames, last } from './syntax.js';

/** Project base classes of a class, resolved. */
export function classBases(ev: Evaluator, mod: ModuleInfo, cls: Node): Obj[] {
  const list = cls.childForFieldName('superclasses');
  if (!list) return [];
  return list.namedChildren
    .filter((c) => c.type !== 'keyword_argument' && c.type !== 'comment')
    .map((c) => ev.evaluate(c, { mod }));
}

/** The qualified external names this class derives from (through project classes). */
export function externalBases(ev: Evaluator, mod: ModuleInfo, cls: Node, seen = new Set<number>()): string[] {
  if (seen.has(cls.id)) return [];
  seen.add(cls.id);
  const out: string[] = [];
  for (const b of classBases(ev, mod, cls)) {
    if (b.t === 'ext') out.push(b.qname);
    else if (b.t === 'class') out.push(...externalBases(ev, b.mod, b.node, seen));
  }
  return out;
}

/** A member binding of a class or its project bases. */
export function classMember(
  ev: Evaluator,
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
  for (const base of classBases(ev, mod, cls)) {
    if (base.t === 'class') {
      const found = classMember(ev, base.mod, base.node, name, seen);
      if (found) return found;
    }
  }
  return undefined;
}

export function instanceAttr(
  ev: Evaluator,
  inst: Extract<Obj, { t: 'instance' }>,
  attr: string,
  node: Node,
  scope: Scope,
): Obj {
  const key = `inst:${inst.node.id}:${inst.call?.id ?? 0}:${attr}`;
  return ev.guard(key, node, scope, () => {
    const found = classMember(ev, inst.mod, inst.node, attr);
    const flavour = ev.settingsFlavour(inst.mod, inst.node);
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
        const r = ev.callFunction(
          { t: 'func', mod: found.mod, node: def, self: inst },
          [],
          new Map(),
          node,
          scope,
        );
        return withVia(r, `${className(inst.node)}.${attr} property at ${found.mod.rel}:${lineOf(def)}`);
      }
      return { t: 'func', mod: found.mod, node: def, self: inst };
    }
    if (flavour) return settingsField(ev, inst, attr, node, scope, flavour, found);
    if (found && isDataclass(inst.node)) return dataclassField(ev, inst, attr, node, scope, found);
    // Plain class: keyword arguments of the constructor are not fields; `self.x = ...` in __init__, then class attributes.
    const init = classMember(ev, inst.mod, inst.node, '__init__');
    if (init?.b.kind === 'def') {
      const assigned = selfAssignment(init.b.node, attr);
      if (assigned === 'mutated')
        return ev.unknown(
          node,
          scope,
          `self.${attr} is modified in place in ${className(inst.node)}.__init__`,
        );
      if (assigned) {
        return withVia(
          ev.evaluate(assigned.value, { mod: init.mod, fn: init.b.node }),
          `self.${attr} at ${init.mod.rel}:${lineOf(assigned.node)}`,
        );
      }
    }
    if (found)
      return ev.fromBinding(found.b, `${className(found.cls)}.${attr}`, found.mod, {
        mod: found.mod,
        cls: found.cls,
      });
    return ev.unknown(node, scope, `${attr} is not an attribute of ${className(inst.node)}`);
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
