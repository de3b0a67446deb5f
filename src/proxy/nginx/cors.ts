/**
 * What an nginx configuration does to CORS, read from its directives (pure):
 * - `add_header` is inherited from the enclosing level only when a level has none of its own;
 * - without `always`, `add_header` applies to 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 only;
 * - `if ($request_method = OPTIONS) { return 204; }` answers preflights without asking the app;
 * - `proxy_hide_header` drops a header the app sends.
 */
import type { Directive, NginxConfigFile } from './config.js';

/** A block directive (`server`, `location`, `if`, ...) with the blocks around it, outermost first. */
export interface BlockInContext {
  directive: Directive;
  outer: Directive[];
}

export interface AddedHeader {
  name: string;
  value: string;
  always: boolean;
  line: number;
}

/**
 * Blocks nested deeper than this are left out of `blocks`: each block carries the path to it, so a
 * configuration nested N deep takes memory in N squared. (nginx reads deeper ones, 12,000 locations deep
 * with an 8 MB stack; no configuration nests locations like that.)
 */
const MAX_BLOCK_DEPTH = 1000;

/** Every block of the configuration, depth first (with a stack, not recursion). */
export function blocks(directives: Directive[], outer: Directive[] = []): BlockInContext[] {
  const out: BlockInContext[] = [];
  const levels = [{ list: directives, next: 0, outer }];
  for (let level = levels.at(-1); level; level = levels.at(-1)) {
    const d = level.list[level.next++];
    if (!d) levels.pop();
    else if (d.block) {
      out.push({ directive: d, outer: level.outer });
      if (level.outer.length < MAX_BLOCK_DEPTH)
        levels.push({ list: d.block, next: 0, outer: [...level.outer, d] });
    }
  }
  return out;
}

const own = (block: Directive[] | undefined, name: string) => (block ?? []).filter((d) => d.name === name);

/**
 * The `name` directives in force in a block: its own when it has any, else those of the nearest enclosing
 * level that has some (the file's top level included). That is how nginx inherits `add_header`,
 * `proxy_hide_header`, `proxy_set_header`, `auth_basic` and `auth_request`.
 */
export function inForce(at: BlockInContext, top: Directive[], name: string): Directive[] {
  const levels = [top, ...at.outer.map((d) => d.block), at.directive.block];
  for (let i = levels.length - 1; i >= 0; i--) {
    const lines = own(levels[i], name);
    if (lines.length > 0) return lines;
  }
  return [];
}

/** The `add_header` lines in force in a block. */
export function addedHeaders(at: BlockInContext, top: Directive[]): AddedHeader[] {
  return inForce(at, top, 'add_header').map(asAddedHeader);
}

const asAddedHeader = (d: Directive): AddedHeader => ({
  name: d.args[0] ?? '',
  value: d.args[1] ?? '',
  always: d.args[2] === 'always',
  line: d.line,
});

export const findHeader = (headers: AddedHeader[], name: string): AddedHeader | undefined =>
  headers.find((h) => h.name.toLowerCase() === name.toLowerCase());

/** An `if` on the request method that names OPTIONS (`= OPTIONS`, `= 'OPTIONS'`, `~ ^(OPTIONS)$`). */
export function isOptionsCondition(d: Directive): boolean {
  const condition = d.args.join(' ');
  return d.name === 'if' && condition.includes('$request_method') && /OPTIONS/i.test(condition);
}

/** The `return 2xx` by which a block answers without passing the request on, if it has one. */
export function returnsSuccess(d: Directive): Directive | undefined {
  return own(d.block, 'return').find((r) => /^2\d\d$/.test(r.args[0] ?? ''));
}

/** A block that passes requests on to an app (`proxy_pass`, or its uwsgi, fastcgi, grpc, scgi cousins). */
export function passesToApp(d: Directive): boolean {
  return (d.block ?? []).some((c) => /^(proxy|uwsgi|fastcgi|grpc|scgi|memcached)_pass$/.test(c.name));
}

/** The `proxy_hide_header NAME` lines in force in a block. */
export const hiddenHeaders = (at: BlockInContext, top: Directive[]): Directive[] =>
  inForce(at, top, 'proxy_hide_header');

/**
 * The `add_header` lines a block would inherit if it had none of its own: those in force at the level
 * around it.
 */
export function outerHeaders(at: BlockInContext, top: Directive[]): AddedHeader[] {
  const parent = at.outer.at(-1);
  if (!parent) return own(top, 'add_header').map(asAddedHeader);
  return addedHeaders({ directive: parent, outer: at.outer.slice(0, -1) }, top);
}

/**
 * Where the configuration adds Access-Control-Allow-Origin to what it passes to the app or answers itself,
 * or means to: a level around such a block has the line even where the block's own `add_header` lines keep
 * it from applying there (then nginx is still the layer meant to do CORS for the app).
 */
export function addsAllowOrigin(directives: Directive[]): AddedHeader | undefined {
  for (const at of blocks(directives)) {
    if (!passesToApp(at.directive) && !(isOptionsCondition(at.directive) && returnsSuccess(at.directive)))
      continue;
    const added =
      findHeader(addedHeaders(at, directives), 'Access-Control-Allow-Origin') ??
      findHeader(outerHeaders(at, directives), 'Access-Control-Allow-Origin');
    if (added) return added;
  }
  return undefined;
}

/** Files an `include` may name that hold no CORS directive: MIME types and the `*_params` of the passes. */
export const HARMLESS_INCLUDE = /(^|\/)(mime\.types|(proxy|uwsgi|fastcgi|scgi)_params|fastcgi\.conf)$/;

/**
 * An `include` of another file among the directives of a block or the levels around it (the file's top
 * included): its directives are not read, so what the block adds, hides or answers is not known.
 */
export function unreadInclude(at: BlockInContext, top: Directive[]): Directive | undefined {
  const levels = [top, ...at.outer.map((d) => d.block ?? []), at.directive.block ?? []];
  for (const level of levels)
    for (const d of level) if (d.name === 'include' && !HARMLESS_INCLUDE.test(d.args[0] ?? '')) return d;
  return undefined;
}

/** Does a `listen` directive of the configuration take this port (`listen 8080`, `listen 127.0.0.1:8080 ...`)? */
export function listensOn(directives: Directive[], port: number): boolean {
  const listen = new RegExp(`(^|:)${port}$`);
  // Blocks as a stack, not recursion: nginx reads blocks nested thousands deep.
  const blocks: Directive[][] = [directives];
  for (let list = blocks.pop(); list; list = blocks.pop())
    for (const d of list) {
      if (d.name === 'listen' && listen.test(d.args[0] ?? '')) return true;
      if (d.block) blocks.push(d.block);
    }
  return false;
}

/** The `if ($request_method = OPTIONS) { return 2xx; }` of a block, if it has one. */
export function optionsAnswer(d: Directive): Directive | undefined {
  return (d.block ?? []).find((c) => isOptionsCondition(c) && returnsSuccess(c) !== undefined);
}

/**
 * What refuses a request without credentials in a block that passes to the app, before the app sees it:
 * `auth_basic`, `auth_request` (nearest level that sets them), or an `if` on `$http_authorization` or a
 * cookie that returns 401 or 403. A preflight carries neither, so it is refused too.
 */
export function credentialGate(at: BlockInContext, top: Directive[]): Directive | undefined {
  for (const name of ['auth_basic', 'auth_request']) {
    const found = inForce(at, top, name)[0];
    if (found && found.args[0] !== 'off') return found;
  }
  return (at.directive.block ?? []).find(
    (c) =>
      c.name === 'if' &&
      /\$(http_authorization|cookie_\w+|http_x_api_key)/i.test(c.args.join(' ')) &&
      own(c.block, 'return').some((r) => /^40[13]$/.test(r.args[0] ?? '')),
  );
}

/** The port a URL goes to (its own, or the scheme's default). */
export const portOf = (url: URL): number => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

/** The readable configurations with a `listen` on the URL's port. */
export function configsForUrl(configs: NginxConfigFile[], url: string): NginxConfigFile[] {
  const port = portOf(new URL(url));
  return configs.filter((c) => !c.syntaxError && listensOn(c.directives, port));
}
