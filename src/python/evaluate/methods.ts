// Methods called on values: str methods (split, strip, replace, join, startswith ...) and list.copy().
import type { Node } from 'web-tree-sitter';
import type { ResolvedValue } from '../types.js';
import type { Evaluator } from './evaluator.js';
import { describe, type Obj, refOf, type Scope } from './objects.js';
import type { Args } from './syntax.js';
import { pyRepr, pySplit, pyStrip } from './values.js';

export function callMethod(
  ev: Evaluator,
  recv: Obj,
  name: string,
  args: Args,
  node: Node,
  scope: Scope,
): Obj {
  if (recv.t !== 'val') return ev.unknown(node, scope, `.${name}() on ${describe(recv)} is not evaluated`);
  const base = recv.rv;
  const v = base.value;
  const strArg = (i: number, kw?: string): string | null | undefined => {
    const n = args.positional[i] ?? (kw ? args.keywords.get(kw) : undefined);
    if (!n) return undefined;
    const a = ev.evaluate(n, scope);
    if (a.t !== 'val') return null;
    if (a.rv.value.kind === 'str') return a.rv.value.value;
    if (a.rv.value.kind === 'none') return undefined;
    return null;
  };
  const intArg = (i: number, kw: string): number | null | undefined => {
    const n = args.positional[i] ?? args.keywords.get(kw);
    if (!n) return undefined;
    const a = ev.evaluate(n, scope);
    return a.t === 'val' && a.rv.value.kind === 'int' ? a.rv.value.value : null;
  };
  const argText = args.positional.map((a) => a.text).join(', ');
  const step = `${name}(${argText})`;
  if (v.kind === 'unresolved') return ev.unknown(node, scope, v.reason);
  if (v.kind === 'str') {
    const s = v.value;
    const strOut = (value: string) => ev.derive(base, { kind: 'str', value }, node, scope, step);
    switch (name) {
      case 'split':
      case 'rsplit': {
        const sep = strArg(0, 'sep');
        const max = intArg(1, 'maxsplit');
        if (sep === null || max === null)
          return ev.unknown(node, scope, 'split() arguments cannot be resolved');
        if (sep === '') return ev.unknown(node, scope, 'ValueError: empty separator');
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
        return ev.derive(base, { kind: 'list', items }, node, scope, step);
      }
      case 'strip':
      case 'lstrip':
      case 'rstrip': {
        const chars = strArg(0, 'chars');
        if (chars === null) return ev.unknown(node, scope, `${name}() argument cannot be resolved`);
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
          return ev.unknown(node, scope, 'replace() arguments cannot be resolved');
        return strOut(a === '' ? s : s.split(a).join(b));
      }
      case 'removesuffix':
      case 'removeprefix': {
        const a = strArg(0);
        if (typeof a !== 'string') return ev.unknown(node, scope, `${name}() argument cannot be resolved`);
        if (name === 'removesuffix') return strOut(a && s.endsWith(a) ? s.slice(0, -a.length) : s);
        return strOut(a && s.startsWith(a) ? s.slice(a.length) : s);
      }
      case 'startswith':
      case 'endswith': {
        const n = args.positional[0];
        const a = n ? ev.evaluate(n, scope) : undefined;
        if (a?.t !== 'val') return ev.unknown(node, scope, `${name}() argument cannot be resolved`);
        const opts =
          a.rv.value.kind === 'str'
            ? [a.rv.value.value]
            : a.rv.value.kind === 'tuple'
              ? a.rv.value.items.map((i) => (i.value.kind === 'str' ? i.value.value : null))
              : [null];
        if (opts.some((o) => o === null))
          return ev.unknown(node, scope, `${name}() argument cannot be resolved`);
        const r = opts.some((o) =>
          name === 'startswith' ? s.startsWith(o as string) : s.endsWith(o as string),
        );
        return ev.val({ kind: 'bool', value: r }, node, scope);
      }
      case 'join': {
        const n = args.positional[0];
        const a = n ? ev.evaluate(n, scope) : undefined;
        if (a?.t !== 'val') return ev.unknown(node, scope, 'join() argument cannot be resolved');
        const p = a.rv.value;
        if (p.kind !== 'list' && p.kind !== 'tuple' && p.kind !== 'set')
          return ev.unknown(node, scope, 'join() of a non-list');
        const parts: string[] = [];
        for (const i of p.items) {
          if (i.value.kind !== 'str') return ev.unknown(node, scope, 'join() of non-string items');
          parts.push(i.value.value);
        }
        return ev.derive(a.rv, { kind: 'str', value: parts.join(s) }, node, scope, `${pyRepr(s)}.join()`);
      }
      case 'format':
        return ev.unknown(node, scope, 'str.format() is not evaluated');
      case 'isdigit':
        return ev.val({ kind: 'bool', value: /^\d+$/.test(s) }, node, scope);
    }
  }
  if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') {
    if (name === 'copy') return ev.derive(base, v, node, scope);
  }
  return ev.unknown(node, scope, `${v.kind}.${name}() is not evaluated`);
}
