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
  const cursor = node.walk();
  try {
    let depth = 0;
    for (;;) {
      const cur = cursor.currentNode;
      let descend = true;
      if (cur.isNamed && depth > 0) descend = visit(cur) !== false;
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
