import { scanApp, scanProxyConfig } from '../causes/index.js';
import { projectGaps } from '../causes/rules/scan-incomplete.js';
import type { Finding } from '../core/causes.js';
import type { ScanReport } from '../core/report.js';
import type { CredentialsMode, HeaderList } from '../model/types.js';
import type { Project } from '../project/types.js';
import { corsEntries } from '../python/options.js';
import { projectStarletteVersion } from '../python/starlette-version.js';
import type { PyValue, ResolvedValue } from '../python/types.js';

export interface ScanOptions {
  /** Frontend origins that must work. */
  origins: string[];
  /** A request the frontend makes, to narrow findings to it. */
  request?: { method?: string; headers: HeaderList; credentials?: CredentialsMode; url?: string };
}

/** A resolved value as plain JSON: strings, lists, booleans; unresolved values as `{unresolved: expression}`. */
export function plainValue(value: PyValue): unknown {
  switch (value.kind) {
    case 'str':
    case 'int':
    case 'bool':
      return value.value;
    case 'none':
      return null;
    case 'list':
    case 'tuple':
    case 'set':
      return value.items.map((i) => plainValue(i.value));
    case 'unresolved':
      return { unresolved: value.expression, reason: value.reason };
  }
}

function plainOptions(
  options: Record<string, ResolvedValue | undefined> | undefined,
): Record<string, unknown> | undefined {
  if (!options) return undefined;
  return Object.fromEntries(
    Object.entries(options).flatMap(([k, v]) => (v ? [[k, plainValue(v.value)]] : [])),
  );
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 };

/** Applies every static rule to every app of a project read from source. Pure: no I/O. */
export function scanProject(project: Project, options: ScanOptions): ScanReport {
  const starlette = projectStarletteVersion(project);
  const version = starlette.version;
  const appHasCors = project.apps.some((app) => corsEntries(app).length > 0);
  const findings: Finding[] = project.apps
    .flatMap((app): Finding[] =>
      scanApp({
        project,
        app,
        origins: options.origins,
        starletteVersion: version,
        ...(options.request && { request: options.request }),
      }).map((f) => ({ ...f, app: `${app.source.file}:${app.source.line}` })),
    )
    .concat(
      project.proxies
        .filter((config) => !config.syntaxError)
        .flatMap((config) =>
          scanProxyConfig({
            config,
            appHasCors,
            project,
            origins: options.origins,
            starletteVersion: version,
            ...(options.request && { request: options.request }),
          }),
        ),
    )
    // What the scan could not see and that may hide a problem: never a silent "no problem".
    .concat(projectGaps(project))
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        a.file.localeCompare(b.file) ||
        a.line - b.line,
    );
  return {
    root: project.root,
    starletteVersion: { version, source: starlette.source },
    apps: project.apps.map((app) => ({
      file: app.source.file,
      line: app.source.line,
      framework: app.framework,
      variable: app.variable,
      middleware: app.middleware.map((m) => ({
        name: m.name,
        kind: m.kind,
        ...(m.source && { file: m.source.file, line: m.source.line }),
        ...(m.options && { options: plainOptions(m.options as Record<string, ResolvedValue | undefined>) }),
      })),
      routes: app.routes.length,
    })),
    findings,
    proxies: project.proxies.map((p) => p.file),
    filesWithErrors: project.filesWithErrors,
    stats: project.stats,
    unseen: {
      files: project.unseen?.files ?? [],
      outsideLinks: project.unseen?.outsideLinks ?? [],
      bounds: project.unseen?.bounds ?? [],
    },
  };
}

export type { ScannedApp, ScanReport } from '../core/report.js';
