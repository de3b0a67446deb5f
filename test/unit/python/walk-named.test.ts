import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPythonParser, type Node, walkNamed } from '../../../src/python/parser.js';

const REPO = join(import.meta.dirname, '../../..');

function pythonFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') pythonFiles(path, out);
    else if (entry.isFile() && entry.name.endsWith('.py')) out.push(path);
  }
  return out;
}

/** The walk by a cursor over every node, named or not: what walkNamed must visit, in the same order. */
function cursorWalk(node: Node, visit: (n: Node) => boolean): void {
  const cursor = node.walk();
  try {
    let depth = 0;
    for (;;) {
      const current = cursor.currentNode;
      const descend = depth > 0 && current.isNamed ? visit(current) : true;
      if (descend && cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || --depth <= 0) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

// Every Python file of the fixtures and examples, whole, cut in the middle (an unfinished block), and with a
// byte taken out (error recovery), walked from the module and from a statement in its middle; the visitor
// skips function bodies, as callers do.
const texts = pythonFiles(join(REPO, 'test/fixtures'))
  .concat(pythonFiles(join(REPO, 'examples')))
  .flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const at = Math.floor(text.length * 0.37);
    return [
      [file, text],
      [`${file} (cut)`, text.slice(0, text.length >> 1)],
      [`${file} (a byte out)`, text.slice(0, at) + text.slice(at + 1)],
    ] as Array<[string, string]>;
  });

describe('walkNamed visits the named nodes a cursor visits, in the same order', () => {
  it(`over ${texts.length} module texts, with and without syntax errors`, async () => {
    const parser = await getPythonParser();
    let walked = 0;
    for (const [name, text] of texts) {
      const tree = parser.parse(text);
      if (!tree) throw new Error(`${name}: not parsed`);
      const root = tree.rootNode;
      const statements = root.namedChildren;
      const before = statements.map((n) => n.startIndex);
      const middle = statements[statements.length >> 1];
      for (const start of middle ? [root, middle] : [root]) {
        const skip = (n: Node) => n.type !== 'function_definition';
        const want: number[] = [];
        cursorWalk(start, (n) => want.push(n.id) > 0 && skip(n));
        const got: number[] = [];
        walkNamed(start, (n) => got.push(n.id) > 0 && skip(n));
        expect(got, name).toEqual(want);
        walked += got.length;
      }
      // The caller's node is left as it was: its children (an array web-tree-sitter keeps) in source order.
      expect(root.namedChildren.map((n) => n.startIndex)).toEqual(before);
      tree.delete();
    }
    expect(walked).toBeGreaterThan(10_000);
  });
});
