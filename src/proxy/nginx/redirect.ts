/**
 * `proxy_redirect`: how nginx rewrites the `Location` of the app's redirects on the way back. Without the
 * directive (or with `proxy_redirect default;`) the proxy_pass URL is replaced by the location's name:
 * `proxy_pass http://127.0.0.1:8000;` turns `http://127.0.0.1:8000/items/` into `/items/`, and
 * `location /api/ { proxy_pass http://app:8000/; }` turns `http://app:8000/items/` into `/api/items/`.
 * nginx then writes a Location that starts with `/` in full (unless `absolute_redirect off`), with the
 * scheme, the request's host name (the server's first `server_name` with `server_name_in_redirect on`) and
 * the port the server listens on (none with `port_in_redirect off`). A Location the rules do not
 * match (the app built it from `Host: $host`, which lost the port) goes out unchanged. Pure: no I/O.
 */

import type { Directive } from './config.js';
import type { BlockInContext } from './cors.js';
import { inForce } from './cors.js';
import { NotModelled } from './locate.js';

/** One rewrite: a Location that starts with `pattern` has it replaced by `replacement`. */
interface RedirectRule {
  pattern: string;
  replacement: string;
}

export interface ProxyRedirectContext {
  /** The block the request is handled in. */
  at: BlockInContext;
  top: Directive[];
  /** proxy_pass's argument, as written. */
  proxyPass: string;
  /** The location's name, for a prefix location. */
  locationName: string | undefined;
  /** The URL the browser asked nginx for (scheme, host name and the port nginx listens on). */
  requestUrl: URL;
  /** nginx variables, for `$scheme://$host` in a replacement. */
  substitute: (value: string) => string;
}

/** The rules in force: `off` ends them, `default` is the implicit one. */
function rules(context: ProxyRedirectContext): RedirectRule[] {
  const lines = inForce(context.at, context.top, 'proxy_redirect');
  if (lines.length === 0) return [defaultRule(context)];
  const found: RedirectRule[] = [];
  for (const d of lines) {
    const [first, second] = d.args;
    if (first === 'off') return [];
    if (first === 'default') found.push(defaultRule(context));
    else if (first?.startsWith('~'))
      throw new NotModelled(`proxy_redirect with a regular expression (line ${d.line}) is not modelled`);
    else if (first !== undefined && second !== undefined)
      found.push({ pattern: context.substitute(first), replacement: context.substitute(second) });
  }
  return found;
}

function defaultRule({ proxyPass, locationName }: ProxyRedirectContext): RedirectRule {
  const uri = proxyPass.replace(/^\w+:\/\/[^/]+/, '');
  // With a URI, the proxy_pass URL becomes the location's name; without, its origin and `/` become `/`.
  if (uri !== '' && locationName !== undefined) return { pattern: proxyPass, replacement: locationName };
  return { pattern: `${proxyPass.replace(/\/$/, '')}/`, replacement: '/' };
}

/** An on/off directive in force (`absolute_redirect`, `port_in_redirect`, ...), or its default. */
function flag(context: ProxyRedirectContext, name: string, fallback: boolean): boolean {
  const value = inForce(context.at, context.top, name)[0]?.args[0];
  return value === undefined ? fallback : value === 'on';
}

/** The scheme, host and port nginx writes before a Location that starts with `/`. */
function ownAddress(context: ProxyRedirectContext): string {
  const url = context.requestUrl;
  const server = [...context.at.outer, context.at.directive].find((d) => d.name === 'server');
  const serverName = server?.block?.find((d) => d.name === 'server_name')?.args[0];
  const named =
    flag(context, 'server_name_in_redirect', false) &&
    serverName !== undefined &&
    serverName !== '_' &&
    serverName !== '' &&
    !/[*~$]/.test(serverName);
  const host = named ? serverName : url.hostname;
  const port = flag(context, 'port_in_redirect', true) && url.port !== '' ? `:${url.port}` : '';
  return `${url.protocol}//${host}${port}`;
}

/** The Location nginx sends for the app's `location`. */
export function rewriteLocation(location: string, context: ProxyRedirectContext): string {
  const rule = rules(context).find((r) => location.startsWith(r.pattern));
  const rewritten = rule ? `${rule.replacement}${location.slice(rule.pattern.length)}` : location;
  // absolute_redirect (on by default): a Location that starts with one `/` is written in full.
  if (rewritten.startsWith('/') && !rewritten.startsWith('//') && flag(context, 'absolute_redirect', true))
    return `${ownAddress(context)}${rewritten}`;
  return rewritten;
}
