/**
 * The edits that change the order of middleware or the code inside it: an item moved within a list literal
 * (`middleware=[Middleware(CORSMiddleware, ...), ...]`), lines written before a statement (the first line of
 * a function body), and the imports such lines need. Pure: text in, text out.
 */
import type { SourceEdit } from '../core/causes.js';
import { EditDoesNotApply } from './edit-error.js';
import { lastCodeEnd, lineEnd, lineNumberAt, lineStart, scanCode, statementExtent } from './python-text.js';

const indentAt = (text: string, offset: number): string => /^[ \t]*/.exec(text.slice(offset))?.[0] ?? '';

/** The names an import line binds (`from a import b as c, d` binds c and d; `import a.b` binds a). */
function importedNames(statement: string): string[] {
  const from = /^from\s+[\w.]+\s+import\s+\(?([^)#]*)\)?/s.exec(statement);
  const list = from ? from[1] : /^import\s+([^#]*)/.exec(statement)?.[1];
  if (!list) return [];
  return list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [name, alias] = part.split(/\s+as\s+/);
      return (alias ?? (from ? name : name?.split('.')[0]) ?? '').trim();
    });
}

/**
 * Offset after the last import of the module's leading block (docstring, comments, `from __future__`,
 * imports): a new import goes there, before any code that could use the name. 0 when there is none.
 */
export function afterLastImport(text: string): number {
  let at = 0;
  let offset = 0;
  while (offset < text.length) {
    const { end } = statementExtent(text, lineNumberAt(text, offset));
    const statement = text.slice(offset, end).trim();
    if (/^(import|from)\s/.test(statement)) at = end;
    else if (statement !== '' && !statement.startsWith('#') && !/^[rRuUbBfF]*["']/.test(statement)) break;
    if (end <= offset) break;
    offset = end;
  }
  return at;
}

/** The names the module's top-level import statements bind. */
function topLevelImports(text: string): Set<string> {
  const names = new Set<string>();
  let offset = 0;
  while (offset < text.length) {
    const { end } = statementExtent(text, lineNumberAt(text, offset));
    const statement = text.slice(offset, end);
    if (/^(import|from)\s/.test(statement)) for (const n of importedNames(statement.trim())) names.add(n);
    if (end <= offset) break;
    offset = end;
  }
  return names;
}

/** `text` with each of `imports` added after the last import, unless the module already imports its names. */
export function addImports(text: string, imports: string[]): string {
  const bound = topLevelImports(text);
  const missing = imports.filter((i) => !importedNames(i).every((n) => bound.has(n)));
  if (missing.length === 0) return text;
  const at = afterLastImport(text);
  return `${text.slice(0, at)}${missing.join('\n')}\n${text.slice(at)}`;
}

/** `insert-before`: the code at the statement's indentation, just before it, then the imports. */
export function insertBefore(text: string, edit: Extract<SourceEdit, { kind: 'insert-before' }>): string {
  let out = text;
  if (edit.code.length > 0) {
    const start = lineStart(text, edit.statement.line);
    if (start >= text.length || text.slice(start, lineEnd(text, start)).trim() === '') {
      throw new EditDoesNotApply(`no statement on line ${edit.statement.line}`);
    }
    const indent = indentAt(text, start);
    const code = edit.code.map((l) => (l === '' ? '' : indent + l)).join('\n');
    out = `${text.slice(0, start)}${code}\n${text.slice(start)}`;
  }
  return addImports(out, edit.imports);
}

/** One item of a list literal: its code `[start, end)` and the list it belongs to (offset of its bracket). */
interface ListItem {
  start: number;
  end: number;
  open: number;
}

/** The items of every list or tuple literal in `text`, by the bracket that opens their list. */
function listsOf(text: string): Map<number, ListItem[]> {
  const lists = new Map<number, ListItem[]>();
  const stack: Array<{ open: number; char: string; itemStart: number }> = [];
  const closeItem = (frame: { open: number; itemStart: number }, at: number) => {
    const end = lastCode(text, frame.itemStart, at);
    if (end > frame.itemStart) {
      const items = lists.get(frame.open) ?? [];
      items.push({ start: firstCode(text, frame.itemStart, end), end, open: frame.open });
      lists.set(frame.open, items);
    }
  };
  scanCode(text, 0, (i) => {
    const c = text[i] as string;
    if (c === '(' || c === '[' || c === '{') stack.push({ open: i, char: c, itemStart: i + 1 });
    else if (c === ')' || c === ']' || c === '}') {
      const frame = stack.pop();
      if (frame?.char === '[') closeItem(frame, i);
    } else if (c === ',') {
      const frame = stack[stack.length - 1];
      if (frame?.char === '[') {
        closeItem(frame, i);
        frame.itemStart = i + 1;
      }
    }
    return false;
  });
  return lists;
}

/** The first offset in `[from, to)` that is not blank or inside a comment. */
function firstCode(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    if (/\s/.test(text[i] as string)) i++;
    else if (text[i] === '#') i = lineEnd(text, i);
    else return i;
  }
  return to;
}

/** The offset after the last code character in `[from, to)` (blanks and comments excluded, strings counted). */
const lastCode = (text: string, from: number, to: number): number => lastCodeEnd(text, from, to);

/** Whether the item's head (its text up to the first argument's end) holds `name` as a word. */
function names(text: string, item: ListItem, name: string): boolean {
  const head = /^[^,)]*/.exec(text.slice(item.start, item.end))?.[0] ?? '';
  return new RegExp(`(^|[^\\w])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w])`).test(head);
}

/**
 * The item of a list literal that starts on `line` (its first code character is on that line): of several,
 * the outermost of those whose head holds `name`, or of all when none does.
 */
function itemOn(
  lists: Map<number, ListItem[]>,
  text: string,
  line: number,
  name?: string,
): ListItem | undefined {
  const start = lineStart(text, line);
  const end = lineEnd(text, start);
  const starting = [...lists.values()].flat().filter((item) => item.start >= start && item.start < end);
  const named = name ? starting.filter((item) => names(text, item, name)) : [];
  const outermost = (a: ListItem | undefined, b: ListItem) =>
    !a || b.end - b.start > a.end - a.start ? b : a;
  return (named.length > 0 ? named : starting).reduce<ListItem | undefined>(outermost, undefined);
}

/** `move-item-before`: the item moved before another of the same list, keeping the list's layout. */
export function moveItemBefore(
  text: string,
  edit: Extract<SourceEdit, { kind: 'move-item-before' }>,
): string {
  const lists = listsOf(text);
  const moved = itemOn(lists, text, edit.statement.line, edit.names?.statement);
  const target = itemOn(lists, text, edit.before.line, edit.names?.before);
  if (!moved || !target || moved.open !== target.open) {
    throw new EditDoesNotApply(
      `lines ${edit.statement.line} and ${edit.before.line} do not start items of one list literal`,
    );
  }
  if (moved === target) return text;
  const items = lists.get(moved.open) as ListItem[];
  const ownLine = (item: ListItem) =>
    text.slice(lineStart(text, lineNumberAt(text, item.start)), item.start).trim() === '';
  if (items.every(ownLine)) {
    // One item per line (or per group of lines): move the moved item's lines, with a comma after it.
    const from = lineStart(text, lineNumberAt(text, moved.start));
    const afterItem = text.slice(moved.end).match(/^[ \t]*,?/)?.[0] ?? '';
    const to = lineEnd(text, moved.end + afterItem.length);
    const rest = text.slice(moved.end + afterItem.length, to);
    if (rest.trim() !== '' && !rest.trim().startsWith('#')) {
      throw new EditDoesNotApply('the list item is followed by other code on its last line');
    }
    const block = `${text.slice(from, moved.end)},${rest}`;
    const at = lineStart(text, lineNumberAt(text, target.start));
    const without = text.slice(0, from) + text.slice(to);
    const insertAt = at < from ? at : at - (to - from);
    return without.slice(0, insertAt) + block + without.slice(insertAt);
  }
  const first = items[0] as ListItem;
  const last = items[items.length - 1] as ListItem;
  if (lineNumberAt(text, first.start) !== lineNumberAt(text, last.end)) {
    throw new EditDoesNotApply('the list mixes items on shared and separate lines');
  }
  // All items on one line: rewrite the items in the new order, separated as the list separates them.
  const order = items.filter((i) => i !== moved);
  order.splice(order.indexOf(target), 0, moved);
  const separator = text.slice(first.end, items[1]?.start ?? first.end).includes(', ') ? ', ' : ',';
  const body = order.map((i) => text.slice(i.start, i.end)).join(separator);
  return text.slice(0, first.start) + body + text.slice(last.end);
}

/** `remove-item`: the item taken out of its list literal with its comma (and its line, when alone on it). */
export function removeItem(text: string, edit: Extract<SourceEdit, { kind: 'remove-item' }>): string {
  const lists = listsOf(text);
  const start = lineStart(text, edit.statement.line);
  const end = lineEnd(text, start);
  const item = [...lists.values()]
    .flat()
    .find((i) => i.start >= start && i.start < end && text.slice(i.start, i.end) === edit.item);
  if (!item) throw new EditDoesNotApply(`no list item ${edit.item} on line ${edit.statement.line}`);
  const items = lists.get(item.open) as ListItem[];
  const at = items.indexOf(item);
  const after = /^[ \t]*,?[ \t]*(#[^\n]*)?(\n|$)/.exec(text.slice(item.end));
  const alone = text.slice(lineStart(text, lineNumberAt(text, item.start)), item.start).trim() === '';
  if (alone && after) {
    const from = lineStart(text, lineNumberAt(text, item.start));
    return text.slice(0, from) + text.slice(item.end + after[0].length);
  }
  const next = items[at + 1];
  const previous = items[at - 1];
  // The next item on a later line: what lies between (comments, blank lines) stays where it is.
  const nextLater = next && lineNumberAt(text, next.start) > lineNumberAt(text, item.end);
  if (nextLater && previous) return text.slice(0, previous.end) + text.slice(item.end);
  if (nextLater) {
    const comma = /^[ \t]*,[ \t]*/.exec(text.slice(item.end))?.[0] ?? '';
    return text.slice(0, item.start) + text.slice(item.end + comma.length);
  }
  if (next) return text.slice(0, item.start) + text.slice(next.start);
  if (previous) return text.slice(0, previous.end) + text.slice(item.end);
  const comma = /^[ \t]*,/.exec(text.slice(item.end))?.[0] ?? '';
  return text.slice(0, item.start) + text.slice(item.end + comma.length);
}
