// Conditions around middleware registrations (`if ENVIRONMENT == "development": app.add_middleware(...)`):
// each branch of an `if` statement, decided with the environment the project gives the process.
import type { Node } from 'web-tree-sitter';
import type { Evaluator, Scope } from '../evaluate.js';
import { truthy } from '../evaluate.js';
import type { EnvSource, MiddlewareEntry, MiddlewareGate, PyValue } from '../types.js';

export interface IfBranch {
  body: Node;
  gate: MiddlewareGate;
}

/** Python's repr of a plain value, for messages. */
function repr(v: PyValue): string {
  switch (v.kind) {
    case 'str':
      return `'${v.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'int':
      return String(v.value);
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'list':
    case 'tuple':
    case 'set': {
      const inner = v.items.map((i) => repr(i.value)).join(', ');
      return v.kind === 'list' ? `[${inner}]` : v.kind === 'set' ? `{${inner}}` : `(${inner})`;
    }
    case 'unresolved':
      return v.expression;
  }
}

const NAME_TYPES = new Set(['identifier', 'attribute', 'call', 'subscript']);

/** The environment variables a condition reads: its outermost names, calls and attributes that resolve to one. */
function envOf(ev: Evaluator, cond: Node, scope: Scope): MiddlewareGate['env'] {
  const out: MiddlewareGate['env'] = [];
  const seen = new Set<string>();
  const visit = (n: Node) => {
    if (NAME_TYPES.has(n.type)) {
      const v = ev.evaluate(n, scope);
      if (v.t === 'val' && v.rv.env && !seen.has(v.rv.env.name)) {
        seen.add(v.rv.env.name);
        out.push({ source: v.rv.env as EnvSource, value: repr(v.rv.value) });
        return;
      }
      if (n.type !== 'call') return;
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(cond);
  return out;
}

/** The lines of each module's text, split once. */
const LINES = new WeakMap<object, string[]>();

/** The text of 1-based `line` of the module `node` belongs to. */
function lineText(node: Node, line: number): string {
  let lines = LINES.get(node.tree);
  if (!lines) {
    lines = node.tree.rootNode.text.split(/\r?\n/);
    LINES.set(node.tree, lines);
  }
  return lines[line - 1] ?? '';
}

/** The branches of an `if` statement, each with the condition it runs under and whether that holds. */
export function ifBranches(ev: Evaluator, stmt: Node, scope: Scope): IfBranch[] {
  const rawLine = (n: Node) => n.startPosition.row + 1;
  const parts: Array<{ branch: MiddlewareGate['branch']; cond?: Node; body?: Node; at: Node }> = [
    {
      branch: 'if',
      cond: stmt.childForFieldName('condition') ?? undefined,
      body: stmt.childForFieldName('consequence') ?? undefined,
      at: stmt,
    },
  ];
  for (const alt of stmt.childrenForFieldName('alternative')) {
    if (alt.type === 'elif_clause')
      parts.push({
        branch: 'elif',
        cond: alt.childForFieldName('condition') ?? undefined,
        body: alt.childForFieldName('consequence') ?? undefined,
        at: alt,
      });
    else
      parts.push({
        branch: 'else',
        body: alt.childForFieldName('body') ?? alt.namedChildren.find((c) => c.type === 'block'),
        at: alt,
      });
  }
  const lastLine = stmt.endPosition.column === 0 ? stmt.endPosition.row : stmt.endPosition.row + 1;
  const statement = {
    indent: /^[ \t]*/.exec(lineText(stmt, rawLine(stmt)))?.[0] ?? '',
    lastLine,
    lastText: lineText(stmt, lastLine).trim(),
    hasElse: parts.some((p) => p.branch === 'else'),
  };
  const out: IfBranch[] = [];
  const previous: Array<{ text: string; holds?: boolean; env: MiddlewareGate['env'] }> = [];
  for (const part of parts) {
    const taken = previous.some((p) => p.holds === true);
    const open = previous.every((p) => p.holds === false);
    const via: string[] = [];
    let holds: boolean | undefined;
    let condition: string;
    let env: MiddlewareGate['env'];
    if (part.cond) {
      condition = part.cond.text;
      const c = ev.evaluate(part.cond, scope);
      const t = c.t === 'val' ? truthy(c.rv.value) : c.t === 'instance' ? true : undefined;
      if (c.t === 'val') via.push(...c.rv.via);
      via.push(
        t === undefined
          ? `${condition} cannot be decided${c.t === 'unknown' ? ` (${c.reason})` : ''}`
          : `${condition} is ${t ? 'true' : 'false'}`,
      );
      holds = taken ? false : open ? t : t === false ? false : undefined;
      env = envOf(ev, part.cond, scope);
      previous.push({ text: condition, ...(t !== undefined && { holds: t }), env });
    } else {
      condition = `not (${previous.map((p) => p.text).join(' or ')})`;
      holds = taken ? false : open ? true : undefined;
      via.push(`${condition} is ${holds === undefined ? 'not known' : holds ? 'true' : 'false'}`);
      env = previous.flatMap((p) => p.env);
    }
    if (!part.body) continue;
    out.push({
      body: part.body,
      gate: {
        condition,
        source: { file: scope.mod.rel, line: rawLine(part.at) },
        branch: part.branch,
        ...(holds !== undefined && { holds }),
        via,
        env,
        statement,
      },
    });
  }
  return out;
}

/**
 * Sets `gate` on entries registered inside its branch. An entry already under an inner condition keeps
 * it unless the outer one is what decides (the inner holds or is unknown, the outer does not hold).
 */
export function applyGate(entries: MiddlewareEntry[], gate: MiddlewareGate, body: Node): void {
  for (const entry of entries) {
    const inner = entry.gate;
    if (
      inner &&
      !(gate.holds === false && inner.holds !== false) &&
      !(inner.holds === true && gate.holds === undefined)
    )
      continue;
    const line = entry.source?.line;
    const call = body
      .descendantsOfType('call')
      .find(
        (c) =>
          c.startPosition.row + 1 === line &&
          /(^|\.)add_middleware$/.test(c.childForFieldName('function')?.text ?? ''),
      );
    const withCall: MiddlewareGate = { ...gate };
    if (call) {
      withCall.call = call.childForFieldName('function')?.text ?? '';
      withCall.bodyIndent = /^[ \t]*/.exec(lineText(call, call.startPosition.row + 1))?.[0] ?? '';
    }
    entry.gate = withCall;
  }
}
