// Reading one app: its constructor arguments, then the statements that register middleware, routes, mounts and handlers on it (also in helper functions and importing modules).
import type { Node } from 'web-tree-sitter';
import { callArgs, type Evaluator, type Obj, paramList, refOf, type Scope } from '../evaluate.js';
import type { ModuleInfo } from '../modules.js';
import type { MiddlewareEntry, PythonApp, RouteInfo, SourceRef } from '../types.js';
import { dependencyList } from './dependencies.js';
import { handlerDict, isServerErrorKey } from './exception-handlers.js';
import { applyGate, ifBranches } from './gates.js';
import { middlewareEntry, middlewareList } from './middleware.js';
import { behaviourOf } from './middleware-behaviour.js';
import { type AppEvent, type AppReading, appMethod, type Deps } from './reading.js';
import { includeRouter, readRoute, routeFromDecorator, starletteRoutes } from './routes.js';
import { stringValue } from './values.js';

const MAX_HELPER_DEPTH = 3;

/** The statement `node` belongs to (a child of a block or of the module). */
function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

/** The middleware entries among events. */
const registered = (events: AppEvent[]): MiddlewareEntry[] =>
  events.flatMap((e) => (e.kind === 'middleware' || e.kind === 'wrap' ? [e.entry] : []));

/** Whether `node` belongs to a statement at the top level of its module (not in a function or block). */
const isTopLevel = (node: Node): boolean => statementOf(node).parent?.type === 'module';

/** Reads one app: its constructor arguments, then everything done to it afterwards, into its stack, routes and handlers. */
export class AppReader implements AppReading {
  readonly events: AppEvent[] = [];
  readonly seenRouters = new Set<string>();

  constructor(readonly ev: Evaluator) {}

  read(
    call: Node,
    variable: string,
    framework: 'fastapi' | 'starlette',
    scope: Scope,
    encl: Node | undefined,
    importers: ModuleInfo[],
  ): PythonApp {
    const mod = scope.mod;
    const args = callArgs(call);
    const ctorMiddleware: MiddlewareEntry[] = [];
    let redirectSlashes = true;
    const appDeps = dependencyList(this.ev, args.keywords.get('dependencies'), scope, 0);
    const rs = args.keywords.get('redirect_slashes');
    if (rs) {
      const v = this.ev.evaluate(rs, scope);
      if (v.t === 'val' && v.rv.value.kind === 'bool') redirectSlashes = v.rv.value.value;
    }
    const mw = args.keywords.get('middleware');
    if (mw) ctorMiddleware.push(...middlewareList(this.ev, mw, scope));
    const handlersNode = args.keywords.get('exception_handlers');
    if (handlersNode) handlerDict(this, handlersNode, scope);
    const routesNode = args.keywords.get('routes');
    if (routesNode) starletteRoutes(this, routesNode, scope);

    // Everything done to the app after it was created, in execution order.
    const body = encl ? encl.childForFieldName('body') : mod.root;
    const stmt = statementOf(call);
    if (body) this.scanBlock(body, new Set([variable]), scope, 0, stmt.endIndex, appDeps);
    if (!encl) {
      for (const other of importers) {
        if (other === mod) continue;
        const names = new Set<string>();
        for (const [name, list] of other.bindings) {
          const b = list[list.length - 1];
          if (b?.kind !== 'from') continue;
          if (b.name !== variable) continue;
          const target = this.ev.index.findModuleFile(other, b.module, b.level);
          if (target === mod.rel) names.add(name);
        }
        if (names.size > 0) this.scanBlock(other.root, names, { mod: other }, 0, 0, appDeps);
      }
    }

    const user: MiddlewareEntry[] = [];
    const wraps: MiddlewareEntry[] = [];
    const routes: RouteInfo[] = [];
    const mounts: PythonApp['mounts'] = [];
    const exceptionHandlers: PythonApp['exceptionHandlers'] = [];
    const serverHandlers: Array<{ key: string; source: SourceRef }> = [];
    const otherHandlers: Array<{ key: string; source: SourceRef }> = [];
    for (const e of this.events) {
      if (e.kind === 'middleware')
        user.unshift(e.entry); // insert(0, ...): the last added is outermost
      else if (e.kind === 'wrap') wraps.unshift(e.entry);
      else if (e.kind === 'routes') routes.push(...e.routes);
      else if (e.kind === 'mount') mounts.push({ path: e.path, target: e.target, source: e.source });
      else if (e.kind === 'handler') {
        exceptionHandlers.push({ key: e.key, source: e.source });
        (e.serverError ? serverHandlers : otherHandlers).push({ key: e.key, source: e.source });
      } else if (e.kind === 'redirectSlashes') redirectSlashes = e.value;
    }
    const serverError: MiddlewareEntry = {
      name: 'ServerErrorMiddleware',
      kind: 'server-error',
      registration: 'builtin',
    };
    if (serverHandlers.length > 0) serverError.exceptionHandlers = serverHandlers;
    const exception: MiddlewareEntry = {
      name: 'ExceptionMiddleware',
      kind: 'exception',
      registration: 'builtin',
    };
    if (otherHandlers.length > 0) exception.exceptionHandlers = otherHandlers;
    return {
      source: refOf(call, mod),
      framework,
      variable,
      middleware: [
        ...wraps,
        serverError,
        ...user,
        ...ctorMiddleware,
        exception,
        { name: 'Router', kind: 'router', registration: 'builtin' },
      ],
      routes,
      mounts,
      exceptionHandlers,
      redirectSlashes,
    };
  }

  // -----------------------------------------------------------------------------------------------
  // Statements

  private scanBlock(
    block: Node,
    names: Set<string>,
    scope: Scope,
    depth: number,
    after: number,
    deps: Deps,
  ): void {
    for (const stmt of block.namedChildren) {
      if (stmt.endIndex <= after) continue;
      this.scanStatement(stmt, names, scope, depth, deps);
    }
  }

  private scanStatement(stmt: Node, names: Set<string>, scope: Scope, depth: number, deps: Deps): void {
    switch (stmt.type) {
      case 'expression_statement': {
        const e = stmt.namedChildren[0];
        if (e?.type === 'call') this.scanCall(e, names, scope, depth, deps);
        else if (e?.type === 'assignment') this.scanAssignment(e, names, scope, depth, deps);
        return;
      }
      case 'decorated_definition':
        this.scanDecorated(stmt, names, scope, deps);
        return;
      case 'if_statement':
        // Each branch under its condition: a registration the deployment's values skip is marked so.
        for (const { body, gate } of ifBranches(this.ev, stmt, scope)) {
          const before = this.events.length;
          this.scanBlock(body, names, scope, depth, 0, deps);
          applyGate(registered(this.events.slice(before)), gate, body);
        }
        return;
      case 'try_statement':
      case 'with_statement':
      case 'for_statement':
      case 'while_statement':
        for (const part of stmt.namedChildren) {
          if (part.type === 'block') this.scanBlock(part, names, scope, depth, 0, deps);
          else if (/_clause$/.test(part.type)) {
            const body =
              part.childForFieldName('consequence') ??
              part.childForFieldName('body') ??
              part.namedChildren.find((c) => c.type === 'block');
            if (body) this.scanBlock(body, names, scope, depth, 0, deps);
          }
        }
        return;
    }
  }

  private scanCall(call: Node, names: Set<string>, scope: Scope, depth: number, deps: Deps): void {
    const m = appMethod(call, names);
    const args = callArgs(call);
    if (m) {
      switch (m.method) {
        case 'add_middleware': {
          const cls = args.positional[0] ?? args.keywords.get('middleware_class');
          if (!cls) return;
          const kws = new Map(args.keywords);
          kws.delete('middleware_class');
          const entry = middlewareEntry(
            this.ev,
            cls,
            kws,
            args.splats,
            args.positional.slice(1),
            scope,
            'add_middleware',
            call,
          );
          if (!isTopLevel(call)) entry.nested = true;
          this.events.push({ kind: 'middleware', entry });
          return;
        }
        case 'include_router':
          includeRouter(this, call, scope, '', deps, 0);
          return;
        case 'mount': {
          const pathNode = args.positional[0] ?? args.keywords.get('path');
          const target = args.positional[1] ?? args.keywords.get('app');
          const path = pathNode ? (stringValue(this.ev, pathNode, scope) ?? pathNode.text) : '';
          this.events.push({
            kind: 'mount',
            path,
            target: target?.text ?? '',
            source: refOf(call, scope.mod),
          });
          return;
        }
        case 'add_exception_handler': {
          const key = args.positional[0] ?? args.keywords.get('exc_class_or_status_code');
          if (key)
            this.events.push({
              kind: 'handler',
              key: key.text,
              source: refOf(call, scope.mod),
              serverError: isServerErrorKey(this.ev, key, scope),
            });
          return;
        }
        case 'add_api_route':
        case 'add_route': {
          const pathNode = args.positional[0] ?? args.keywords.get('path');
          const endpoint = args.positional[1] ?? args.keywords.get('endpoint');
          const fn = endpoint ? this.ev.evaluate(endpoint, scope) : undefined;
          const route = readRoute(
            this.ev,
            pathNode,
            args.keywords.get('methods'),
            ['GET'],
            fn?.t === 'func' ? fn : undefined,
            call,
            scope,
            '',
            deps,
            args.keywords.get('dependencies'),
          );
          if (route) this.events.push({ kind: 'routes', routes: [route] });
          return;
        }
      }
      return;
    }
    // app.middleware("http")(fn)
    const inner = call.childForFieldName('function');
    if (inner?.type === 'call') {
      const im = appMethod(inner, names);
      if (im?.method === 'middleware') {
        const fnArg = args.positional[0];
        const fn = fnArg ? this.ev.evaluate(fnArg, scope) : undefined;
        const entry: MiddlewareEntry = {
          name: fnArg?.text ?? '?',
          kind: 'http-function',
          registration: 'decorator',
          source: refOf(call, scope.mod),
        };
        if (fn?.t === 'func') entry.behaviour = behaviourOf(this.ev, fn.node, fn.mod);
        if (!isTopLevel(call)) entry.nested = true;
        this.events.push({ kind: 'middleware', entry });
      }
      return;
    }
    // A project function that receives the app: setup_cors(app), configure(app=app)
    if (depth >= MAX_HELPER_DEPTH) return;
    const argNames: Array<{ index: number; keyword?: string }> = [];
    args.positional.forEach((a, i) => {
      if (a.type === 'identifier' && names.has(a.text)) argNames.push({ index: i });
    });
    for (const [k, v] of args.keywords)
      if (v.type === 'identifier' && names.has(v.text)) argNames.push({ index: -1, keyword: k });
    if (argNames.length === 0) return;
    const callee = this.ev.evaluate(call.childForFieldName('function') as Node, scope);
    if (callee.t !== 'func') return;
    const params = paramList(callee.node).filter((p) => p.kind === 'plain');
    const offset = callee.self ? 1 : 0;
    const inner2 = new Set<string>();
    for (const a of argNames) {
      const p = a.keyword ? params.find((x) => x.name === a.keyword) : params[a.index + offset];
      if (p) inner2.add(p.name);
    }
    // The helper's other parameters take the values passed at this call.
    const locals = new Map<string, Obj>();
    args.positional.forEach((a, i) => {
      const p = params[i + offset];
      if (p && !inner2.has(p.name)) locals.set(p.name, this.ev.evaluate(a, scope));
    });
    for (const [k, v] of args.keywords)
      if (!inner2.has(k) && params.some((p) => p.name === k)) locals.set(k, this.ev.evaluate(v, scope));
    const body = callee.node.childForFieldName('body');
    if (inner2.size > 0 && body)
      this.scanBlock(body, inner2, { mod: callee.mod, fn: callee.node, locals }, depth + 1, 0, deps);
  }

  private scanAssignment(a: Node, names: Set<string>, scope: Scope, _depth: number, _deps: Deps): void {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) return;
    // app.router.redirect_slashes = False
    if (left.type === 'attribute' && /\.router\.redirect_slashes$/.test(left.text)) {
      const root = left.text.split('.')[0] as string;
      if (names.has(root)) {
        const v = this.ev.evaluate(right, scope);
        if (v.t === 'val' && v.rv.value.kind === 'bool')
          this.events.push({ kind: 'redirectSlashes', value: v.rv.value.value });
      }
      return;
    }
    if (right.type !== 'call') return;
    // app = CORSMiddleware(app, ...), asgi_app = socketio.ASGIApp(sio, other_asgi_app=app)
    const args = callArgs(right);
    const posIndex = args.positional.findIndex((p) => p.type === 'identifier' && names.has(p.text));
    const kwName = [...args.keywords].find(([, v]) => v.type === 'identifier' && names.has(v.text))?.[0];
    if (posIndex < 0 && !kwName) return;
    const fn = right.childForFieldName('function') as Node;
    const callee = this.ev.evaluate(fn, scope);
    if (callee.t === 'func') return; // a helper returning the app: not a wrapper we can model
    const kws = new Map(args.keywords);
    if (kwName) kws.delete(kwName);
    const positional = args.positional.filter((_, i) => i !== posIndex);
    const isMiddlewareStyle = posIndex === 0 || kwName === 'app';
    const entry = middlewareEntry(
      this.ev,
      fn,
      kws,
      args.splats,
      isMiddlewareStyle ? positional : [],
      scope,
      'wrap',
      right,
    );
    if (!isMiddlewareStyle && entry.kind !== 'cors') entry.kind = 'other';
    this.events.push({ kind: 'wrap', entry });
    if (left.type === 'identifier') names.add(left.text);
  }

  private scanDecorated(stmt: Node, names: Set<string>, scope: Scope, deps: Deps): void {
    const def = stmt.childForFieldName('definition');
    if (def?.type !== 'function_definition') return;
    for (const dec of stmt.namedChildren) {
      if (dec.type !== 'decorator') continue;
      const call = dec.namedChildren[0];
      if (call?.type !== 'call') continue;
      const m = appMethod(call, names);
      if (!m) continue;
      const args = callArgs(call);
      if (m.method === 'middleware') {
        const entry: MiddlewareEntry = {
          name: def.childForFieldName('name')?.text ?? '?',
          kind: 'http-function',
          registration: 'decorator',
          source: refOf(dec, scope.mod),
          behaviour: behaviourOf(this.ev, def, scope.mod),
        };
        if (!isTopLevel(stmt)) entry.nested = true;
        this.events.push({ kind: 'middleware', entry });
      } else if (m.method === 'exception_handler') {
        const key = args.positional[0] ?? args.keywords.get('exc_class_or_status_code');
        if (key)
          this.events.push({
            kind: 'handler',
            key: key.text,
            source: refOf(dec, scope.mod),
            serverError: isServerErrorKey(this.ev, key, scope),
          });
      } else {
        const route = routeFromDecorator(this.ev, m.method, call, def, scope, '', deps);
        if (route) this.events.push({ kind: 'routes', routes: [route] });
      }
    }
  }
}
