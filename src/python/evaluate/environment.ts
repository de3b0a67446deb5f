// The environment as the project defines it: the env provider interface, os.environ / os.getenv values, and the settings' env lookup order.
import type { Node } from 'web-tree-sitter';
import type { ModuleInfo } from '../modules.js';
import { lineOf } from '../parser.js';
import type { SourceRef } from '../types.js';
import type { Evaluator } from './evaluator.js';
import type { Obj, Scope } from './objects.js';

export interface EnvHit {
  value: string;
  source: SourceRef;
  /** e.g. `.env CORS_ORIGINS at .env:2`. */
  label: string;
}

export interface EnvProvider {
  /** The process environment as the project defines it (compose `environment:`, `env_file:`, a `.env` near `mod`). */
  process(
    name: string,
    mod: ModuleInfo,
    caseInsensitive: boolean,
    nearbyDotenv?: boolean,
  ): EnvHit | undefined;
  /** A dotenv file named by settings (`env_file=`), resolved from `mod`'s directory upwards. */
  dotenv(file: string, name: string, mod: ModuleInfo, caseInsensitive: boolean): EnvHit | undefined;
}

/**
 * The value of environment variable `name` read at `node` (`os.environ[...]`, `os.getenv(...)`):
 * the project's value, else the default (`undefined`: none, so KeyError; `null`: None).
 */
export function envValue(
  ev: Evaluator,
  name: string,
  node: Node,
  scope: Scope,
  defaultNode: Node | undefined | null,
  label: string,
): Obj {
  const step = `${label} at ${scope.mod.rel}:${lineOf(node)}`;
  const readAt = { file: scope.mod.rel, line: lineOf(node) };
  const hit = ev.env.process(name, scope.mod, false, true);
  if (hit)
    return ev.val({ kind: 'str', value: hit.value }, node, scope, [step, hit.label], {
      name,
      valueFrom: hit.source,
      defaultUsed: false,
      readAt,
    });
  const env = { name, defaultUsed: true, readAt };
  if (defaultNode === undefined) {
    return ev.unknown(
      node,
      scope,
      `${name} is not set in any .env or compose file (${label} raises KeyError)`,
    );
  }
  if (defaultNode === null)
    return ev.val({ kind: 'none' }, node, scope, [step, `${name} not set: None`], env);
  const d = ev.evaluate(defaultNode, scope);
  if (d.t !== 'val') return d;
  return { t: 'val', rv: { ...d.rv, via: [step, `${name} not set: default used`, ...d.rv.via], env } };
}

/**
 * Where a settings field's variable is found: the real environment first, then the settings' env
 * files (later files win), then, when the settings name no env file, a `.env` near the code.
 */
export function settingsEnvHit(
  env: EnvProvider,
  name: string,
  mod: ModuleInfo,
  envFiles: string[],
  caseInsensitive: boolean,
): EnvHit | undefined {
  let hit = env.process(name, mod, caseInsensitive, false);
  if (!hit) {
    for (const f of [...envFiles].reverse()) {
      hit = env.dotenv(f, name, mod, caseInsensitive);
      if (hit) break;
    }
  }
  if (!hit && envFiles.length === 0) hit = env.process(name, mod, caseInsensitive, true);
  return hit;
}
