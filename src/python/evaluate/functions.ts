// Project functions run statically: parameters bound to the call's arguments, simple statements executed, the returned value.
import type { Node } from 'web-tree-sitter';
import { lineOf } from '../parser.js';
import type { ResolvedValue } from '../types.js';
import type { Evaluator } from './evaluator.js';
import type { Obj, Scope } from './objects.js';
import { paramList } from './syntax.js';
import { short, truthy } from './values.js';

type ExecResult = { returned: Obj } | undefined;

/** Runs a project function's body statically (simple statements only). */
export function callFunction(
  ev: Evaluator,
  fn: Extract<Obj, { t: 'func' }>,
  positional: Obj[],
  keywords: Map<string, Obj>,
  site: Node,
  siteScope: Scope,
  strict = false,
): Obj {
  const key = `call:${fn.mod.rel}:${fn.node.id}`;
  return ev.guard(
    key,
    site,
    siteScope,
    () => {
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
        else if (p.default) locals.set(p.name, ev.evaluate(p.default, { mod: fn.mod }));
        else if (!strict || p.name === 'cls' || p.name === 'self')
          locals.set(
            p.name,
            ev.unknown(fn.node, { mod: fn.mod }, `${p.name} is a parameter without a known value`),
          );
        else
          locals.set(
            p.name,
            ev.unknown(fn.node, { mod: fn.mod }, `${p.name} is a parameter without a known value`),
          );
      }
      const scope: Scope = { mod: fn.mod, locals };
      const body = fn.node.childForFieldName('body');
      if (!body) return ev.unknown(site, siteScope, 'function without body');
      const r = execBlock(ev, body, scope);
      const fname = fn.node.childForFieldName('name')?.text ?? 'function';
      if (!r) return ev.val({ kind: 'none' }, site, siteScope, [`${fname}() returns None`]);
      const out = r.returned;
      if (out.t === 'unknown')
        return ev.unknown(site, siteScope, `${fname}() at ${fn.mod.rel}:${lineOf(fn.node)}: ${out.reason}`);
      if (out.t === 'val')
        return {
          t: 'val',
          rv: { ...out.rv, via: [`${fname}() at ${fn.mod.rel}:${lineOf(fn.node)}`, ...out.rv.via] },
        };
      return out;
    },
    'recursive call',
  );
}

/**
 * A local list after `x.append(e)`, `x.extend(e)` or `x += e`, when both are known; undefined otherwise
 * (the caller then marks the variable unresolved).
 */
function grownList(
  ev: Evaluator,
  current: Obj | undefined,
  arg: Node,
  scope: Scope,
  stmt: Node,
  how: 'append' | 'extend' | '+=',
): Obj | undefined {
  if (current?.t !== 'val' || current.rv.value.kind !== 'list') return undefined;
  const added = ev.evaluate(arg, scope);
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

function execBlock(ev: Evaluator, block: Node, scope: Scope): ExecResult {
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
          if (left?.type === 'identifier' && right) locals.set(left.text, ev.evaluate(right, scope));
          else if (left)
            return {
              returned: ev.unknown(stmt, scope, `assignment to ${short(left.text)} is not evaluated`),
            };
        } else if (e?.type === 'augmented_assignment') {
          const left = e.childForFieldName('left');
          const right = e.childForFieldName('right');
          const op = e.childForFieldName('operator')?.text;
          if (left?.type === 'identifier') {
            const grown =
              op === '+=' && right
                ? grownList(ev, locals.get(left.text), right, scope, stmt, '+=')
                : undefined;
            locals.set(left.text, grown ?? ev.unknown(stmt, scope, `${left.text} is modified in place`));
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
                  ? grownList(ev, locals.get(target.text), args[0] as Node, scope, stmt, method)
                  : undefined;
              locals.set(
                target.text,
                grown ?? ev.unknown(stmt, scope, `${target.text} is modified in place`),
              );
            }
          }
        }
        continue;
      }
      case 'return_statement': {
        const e = stmt.namedChildren[0];
        return { returned: e ? ev.evaluate(e, scope) : ev.val({ kind: 'none' }, stmt, scope) };
      }
      case 'raise_statement':
        return {
          returned: ev.unknown(stmt, scope, `raises ${short(stmt.namedChildren[0]?.text ?? '')}`),
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
          const c = ev.evaluate(br.cond, scope);
          const t = c.t === 'val' ? truthy(c.rv.value) : c.t === 'instance' ? true : undefined;
          if (t === undefined)
            return {
              returned: ev.unknown(
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
          const r = execBlock(ev, taken, scope);
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
          returned: ev.unknown(stmt, scope, `a ${stmt.type.replace(/_/g, ' ')} is not evaluated`),
        };
    }
  }
  return undefined;
}
