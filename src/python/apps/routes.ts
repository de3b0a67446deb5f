// Routes: route decorators, add_api_route / add_route, include_router with prefixes and dependencies, Starlette's routes=[Route(...), Mount(...)], headers routes set.
import type { Node } from 'web-tree-sitter';
import { callArgs, type Evaluator, type Obj, refOf, type Scope } from '../evaluate.js';
import type { ModuleInfo } from '../modules.js';
import { walkNamed } from '../parser.js';
import type { RouteInfo } from '../types.js';
import { dependencyList, readsOfFunction } from './dependencies.js';
import { type AppReading, appMethod, type Deps } from './reading.js';
import { listItems, stringValue, uniq } from './values.js';

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'trace']);

export function routeFromDecorator(
  ev: Evaluator,
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
  return readRoute(
    ev,
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

/** One route: its full path, methods, and the request headers and cookies it reads and the headers it sets. */
export function readRoute(
  ev: Evaluator,
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
  const path = pathNode ? (stringValue(ev, pathNode, scope) ?? `{${pathNode.text}}`) : '';
  let methods = defaultMethods;
  if (methodsNode) {
    const v = ev.evaluate(methodsNode, scope);
    if (
      v.t === 'val' &&
      (v.rv.value.kind === 'list' || v.rv.value.kind === 'tuple' || v.rv.value.kind === 'set')
    ) {
      methods = v.rv.value.items.flatMap((i) =>
        i.value.kind === 'str' ? [i.value.value.toUpperCase()] : [],
      );
    }
  }
  const routeDeps = dependencyList(ev, depsNode, scope, 0);
  const fromFn = fn ? readsOfFunction(ev, fn.node, fn.mod, 0) : { headers: [], cookies: [] };
  return {
    path: prefix + path,
    methods,
    source: refOf(fn?.node.parent?.type === 'decorated_definition' ? fn.node.parent : site, scope.mod),
    readsHeaders: uniq([...deps.headers, ...routeDeps.headers, ...fromFn.headers]),
    readsCookies: uniq([...deps.cookies, ...routeDeps.cookies, ...fromFn.cookies]),
    setsHeaders: fn ? setsHeadersOf(ev, fn.node, fn.mod) : [],
  };
}

export function includeRouter(
  reading: AppReading,
  call: Node,
  scope: Scope,
  outerPrefix: string,
  deps: Deps,
  depth: number,
): void {
  const { ev } = reading;
  if (depth > 6) return;
  const args = callArgs(call);
  const routerNode = args.positional[0] ?? args.keywords.get('router');
  if (!routerNode) return;
  const prefixNode = args.keywords.get('prefix');
  const includePrefix = prefixNode ? (stringValue(ev, prefixNode, scope) ?? '') : '';
  const includeDeps = dependencyList(ev, args.keywords.get('dependencies'), scope, 0);
  const router = ev.evaluate(routerNode, scope);
  if (router.t !== 'extcall' || !router.origin || !/APIRouter$|\.Router$/.test(router.qname)) return;
  const { mod, name } = router.origin;
  const key = `${mod.rel}#${name}#${outerPrefix}${includePrefix}`;
  if (reading.seenRouters.has(key)) return;
  reading.seenRouters.add(key);
  const rargs = callArgs(router.call);
  const rp = rargs.keywords.get('prefix');
  const routerPrefix = rp ? (stringValue(ev, rp, router.scope) ?? '') : '';
  const routerDeps = dependencyList(ev, rargs.keywords.get('dependencies'), router.scope, 0);
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
          const m = appMethod(c, names);
          if (!m) continue;
          const r = routeFromDecorator(ev, m.method, c, def, { mod }, prefix, allDeps);
          if (r) routes.push(r);
        }
      } else if (stmt.type === 'expression_statement') {
        const c = stmt.namedChildren[0];
        if (c?.type !== 'call') continue;
        const m = appMethod(c, names);
        if (m?.method === 'include_router') {
          reading.events.push({ kind: 'routes', routes: routes.splice(0) });
          includeRouter(reading, c, { mod }, prefix, allDeps, depth + 1);
        } else if (m?.method === 'add_api_route') {
          const a = callArgs(c);
          const endpoint = a.positional[1] ?? a.keywords.get('endpoint');
          const fn = endpoint ? ev.evaluate(endpoint, { mod }) : undefined;
          const r = readRoute(
            ev,
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
  reading.events.push({ kind: 'routes', routes });
}

/** Starlette(routes=[Route("/x", endpoint, methods=[...]), Mount(...)]). */
export function starletteRoutes(reading: AppReading, node: Node, scope: Scope): void {
  const { ev } = reading;
  const items = listItems(ev, node, scope, 0);
  if (!items) return;
  const routes: RouteInfo[] = [];
  for (const { node: item, scope: s } of items) {
    if (item.type !== 'call') continue;
    const fname = item.childForFieldName('function')?.text.split('.').pop();
    const a = callArgs(item);
    if (fname === 'Route' || fname === 'APIRoute') {
      const endpoint = a.positional[1] ?? a.keywords.get('endpoint');
      const fn = endpoint ? ev.evaluate(endpoint, s) : undefined;
      const r = readRoute(
        ev,
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
      reading.events.push({
        kind: 'mount',
        path: p ? (stringValue(ev, p, s) ?? p.text) : '',
        target: target?.text ?? '',
        source: refOf(item, s.mod),
      });
    }
  }
  reading.events.push({ kind: 'routes', routes });
}

/** Response headers a route function sets (`response.headers["X"] = ...`, `headers={...}`, `.headers.append(...)`). */
export function setsHeadersOf(ev: Evaluator, def: Node, mod: ModuleInfo): string[] {
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
