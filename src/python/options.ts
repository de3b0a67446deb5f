// Reading an app's options as plain values: string items of list options, bools, CORS entries, places.
import type { MiddlewareEntry, PythonApp, ResolvedValue, SourceRef } from './types.js';

/**
 * The CORSMiddleware registrations of an app, in the order a request meets them (outermost first); one
 * under a condition the project's environment does not meet (`gate.holds` false) never runs, and is left out.
 */
export function corsEntries(app: PythonApp): MiddlewareEntry[] {
  return app.middleware.filter((m) => m.kind === 'cors' && m.gate?.holds !== false);
}

export interface StringItem {
  value: string;
  source: SourceRef;
  resolved: ResolvedValue;
}

export type Shape = 'absent' | 'list' | 'tuple' | 'set' | 'str' | 'none' | 'unresolved' | 'other';

/** The string items of a list-like option, and the shape it was given in. */
export function stringItems(rv: ResolvedValue | undefined): {
  shape: Shape;
  items: StringItem[];
  unresolved: ResolvedValue[];
} {
  if (!rv) return { shape: 'absent', items: [], unresolved: [] };
  const v = rv.value;
  if (v.kind === 'unresolved') return { shape: 'unresolved', items: [], unresolved: [rv] };
  if (v.kind === 'none') return { shape: 'none', items: [], unresolved: [] };
  if (v.kind === 'str')
    return { shape: 'str', items: [{ value: v.value, source: rv.source, resolved: rv }], unresolved: [] };
  if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') {
    const items: StringItem[] = [];
    const unresolved: ResolvedValue[] = [];
    for (const item of v.items) {
      if (item.value.kind === 'str')
        items.push({ value: item.value.value, source: item.source, resolved: item });
      else if (item.value.kind === 'unresolved') unresolved.push(item);
    }
    return { shape: v.kind, items, unresolved };
  }
  return { shape: 'other', items: [], unresolved: [] };
}

/** A bool option's value; undefined when absent or unresolved. */
export function boolOption(rv: ResolvedValue | undefined): boolean | undefined {
  return rv?.value.kind === 'bool' ? rv.value.value : undefined;
}

/** The entries of `app.middleware` that a request meets before (outside) `entry`. */
export function outsideOf(app: PythonApp, entry: MiddlewareEntry): MiddlewareEntry[] {
  const index = app.middleware.indexOf(entry);
  return index < 0 ? [] : app.middleware.slice(0, index);
}

/** `file:line`. */
export const at = (ref: SourceRef | undefined): string => (ref ? `${ref.file}:${ref.line}` : 'unknown place');

/** How a resolved value was derived, for evidence lines. */
export function derivation(rv: ResolvedValue): string {
  return rv.via.length > 0 ? `${rv.expression} (${rv.via.join(' -> ')})` : rv.expression;
}
