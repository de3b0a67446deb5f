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
  /** What the map changes for frontends it does not list. */
  note: string;
}

/** Said in the map (and so in the summary that quotes it): the echo served every origin, the map lists some. */
export const OTHER_FRONTENDS =
  '# only the --origin frontends: add every other frontend that must read the API, or it loses access';

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

/** The name of a variable no file of the configuration uses yet: `cors_origin`, else a numbered one. */
function freeVariable(files: Directive[][]): string {
  const all = files.flatMap(words).join(' ');
  const used = (name: string) => new RegExp(`\\$\\{?${name}\\b`).test(all);
  if (!used('cors_origin')) return 'cors_origin';
  for (let i = 2; ; i++) if (!used(`cors_origin_${i}`)) return `cors_origin_${i}`;
}

/**
 * The edits that write the map of `origins` into `file` and its variable into every echoing `add_header`:
 * the map after the last `map` of the http level, else before its first `server` (in a file included at
 * the http level, before its first top-level `server`). The variable's name is free in `file` and in
 * `includeSet`, the other nginx files of the project (a map's variable is global to the http level).
 */
export function originMapFix(
  file: string,
  top: Directive[],
  echoed: EchoedHeader[],
  origins: string[],
  includeSet: Directive[][] = [],
): OriginMapFix {
  const variable = freeVariable([top, ...includeSet]);
  const map = [
    `map $http_origin $${variable} {`,
    '    default "";',
    ...(origins.length > 0 ? origins : ['https://app.example.com']).map((o) => `    "${o}" $http_origin;`),
    `    ${OTHER_FRONTENDS}`,
    '}',
  ];
  const note = `the map lists only ${origins.length > 0 ? origins.join(', ') : 'the frontends given'}: every other origin $http_origin was written back for loses access; add every other frontend that must read the API to the map`;
  if (origins.length === 0)
    return { map, variable, note, why: 'no frontend origin was given (--origin) to list' };
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
      note,
      why: 'the file has no http level (nor a server block at its top) where a map can be written',
    };
  const headers = echoed.map((h) =>
    nginxEdit(file, { name: 'add_header', line: h.line }, 'replace', [
      addHeaderLine('Access-Control-Allow-Origin', `$${variable}`, h.always),
    ]),
  );
  return { map, variable, note, edits: bottomUp([...headers, place]) };
}
