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
    const encl = enclosingFunction(call);
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

function couldBeApp(f: Node, mod: ModuleInfo): boolean {
  const text = f.text;
  if (/(^|\.)(FastAPI|Starlette)$/.test(text)) return true;
  const root = text.split('.')[0] as string;
  const b = mod.bindings.get(root);
  return !!b?.some((x) => x.kind === 'import' || x.kind === 'from' || x.kind === 'class');
}

function enclosingFunction(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return undefined;
}
