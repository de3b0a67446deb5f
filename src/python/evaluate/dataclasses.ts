// Dataclasses: `@dataclass` fields from the constructor call or the field's default, and what a `default_factory` makes (also for settings fields).
import type { Node } from 'web-tree-sitter';
import type { Binding, ModuleInfo } from '../modules.js';
import { lineOf } from '../parser.js';
import type { Evaluator } from './evaluator.js';
import { type Obj, type Scope, withVia } from './objects.js';
import { callArgs, className, decoratorNames } from './syntax.js';
import { short } from './values.js';

/** A class decorated with `@dataclass` (`dataclasses.dataclass`, `pydantic.dataclasses.dataclass`). */
export function isDataclass(cls: Node): boolean {
  return decoratorNames(cls).some((d) => /(^|\.)dataclass$/.test(d));
}

/** What a `default_factory` makes: a lambda's body, a function's result, or an empty list, tuple or set. */
export function factoryValue(
  ev: Evaluator,
  factory: Node,
  mod: ModuleInfo,
  node: Node,
  scope: Scope,
): Obj | undefined {
  if (factory.type === 'lambda') return ev.evaluate(factory.childForFieldName('body') as Node, { mod });
  const f = ev.evaluate(factory, { mod });
  if (f.t === 'func') return ev.callFunction(f, [], new Map(), node, scope);
  if (f.t === 'ext' && ['builtins.list', 'builtins.tuple', 'builtins.set'].includes(f.qname))
    return ev.val({ kind: f.qname.slice(9) as 'list' | 'tuple' | 'set', items: [] }, factory, { mod }, []);
  return undefined;
}

/** A field of a `@dataclass` instance: the constructor's keyword argument, else the field's default. */
export function dataclassField(
  ev: Evaluator,
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
    return withVia(
      ev.evaluate(kw, inst.callScope),
      `${clsName}(${attr}=...) at ${inst.callScope.mod.rel}:${lineOf(kw)}`,
    );
  if (args && args.positional.length > 0)
    return ev.unknown(node, scope, `${clsName}(...) is called with positional arguments`);
  if (found.b.kind !== 'assign')
    return ev.fromBinding(found.b, `${clsName}.${attr}`, found.mod, { mod: found.mod, cls: found.cls });
  const value = found.b.value;
  const fieldScope: Scope = { mod: found.mod, cls: found.cls };
  const callee =
    value.type === 'call'
      ? ev.evaluate(value.childForFieldName('function') as Node, { mod: found.mod })
      : undefined;
  if (callee?.t !== 'ext' || callee.qname !== 'dataclasses.field')
    return withVia(ev.evaluate(value, fieldScope), fieldStep);
  const options = callArgs(value).keywords;
  const byDefault = options.get('default');
  if (byDefault) return withVia(ev.evaluate(byDefault, fieldScope), `${fieldStep}: default`);
  const factory = options.get('default_factory');
  const made = factory ? factoryValue(ev, factory, found.mod, node, scope) : undefined;
  if (made) return withVia(made, `${fieldStep}: default_factory`);
  return ev.unknown(node, scope, `${clsName}.${attr} has no default that can be read (${short(value.text)})`);
}
