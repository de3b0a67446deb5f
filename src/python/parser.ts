import { createRequire } from 'node:module';
import type { Node, Tree, Parser as TsParser } from 'web-tree-sitter';

export type { Node, Tree };

let loading: Promise<TsParser> | undefined;

/** The tree-sitter Python parser; web-tree-sitter is imported and initialised on first use only. */
export function getPythonParser(): Promise<TsParser> {
  loading ??= (async () => {
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-python/tree-sitter-python.wasm');
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return loading;
}

/**
 * The time a parse may take: 5 s, plus 1 s a megabyte. Real sources take a fraction of that (a 10 MB file
 * under 2 s); tree-sitter takes minutes on some that Python itself refuses (after a stray quote, f-strings
 * nested 100,000 deep: three minutes).
 */
export const parseBudgetMs = (text: string): number => 5_000 + text.length / 1_000;

/** Parses Python source; undefined when the parse takes longer than its budget (then cancelled). */
export function parseWithin(
  parser: TsParser,
  text: string,
  budgetMs = parseBudgetMs(text),
): Tree | undefined {
  const deadline = performance.now() + budgetMs;
  const tree = parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
  if (tree) return tree;
  // A cancelled parse goes on where it stopped at the next call, whatever text that call gives.
  parser.reset();
  return undefined;
}

/** 1-based line of a node. */
export const lineOf = (node: Node): number => node.startPosition.row + 1;

/** The first ERROR or MISSING node, depth-first. */
export function firstSyntaxError(root: Node): { line: number; message: string } | undefined {
  if (!root.hasError) return undefined;
  const cursor = root.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      if (node.isMissing)
        return { line: lineOf(node), message: `syntax error: missing ${JSON.stringify(node.type)}` };
      if (node.isError) {
        const text = node.text.split('\n')[0]?.slice(0, 40) ?? '';
        return { line: lineOf(node), message: `syntax error near ${JSON.stringify(text)}` };
      }
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return { line: lineOf(root), message: 'syntax error' };
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Visits every named descendant of `node` (pre-order); return false from `visit` to skip a subtree. */
export function walkNamed(node: Node, visit: (n: Node) => boolean | undefined): void {
  if (!node.hasError) {
    walkNamedChildren(node, visit);
    return;
  }
  // Error recovery can leave named nodes under anonymous ones: the cursor sees every node.
  const cursor = node.walk();
  try {
    let depth = 0;
    for (;;) {
      let descend = true;
      // A node object is made for named nodes only (the cursor tells anonymous ones apart without one).
      if (depth > 0 && cursor.nodeIsNamed) descend = visit(cursor.currentNode) !== false;
      if (descend && cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return;
        depth--;
        if (depth <= 0) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * walkNamed for a tree without syntax errors, where every named node is a named child of its named parent:
 * one call per node for its named children, instead of cursor steps over every node, anonymous ones too
 * (about twice as fast).
 */
function walkNamedChildren(node: Node, visit: (n: Node) => boolean | undefined): void {
  // web-tree-sitter keeps a node's children array on the node object: the walk starts from a node object of
  // its own (the caller's node may live long, and would keep every node of the walk), and the arrays are
  // read, never reordered.
  const cursor = node.walk();
  const start = cursor.currentNode;
  cursor.delete();
  const stack: Node[] = [];
  const push = (children: Node[]) => {
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
  };
  push(start.namedChildren);
  for (let n = stack.pop(); n; n = stack.pop()) if (visit(n) !== false) push(n.namedChildren);
}
