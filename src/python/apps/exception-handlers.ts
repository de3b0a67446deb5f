// Exception handlers: exception_handlers={...} and add_exception_handler / @exception_handler keys, and which run in ServerErrorMiddleware (500, Exception).
import type { Node } from 'web-tree-sitter';
import { type Evaluator, refOf, type Scope } from '../evaluate.js';
import type { AppReading } from './reading.js';

/** Is this handler key 500 or Exception (its handler then runs in ServerErrorMiddleware)? */
export function isServerErrorKey(ev: Evaluator, key: Node, scope: Scope): boolean {
  const v = ev.evaluate(key, scope);
  if (v.t === 'val') return v.rv.value.kind === 'int' && v.rv.value.value === 500;
  if (v.t === 'ext')
    return v.qname === 'builtins.Exception' || v.qname.endsWith('.Exception') || /HTTP_500/.test(v.qname);
  return key.text === 'Exception' || key.text === '500';
}

/** The handlers of `exception_handlers={...}` in the app constructor. */
export function handlerDict(reading: AppReading, node: Node, scope: Scope): void {
  const { ev } = reading;
  const d = ev.evaluate(node, scope);
  if (d.t !== 'dict' || d.node.type !== 'dictionary') return;
  for (const pair of d.node.namedChildren) {
    if (pair.type !== 'pair') continue;
    const k = pair.childForFieldName('key');
    if (k)
      reading.events.push({
        kind: 'handler',
        key: k.text,
        source: refOf(pair, d.scope.mod),
        serverError: isServerErrorKey(ev, k, d.scope),
      });
  }
}
