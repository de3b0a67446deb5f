/**
 * Where a project keeps its environment (the `.env` nearest the code, the compose service that runs the
 * app), and the edits that set a variable there: what cors-config-not-applied writes when a variable is set
 * nowhere, or set empty where the settings ignore an empty value.
 */
import type { SourceEdit } from '../core/causes.js';
import type { Project } from '../project/types.js';
import type { EnvFile, EnvSource, SourceRef } from '../python/types.js';

/** `dir` of a project-relative path ('' for the root). */
const dirOf = (file: string): string => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');

/** The `.env` nearest to `file` (its directory, then the ones above it). */
export function nearestDotenv(project: Project, file: string): EnvFile | undefined {
  const dotenvs = (project.environment ?? []).filter(
    (f) => f.kind === 'dotenv' && /(^|\/)\.env$/.test(f.file),
  );
  let dir = dirOf(file);
  for (;;) {
    const found = dotenvs.find((f) => dirOf(f.file) === dir);
    if (found) return found;
    if (dir === '') return undefined;
    dir = dirOf(dir);
  }
}

/** The compose service that runs the app: the one whose command serves it, else the only service. */
export function servingService(project: Project): { file: EnvFile; service: string } | undefined {
  for (const file of (project.environment ?? []).filter((f) => f.kind === 'compose')) {
    const services = file.services ?? [];
    const command = project.serveCommands?.find((c) => c.file === file.file);
    const byCommand = command && services.find((s) => s.line <= command.line && command.line <= s.endLine);
    const service = byCommand ?? (services.length === 1 ? services[0] : undefined);
    if (service) return { file, service: service.name };
  }
  return undefined;
}

/** A new line after the last line of the file or block that holds the project's variables. */
export interface EnvTarget {
  file: string;
  /** The line the new one follows, and that line's text (trimmed). */
  after: { line: number; text: string };
  /** Writes `NAME=value` the way that place writes variables. */
  write(name: string, value: string): string;
  describe: string;
}

/** Where a variable the project lacks is best set: the `.env` near the code, else the serving compose service. */
export function envTarget(project: Project, readAt: SourceRef | undefined): EnvTarget | undefined {
  const dotenv = readAt ? nearestDotenv(project, readAt.file) : nearestDotenv(project, '');
  if (dotenv?.last)
    return {
      file: dotenv.file,
      after: { line: dotenv.last.line, text: dotenv.last.text.trim() },
      write: (name, value) => `${name}=${/[\s#]|^['"]/.test(value) ? `'${value}'` : value}`,
      describe: dotenv.file,
    };
  const compose = servingService(project);
  const entries = compose?.file.entries.filter((e) => e.service === compose.service) ?? [];
  const last = entries[entries.length - 1];
  if (!compose || !last) return undefined;
  const indent = /^\s*/.exec(last.text)?.[0] ?? '';
  const listStyle = last.text.trim().startsWith('-');
  return {
    file: compose.file.file,
    after: { line: last.line, text: last.text.trim() },
    write: (name, value) =>
      listStyle ? `${indent}- ${name}=${value}` : `${indent}${name}: '${value.replace(/'/g, "''")}'`,
    describe: `the environment of the ${compose.service} service in ${compose.file.file}`,
  };
}

/** The edit that adds `NAME=value` after the target's last line. */
export function addLine(target: EnvTarget, name: string, value: string): SourceEdit[] {
  const line = target.write(name, value);
  return [
    {
      kind: 'replace-text',
      file: target.file,
      line: target.after.line,
      from: target.after.text,
      to: `${target.after.text}\n${line}`,
    },
  ];
}

/** The line that sets the variable to nothing (`NAME=`), as written, when the settings ignore it. */
export function emptyLine(
  project: Project,
  env: EnvSource,
): { file: string; line: number; text: string } | undefined {
  const at = env.emptyAt;
  if (!at) return undefined;
  const entry = (project.environment ?? [])
    .find((f) => f.file === at.file)
    ?.entries.find((e) => e.line === at.line && e.name === env.name);
  // Only `NAME=` (or `NAME=""`) as written: the value is appended to it.
  if (!entry || !/^\s*(export\s+)?[\w.]+\s*=\s*$/.test(entry.text)) return undefined;
  return { file: at.file, line: at.line, text: entry.text.trimEnd() };
}
