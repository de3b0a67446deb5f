/**
 * From what the source says (`CorsOptions`, resolved statically) to the plain values
 * `CORSMiddleware.__init__` receives. A value that cannot be resolved makes the configuration
 * unknown: the model never guesses it.
 */
import { stringItems } from '../python/options.js';
import type { CorsOptions, PyValue, ResolvedValue } from '../python/types.js';
import type { StarletteCorsConfig } from './types.js';

export type CorsConfigReading =
  | { known: true; config: StarletteCorsConfig }
  | { known: false; unresolved: string[] };

/** The defaults of `CORSMiddleware.__init__`. */
export const STARLETTE_CORS_DEFAULTS: StarletteCorsConfig = {
  allow_origins: [],
  allow_origin_regex: null,
  allow_methods: ['GET'],
  allow_headers: [],
  allow_credentials: false,
  expose_headers: [],
  max_age: 600,
  allow_private_network: false,
};

class Unresolved extends Error {}

function describe(name: string, rv: ResolvedValue, value: PyValue): string {
  const why = value.kind === 'unresolved' ? `: ${value.reason}` : '';
  return `${name}=${rv.expression}${why}`;
}

/** A list-like option: a list/tuple/set keeps its `str` items (other items never equal a header), a `str` stays a str. */
function strings(name: string, rv: ResolvedValue): string[] | string {
  const { shape, items, unresolved } = stringItems(rv);
  const first = unresolved[0];
  if (first) throw new Unresolved(describe(name, first, first.value));
  if (shape === 'str') return items[0]?.value ?? '';
  if (shape === 'list' || shape === 'tuple' || shape === 'set') return items.map((i) => i.value);
  throw new Unresolved(describe(name, rv, rv.value));
}

function bool(name: string, rv: ResolvedValue): boolean {
  const v = rv.value;
  if (v.kind === 'bool') return v.value;
  // Python truthiness of the values configuration code passes in practice.
  if (v.kind === 'str') return v.value !== '';
  if (v.kind === 'int') return v.value !== 0;
  if (v.kind === 'none') return false;
  if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') return v.items.length > 0;
  throw new Unresolved(describe(name, rv, v));
}

/** The plain configuration, or which options could not be resolved. */
export function readCorsConfig(options: CorsOptions | undefined): CorsConfigReading {
  const config: StarletteCorsConfig = { ...STARLETTE_CORS_DEFAULTS };
  const unresolved: string[] = [];
  const take = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof Unresolved) unresolved.push(error.message);
      else throw error;
    }
  };
  const o = options ?? {};
  if (o.allow_origins)
    take(() => {
      const rv = o.allow_origins as ResolvedValue;
      config.allow_origins = rv.value.kind === 'none' ? null : strings('allow_origins', rv);
    });
  if (o.allow_origin_regex)
    take(() => {
      const rv = o.allow_origin_regex as ResolvedValue;
      if (rv.value.kind === 'none') config.allow_origin_regex = null;
      else if (rv.value.kind === 'str') config.allow_origin_regex = rv.value.value;
      else throw new Unresolved(describe('allow_origin_regex', rv, rv.value));
    });
  if (o.allow_methods)
    take(() => (config.allow_methods = strings('allow_methods', o.allow_methods as ResolvedValue)));
  if (o.allow_headers)
    take(() => (config.allow_headers = strings('allow_headers', o.allow_headers as ResolvedValue)));
  if (o.expose_headers)
    take(() => (config.expose_headers = strings('expose_headers', o.expose_headers as ResolvedValue)));
  if (o.allow_credentials)
    take(() => (config.allow_credentials = bool('allow_credentials', o.allow_credentials as ResolvedValue)));
  if (o.allow_private_network)
    take(
      () =>
        (config.allow_private_network = bool(
          'allow_private_network',
          o.allow_private_network as ResolvedValue,
        )),
    );
  if (o.max_age)
    take(() => {
      const rv = o.max_age as ResolvedValue;
      if (rv.value.kind === 'int') config.max_age = rv.value.value;
      else if (rv.value.kind === 'str') config.max_age = rv.value.value;
      else throw new Unresolved(describe('max_age', rv, rv.value));
    });
  return unresolved.length > 0 ? { known: false, unresolved } : { known: true, config };
}
