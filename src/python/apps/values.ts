// Following app arguments to their values: list items through names and `+`, the assignment behind a name, string values, lists without repeats.
import type { Node } from 'web-tree-sitter';
import type { Evaluator, Scope } from '../evaluate.js';
import { walkNamed } from '../parser.js';

/** The element nodes of a list expression, following names and `+`. */
export function listItems(
  ev: Evaluator,
  node: Node,
  scope: Scope,
  depth: number,
): Array<{ node: Node; scope: Scope }> | undefined {
  if (depth > 8) return undefined;
  if (node.type === 'list' || node.type === 'tuple') {
    const out: Array<{ node: Node; scope: Scope }> = [];
    for (const c of node.namedChildren) {
      if (c.type === 'comment') continue;
      if (c.type === 'list_splat') {
        const inner = c.namedChildren[0];
        const sub = inner ? listItems(ev, inner, scope, depth + 1) : undefined;
        if (!sub) return undefined;
        out.push(...sub);
      } else out.push({ node: c, scope });
    }
    return out;
  }
  if (node.type === 'parenthesized_expression' && node.namedChildren[0])
    return listItems(ev, node.namedChildren[0], scope, depth + 1);
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '+') {
    const l = listItems(ev, node.childForFieldName('left') as Node, scope, depth + 1);
    const r = listItems(ev, node.childForFieldName('right') as Node, scope, depth + 1);
    return l && r ? [...l, ...r] : undefined;
  }
  if (node.type === 'identifier') {
    const def = definitionOf(ev, node, scope);
    return def ? listItems(ev, def.node, def.scope, depth + 1) : undefined;
  }
  return undefined;
}

/** The assigned expression behind a name (function locals, then module, following imports). */
function definitionOf(ev: Evaluator, node: Node, scope: Scope): { node: Node; scope: Scope } | undefined {
  const name = node.text;
  if (scope.fn) {
    const body = scope.fn.childForFieldName('body');
    let found: Node | undefined;
    if (body) {
      walkNamed(body, (n) => {
        if (n.type === 'function_definition' || n.type === 'class_definition') return false;
        if (
          n.type === 'assignment' &&
          n.childForFieldName('left')?.text === name &&
          n.startIndex < node.startIndex
        ) {
          found = n.childForFieldName('right') ?? undefined;
        }
        return true;
      });
    }
    if (found) return { node: found, scope };
  }
  const seen = new Set<string>();
  let mod = scope.mod;
  let current = name;
  for (let i = 0; i < 8; i++) {
    const key = `${mod.rel}#${current}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const list = mod.bindings.get(current);
    const b = list?.[list.length - 1];
    if (!b) return undefined;
    if (b.kind === 'assign') return { node: b.value, scope: { mod } };
    if (b.kind !== 'from') return undefined;
    const file = ev.index.findModuleFile(mod, b.module, b.level);
    const next = file ? ev.index.getModule(file) : undefined;
    if (!next) return undefined;
    mod = next;
    current = b.name;
  }
  return undefined;
}

/** The value of `node` when it evaluates to a str. */
export function stringValue(ev: Evaluator, node: Node, scope: Scope): string | undefined {
  const v = ev.evaluate(node, scope);
  return v.t === 'val' && v.rv.value.kind === 'str' ? v.rv.value.value : undefined;
}

/** The list without repeats, in first-seen order. */
export function uniq(list: string[]): string[] {
  return [...new Set(list)];
}
