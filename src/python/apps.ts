import type { Node } from 'web-tree-sitter';
import { callArgs, className, type Evaluator, type Obj, paramList, refOf, type Scope } from './evaluate.js';
import type { ModuleInfo } from './modules.js';
import { lineOf, walkNamed } from './parser.js';
import { decodeStringNode } from './strings.js';
import type {
  CorsOptions,
  MiddlewareEntry,
  MiddlewareKind,
  PythonApp,
  ResolvedValue,
  RouteInfo,
  SourceRef,
} from './types.js';

const CORS_KEYS = new Set<keyof CorsOptions>([
  'allow_origins',
  'allow_origin_regex',
  'allow_methods',
  'allow_headers',
  'allow_credentials',
  'expose_headers',
  'max_age',
  'allow_private_network',
]);

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'trace']);
const MAX_HELPER_DEPTH = 3;

type AppEvent =
  | { kind: 'middleware'; entry: MiddlewareEntry }
  | { kind: 'wrap'; entry: MiddlewareEntry }
  | { kind: 'routes'; routes: RouteInfo[] }
  | { kind: 'mount'; path: string; target: string; source: SourceRef }
  | { kind: 'handler'; key: string; source: SourceRef; serverError: boolean }
  | { kind: 'redirectSlashes'; value: boolean };

interface Deps {
  headers: string[];
  cookies: string[];
}

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

function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

class AppReader {
  private readonly events: AppEvent[] = [];
  private readonly seenRouters = new Set<string>();

  constructor(private readonly ev: Evaluator) {}

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
    const appDeps = this.dependencyList(args.keywords.get('dependencies'), scope, 0);
    const rs = args.keywords.get('redirect_slashes');
    if (rs) {
      const v = this.ev.evaluate(rs, scope);
      if (v.t === 'val' && v.rv.value.kind === 'bool') redirectSlashes = v.rv.value.value;
    }
    const mw = args.keywords.get('middleware');
    if (mw) ctorMiddleware.push(...this.middlewareList(mw, scope));
    const handlersNode = args.keywords.get('exception_handlers');
    if (handlersNode) this.handlerDict(handlersNode, scope);
    const routesNode = args.keywords.get('routes');
    if (routesNode) this.starletteRoutes(routesNode, scope);

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

  private appMethod(call: Node, names: Set<string>): { method: string; target: Node } | undefined {
    const f = call.childForFieldName('function');
    if (f?.type !== 'attribute') return undefined;
    const obj = f.childForFieldName('object');
    const attr = f.childForFieldName('attribute');
    if (obj?.type === 'identifier' && names.has(obj.text) && attr) return { method: attr.text, target: obj };
    return undefined;
  }

  private scanCall(call: Node, names: Set<string>, scope: Scope, depth: number, deps: Deps): void {
    const m = this.appMethod(call, names);
    const args = callArgs(call);
    if (m) {
      switch (m.method) {
        case 'add_middleware': {
          const cls = args.positional[0] ?? args.keywords.get('middleware_class');
          if (!cls) return;
          const kws = new Map(args.keywords);
          kws.delete('middleware_class');
          this.events.push({
            kind: 'middleware',
            entry: this.entry(cls, kws, args.splats, args.positional.slice(1), scope, 'add_middleware', call),
          });
          return;
        }
        case 'include_router':
          this.includeRouter(call, scope, '', deps, 0);
          return;
        case 'mount': {
          const pathNode = args.positional[0] ?? args.keywords.get('path');
          const target = args.positional[1] ?? args.keywords.get('app');
          const path = pathNode ? (this.str(pathNode, scope) ?? pathNode.text) : '';
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
              serverError: this.isServerErrorKey(key, scope),
            });
          return;
        }
        case 'add_api_route':
        case 'add_route': {
          const pathNode = args.positional[0] ?? args.keywords.get('path');
          const endpoint = args.positional[1] ?? args.keywords.get('endpoint');
          const fn = endpoint ? this.ev.evaluate(endpoint, scope) : undefined;
          const route = this.route(
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
      const im = this.appMethod(inner, names);
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
    const entry = this.entry(fn, kws, args.splats, isMiddlewareStyle ? positional : [], scope, 'wrap', right);
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
      const m = this.appMethod(call, names);
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
        this.events.push({ kind: 'middleware', entry });
      } else if (m.method === 'exception_handler') {
        const key = args.positional[0] ?? args.keywords.get('exc_class_or_status_code');
        if (key)
          this.events.push({
            kind: 'handler',
            key: key.text,
            source: refOf(dec, scope.mod),
            serverError: this.isServerErrorKey(key, scope),
          });
      } else {
        const route = this.routeFromDecorator(m.method, call, def, scope, '', deps);
        if (route) this.events.push({ kind: 'routes', routes: [route] });
      }
    }
  }

  private isServerErrorKey(key: Node, scope: Scope): boolean {
    const v = this.ev.evaluate(key, scope);
    if (v.t === 'val') return v.rv.value.kind === 'int' && v.rv.value.value === 500;
    if (v.t === 'ext')
      return v.qname === 'builtins.Exception' || v.qname.endsWith('.Exception') || /HTTP_500/.test(v.qname);
    return key.text === 'Exception' || key.text === '500';
  }

  private handlerDict(node: Node, scope: Scope): void {
    const d = this.ev.evaluate(node, scope);
    if (d.t !== 'dict' || d.node.type !== 'dictionary') return;
    for (const pair of d.node.namedChildren) {
      if (pair.type !== 'pair') continue;
      const k = pair.childForFieldName('key');
      if (k)
        this.events.push({
          kind: 'handler',
          key: k.text,
          source: refOf(pair, d.scope.mod),
          serverError: this.isServerErrorKey(k, d.scope),
        });
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Middleware

  /** `[Middleware(CORSMiddleware, ...), ...]` in list order. */
  private middlewareList(node: Node, scope: Scope): MiddlewareEntry[] {
    const items = this.listItems(node, scope, 0);
    if (!items) {
      return [
        {
          name: node.text,
          kind: 'other',
          registration: 'constructor',
          source: refOf(node, scope.mod),
          arguments: { middleware: this.ev.resolve(node, scope) },
        },
      ];
    }
    const out: MiddlewareEntry[] = [];
    for (const { node: item, scope: s } of items) {
      if (item.type !== 'call') {
        out.push({ name: item.text, kind: 'other', registration: 'constructor', source: refOf(item, s.mod) });
        continue;
      }
      const args = callArgs(item);
      const cls = args.positional[0] ?? args.keywords.get('cls');
      if (!cls) continue;
      const kws = new Map(args.keywords);
      kws.delete('cls');
      out.push(this.entry(cls, kws, args.splats, args.positional.slice(1), s, 'constructor', item));
    }
    return out;
  }

  /** The element nodes of a list expression, following names and `+`. */
  private listItems(
    node: Node,
    scope: Scope,
    depth: number,
  ): Array<{ node: Node; scope: Scope }> | undefined {
    if (depth > 8) return undefined;
    if (node.type === 'list' || node.type === 'tuple') {
      const out: Array<{ node: Node; scope: Scope }> = [];
      for (const c of node.namedChildren) {
        if (c.type === 'comment') continue;
        if (c.type === 'list_splat') {
          const inner = c.namedChildren[0];
          const sub = inner ? this.listItems(inner, scope, depth + 1) : undefined;
          if (!sub) return undefined;
          out.push(...sub);
        } else out.push({ node: c, scope });
      }
      return out;
    }
    if (node.type === 'parenthesized_expression' && node.namedChildren[0])
      return this.listItems(node.namedChildren[0], scope, depth + 1);
    if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '+') {
      const l = this.listItems(node.childForFieldName('left') as Node, scope, depth + 1);
      const r = this.listItems(node.childForFieldName('right') as Node, scope, depth + 1);
      return l && r ? [...l, ...r] : undefined;
    }
    if (node.type === 'identifier') {
      const def = this.definitionOf(node, scope);
      return def ? this.listItems(def.node, def.scope, depth + 1) : undefined;
    }
    return undefined;
  }

  /** The assigned expression behind a name (function locals, then module, following imports). */
  private definitionOf(node: Node, scope: Scope): { node: Node; scope: Scope } | undefined {
    const name = node.text;
    if (scope.fn) {
      const body = scope.fn.childForFieldName('body');
      let found: Node | undefined;
      if (body) {
        walkNamed(body, (n) => {
          if (n.type === 'function_definition' || n.type === 'class_definition') return false;
          if (
            n.type === 'assignment' &&
            n.childForFieldName('left')?.text === name &&
            n.startIndex < node.startIndex
          ) {
            found = n.childForFieldName('right') ?? undefined;
          }
          return true;
        });
      }
      if (found) return { node: found, scope };
    }
    const seen = new Set<string>();
    let mod = scope.mod;
    let current = name;
    for (let i = 0; i < 8; i++) {
      const key = `${mod.rel}#${current}`;
      if (seen.has(key)) return undefined;
      seen.add(key);
      const list = mod.bindings.get(current);
      const b = list?.[list.length - 1];
      if (!b) return undefined;
      if (b.kind === 'assign') return { node: b.value, scope: { mod } };
      if (b.kind !== 'from') return undefined;
      const file = this.ev.index.findModuleFile(mod, b.module, b.level);
      const next = file ? this.ev.index.getModule(file) : undefined;
      if (!next) return undefined;
      mod = next;
      current = b.name;
    }
    return undefined;
  }

  private entry(
    clsNode: Node,
    keywords: Map<string, Node>,
    splats: Node[],
    positional: Node[],
    scope: Scope,
    registration: MiddlewareEntry['registration'],
    site: Node,
  ): MiddlewareEntry {
    const cls = this.ev.evaluate(clsNode, scope);
    const name = clsNode.text.split('.').pop() ?? clsNode.text;
    const entry: MiddlewareEntry = { name, kind: 'other', registration, source: refOf(site, scope.mod) };
    let qualified: string | undefined;
    let kind: MiddlewareKind = 'other';
    let dispatchFn: { node: Node; mod: ModuleInfo } | undefined;
    if (cls.t === 'ext') {
      qualified = cls.qname;
      kind = kindOfExternal(cls.qname) ?? 'other';
    } else if (cls.t === 'class') {
      qualified = `${cls.mod.rel}:${className(cls.node)}`;
      const bases = this.ev.externalBases(cls.mod, cls.node);
      const ext = bases.map(kindOfExternal).find((k) => k !== undefined && k !== 'http-function');
      if (ext) kind = ext;
      else if (bases.some((b) => /BaseHTTPMiddleware$/.test(b))) {
        kind = 'http-function';
        const d = this.ev.classMember(cls.mod, cls.node, 'dispatch');
        if (d?.b.kind === 'def') dispatchFn = { node: d.b.node, mod: d.mod };
      } else {
        const c = this.ev.classMember(cls.mod, cls.node, '__call__');
        if (c?.b.kind === 'def') dispatchFn = { node: c.b.node, mod: c.mod };
      }
    } else {
      kind = kindOfExternal(`unknown.${name}`) ?? 'other';
    }
    if (qualified) entry.qualifiedName = qualified;
    entry.kind = kind;
    // Keyword options, with **kwargs dicts expanded when they are literal.
    const kws = new Map<string, { node: Node; scope: Scope }>();
    const unresolvedSplats: ResolvedValue[] = [];
    for (const [k, v] of keywords) kws.set(k, { node: v, scope });
    for (const s of splats) {
      const inner = s.namedChildren[0];
      const d = inner && s.type === 'dictionary_splat' ? this.ev.evaluate(inner, scope) : undefined;
      const entries = d?.t === 'dict' ? this.ev.dictEntries(d) : undefined;
      if (d?.t === 'dict' && entries) for (const [k, v] of entries) kws.set(k, { node: v, scope: d.scope });
      else unresolvedSplats.push(this.ev.resolve(s, scope));
    }
    if (kind === 'http-function' && cls.t === 'ext') {
      const dispatch = kws.get('dispatch');
      const fn = dispatch ? this.ev.evaluate(dispatch.node, dispatch.scope) : undefined;
      if (fn?.t === 'func') {
        dispatchFn = { node: fn.node, mod: fn.mod };
        entry.name = dispatch?.node.text ?? name;
      }
      kws.delete('dispatch');
    }
    if (dispatchFn) entry.behaviour = behaviourOf(this.ev, dispatchFn.node, dispatchFn.mod);
    const args: Record<string, ResolvedValue> = {};
    if (kind === 'cors') {
      const options: CorsOptions = {};
      const positionalKeys: Array<keyof CorsOptions> = [
        'allow_origins',
        'allow_methods',
        'allow_headers',
        'allow_credentials',
        'allow_origin_regex',
      ];
      positional.forEach((p, i) => {
        const key = positionalKeys[i];
        if (key) options[key] = this.ev.resolve(p, scope);
      });
      for (const [k, v] of kws) {
        if (CORS_KEYS.has(k as keyof CorsOptions))
          options[k as keyof CorsOptions] = this.ev.resolve(v.node, v.scope);
        else args[k] = this.ev.resolve(v.node, v.scope);
      }
      entry.options = options;
    } else {
      for (const [k, v] of kws) args[k] = this.ev.resolve(v.node, v.scope);
      if (kind === 'trusted-host' && positional[0] && !kws.has('allowed_hosts')) {
        args.allowed_hosts = this.ev.resolve(positional[0], scope);
      }
    }
    unresolvedSplats.forEach((rv, i) => {
      args[`**${i === 0 ? '' : i}`] = rv;
    });
    if (Object.keys(args).length > 0) entry.arguments = args;
    return entry;
  }

  // -----------------------------------------------------------------------------------------------
  // Routes

  private str(node: Node, scope: Scope): string | undefined {
    const v = this.ev.evaluate(node, scope);
    return v.t === 'val' && v.rv.value.kind === 'str' ? v.rv.value.value : undefined;
  }

  private routeFromDecorator(
    method: string,
    call: Node,
    def: Node,
    scope: Scope,
    prefix: string,
    deps: Deps,
  ): RouteInfo | undefined {
    const args = callArgs(call);
    const pathNode = args.positional[0] ?? args.keywords.get('path');
    let methods: string[];
    let methodsNode: Node | undefined;
    if (HTTP_METHODS.has(method)) methods = [method.toUpperCase()];
    else if (method === 'api_route' || method === 'route') {
      methods = ['GET'];
      methodsNode = args.keywords.get('methods') ?? (method === 'route' ? args.positional[1] : undefined);
    } else return undefined;
    return this.route(
      pathNode,
      methodsNode,
      methods,
      { t: 'func', mod: scope.mod, node: def },
      call,
      scope,
      prefix,
      deps,
      args.keywords.get('dependencies'),
    );
  }

  private route(
    pathNode: Node | undefined,
    methodsNode: Node | undefined,
    defaultMethods: string[],
    fn: Extract<Obj, { t: 'func' }> | undefined,
    site: Node,
    scope: Scope,
    prefix: string,
    deps: Deps,
    depsNode: Node | undefined,
  ): RouteInfo | undefined {
    const path = pathNode ? (this.str(pathNode, scope) ?? `{${pathNode.text}}`) : '';
    let methods = defaultMethods;
    if (methodsNode) {
      const v = this.ev.evaluate(methodsNode, scope);
      if (
        v.t === 'val' &&
        (v.rv.value.kind === 'list' || v.rv.value.kind === 'tuple' || v.rv.value.kind === 'set')
      ) {
        methods = v.rv.value.items.flatMap((i) =>
          i.value.kind === 'str' ? [i.value.value.toUpperCase()] : [],
        );
      }
    }
    const routeDeps = this.dependencyList(depsNode, scope, 0);
    const fromFn = fn ? this.readsOfFunction(fn.node, fn.mod, 0) : { headers: [], cookies: [] };
    return {
      path: prefix + path,
      methods,
      source: refOf(fn?.node.parent?.type === 'decorated_definition' ? fn.node.parent : site, scope.mod),
      readsHeaders: uniq([...deps.headers, ...routeDeps.headers, ...fromFn.headers]),
      readsCookies: uniq([...deps.cookies, ...routeDeps.cookies, ...fromFn.cookies]),
      setsHeaders: fn ? setsHeadersOf(this.ev, fn.node, fn.mod) : [],
    };
  }

  private includeRouter(call: Node, scope: Scope, outerPrefix: string, deps: Deps, depth: number): void {
    if (depth > 6) return;
    const args = callArgs(call);
    const routerNode = args.positional[0] ?? args.keywords.get('router');
    if (!routerNode) return;
    const prefixNode = args.keywords.get('prefix');
    const includePrefix = prefixNode ? (this.str(prefixNode, scope) ?? '') : '';
    const includeDeps = this.dependencyList(args.keywords.get('dependencies'), scope, 0);
    const router = this.ev.evaluate(routerNode, scope);
    if (router.t !== 'extcall' || !router.origin || !/APIRouter$|\.Router$/.test(router.qname)) return;
    const { mod, name } = router.origin;
    const key = `${mod.rel}#${name}#${outerPrefix}${includePrefix}`;
    if (this.seenRouters.has(key)) return;
    this.seenRouters.add(key);
    const rargs = callArgs(router.call);
    const rp = rargs.keywords.get('prefix');
    const routerPrefix = rp ? (this.str(rp, router.scope) ?? '') : '';
    const routerDeps = this.dependencyList(rargs.keywords.get('dependencies'), router.scope, 0);
    const prefix = outerPrefix + includePrefix + routerPrefix;
    const allDeps: Deps = {
      headers: [...deps.headers, ...includeDeps.headers, ...routerDeps.headers],
      cookies: [...deps.cookies, ...includeDeps.cookies, ...routerDeps.cookies],
    };
    const routes: RouteInfo[] = [];
    const names = new Set([name]);
    const visit = (block: Node) => {
      for (const stmt of block.namedChildren) {
        if (stmt.type === 'decorated_definition') {
          const def = stmt.childForFieldName('definition');
          if (def?.type !== 'function_definition') continue;
          for (const dec of stmt.namedChildren) {
            const c = dec.type === 'decorator' ? dec.namedChildren[0] : undefined;
            if (c?.type !== 'call') continue;
            const m = this.appMethod(c, names);
            if (!m) continue;
            const r = this.routeFromDecorator(m.method, c, def, { mod }, prefix, allDeps);
            if (r) routes.push(r);
          }
        } else if (stmt.type === 'expression_statement') {
          const c = stmt.namedChildren[0];
          if (c?.type !== 'call') continue;
          const m = this.appMethod(c, names);
          if (m?.method === 'include_router') {
            this.events.push({ kind: 'routes', routes: routes.splice(0) });
            this.includeRouter(c, { mod }, prefix, allDeps, depth + 1);
          } else if (m?.method === 'add_api_route') {
            const a = callArgs(c);
            const endpoint = a.positional[1] ?? a.keywords.get('endpoint');
            const fn = endpoint ? this.ev.evaluate(endpoint, { mod }) : undefined;
            const r = this.route(
              a.positional[0] ?? a.keywords.get('path'),
              a.keywords.get('methods'),
              ['GET'],
              fn?.t === 'func' ? fn : undefined,
              c,
              { mod },
              prefix,
              allDeps,
              a.keywords.get('dependencies'),
            );
            if (r) routes.push(r);
          }
        } else if (stmt.type === 'if_statement' || stmt.type === 'try_statement') {
          for (const b of stmt.namedChildren) if (b.type === 'block') visit(b);
        }
      }
    };
    visit(mod.root);
    this.events.push({ kind: 'routes', routes });
  }

  /** Starlette(routes=[Route("/x", endpoint, methods=[...]), Mount(...)]). */
  private starletteRoutes(node: Node, scope: Scope): void {
    const items = this.listItems(node, scope, 0);
    if (!items) return;
    const routes: RouteInfo[] = [];
    for (const { node: item, scope: s } of items) {
      if (item.type !== 'call') continue;
      const fname = item.childForFieldName('function')?.text.split('.').pop();
      const a = callArgs(item);
      if (fname === 'Route' || fname === 'APIRoute') {
        const endpoint = a.positional[1] ?? a.keywords.get('endpoint');
        const fn = endpoint ? this.ev.evaluate(endpoint, s) : undefined;
        const r = this.route(
          a.positional[0] ?? a.keywords.get('path'),
          a.keywords.get('methods'),
          ['GET'],
          fn?.t === 'func' ? fn : undefined,
          item,
          s,
          '',
          { headers: [], cookies: [] },
          undefined,
        );
        if (r) routes.push(r);
      } else if (fname === 'Mount') {
        const p = a.positional[0] ?? a.keywords.get('path');
        const target = a.positional[1] ?? a.keywords.get('app') ?? a.keywords.get('routes');
        this.events.push({
          kind: 'mount',
          path: p ? (this.str(p, s) ?? p.text) : '',
          target: target?.text ?? '',
          source: refOf(item, s.mod),
        });
      }
    }
    this.events.push({ kind: 'routes', routes });
  }

  /** Headers/cookies read by `dependencies=[Depends(x), ...]`. */
  private dependencyList(node: Node | undefined, scope: Scope, depth: number): Deps {
    const out: Deps = { headers: [], cookies: [] };
    if (!node) return out;
    for (const { node: item, scope: s } of this.listItems(node, scope, 0) ?? []) {
      const r = this.readsOfMarker(item, s, depth, undefined);
      if (r) {
        out.headers.push(...r.headers);
        out.cookies.push(...r.cookies);
      }
    }
    return out;
  }

  /** What a parameter marker (Header(), Cookie(), Depends(x), Security(x)) reads. */
  private readsOfMarker(
    call: Node,
    scope: Scope,
    depth: number,
    paramName: string | undefined,
  ): Deps | undefined {
    if (call.type !== 'call') return undefined;
    const callee = this.ev.evaluate(call.childForFieldName('function') as Node, scope);
    if (callee.t !== 'ext') return undefined;
    const q = callee.qname;
    const args = callArgs(call);
    const last = q.split('.').pop();
    if (q.startsWith('fastapi') && (last === 'Header' || last === 'Cookie')) {
      const alias = args.keywords.get('alias') ?? args.keywords.get('validation_alias');
      let name = alias ? this.str(alias, scope) : undefined;
      if (!name) {
        if (!paramName) return undefined;
        name = paramName;
        const conv = args.keywords.get('convert_underscores');
        if (last === 'Header' && conv?.text !== 'False') name = name.replace(/_/g, '-');
      }
      return last === 'Header'
        ? { headers: [name.toLowerCase()], cookies: [] }
        : { headers: [], cookies: [name] };
    }
    if (q.startsWith('fastapi') && (last === 'Depends' || last === 'Security')) {
      const dep = args.positional[0] ?? args.keywords.get('dependency');
      if (!dep) return undefined;
      return this.readsOfDependency(this.ev.evaluate(dep, scope), depth);
    }
    return undefined;
  }

  private readsOfDependency(dep: Obj, depth: number): Deps | undefined {
    if (dep.t === 'extcall') {
      const last = dep.qname.split('.').pop() ?? '';
      if (!dep.qname.startsWith('fastapi')) return undefined;
      if (
        /^(HTTPBearer|HTTPBasic|HTTPDigest|OAuth2PasswordBearer|OAuth2AuthorizationCodeBearer|OAuth2|OpenIdConnect)$/.test(
          last,
        )
      ) {
        return { headers: ['authorization'], cookies: [] };
      }
      if (last === 'APIKeyHeader' || last === 'APIKeyCookie') {
        const a = callArgs(dep.call);
        const n = a.keywords.get('name') ?? a.positional[0];
        const name = n ? this.str(n, dep.scope) : undefined;
        if (!name) return undefined;
        return last === 'APIKeyHeader'
          ? { headers: [name.toLowerCase()], cookies: [] }
          : { headers: [], cookies: [name] };
      }
      return undefined;
    }
    if (dep.t === 'func' && depth < 2) return this.readsOfFunction(dep.node, dep.mod, depth + 1);
    if (dep.t === 'instance' && depth < 2) {
      const c = this.ev.classMember(dep.mod, dep.node, '__call__');
      if (c?.b.kind === 'def') return this.readsOfFunction(c.b.node, c.mod, depth + 1);
    }
    if (dep.t === 'class' && depth < 2) {
      const c = this.ev.classMember(dep.mod, dep.node, '__init__');
      if (c?.b.kind === 'def') return this.readsOfFunction(c.b.node, c.mod, depth + 1);
    }
    return undefined;
  }

  /** Headers and cookies a route or dependency function reads (parameters, dependencies, request.headers). */
  private readsOfFunction(def: Node, mod: ModuleInfo, depth: number): Deps {
    const out: Deps = { headers: [], cookies: [] };
    const scope: Scope = { mod };
    for (const p of paramList(def)) {
      const markers: Node[] = [];
      if (p.default?.type === 'call') markers.push(p.default);
      if (p.type && /Annotated\[/.test(p.type.text)) {
        const generic = p.type.descendantsOfType('call');
        markers.push(...generic);
      }
      for (const m of markers) {
        const r = this.readsOfMarker(m, scope, depth, p.name);
        if (r) {
          out.headers.push(...r.headers);
          out.cookies.push(...r.cookies);
        }
      }
    }
    const body = def.childForFieldName('body');
    if (body && /\.(headers|cookies)\b/.test(body.text)) {
      walkNamed(body, (n) => {
        if (n.type === 'function_definition' || n.type === 'class_definition') return false;
        const read = headerRead(n);
        if (read) {
          const name = this.str(read.key, scope);
          if (name)
            (read.what === 'headers' ? out.headers : out.cookies).push(
              read.what === 'headers' ? name.toLowerCase() : name,
            );
        }
        return true;
      });
    }
    return { headers: uniq(out.headers), cookies: uniq(out.cookies) };
  }
}

/** `x.headers.get("k")`, `x.headers["k"]` (not as an assignment target), same for cookies. */
function headerRead(n: Node): { what: 'headers' | 'cookies'; key: Node } | undefined {
  if (n.type === 'call') {
    const f = n.childForFieldName('function');
    if (f?.type !== 'attribute' || f.childForFieldName('attribute')?.text !== 'get') return undefined;
    const obj = f.childForFieldName('object');
    const what = obj?.type === 'attribute' ? obj.childForFieldName('attribute')?.text : undefined;
    if (what !== 'headers' && what !== 'cookies') return undefined;
    const owner = obj?.childForFieldName('object')?.text ?? '';
    if (/response/i.test(owner)) return undefined;
    const key = callArgs(n).positional[0];
    return key ? { what, key } : undefined;
  }
  if (n.type === 'subscript') {
    const v = n.childForFieldName('value');
    const what = v?.type === 'attribute' ? v.childForFieldName('attribute')?.text : undefined;
    if (what !== 'headers' && what !== 'cookies') return undefined;
    if (n.parent?.type === 'assignment' && n.parent.childForFieldName('left')?.id === n.id) return undefined;
    const owner = v?.childForFieldName('object')?.text ?? '';
    if (/response/i.test(owner)) return undefined;
    const key = n.childForFieldName('subscript');
    return key ? { what, key } : undefined;
  }
  return undefined;
}

function setsHeadersOf(ev: Evaluator, def: Node, mod: ModuleInfo): string[] {
  const out: string[] = [];
  const scope: Scope = { mod, fn: def };
  const body = def.childForFieldName('body');
  if (!body?.text.includes('headers')) return out;
  const keyOf = (n: Node): string | undefined => {
    const v = ev.evaluate(n, scope);
    return v.t === 'val' && v.rv.value.kind === 'str' ? v.rv.value.value : undefined;
  };
  walkNamed(body, (n) => {
    if (n.type === 'function_definition' || n.type === 'class_definition') return false;
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const v = left?.type === 'subscript' ? left.childForFieldName('value') : undefined;
      if (v?.type === 'attribute' && v.childForFieldName('attribute')?.text === 'headers') {
        const k = left?.childForFieldName('subscript');
        const name = k ? keyOf(k) : undefined;
        if (name) out.push(name);
      }
    } else if (n.type === 'keyword_argument' && n.childForFieldName('name')?.text === 'headers') {
      const d = n.childForFieldName('value');
      if (d?.type === 'dictionary') {
        for (const pair of d.namedChildren) {
          const k = pair.type === 'pair' ? pair.childForFieldName('key') : undefined;
          const name = k ? keyOf(k) : undefined;
          if (name) out.push(name);
        }
      }
    } else if (n.type === 'call') {
      // response.headers.append("X", ...) / .setdefault(...)
      const f = n.childForFieldName('function');
      const obj = f?.type === 'attribute' ? f.childForFieldName('object') : undefined;
      if (
        obj?.type === 'attribute' &&
        obj.childForFieldName('attribute')?.text === 'headers' &&
        /^(append|setdefault)$/.test(f?.childForFieldName('attribute')?.text ?? '')
      ) {
        const k = callArgs(n).positional[0];
        const name = k ? keyOf(k) : undefined;
        if (name) out.push(name);
      }
    }
    return true;
  });
  return uniq(out);
}

const KNOWN_MIDDLEWARE: Record<string, MiddlewareKind> = {
  CORSMiddleware: 'cors',
  TrustedHostMiddleware: 'trusted-host',
  HTTPSRedirectMiddleware: 'https-redirect',
  GZipMiddleware: 'gzip',
  SessionMiddleware: 'session',
  AuthenticationMiddleware: 'authentication',
  BaseHTTPMiddleware: 'http-function',
};

function kindOfExternal(qname: string): MiddlewareKind | undefined {
  const last = qname.split('.').pop() ?? '';
  const kind = KNOWN_MIDDLEWARE[last];
  if (!kind) return undefined;
  const root = qname.split('.')[0];
  if (root === 'fastapi' || root === 'starlette' || root === 'unknown') return kind;
  return undefined;
}

const STATUS_NAMES: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  PAYMENT_REQUIRED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

function statusOf(ev: Evaluator, node: Node, mod: ModuleInfo, fn: Node): number | undefined {
  const m = /HTTP_(\d{3})_/.exec(node.text);
  if (m) return Number(m[1]);
  const named = /(?:HTTPStatus|status)\.([A-Z_]+)$/.exec(node.text);
  if (named && STATUS_NAMES[named[1] as string]) return STATUS_NAMES[named[1] as string];
  const v = ev.evaluate(node, { mod, fn });
  return v.t === 'val' && v.rv.value.kind === 'int' ? v.rv.value.value : undefined;
}

/** Static reading of middleware code: rejections, HTTPException, OPTIONS checks. */
export function behaviourOf(
  ev: Evaluator,
  fn: Node,
  mod: ModuleInfo,
): NonNullable<MiddlewareEntry['behaviour']> {
  const out: NonNullable<MiddlewareEntry['behaviour']> & {
    reads: string[];
    writes: NonNullable<NonNullable<MiddlewareEntry['behaviour']>['writesHeaders']>;
    exempt: string[];
    exemptPrefixes: string[];
  } = { skipsOptions: false, reads: [], writes: [], exempt: [], exemptPrefixes: [] };
  const body = fn.childForFieldName('body');
  if (!body) return { skipsOptions: false };
  walkNamed(body, (n) => {
    if (n.type === 'call') {
      const f = n.childForFieldName('function');
      const name = f?.text.split('.').pop() ?? '';
      if (/Response$/.test(name) && !out.mayReject) {
        const a = callArgs(n);
        const statusNode =
          a.keywords.get('status_code') ?? (name === 'RedirectResponse' ? undefined : a.positional[1]);
        const status = statusNode ? statusOf(ev, statusNode, mod, fn) : undefined;
        if (status !== undefined && status >= 400) out.mayReject = { status, source: refOf(n, mod) };
      }
    } else if (n.type === 'raise_statement') {
      const e = n.namedChildren[0];
      const target = e?.type === 'call' ? e.childForFieldName('function') : e;
      if (target && /HTTPException$/.test(target.text) && !out.raisesHttpException)
        out.raisesHttpException = refOf(n, mod);
    } else if (n.type === 'comparison_operator') {
      if (/\bmethod\b/.test(n.text) && /["']OPTIONS["']/i.test(n.text)) out.skipsOptions = true;
      // `request.url.path in PUBLIC_PATHS` / `not in` / `==`: paths the check leaves alone.
      const [left, right] = n.namedChildren;
      if (left && right && /\burl\.path$/.test(left.text)) {
        const v = ev.evaluate(right, { mod, fn });
        if (v.t === 'val') {
          const value = v.rv.value;
          const items = value.kind === 'str' ? [v.rv] : 'items' in value ? value.items : [];
          for (const item of items) if (item.value.kind === 'str') out.exempt.push(item.value.value);
        }
      }
    }
    if (n.type === 'call') {
      const fText = n.childForFieldName('function')?.text ?? '';
      // `request.url.path.startswith("/public")`: a prefix the check leaves alone.
      if (/\burl\.path\.startswith$/.test(fText)) {
        const arg = callArgs(n).positional[0];
        const prefix = arg?.type === 'string' ? stringLiteral(arg) : undefined;
        if (prefix !== undefined) out.exemptPrefixes.push(prefix);
      }
      const f = n.childForFieldName('function')?.text ?? '';
      const a = callArgs(n);
      const first = a.positional[0];
      const literal = first?.type === 'string' ? stringLiteral(first) : undefined;
      if (/\.headers\.(get|getlist)$/.test(f) && literal !== undefined) out.reads.push(literal.toLowerCase());
      if (/\.headers\.append$/.test(f) && literal !== undefined) {
        const v = a.positional[1];
        out.writes.push({
          name: literal,
          ...(v?.type === 'string' && stringLiteral(v) !== undefined && { value: stringLiteral(v) }),
          mode: 'append',
          source: refOf(n, mod),
        });
      }
    } else if (n.type === 'subscript') {
      const value = n.childForFieldName('value')?.text ?? '';
      const key = n.childForFieldName('subscript');
      const literal = key?.type === 'string' ? stringLiteral(key) : undefined;
      if (/\.headers$/.test(value) && literal !== undefined) {
        const parent = n.parent;
        if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === n.id) {
          const v = parent.childForFieldName('right');
          out.writes.push({
            name: literal,
            ...(v?.type === 'string' && stringLiteral(v) !== undefined && { value: stringLiteral(v) }),
            mode: 'set',
            source: refOf(n, mod),
          });
        } else {
          out.reads.push(literal.toLowerCase());
        }
      }
    }
    return true;
  });
  const { reads, writes, exempt, exemptPrefixes, ...rest } = out;
  const result: NonNullable<MiddlewareEntry['behaviour']> = rest;
  if ((result.mayReject || result.raisesHttpException) && (exempt.length > 0 || exemptPrefixes.length > 0)) {
    result.exemptPaths = { exact: exempt, prefixes: exemptPrefixes };
  }
  const guard = reads.find((h) => h === 'authorization' || /^x-(api-)?(key|token)/.test(h));
  if (result.mayReject && guard) result.rejectsWithout = guard;
  if (writes.length > 0) result.writesHeaders = writes;
  return result;
}

/** A plain string literal's value (no f-string fields); undefined otherwise. */
function stringLiteral(node: Node): string | undefined {
  const decoded = decodeStringNode(node, () => undefined);
  return decoded.kind === 'str' ? decoded.value : undefined;
}

function uniq(list: string[]): string[] {
  return [...new Set(list)];
}

export { lineOf };
