// Names and imports: lookup through scopes, module attributes, star imports, builtins, import resolution across modules, attribute access.
import type { Node } from 'web-tree-sitter';
import { type Binding, collectBindings, type ModuleInfo } from '../modules.js';
import { lineOf } from '../parser.js';
import { instanceAttr } from './classes.js';
import type { Evaluator } from './evaluator.js';
import { describe, type Obj, type Scope } from './objects.js';
import { className, last, lastBefore, paramNames } from './syntax.js';
import { short } from './values.js';

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

/** The usual public name of an external qualified name (`fastapi.applications.FastAPI` -> `fastapi.FastAPI`). */
export function canonical(qname: string): string {
  for (const [re, to] of ALIASES) if (re.test(qname)) return qname.replace(re, to);
  return qname;
}

/** What name resolution remembers: module-level assignments by value node id, imports by module, site and name. */
export interface NameMemo {
  assignments: Map<number, Obj>;
  imports: Map<string, Obj>;
}

export const newNameMemo = (): NameMemo => ({ assignments: new Map(), imports: new Map() });

export function lookupName(ev: Evaluator, name: string, node: Node, scope: Scope): Obj {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const v = s.locals?.get(name);
    if (v) return v;
  }
  if (scope.fn) {
    const body = scope.fn.childForFieldName('body');
    if (body) {
      const b = lastBefore(collectBindings(body).get(name), node);
      if (b) return fromBinding(ev, b, name, scope.mod, { mod: scope.mod, fn: scope.fn });
    }
    if (paramNames(scope.fn).includes(name))
      return ev.unknown(
        node,
        scope,
        `${name} is a parameter of ${scope.fn.childForFieldName('name')?.text ?? 'a function'}`,
      );
  }
  if (scope.cls) {
    const body = scope.cls.childForFieldName('body');
    const b = body ? lastBefore(collectBindings(body).get(name), node) : undefined;
    if (b) return fromBinding(ev, b, name, scope.mod, { mod: scope.mod, cls: scope.cls });
  }
  return moduleAttr(ev, scope.mod, name, node, scope);
}

/** A module-level name of `mod` (following imports, star imports, builtins). */
export function moduleAttr(ev: Evaluator, mod: ModuleInfo, name: string, site: Node, siteScope: Scope): Obj {
  const b = last(mod.bindings.get(name));
  if (b) return fromBinding(ev, b, name, mod, { mod });
  for (const [key, list] of mod.bindings) {
    if (!key.startsWith('*')) continue;
    const star = list[0];
    if (star?.kind !== 'star') continue;
    const file = ev.index.findModuleFile(mod, star.module, star.level);
    const target = file ? ev.index.getModule(file) : undefined;
    if (target?.bindings.has(name))
      return ev.guard(`${target.rel}#${name}`, site, siteScope, () =>
        moduleAttr(ev, target, name, site, siteScope),
      );
    if (!file && star.level === 0) return { t: 'ext', qname: `${star.module}.${name}` };
  }
  if (BUILTINS.has(name)) return { t: 'ext', qname: `builtins.${name}` };
  return ev.unknown(site, siteScope, `${name} is not defined in ${mod.rel}`);
}

export function fromBinding(ev: Evaluator, b: Binding, name: string, mod: ModuleInfo, scope: Scope): Obj {
  switch (b.kind) {
    case 'import':
    case 'from': {
      const key = `${mod.rel}:${b.node.id}:${name}`;
      const cached = ev.nameMemo.imports.get(key);
      if (cached) return cached;
      const r =
        b.kind === 'import'
          ? (importModule(ev, mod, b.module, 0) ?? ({ t: 'ext', qname: b.module } as Obj))
          : importFrom(ev, mod, b.module, b.level, b.name, b.node);
      if (r.t !== 'unknown' || r.reason !== 'circular definition') ev.nameMemo.imports.set(key, r);
      return r;
    }
    case 'def':
      return { t: 'func', mod, node: b.node };
    case 'class':
      return { t: 'class', mod, node: b.node };
    case 'annotation':
      return ev.unknown(b.node, scope, `${name} is declared without a value`);
    case 'star':
      return ev.unknown(b.node, scope, 'star import');
    case 'assign': {
      const cacheable = !scope.fn && !scope.cls && !scope.locals;
      const cached = cacheable ? ev.nameMemo.assignments.get(b.value.id) : undefined;
      if (cached) return cached;
      const result = ev.guard(`${mod.rel}@${b.value.id}`, b.value, scope, () => {
        const v = ev.evaluate(b.value, scope);
        const step = `${name} at ${mod.rel}:${lineOf(b.node)}`;
        if (v.t === 'val') return { t: 'val', rv: { ...v.rv, via: [step, ...v.rv.via] } } as Obj;
        if (v.t === 'extcall' && !v.origin) return { ...v, origin: { mod, name } };
        return v;
      });
      if (cacheable) ev.nameMemo.assignments.set(b.value.id, result);
      return result;
    }
  }
}

export function importModule(
  ev: Evaluator,
  from: ModuleInfo,
  dotted: string,
  level: number,
): Obj | undefined {
  const file = ev.index.findModuleFile(from, dotted, level);
  if (file) {
    const mod = ev.index.getModule(file);
    if (mod) return { t: 'module', mod };
  }
  if (ev.index.isNamespacePackage(from, dotted, level) !== undefined)
    return { t: 'namespace', from, dotted, level };
  return undefined;
}

function importFrom(
  ev: Evaluator,
  mod: ModuleInfo,
  module: string,
  level: number,
  name: string,
  site: Node,
): Obj {
  const dotted = module ? `${module}.${name}` : name;
  const asModule = ev.index.findModuleFile(mod, dotted, level);
  if (asModule) {
    const m = ev.index.getModule(asModule);
    if (m) return { t: 'module', mod: m };
  }
  const pkgFile = ev.index.findModuleFile(mod, module, level);
  if (pkgFile) {
    const pkg = ev.index.getModule(pkgFile);
    if (pkg)
      return ev.guard(`${pkg.rel}#${name}`, site, { mod }, () => moduleAttr(ev, pkg, name, site, { mod }));
  }
  if (level === 0 && !ev.index.isNamespacePackage(mod, module, 0))
    return { t: 'ext', qname: canonical(`${module}.${name}`) };
  return ev.unknown(site, { mod }, `cannot find ${'.'.repeat(level)}${module}.${name} in the project`);
}

export function getAttr(ev: Evaluator, obj: Obj, attr: string, node: Node, scope: Scope): Obj {
  switch (obj.t) {
    case 'module':
      return ev.guard(`${obj.mod.rel}#${attr}`, node, scope, () => {
        const sub = ev.index.findModuleFile(obj.mod, attr, obj.mod.isPackage ? 1 : 0);
        if (!obj.mod.bindings.has(attr) && sub && obj.mod.isPackage) {
          const m = ev.index.getModule(sub);
          if (m) return { t: 'module', mod: m } as Obj;
        }
        return moduleAttr(ev, obj.mod, attr, node, scope);
      });
    case 'namespace':
      return (
        importModule(ev, obj.from, `${obj.dotted}.${attr}`, obj.level) ??
        ev.unknown(node, scope, `cannot find ${obj.dotted}.${attr}`)
      );
    case 'ext':
      return { t: 'ext', qname: canonical(`${obj.qname}.${attr}`) };
    case 'instance':
      return instanceAttr(ev, obj, attr, node, scope);
    case 'class': {
      const found = ev.classMember(obj.mod, obj.node, attr);
      if (!found) return ev.unknown(node, scope, `${attr} is not defined in class ${className(obj.node)}`);
      if (found.b.kind === 'def') return { t: 'func', mod: found.mod, node: found.b.node };
      return fromBinding(ev, found.b, attr, found.mod, { mod: found.mod, cls: found.cls });
    }
    case 'val':
      return { t: 'method', recv: obj, name: attr };
    case 'extcall':
      return ev.unknown(node, scope, `${short(obj.call.text)} is not evaluated (${obj.qname})`);
    case 'unknown':
      return obj;
    default:
      return ev.unknown(node, scope, `attribute ${attr} of ${describe(obj)} is not evaluated`);
  }
}
