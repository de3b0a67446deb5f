// What an expression evaluates to (Obj), the scope it is evaluated in, and how either is shown.
import type { Node } from 'web-tree-sitter';
import type { ModuleInfo } from '../modules.js';
import { lineOf } from '../parser.js';
import type { ResolvedValue, SourceRef } from '../types.js';
import { className } from './syntax.js';

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

export const refOf = (node: Node, mod: ModuleInfo): SourceRef => ({ file: mod.rel, line: lineOf(node) });

export function unresolvedRv(node: Node, mod: ModuleInfo, reason: string, via: string[] = []): ResolvedValue {
  return {
    value: { kind: 'unresolved', expression: node.text, reason },
    source: refOf(node, mod),
    expression: node.text,
    via,
  };
}

/** A value with `step` put first in its derivation; other objects unchanged. */
export function withVia(obj: Obj, step: string): Obj {
  if (obj.t !== 'val') return obj;
  return { t: 'val', rv: { ...obj.rv, via: [step, ...obj.rv.via] } };
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
