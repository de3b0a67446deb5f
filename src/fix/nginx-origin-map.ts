/**
 * `add_header Access-Control-Allow-Origin $http_origin` with credentials echoes every origin. The fix nginx
 * users write: a `map $http_origin $cors_origin { default ""; "https://app.example.com" $http_origin; }` at
 * the http level, whose value is the origin for the trusted origins only and empty for any other (nginx
 * sends no header with an empty value), written instead of `$http_origin` in every such `add_header`. One
 * change closes every echo of the file at once (the preflight's and the response's). Pure: the caller
 * reads the configuration.
 */
import type { Directive } from '../proxy/nginx/config.js';
import { addHeaderLine, bottomUp, type NginxEdit, nginxEdit } from './nginx-edits.js';

export interface OriginMapFix {
  edits?: NginxEdit[];
  /** Why no edit is made, when none is. */
  why?: string;
  /** The map block, as configuration lines. */
  map: string[];
  /** The variable the map defines (without `$`). */
  variable: string;
}

/** An `add_header Access-Control-Allow-Origin` line that writes `$http_origin` back. */
export interface EchoedHeader {
  line: number;
  always: boolean;
}

/** Every word of the configuration: directive names and arguments, blocks included. */
function words(directives: Directive[]): string[] {
  const out: string[] = [];
  const stack = [...directives];
  for (let d = stack.pop(); d; d = stack.pop()) {
    out.push(d.name, ...d.args);
    if (d.block) stack.push(...d.block);
  }
  return out;
}

/** The name of a variable the configuration does not use yet: `cors_origin`, else a numbered one. */
function freeVariable(top: Directive[]): string {
  const all = words(top).join(' ');
  const used = (name: string) => new RegExp(`\\$\\{?${name}\\b`).test(all);
  if (!used('cors_origin')) return 'cors_origin';
  for (let i = 2; ; i++) if (!used(`cors_origin_${i}`)) return `cors_origin_${i}`;
}

/**
 * The edits that write the map of `origins` into `file` and its variable into every echoing `add_header`:
 * the map after the last `map` of the http level, else before its first `server` (in a file included at
 * the http level, before its first top-level `server`).
 */
export function originMapFix(
  file: string,
  top: Directive[],
  echoed: EchoedHeader[],
  origins: string[],
): OriginMapFix {
  const variable = freeVariable(top);
  const map = [
    `map $http_origin $${variable} {`,
    '    default "";',
    ...(origins.length > 0 ? origins : ['https://app.example.com']).map((o) => `    "${o}" $http_origin;`),
    '}',
  ];
  if (origins.length === 0) return { map, variable, why: 'no frontend origin was given (--origin) to list' };
  const http = top.find((d) => d.name === 'http');
  const level = http?.block ?? top;
  const lastMap = level.filter((d) => d.name === 'map').at(-1);
  const server = level.find((d) => d.name === 'server');
  const place = lastMap
    ? nginxEdit(file, lastMap, 'insert-after', ['', ...map])
    : server
      ? nginxEdit(file, server, 'insert-before', [...map, ''])
      : undefined;
  if (!place)
    return {
      map,
      variable,
      why: 'the file has no http level (nor a server block at its top) where a map can be written',
    };
  const headers = echoed.map((h) =>
    nginxEdit(file, { name: 'add_header', line: h.line }, 'replace', [
      addHeaderLine('Access-Control-Allow-Origin', `$${variable}`, h.always),
    ]),
  );
  return { map, variable, edits: bottomUp([...headers, place]) };
}
