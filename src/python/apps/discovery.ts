// App discovery: the FastAPI() / Starlette() calls of a module (also of project subclasses) assigned to a name, each read by an AppReader.
import type { Node } from 'web-tree-sitter';
import type { Evaluator, Obj, Scope } from '../evaluate.js';
import type { ModuleInfo } from '../modules.js';
import { walkNamed } from '../parser.js';
import type { PythonApp } from '../types.js';
import { AppReader } from './app-reader.js';

/** Is this object Starlette/FastAPI's application class (or a project subclass)? */
function appFramework(ev: Evaluator, obj: Obj): 'fastapi' | 'starlette' | undefined {
  const q = (name: string): 'fastapi' | 'starlette' | undefined =>
    name === 'fastapi.FastAPI' ? 'fastapi' : name === 'starlette.Starlette' ? 'starlette' : undefined;
  if (obj.t === 'ext') return q(obj.qname);
  if (obj.t === 'class') {
    for (const b of ev.externalBases(obj.mod, obj.node)) {
      const f = q(b);
      if (f) return f;
    }
  }
  return undefined;
}

/** Finds every FastAPI()/Starlette() application created in `mod` and reads its stack, routes and handlers. */
export function findApps(ev: Evaluator, mod: ModuleInfo, importers: ModuleInfo[]): PythonApp[] {
  const apps: PythonApp[] = [];
  const calls: Node[] = [];
  walkNamed(mod.root, (n) => {
    if (n.type === 'call') {
      const f = n.childForFieldName('function');
      if (f && (f.type === 'identifier' || f.type === 'attribute') && couldBeApp(f, mod)) calls.push(n);
    }
    return true;
  });
  for (const call of calls) {
    const fnNode = call.childForFieldName('function') as Node;
    const encl = enclosingFunction(call, mod.root);
    const scope: Scope = encl ? { mod, fn: encl } : { mod };
    const framework = appFramework(ev, ev.evaluate(fnNode, scope));
    if (!framework) continue;
    const assign = call.parent?.type === 'assignment' ? call.parent : undefined;
    const left = assign?.childForFieldName('left');
    if (!assign || left?.type !== 'identifier' || assign.childForFieldName('right')?.id !== call.id) continue;
    const variable = left.text;
    const reader = new AppReader(ev);
    const app = reader.read(call, variable, framework, scope, encl, importers);
    apps.push(app);
  }
  return apps;
}

/**
 * Can `f` name the app class: `FastAPI`, `x.Starlette`, or a dotted name whose first part the module
 * imports or defines as a class. Read part by part, never as the whole text: in a chain of calls
 * (`a.b(...).c(...)`) each call's text holds the calls before it.
 */
function couldBeApp(f: Node, mod: ModuleInfo): boolean {
  const last = f.type === 'attribute' ? f.childForFieldName('attribute')?.text : f.text;
  if (last === 'FastAPI' || last === 'Starlette') return true;
  let root: Node | null = f;
  while (root?.type === 'attribute') root = root.childForFieldName('object');
  if (root?.type !== 'identifier') return false;
  const b = mod.bindings.get(root.text);
  return !!b?.some((x) => x.kind === 'import' || x.kind === 'from' || x.kind === 'class');
}

/**
 * The innermost function around `node`, found from the module's root down: a node's parent is itself
 * looked up from the root, so going up parent by parent takes time in the square of the depth.
 */
function enclosingFunction(node: Node, root: Node): Node | undefined {
  let found: Node | undefined;
  for (let n: Node | null = root; n && n.id !== node.id; n = n.childWithDescendant(node))
    if (n.type === 'function_definition') found = n;
  return found;
}
