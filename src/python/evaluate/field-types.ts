// Pydantic field types: what an annotation asks for (JSON decoding from env, item and scalar types, BeforeValidators) and coercing env strings to it.
import type { Node } from 'web-tree-sitter';
import type { ResolvedValue } from '../types.js';
import type { Evaluator } from './evaluator.js';
import type { Obj, Scope } from './objects.js';
import { callArgs } from './syntax.js';
import { pyRepr } from './values.js';

const URL_TYPES = new Set(['AnyUrl', 'AnyHttpUrl', 'HttpUrl', 'AnyWebsocketUrl', 'WebsocketUrl']);

export interface AnnotationInfo {
  typeText: string;
  complex: boolean;
  unionWithStr: boolean;
  /** A Union of several members, one of them complex: pydantic v1 then keeps a value that is not JSON as a string. */
  complexInUnion: boolean;
  noDecode: boolean;
  container?: 'list' | 'tuple' | 'set';
  itemType?: string;
  scalarType?: string;
  beforeValidators: Node[];
}

/** What pydantic needs from a field annotation: complex (JSON-decoded from env), item type, validators. */
export function analyseAnnotation(text: string, _evaluate: (n: Node) => Obj, node?: Node): AnnotationInfo {
  const info: AnnotationInfo = {
    typeText: text.replace(/\s+/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').trim() || 'untyped',
    complex: false,
    unionWithStr: false,
    complexInUnion: false,
    noDecode: false,
    beforeValidators: [],
  };
  let t = text.trim();
  // Annotated[T, meta...]
  const annotated = /^(?:typing\.|typing_extensions\.)?Annotated\[(.*)\]$/s.exec(t);
  if (annotated) {
    const parts = splitTop(annotated[1] as string);
    t = (parts[0] ?? '').trim();
    for (const meta of parts.slice(1)) if (/^NoDecode\b/.test(meta.trim())) info.noDecode = true;
    if (node) {
      for (const call of node.descendantsOfType('call')) {
        const f = call.childForFieldName('function')?.text ?? '';
        if (/(^|\.)BeforeValidator$/.test(f)) {
          const arg = callArgs(call).positional[0];
          if (arg) info.beforeValidators.push(arg);
        }
      }
    }
  }
  const optional = /^(?:typing\.)?Optional\[(.*)\]$/s.exec(t);
  if (optional) t = `${optional[1]} | None`;
  const unionM = /^(?:typing\.)?Union\[(.*)\]$/s.exec(t);
  const members = (unionM ? splitTop(unionM[1] as string) : splitTop(t, '|'))
    .map((m) => m.trim())
    .filter((m) => m && m !== 'None');
  for (const m of members) {
    const gm =
      /^(?:typing\.)?(list|List|set|Set|tuple|Tuple|frozenset|FrozenSet|Sequence|dict|Dict|Mapping)(?:\[(.*)\])?$/s.exec(
        m,
      );
    if (gm) {
      info.complex = true;
      const c = (gm[1] as string).toLowerCase();
      info.container =
        c === 'set' || c === 'frozenset'
          ? 'set'
          : c === 'tuple'
            ? 'tuple'
            : c === 'dict' || c === 'mapping'
              ? undefined
              : 'list';
      const inner = splitTop(gm[2] ?? '')[0]?.trim();
      if (inner) info.itemType = inner.replace(/^pydantic\./, '');
    } else if (m === 'str') {
      // handled below
    } else info.scalarType = m.replace(/^pydantic\./, '');
  }
  info.unionWithStr = info.complex && members.includes('str');
  // A real Union (Optional[X] is not one for pydantic v1: it becomes X, allowing None).
  info.complexInUnion = info.complex && members.length > 1;
  if (info.complex) info.scalarType = undefined;
  return info;
}

function splitTop(s: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[' || ch === '(') depth++;
    if (ch === ']' || ch === ')') depth--;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

/** A settings value (from the environment) coerced to its field type the way pydantic validates it. */
export function coerce(
  ev: Evaluator,
  cur: Obj,
  ann: AnnotationInfo,
  flavour: 'v1' | 'v2',
  node: Node,
  scope: Scope,
  via: string[],
): Obj {
  if (cur.t !== 'val') return cur;
  const v = cur.rv.value;
  const coerceItem = (item: ResolvedValue, type: string): ResolvedValue | string => {
    if (item.value.kind !== 'str') return item;
    if (URL_TYPES.has(type)) {
      let url: URL;
      try {
        url = new URL(item.value.value);
      } catch {
        return `${pyRepr(item.value.value)} is not a valid URL (${type} validation fails)`;
      }
      if (flavour === 'v2') {
        const href = url.href;
        return href === item.value.value
          ? item
          : {
              ...item,
              value: { kind: 'str', value: href },
              via: [
                ...item.via,
                `pydantic v2 ${type} normalises ${pyRepr(item.value.value)} to ${pyRepr(href)}`,
              ],
            };
      }
      return item;
    }
    if (type === 'bool') {
      const s = item.value.value.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on', 't', 'y'].includes(s))
        return { ...item, value: { kind: 'bool', value: true } };
      if (['0', 'false', 'no', 'off', 'f', 'n'].includes(s))
        return { ...item, value: { kind: 'bool', value: false } };
      return `${pyRepr(item.value.value)} is not a valid bool`;
    }
    if (type === 'int') {
      const s = item.value.value.trim();
      return /^[-+]?\d+$/.test(s)
        ? { ...item, value: { kind: 'int', value: Number.parseInt(s, 10) } }
        : `${pyRepr(item.value.value)} is not a valid int`;
    }
    return item;
  };
  if ((v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') && ann.itemType) {
    const items: ResolvedValue[] = [];
    for (const it of v.items) {
      const r = coerceItem(it, ann.itemType);
      if (typeof r === 'string') return ev.unknown(node, scope, `pydantic raises a ValidationError: ${r}`);
      items.push(r);
    }
    const kind = ann.container ?? v.kind;
    if (items.some((i, k) => i !== v.items[k]) && flavour === 'v2')
      via.push(`pydantic v2 ${ann.itemType} adds a trailing "/" to origins without a path`);
    return { t: 'val', rv: { ...cur.rv, value: { kind, items } } };
  }
  if (v.kind === 'str' && ann.scalarType) {
    const r = coerceItem(cur.rv, ann.scalarType);
    if (typeof r === 'string') return ev.unknown(node, scope, `pydantic raises a ValidationError: ${r}`);
    return { t: 'val', rv: r };
  }
  if (v.kind === 'str' && ann.complex && !ann.unionWithStr) {
    return ev.unknown(
      node,
      scope,
      `pydantic raises a ValidationError: a string is not a valid ${ann.typeText}`,
    );
  }
  return cur;
}
