import type { CorsOptions, MiddlewareEntry, PythonApp, ResolvedValue, SourceRef } from '../python/types.js';
import { allowedOriginBy, pythonFullmatch } from '../servers/starlette-cors.js';

/** The CORSMiddleware registrations of an app, in the order a request meets them (outermost first). */
export function corsEntries(app: PythonApp): MiddlewareEntry[] {
  return app.middleware.filter((m) => m.kind === 'cors');
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

/** How Starlette decides whether an origin is allowed, for a statically known configuration. */
export type OriginDecision = { allowed: boolean; how: string } | { allowed: 'unknown'; how: string };

export function starletteAllowsOrigin(options: CorsOptions, origin: string): OriginDecision {
  const origins = stringItems(options.allow_origins);
  const regex = options.allow_origin_regex?.value;
  if (origins.shape === 'unresolved' || origins.unresolved.length > 0) {
    const what = (origins.unresolved[0] ?? options.allow_origins)?.expression ?? 'allow_origins';
    return {
      allowed: 'unknown',
      how: `allow_origins depends on ${what}, which cannot be resolved statically`,
    };
  }
  if (regex?.kind === 'unresolved') {
    return {
      allowed: 'unknown',
      how: `allow_origin_regex depends on ${options.allow_origin_regex?.expression}`,
    };
  }
  const values = origins.items.map((i) => i.value);
  const text = origins.shape === 'str' ? (values[0] ?? '') : undefined;
  let originRegex: RegExp | undefined;
  let untranslatable: string | undefined;
  if (regex?.kind === 'str') {
    try {
      originRegex = pythonFullmatch(regex.value);
    } catch {
      untranslatable = regex.value;
    }
  }
  // The server model decides; here it is only put in words.
  const by = allowedOriginBy(text ?? values, originRegex, origin);
  if (by === undefined && untranslatable !== undefined) {
    return {
      allowed: 'unknown',
      how: `allow_origin_regex ${JSON.stringify(untranslatable)} uses Python regex features that cannot be evaluated here`,
    };
  }
  switch (by) {
    case 'wildcard':
      return {
        allowed: true,
        how:
          text === undefined
            ? 'allow_origins contains "*"'
            : 'allow_origins is a string containing "*" (a wildcard by accident)',
      };
    case 'regex':
      return {
        allowed: true,
        how: `allow_origin_regex ${JSON.stringify(regex?.kind === 'str' ? regex.value : '')} fully matches it`,
      };
    case 'list':
      return {
        allowed: true,
        how:
          text === undefined
            ? `allow_origins contains "${origin}"`
            : `allow_origins is a string, and ${origin} happens to be a substring of it`,
      };
    default:
      return {
        allowed: false,
        how:
          text === undefined
            ? `allow_origins ${JSON.stringify(values)} does not contain "${origin}" (an exact, case-sensitive match)`
            : `allow_origins is a string, and ${origin} is not a substring of it`,
      };
  }
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
