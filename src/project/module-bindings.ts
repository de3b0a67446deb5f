// What a served module binds, read from its syntax tree (the project's Python parser): assignments and
// imports in source order, as far as telling `app` from a wrapper bound to another name needs.
import type { Node } from 'web-tree-sitter';
import { lineOf, walkNamed } from '../python/parser.js';

/** A name bound by a statement of a module, as far as a serve command's target needs it. */
export interface Binding {
  name: string;
  /** 1-based line where the statement starts. */
  line: number;
  /** The statement is at the top level of the module (not in a function, class or block). */
  topLevel: boolean;
  /**
   * `call`: `name = Callee(...)`, with the callee as written and the arguments that are plain names;
   * `alias`: `name = other`; `import`: `from module import name`, `import name`; `other`: anything else.
   */
  kind: 'call' | 'alias' | 'import' | 'other';
  callee?: string;
  /** Arguments that are plain names: positional in order, then keyword ones as `keyword=name`. */
  arguments?: string[];
  /** For `alias`, the name assigned. */
  value?: string;
}

/** The names an import statement binds (`import a.b` binds `a`; `as` names win). */
function importedNames(statement: Node): string[] {
  const from = statement.type === 'import_from_statement';
  return statement.childrenForFieldName('name').flatMap((n) => {
    if (!n) return [];
    if (n.type === 'aliased_import') return [n.childForFieldName('alias')?.text ?? ''];
    return [from ? n.text : (n.text.split('.')[0] as string)];
  });
}

/** `name = Callee(args)`, `name = other` or anything else, for the assignment `node`. */
function assigned(node: Node, name: string, line: number, topLevel: boolean): Binding {
  const value = node.childForFieldName('right');
  if (value?.type === 'identifier') return { name, line, topLevel, kind: 'alias', value: value.text };
  if (value?.type !== 'call') return { name, line, topLevel, kind: 'other' };
  const args = value.childForFieldName('arguments')?.namedChildren ?? [];
  const positional = args.filter((a) => a?.type === 'identifier').map((a) => (a as Node).text);
  const keywords = args.flatMap((a) => {
    const v = a?.type === 'keyword_argument' ? a.childForFieldName('value') : null;
    return v?.type === 'identifier' ? [`${a?.childForFieldName('name')?.text}=${v.text}`] : [];
  });
  return {
    name,
    line,
    topLevel,
    kind: 'call',
    callee: value.childForFieldName('function')?.text ?? '',
    arguments: [...positional, ...keywords],
  };
}

/** The statements of a module that bind names, in source order: assignments and imports. */
export function moduleBindings(root: Node): Binding[] {
  const out: Binding[] = [];
  // A node's parent is looked up from the root (a walk down the tree): asked only of the statements kept,
  // or a deeply nested file takes time in the square of its depth (and the lookup of some nodes of deep
  // syntax errors overflows the parser's WebAssembly stack).
  walkNamed(root, (node) => {
    const statement = node.type === 'expression_statement' ? node : undefined;
    if (node.type === 'import_statement' || node.type === 'import_from_statement') {
      const topLevel = node.parent?.type === 'module';
      for (const name of importedNames(node))
        if (name) out.push({ name, line: lineOf(node), topLevel, kind: 'import' });
      return false;
    }
    const assignment = statement?.firstNamedChild;
    if (statement && assignment?.type === 'assignment') {
      const left = assignment.childForFieldName('left');
      if (left?.type === 'identifier')
        out.push(assigned(assignment, left.text, lineOf(statement), statement.parent?.type === 'module'));
      return false;
    }
    return true;
  });
  return out;
}
