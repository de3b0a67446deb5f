/**
 * nginx configuration split over files: the `include` directives of a configuration resolved among the
 * project's own nginx files, and their directives written in at the include's place, as nginx reads them
 * (a glob's files in alphabetical order). A relative path is read from the main configuration's folder,
 * as nginx does (from the including file's own folder when nothing is there); an absolute path (`/etc/nginx/conf.d/*.conf`, where Dockerfiles and compose files copy the
 * project's files) is matched by its path below nginx's folder, or else by its folder and name, against the
 * end of the project's paths. An include that names no file of the project stays as written: what it adds
 * is not read. Pure: no I/O.
 */
import type { Directive, NginxConfigFile } from './config.js';
import { HARMLESS_INCLUDE } from './cors.js';

/** One include of a configuration, read: where it is written and the project's files it names. */
export interface ReadInclude {
  /** The file the include is written in, and its line. */
  file: string;
  line: number;
  pattern: string;
  files: string[];
  /** An absolute path, read as the project's files: how. */
  mapped?: string;
}

/** A file name glob (`*`, `?`, `[...]` within one path segment) as a regular expression's source. */
function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) out += '\\[';
      else {
        out += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}

/** `a/b/../c` as `a/c`; undefined when it leaves the project. */
function normal(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');

/**
 * The project's files an include names, in nginx's order, and how the path was read: relative to the
 * including file's folder, or (absolute) by the end of the project's paths. Empty: no file of the project.
 */
export function includedFiles(
  pattern: string,
  from: string,
  files: string[],
  root?: string,
): { files: string[]; mapped?: string } {
  if (!pattern.startsWith('/')) {
    // nginx reads a relative path from the main configuration's folder; a file read on its own, from its own.
    for (const folder of [...new Set([folderOf(root ?? from), folderOf(from)])]) {
      const path = normal(folder ? `${folder}/${pattern}` : pattern);
      if (path === undefined) continue;
      const re = new RegExp(`^${globSource(path)}$`);
      const found = files.filter((f) => re.test(f)).sort();
      if (found.length > 0) return { files: found };
    }
    return { files: [] };
  }
  // Absolute: below nginx's own folder when it is there (/etc/nginx/conf.d/x.conf -> conf.d/x.conf), else
  // the folder and the name (/srv/nginx/snippets/cors.conf -> snippets/cors.conf).
  const parts = pattern.split('/').filter((p) => p !== '');
  const below = pattern.startsWith('/etc/nginx/') ? parts.slice(2) : parts.slice(-2);
  const suffix = below.join('/');
  const re = new RegExp(`(^|/)(${globSource(suffix)})$`);
  const matched = files.filter((f) => re.test(f));
  if (matched.length === 0) return { files: [] };
  // Several folders of the project end so: the one nearest the including file's.
  const prefixOf = (f: string) => f.slice(0, f.length - (re.exec(f)?.[2]?.length ?? 0));
  const near = (p: string) => commonLength(p, `${folderOf(from)}/`);
  const prefixes = [...new Set(matched.map(prefixOf))];
  const prefix = prefixes.sort((a, b) => near(b) - near(a) || a.localeCompare(b))[0] ?? '';
  const chosen = matched.filter((f) => prefixOf(f) === prefix).sort();
  return {
    files: chosen,
    mapped: `${pattern} read as ${chosen.join(', ')} (the project's files that path names where they are copied)`,
  };
}

function commonLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The directives with their file written on each (deep). */
function tagged(directives: Directive[], file: string): Directive[] {
  return directives.map((d) => ({ ...d, file, ...(d.block && { block: tagged(d.block, file) }) }));
}

/**
 * `config`'s directives as nginx runs them: every include that names files of the project replaced by
 * their directives (each carrying its file), nested includes too; the includes read, in order.
 */
export function spliceIncludes(
  config: NginxConfigFile,
  project: NginxConfigFile[],
): { directives: Directive[]; read: ReadInclude[] } {
  const byFile = new Map(project.filter((c) => !c.syntaxError).map((c) => [c.file, c]));
  const names = [...byFile.keys()];
  const read: ReadInclude[] = [];
  const splice = (directives: Directive[], file: string, seen: string[]): Directive[] =>
    directives.flatMap((d): Directive[] => {
      const pattern = d.args[0] ?? '';
      if (d.name !== 'include' || HARMLESS_INCLUDE.test(pattern)) {
        return [d.block ? { ...d, block: splice(d.block, file, seen) } : d];
      }
      const named = includedFiles(pattern, file, names, config.file);
      const found = named.files.filter((f) => !seen.includes(f));
      if (found.length === 0) return [d];
      read.push({ file, line: d.line, pattern, files: found, ...(named.mapped && { mapped: named.mapped }) });
      return found.flatMap((f) => splice(tagged(byFile.get(f)?.directives ?? [], f), f, [...seen, f]));
    });
  return { directives: splice(config.directives, config.file, [config.file]), read };
}

/**
 * The project's nginx configurations linked: each with the directives nginx runs (`served`) and the
 * includes read. A file another one includes is served as part of the file that includes it (the main
 * configuration): it is run with that one's directives, and names it (`includedBy`).
 */
export function linkNginxConfigs(configs: NginxConfigFile[]): NginxConfigFile[] {
  const spliced = new Map(
    configs.flatMap((c) => (c.syntaxError ? [] : [[c.file, spliceIncludes(c, configs)] as const])),
  );
  const includedBy = new Map<string, string>();
  for (const [file, s] of spliced)
    for (const r of s.read)
      for (const f of r.files) if (f !== file && !includedBy.has(f)) includedBy.set(f, file);
  /** The main configuration a file is part of (itself when none includes it). */
  const rootOf = (file: string): string => {
    const seen = new Set([file]);
    let at = file;
    for (let up = includedBy.get(at); up && !seen.has(up); up = includedBy.get(at)) {
      seen.add(up);
      at = up;
    }
    return at;
  };
  return configs.map((c) => {
    const root = rootOf(c.file);
    const s = spliced.get(root);
    if (!s || s.read.length === 0) return c;
    const reads = [...new Set([root, ...s.read.flatMap((r) => r.files)])].filter((f) => f !== c.file);
    return {
      ...c,
      served: s.directives,
      includes: s.read,
      reads,
      ...(root !== c.file && { includedBy: root }),
    };
  });
}
