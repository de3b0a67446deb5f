// The Evaluator: static evaluation of Python expressions across a project's modules, delegating each concern to its module.
import type { Node } from 'web-tree-sitter';
import type { Binding, ModuleInfo, ProjectIndex } from '../modules.js';
import type { PyValue, ResolvedValue } from '../types.js';
import * as classes from './classes.js';
import type { EnvProvider } from './environment.js';
import * as expressions from './expressions.js';
import * as functions from './functions.js';
import * as names from './names.js';
import { describe, type Obj, refOf, type Scope } from './objects.js';
import * as settings from './settings.js';
import { short } from './values.js';

const MAX_DEPTH = 40;

/** Static evaluation of Python expressions across a project's modules. */
export class Evaluator {
  /** Keys of the definitions and calls being evaluated (to stop at cycles and recursion). */
  private readonly active = new Set<string>();
  private depth = 0;
  /** What name resolution remembers between lookups (module-level assignments, imports). */
  readonly nameMemo = names.newNameMemo();

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

  /** A value derived from `base` (keeps its env and via, adds a step). */
  derive(base: ResolvedValue, value: PyValue, node: Node, scope: Scope, step?: string): Obj {
    const via = step ? [...base.via, step] : [...base.via];
    const rv: ResolvedValue = { value, source: refOf(node, scope.mod), expression: node.text, via };
    if (base.env) rv.env = base.env;
    return { t: 'val', rv };
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions (expressions.ts)

  evaluate(node: Node, scope: Scope): Obj {
    if (this.depth > MAX_DEPTH) return this.unknown(node, scope, 'too deeply nested to follow');
    this.depth++;
    try {
      return expressions.evaluateExpression(this, node, scope);
    } finally {
      this.depth--;
    }
  }

  /**
   * `f()` unless `key` is already being evaluated further up, which is a cycle: then unknown at
   * `site` with `reason`.
   */
  guard(key: string, site: Node, scope: Scope, f: () => Obj, reason = 'circular definition'): Obj {
    if (this.active.has(key)) return this.unknown(site, scope, reason);
    this.active.add(key);
    try {
      return f();
    } finally {
      this.active.delete(key);
    }
  }

  /** The value node of `key` in a dict literal or `dict(k=v)` call. */
  dictEntry(d: Extract<Obj, { t: 'dict' }>, key: string): Node | undefined {
    return expressions.dictEntry(this, d, key);
  }

  /** Keyword entries of a dict literal / `dict(...)` call, when all keys are plain strings. */
  dictEntries(d: Extract<Obj, { t: 'dict' }>): Map<string, Node> | undefined {
    return expressions.dictEntries(this, d);
  }

  // ---------------------------------------------------------------------------------------------
  // Names and imports (names.ts)

  lookupName(name: string, node: Node, scope: Scope): Obj {
    return names.lookupName(this, name, node, scope);
  }

  /** A module-level name of `mod` (following imports, star imports, builtins). */
  moduleAttr(mod: ModuleInfo, name: string, site: Node, siteScope: Scope): Obj {
    return names.moduleAttr(this, mod, name, site, siteScope);
  }

  fromBinding(b: Binding, name: string, mod: ModuleInfo, scope: Scope): Obj {
    return names.fromBinding(this, b, name, mod, scope);
  }

  importModule(from: ModuleInfo, dotted: string, level: number): Obj | undefined {
    return names.importModule(this, from, dotted, level);
  }

  getAttr(obj: Obj, attr: string, node: Node, scope: Scope): Obj {
    return names.getAttr(this, obj, attr, node, scope);
  }

  // ---------------------------------------------------------------------------------------------
  // Classes (classes.ts) and settings (settings.ts)

  /** Project base classes of a class, resolved. */
  classBases(mod: ModuleInfo, cls: Node): Obj[] {
    return classes.classBases(this, mod, cls);
  }

  /** The qualified external names this class derives from (through project classes). */
  externalBases(mod: ModuleInfo, cls: Node, seen = new Set<number>()): string[] {
    return classes.externalBases(this, mod, cls, seen);
  }

  /** A member binding of a class or its project bases. */
  classMember(
    mod: ModuleInfo,
    cls: Node,
    name: string,
    seen = new Set<number>(),
  ): { b: Binding; mod: ModuleInfo; cls: Node } | undefined {
    return classes.classMember(this, mod, cls, name, seen);
  }

  settingsFlavour(mod: ModuleInfo, cls: Node): 'v1' | 'v2' | undefined {
    return settings.settingsFlavour(this, mod, cls);
  }

  // ---------------------------------------------------------------------------------------------
  // Project functions (functions.ts)

  /** Runs a project function's body statically (simple statements only). */
  callFunction(
    fn: Extract<Obj, { t: 'func' }>,
    positional: Obj[],
    keywords: Map<string, Obj>,
    site: Node,
    siteScope: Scope,
    strict = false,
  ): Obj {
    return functions.callFunction(this, fn, positional, keywords, site, siteScope, strict);
  }
}
