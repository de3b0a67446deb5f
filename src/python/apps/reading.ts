// What reading one app records and shares: its events in execution order, the routers already read, and calls of the app's methods.
import type { Node } from 'web-tree-sitter';
import type { Evaluator } from '../evaluate.js';
import type { MiddlewareEntry, RouteInfo, SourceRef } from '../types.js';

/** Something done to the app, in execution order. */
export type AppEvent =
  | { kind: 'middleware'; entry: MiddlewareEntry }
  | { kind: 'wrap'; entry: MiddlewareEntry }
  | { kind: 'routes'; routes: RouteInfo[] }
  | { kind: 'mount'; path: string; target: string; source: SourceRef }
  | { kind: 'handler'; key: string; source: SourceRef; serverError: boolean }
  | { kind: 'redirectSlashes'; value: boolean };

/** Request headers and cookies read (by dependencies, parameters, code). */
export interface Deps {
  headers: string[];
  cookies: string[];
}

/** The state the readers of one app share. */
export interface AppReading {
  readonly ev: Evaluator;
  /** Everything done to the app, in execution order. */
  readonly events: AppEvent[];
  /** Routers already included (module, name and prefix), so that each is read once. */
  readonly seenRouters: Set<string>;
}

/** `app.method(...)` where `app` is one of `names` (the names the app goes by). */
export function appMethod(call: Node, names: Set<string>): { method: string; target: Node } | undefined {
  const f = call.childForFieldName('function');
  if (f?.type !== 'attribute') return undefined;
  const obj = f.childForFieldName('object');
  const attr = f.childForFieldName('attribute');
  if (obj?.type === 'identifier' && names.has(obj.text) && attr) return { method: attr.text, target: obj };
  return undefined;
}
