// Reading Python syntax nodes: call arguments, parameters, decorators, class names, the binding in force at a node.
import type { Node } from 'web-tree-sitter';
import type { Binding } from '../modules.js';

export interface Args {
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

export const className = (cls: Node): string => cls.childForFieldName('name')?.text ?? '?';

export function last<T>(list: T[] | undefined): T | undefined {
  return list && list.length > 0 ? list[list.length - 1] : undefined;
}

/** The last of the bindings that stand before `node` in the source. */
export function lastBefore(list: Binding[] | undefined, node: Node): Binding | undefined {
  if (!list) return undefined;
  let found: Binding | undefined;
  for (const b of list) if (b.node.startIndex < node.startIndex) found = b;
  return found;
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

export function paramNames(fn: Node): string[] {
  return paramList(fn).map((p) => p.name);
}

/** Decorator names of a function (`property`, `app.get`, `lru_cache` ...), without call arguments. */
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
