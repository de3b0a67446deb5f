// Request headers and cookies that routes read: dependencies=[Depends(...)], Header() / Cookie() parameters, security schemes, request.headers reads.
import type { Node } from 'web-tree-sitter';
import { callArgs, type Evaluator, type Obj, paramList, type Scope } from '../evaluate.js';
import type { ModuleInfo } from '../modules.js';
import { walkNamed } from '../parser.js';
import type { Deps } from './reading.js';
import { listItems, stringValue, uniq } from './values.js';

/** Headers/cookies read by `dependencies=[Depends(x), ...]`. */
export function dependencyList(ev: Evaluator, node: Node | undefined, scope: Scope, depth: number): Deps {
  const out: Deps = { headers: [], cookies: [] };
  if (!node) return out;
  for (const { node: item, scope: s } of listItems(ev, node, scope, 0) ?? []) {
    const r = readsOfMarker(ev, item, s, depth, undefined);
    if (r) {
      out.headers.push(...r.headers);
      out.cookies.push(...r.cookies);
    }
  }
  return out;
}

/** What a parameter marker (Header(), Cookie(), Depends(x), Security(x)) reads. */
function readsOfMarker(
  ev: Evaluator,
  call: Node,
  scope: Scope,
  depth: number,
  paramName: string | undefined,
): Deps | undefined {
  if (call.type !== 'call') return undefined;
  const callee = ev.evaluate(call.childForFieldName('function') as Node, scope);
  if (callee.t !== 'ext') return undefined;
  const q = callee.qname;
  const args = callArgs(call);
  const last = q.split('.').pop();
  if (q.startsWith('fastapi') && (last === 'Header' || last === 'Cookie')) {
    const alias = args.keywords.get('alias') ?? args.keywords.get('validation_alias');
    let name = alias ? stringValue(ev, alias, scope) : undefined;
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
    return readsOfDependency(ev, ev.evaluate(dep, scope), depth);
  }
  return undefined;
}

function readsOfDependency(ev: Evaluator, dep: Obj, depth: number): Deps | undefined {
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
      const name = n ? stringValue(ev, n, dep.scope) : undefined;
      if (!name) return undefined;
      return last === 'APIKeyHeader'
        ? { headers: [name.toLowerCase()], cookies: [] }
        : { headers: [], cookies: [name] };
    }
    return undefined;
  }
  if (dep.t === 'func' && depth < 2) return readsOfFunction(ev, dep.node, dep.mod, depth + 1);
  if (dep.t === 'instance' && depth < 2) {
    const c = ev.classMember(dep.mod, dep.node, '__call__');
    if (c?.b.kind === 'def') return readsOfFunction(ev, c.b.node, c.mod, depth + 1);
  }
  if (dep.t === 'class' && depth < 2) {
    const c = ev.classMember(dep.mod, dep.node, '__init__');
    if (c?.b.kind === 'def') return readsOfFunction(ev, c.b.node, c.mod, depth + 1);
  }
  return undefined;
}

/** Headers and cookies a route or dependency function reads (parameters, dependencies, request.headers). */
export function readsOfFunction(ev: Evaluator, def: Node, mod: ModuleInfo, depth: number): Deps {
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
      const r = readsOfMarker(ev, m, scope, depth, p.name);
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
        const name = stringValue(ev, read.key, scope);
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
