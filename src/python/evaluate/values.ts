// Python value semantics on resolved values: truthiness, equality, str strip/split, JSON decoding, de-duplication, message text.
import type { PyValue, ResolvedValue, SourceRef } from '../types.js';

/** The expression text shortened to one line of at most `n` characters, for messages. */
export const short = (text: string, n = 60): string => {
  const one = text.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** A string as Python's repr would quote it (close enough for messages). */
export const pyRepr = (s: string): string => JSON.stringify(s);

/** Python truthiness; undefined when unknown. */
export function truthy(v: PyValue): boolean | undefined {
  switch (v.kind) {
    case 'str':
      return v.value.length > 0;
    case 'int':
      return v.value !== 0;
    case 'bool':
      return v.value;
    case 'none':
      return false;
    case 'list':
    case 'tuple':
    case 'set':
      return v.items.length > 0;
    default:
      return undefined;
  }
}

/** Plain JS view of a value (for equality and JSON); undefined when it contains unresolved parts. */
export function plainOf(v: PyValue): unknown {
  switch (v.kind) {
    case 'str':
    case 'int':
    case 'bool':
      return v.value;
    case 'none':
      return null;
    case 'list':
    case 'tuple':
    case 'set': {
      const out: unknown[] = [];
      for (const i of v.items) {
        const p = plainOf(i.value);
        if (p === undefined) return undefined;
        out.push(p);
      }
      return out;
    }
    default:
      return undefined;
  }
}

const PY_WS =
  ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
export function pyStrip(s: string, chars: string | undefined, mode: 'both' | 'l' | 'r'): string {
  const set = chars ?? PY_WS;
  let a = 0;
  let b = s.length;
  if (mode !== 'r') while (a < b && set.includes(s[a] as string)) a++;
  if (mode !== 'l') while (b > a && set.includes(s[b - 1] as string)) b--;
  return s.slice(a, b);
}
export function pySplit(s: string, sep: string | undefined, maxsplit = -1): string[] {
  if (sep === undefined) {
    const parts = s.split(new RegExp(`[${PY_WS}]+`)).filter((p) => p.length > 0);
    if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
    // Rare; approximate by re-joining the remainder on single spaces is wrong, so split manually.
    const out: string[] = [];
    let rest = pyStrip(s, undefined, 'l');
    while (out.length < maxsplit) {
      const m = new RegExp(`[${PY_WS}]+`).exec(rest);
      if (!m) break;
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    if (rest.length > 0) out.push(rest);
    return out;
  }
  const parts = s.split(sep);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)];
}

/** JSON text -> a Python value as `json.loads` (and pydantic's env decoding) gives it. */
export function jsonToPy(data: unknown, source: SourceRef, expression: string, via: string[]): PyValue {
  if (typeof data === 'string') return { kind: 'str', value: data };
  if (typeof data === 'boolean') return { kind: 'bool', value: data };
  if (data === null) return { kind: 'none' };
  if (typeof data === 'number' && Number.isInteger(data)) return { kind: 'int', value: data };
  if (Array.isArray(data)) {
    return {
      kind: 'list',
      items: data.map((d) => ({
        value: jsonToPy(d, source, expression, via),
        source,
        expression: JSON.stringify(d),
        via,
      })),
    };
  }
  return { kind: 'unresolved', expression, reason: 'a JSON object or number that is not an int' };
}

/** Items without repeats (as a Python set keeps them); items that cannot be compared all stay. */
export function dedupe(items: ResolvedValue[]): ResolvedValue[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const p = plainOf(i.value);
    if (p === undefined) return true;
    const k = JSON.stringify(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function dedupeStrings(list: string[]): string[] {
  return [...new Set(list)];
}

/** The value with each of its items (when it is a list, tuple or set) placed at `at`. */
export function itemsAt(rv: ResolvedValue, at: SourceRef): ResolvedValue {
  const v = rv.value;
  if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set')
    return { ...rv, value: { ...v, items: v.items.map((i) => ({ ...i, source: at })) } };
  return rv;
}
