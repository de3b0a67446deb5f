// Middleware registrations: entries of the stack (kind, qualified name, arguments), CORS options, Middleware(...) lists, **kwargs dicts.
import type { Node } from 'web-tree-sitter';
import { callArgs, className, type Evaluator, refOf, type Scope } from '../evaluate.js';
import type { ModuleInfo } from '../modules.js';
import type { CorsOptions, MiddlewareEntry, MiddlewareKind, ResolvedValue } from '../types.js';
import { behaviourOf } from './middleware-behaviour.js';
import { listItems } from './values.js';

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

/** `[Middleware(CORSMiddleware, ...), ...]` in list order. */
export function middlewareList(ev: Evaluator, node: Node, scope: Scope): MiddlewareEntry[] {
  const items = listItems(ev, node, scope, 0);
  if (!items) {
    return [
      {
        name: node.text,
        kind: 'other',
        registration: 'constructor',
        source: refOf(node, scope.mod),
        arguments: { middleware: ev.resolve(node, scope) },
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
    out.push(middlewareEntry(ev, cls, kws, args.splats, args.positional.slice(1), s, 'constructor', item));
  }
  return out;
}

/** The stack entry for middleware class `clsNode` registered with these arguments at `site`. */
export function middlewareEntry(
  ev: Evaluator,
  clsNode: Node,
  keywords: Map<string, Node>,
  splats: Node[],
  positional: Node[],
  scope: Scope,
  registration: MiddlewareEntry['registration'],
  site: Node,
): MiddlewareEntry {
  const cls = ev.evaluate(clsNode, scope);
  const name = clsNode.text.split('.').pop() ?? clsNode.text;
  const entry: MiddlewareEntry = { name, kind: 'other', registration, source: refOf(site, scope.mod) };
  let qualified: string | undefined;
  let kind: MiddlewareKind = 'other';
  let dispatchFn: { node: Node; mod: ModuleInfo } | undefined;
  let innerApp: string | undefined;
  if (cls.t === 'ext') {
    qualified = cls.qname;
    kind = kindOfExternal(cls.qname) ?? 'other';
  } else if (cls.t === 'class') {
    qualified = `${cls.mod.rel}:${className(cls.node)}`;
    const bases = ev.externalBases(cls.mod, cls.node);
    const ext = bases.map(kindOfExternal).find((k) => k !== undefined && k !== 'http-function');
    if (ext) kind = ext;
    else if (bases.some((b) => /BaseHTTPMiddleware$/.test(b))) {
      kind = 'http-function';
      const d = ev.classMember(cls.mod, cls.node, 'dispatch');
      if (d?.b.kind === 'def') dispatchFn = { node: d.b.node, mod: d.mod };
    } else {
      const c = ev.classMember(cls.mod, cls.node, '__call__');
      if (c?.b.kind === 'def') dispatchFn = { node: c.b.node, mod: c.mod };
      const init = ev.classMember(cls.mod, cls.node, '__init__');
      if (init?.b.kind === 'def') innerApp = wrappedAppAttribute(init.b.node);
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
    const d = inner && s.type === 'dictionary_splat' ? ev.evaluate(inner, scope) : undefined;
    const entries = d?.t === 'dict' ? ev.dictEntries(d) : undefined;
    if (d?.t === 'dict' && entries) for (const [k, v] of entries) kws.set(k, { node: v, scope: d.scope });
    else unresolvedSplats.push(ev.resolve(s, scope));
  }
  if (kind === 'http-function' && cls.t === 'ext') {
    const dispatch = kws.get('dispatch');
    const fn = dispatch ? ev.evaluate(dispatch.node, dispatch.scope) : undefined;
    if (fn?.t === 'func') {
      dispatchFn = { node: fn.node, mod: fn.mod };
      entry.name = dispatch?.node.text ?? name;
    }
    kws.delete('dispatch');
  }
  if (dispatchFn) entry.behaviour = behaviourOf(ev, dispatchFn.node, dispatchFn.mod);
  if (entry.behaviour && innerApp) entry.behaviour.innerApp = innerApp;
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
      if (key) options[key] = ev.resolve(p, scope);
    });
    for (const [k, v] of kws) {
      if (CORS_KEYS.has(k as keyof CorsOptions))
        options[k as keyof CorsOptions] = ev.resolve(v.node, v.scope);
      else args[k] = ev.resolve(v.node, v.scope);
    }
    entry.options = options;
  } else {
    for (const [k, v] of kws) args[k] = ev.resolve(v.node, v.scope);
    if (kind === 'trusted-host' && positional[0] && !kws.has('allowed_hosts')) {
      args.allowed_hosts = ev.resolve(positional[0], scope);
    }
  }
  unresolvedSplats.forEach((rv, i) => {
    args[`**${i === 0 ? '' : i}`] = rv;
  });
  if (Object.keys(args).length > 0) entry.arguments = args;
  return entry;
}

/** In a pure ASGI middleware's `__init__(self, app, ...)`, the attribute `self.<name> = app` keeps the wrapped app. */
function wrappedAppAttribute(init: Node): string | undefined {
  const params = (init.childForFieldName('parameters')?.namedChildren ?? []).flatMap((p) => {
    const name = p?.type === 'identifier' ? p : (p?.childForFieldName('name') ?? p?.namedChildren[0]);
    return name?.type === 'identifier' ? [name.text] : [];
  });
  const app = params[1];
  if (!app) return undefined;
  for (const statement of init.childForFieldName('body')?.namedChildren ?? []) {
    const assignment = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    const attribute = /^self\.(\w+)$/.exec(left?.text ?? '')?.[1];
    if (attribute && right?.type === 'identifier' && right.text === app) return attribute;
  }
  return undefined;
}
