import { stringItems } from '../python/options.js';
import type { CorsOptions } from '../python/types.js';
import { allowedOriginBy, pythonFullmatch } from '../servers/starlette-cors.js';

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
