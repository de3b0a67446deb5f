import type { Node, Parser } from 'web-tree-sitter';
import { withoutManyComments } from './comments.js';
import { firstSyntaxError, lineOf, parseBudgetMs, parseWithin } from './parser.js';

export type Binding =
  | { kind: 'import'; module: string; node: Node }
  | { kind: 'from'; module: string; level: number; name: string; node: Node }
  | { kind: 'star'; module: string; level: number; node: Node }
  | { kind: 'assign'; value: Node; annotation?: Node; node: Node }
  | { kind: 'annotation'; annotation: Node; node: Node }
  | { kind: 'def'; node: Node }
  | { kind: 'class'; node: Node };

export interface ModuleInfo {
  /** Path relative to the root (`app/core/config.py`). */
  rel: string;
  /** Directory relative to the root ('' for the root). */
  dir: string;
  isPackage: boolean;
  root: Node;
  bindings: Map<string, Binding[]>;
}

const dirOf = (rel: string): string => {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
};
const joinRel = (a: string, b: string): string => (a ? (b ? `${a}/${b}` : a) : b);

/** Names bound by the statements of a block (module body, class body, function body), in order. */
export function collectBindings(
  block: Node,
  into = new Map<string, Binding[]>(),
  inExcept = false,
): Map<string, Binding[]> {
  const add = (name: string, b: Binding) => {
    const list = into.get(name);
    if (list) {
      // A fallback import in `except ImportError:` does not replace the one in `try:`.
      if (!inExcept) list.push(b);
    } else into.set(name, [b]);
  };
  for (const stmt of block.namedChildren) {
    switch (stmt.type) {
      case 'import_statement':
        for (const n of stmt.childrenForFieldName('name')) {
          if (n.type === 'aliased_import') {
            const alias = n.childForFieldName('alias')?.text;
            const mod = n.childForFieldName('name')?.text;
            if (alias && mod) add(alias, { kind: 'import', module: mod, node: stmt });
          } else {
            const first = n.text.split('.')[0] as string;
            add(first, { kind: 'import', module: first, node: stmt });
          }
        }
        break;
      case 'import_from_statement': {
        const modNode = stmt.childForFieldName('module_name');
        if (!modNode) break;
        let level = 0;
        let module = modNode.text;
        if (modNode.type === 'relative_import') {
          const prefix = modNode.namedChildren.find((c) => c.type === 'import_prefix')?.text ?? '';
          level = prefix.length;
          module = modNode.namedChildren.find((c) => c.type === 'dotted_name')?.text ?? '';
        }
        if (stmt.namedChildren.some((c) => c.type === 'wildcard_import')) {
          add(`*${module}:${level}:${stmt.id}`, { kind: 'star', module, level, node: stmt });
          break;
        }
        for (const n of stmt.childrenForFieldName('name')) {
          if (n.type === 'aliased_import') {
            const alias = n.childForFieldName('alias')?.text;
            const name = n.childForFieldName('name')?.text;
            if (alias && name) add(alias, { kind: 'from', module, level, name, node: stmt });
          } else add(n.text, { kind: 'from', module, level, name: n.text, node: stmt });
        }
        break;
      }
      case 'expression_statement': {
        const a = stmt.namedChildren[0];
        if (a?.type !== 'assignment') break;
        addAssignment(a, add);
        break;
      }
      case 'function_definition':
      case 'class_definition': {
        const name = stmt.childForFieldName('name')?.text;
        if (name) add(name, { kind: stmt.type === 'class_definition' ? 'class' : 'def', node: stmt });
        break;
      }
      case 'decorated_definition': {
        const def = stmt.childForFieldName('definition');
        const name = def?.childForFieldName('name')?.text;
        if (def && name) add(name, { kind: def.type === 'class_definition' ? 'class' : 'def', node: def });
        break;
      }
      case 'if_statement':
      case 'try_statement':
      case 'with_statement':
        for (const part of stmt.namedChildren) {
          if (part.type === 'block') collectBindings(part, into, inExcept);
          else if (
            part.type === 'elif_clause' ||
            part.type === 'else_clause' ||
            part.type === 'finally_clause'
          ) {
            const body =
              part.childForFieldName('consequence') ??
              part.childForFieldName('body') ??
              part.namedChildren.find((c) => c.type === 'block');
            if (body) collectBindings(body, into, inExcept);
          } else if (part.type === 'except_clause' || part.type === 'except_group_clause') {
            const body = part.namedChildren.find((c) => c.type === 'block');
            if (body) collectBindings(body, into, true);
          }
        }
        break;
    }
  }
  return into;
}

function addAssignment(a: Node, add: (name: string, b: Binding) => void): void {
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  const type = a.childForFieldName('type') ?? undefined;
  if (left?.type !== 'identifier') return;
  if (!right) {
    if (type) add(left.text, { kind: 'annotation', annotation: type, node: a });
    return;
  }
  if (right.type === 'assignment') {
    // a = b = value
    let inner: Node = right;
    while (inner.type === 'assignment' && inner.childForFieldName('right')?.type === 'assignment') {
      inner = inner.childForFieldName('right') as Node;
    }
    const value = inner.childForFieldName('right');
    if (value) add(left.text, { kind: 'assign', value, node: a });
    addAssignment(right, add);
    return;
  }
  add(
    left.text,
    type
      ? { kind: 'assign', value: right, annotation: type, node: a }
      : { kind: 'assign', value: right, node: a },
  );
}

export interface ParseIssue {
  file: string;
  line: number;
  message: string;
}

/** All Python files of a project, parsed on demand. */
export class ProjectIndex {
  readonly modules = new Map<string, ModuleInfo | null>();
  readonly errors: ParseIssue[] = [];
  parsedCount = 0;

  /**
   * Frees the syntax trees. They live in the parser's WebAssembly memory, which JavaScript's garbage
   * collector does not see: left to it, reading project after project grows that memory until the parser
   * aborts. The modules are of no use afterwards.
   */
  release(): void {
    for (const mod of this.modules.values()) mod?.root.tree.delete();
    this.modules.clear();
  }

  constructor(
    readonly pyFiles: Set<string>,
    private readonly readText: (rel: string) => string | undefined,
    private readonly parser: Parser,
  ) {}

  /** The parsed module of a file (parsed at most once); undefined when unreadable. */
  getModule(rel: string): ModuleInfo | undefined {
    const cached = this.modules.get(rel);
    if (cached !== undefined) return cached ?? undefined;
    const text = this.readText(rel);
    if (text === undefined) {
      this.modules.set(rel, null);
      return undefined;
    }
    const source = withoutManyComments(text);
    const tree = parseWithin(this.parser, source);
    if (!tree) {
      const seconds = Math.round(parseBudgetMs(source) / 1000);
      this.errors.push({ file: rel, line: 1, message: `could not be parsed within ${seconds} s` });
      this.modules.set(rel, null);
      return undefined;
    }
    this.parsedCount++;
    const root = tree.rootNode;
    const err = firstSyntaxError(root);
    if (err) this.errors.push({ file: rel, line: err.line, message: err.message });
    const mod: ModuleInfo = {
      rel,
      dir: dirOf(rel),
      isPackage: rel.endsWith('__init__.py'),
      root,
      bindings: collectBindings(root),
    };
    this.modules.set(rel, mod);
    return mod;
  }

  /** findModuleFile's answers by importer folder, then level and module ('2:x.y'; the module alone at level 0). */
  private readonly moduleFiles = new Map<string, Map<string, string | null>>();

  /** The file of module `dotted` imported from `from` (absolute: searched from the importer's directory upwards). */
  findModuleFile(from: ModuleInfo, dotted: string, level: number): string | undefined {
    return this.moduleFileFrom(from.dir, dotted, level);
  }

  /** findModuleFile from folder `dir`, each answer kept: the same imports are resolved again and again. */
  private moduleFileFrom(dir: string, dotted: string, level: number): string | undefined {
    let known = this.moduleFiles.get(dir);
    if (!known) {
      known = new Map();
      this.moduleFiles.set(dir, known);
    }
    const key = level === 0 ? dotted : `${level}:${dotted}`;
    const cached = known.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const file = this.searchModuleFile(dir, dotted, level);
    known.set(key, file ?? null);
    return file;
  }

  private searchModuleFile(dir: string, dotted: string, level: number): string | undefined {
    const sub = dotted ? dotted.split('.').join('/') : '';
    const inFolder = (base: string): string | undefined => {
      if (!sub) {
        const init = joinRel(base, '__init__.py');
        return this.pyFiles.has(init) ? init : undefined;
      }
      const file = joinRel(base, `${sub}.py`);
      if (this.pyFiles.has(file)) return file;
      const init = joinRel(base, `${sub}/__init__.py`);
      return this.pyFiles.has(init) ? init : undefined;
    };
    if (level > 0) {
      let base = dir;
      for (let i = 1; i < level; i++) base = dirOf(base);
      return inFolder(base);
    }
    if (!sub) return undefined;
    // A module whose first name is no folder or file name of the project (fastapi, os) is found nowhere.
    if (!this.pathNames().has(dotted.split('.', 1)[0] as string)) return undefined;
    // Here, else from the folder above (whose answer is kept too).
    const hit = inFolder(dir);
    if (hit !== undefined || !dir) return hit;
    return this.moduleFileFrom(dirOf(dir), dotted, 0);
  }

  /**
   * For each file of the project, the modules of `modules` that import a name from it (`from .main import
   * app`), in the order of `modules`: the only modules an app's reader needs to look at for what is done to
   * the app elsewhere (one pass over the imports instead of one per app).
   */
  importersByFile(modules: ModuleInfo[]): Map<string, ModuleInfo[]> {
    const out = new Map<string, ModuleInfo[]>();
    for (const mod of modules) {
      const targets = new Set<string>();
      for (const list of mod.bindings.values()) {
        const b = list[list.length - 1];
        if (b?.kind !== 'from') continue;
        const target = this.findModuleFile(mod, b.module, b.level);
        if (target !== undefined) targets.add(target);
      }
      for (const target of targets) {
        const list = out.get(target);
        if (list) list.push(mod);
        else out.set(target, [mod]);
      }
    }
    return out;
  }

  private names?: Set<string>;
  /** Every folder name and Python file name (without `.py`) in the project's paths. */
  private pathNames(): Set<string> {
    if (!this.names) {
      this.names = new Set();
      for (const file of this.pyFiles)
        for (const part of file.split('/')) this.names.add(part.endsWith('.py') ? part.slice(0, -3) : part);
    }
    return this.names;
  }

  /** True when `dotted` names a directory of the project (a namespace package) seen from `from`. */
  isNamespacePackage(from: ModuleInfo, dotted: string, level: number): string | undefined {
    const sub = dotted.split('.').join('/');
    let base = from.dir;
    if (level > 0) {
      for (let i = 1; i < level; i++) base = dirOf(base);
      const d = joinRel(base, sub);
      return this.hasDir(d) ? d : undefined;
    }
    for (;;) {
      const d = joinRel(base, sub);
      if (this.hasDir(d)) return d;
      if (!base) return undefined;
      base = dirOf(base);
    }
  }

  private dirs?: Set<string>;
  private hasDir(d: string): boolean {
    if (!this.dirs) {
      this.dirs = new Set();
      for (const f of this.pyFiles) {
        let d2 = dirOf(f);
        while (d2 && !this.dirs.has(d2)) {
          this.dirs.add(d2);
          d2 = dirOf(d2);
        }
      }
    }
    return this.dirs.has(d);
  }
}

export { lineOf };
