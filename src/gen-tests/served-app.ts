/**
 * What the generated test imports, and where: the object the server serves (`module:attribute` from the
 * project's serve commands, else the app the Python reader found), the folder the server runs in, the URL
 * at which the request reaches the app (behind nginx: nginx's upstream), and whether a route serves it.
 */
import type { PageFetch } from '../core/page.js';
import { appForUrl } from '../evidence/offline.js';
import type { ServeCommand } from '../project/serve-commands.js';
import type { Project } from '../project/types.js';
import { configsForUrl, predictThroughProxy } from '../proxy/registry.js';
import type { ProxyConfig } from '../proxy/types.js';
import type { PythonApp } from '../python/types.js';
import { routeMatchesPath } from '../servers/stack.js';
import type { ServerRequest } from '../servers/types.js';

/** The ASGI object as the server imports it. */
export interface ServedApp {
  /** The module imported (`app.main`). */
  module: string;
  /** Its attribute served (`app`), or the factory called to make it. */
  attribute: string;
  factory: boolean;
  /** The folder the module is imported from, relative to the project root (`` for the root). */
  importDir: string;
  /** The folder the server runs in (its working directory), relative to the project root. */
  runDir: string;
  /** How it was found, for the module's header: "`uvicorn main:app` (Dockerfile:4)". */
  foundBy: string;
  /** The app the Python reader found that answers the URL (its routes and middleware), if any. */
  app?: PythonApp;
}

/** Whether a folder of the project (relative to its root) is a Python package (holds `__init__.py`). */
export type IsPackage = (dir: string) => boolean;

/** The folder `module` is imported from, given the file it resolves to; undefined when they disagree. */
function importDirOf(file: string, module: string): string | undefined {
  const path = module.replace(/\./g, '/');
  for (const suffix of [`${path}.py`, `${path}/__init__.py`]) {
    if (file === suffix) return '';
    if (file.endsWith(`/${suffix}`)) return file.slice(0, -suffix.length - 1);
  }
  return undefined;
}

/** `--app-dir src`, `PYTHONPATH=src`: the server runs in the folder above; `cd dir &&`, `--chdir dir`: in it. */
function runDirOf(command: ServeCommand, importDir: string): string {
  const appDir = command.appDir?.replace(/\/+$/, '');
  if (!appDir || appDir.startsWith('/') || /(?:^|[;&|(]\s*)cd\s|--chdir\b/.test(command.text))
    return importDir;
  if (importDir === appDir) return '';
  return importDir.endsWith(`/${appDir}`) ? importDir.slice(0, -appDir.length - 1) : importDir;
}

function fromCommand(command: ServeCommand, app: PythonApp | undefined): ServedApp | undefined {
  if (!command.resolved) return undefined;
  const importDir = importDirOf(command.resolved.file, command.module);
  if (importDir === undefined) return undefined;
  const text = command.text.length > 120 ? `${command.text.slice(0, 117)}...` : command.text;
  return {
    module: command.module,
    attribute: command.attribute,
    factory: command.factory === true,
    importDir,
    runDir: runDirOf(command, importDir),
    foundBy: `\`${text}\` (${command.file}:${command.line})`,
    ...(app && { app }),
  };
}

/** The module path of a file as the server imports it: from the first folder above that is no package. */
function fromFile(app: PythonApp, isPackage: IsPackage): ServedApp {
  const parts = app.source.file.replace(/\.py$/, '').split('/');
  if (parts.length > 1 && parts[parts.length - 1] === '__init__') parts.pop();
  let start = parts.length - 1;
  while (start > 0 && isPackage(parts.slice(0, start).join('/'))) start--;
  const importDir = parts.slice(0, start).join('/');
  return {
    module: parts.slice(start).join('.'),
    attribute: app.variable,
    factory: false,
    importDir,
    runDir: importDir,
    foundBy: `the app at ${app.source.file}:${app.source.line} (no serve command in the project)`,
    app,
  };
}

/**
 * The object the server serves for `url`: a serve command whose module is the file of the app that answers
 * the URL, else one whose module is the file of some app, else the first that names a file of the project;
 * with no such command, the app the reader found. Undefined when the project holds no app.
 */
export function servedApp(project: Project, url: string, isPackage: IsPackage): ServedApp | undefined {
  const app = appForUrl(project, url);
  const commands = (project.serveCommands ?? []).filter((c) => c.resolved);
  const appFiles = new Set(project.apps.map((a) => a.source.file));
  const ordered = [
    ...commands.filter((c) => app && c.resolved?.file === app.source.file),
    ...commands.filter((c) => appFiles.has(c.resolved?.file ?? '')),
    ...commands,
  ];
  for (const command of ordered) {
    const served = fromCommand(command, app);
    if (served) return served;
  }
  return app ? fromFile(app, isPackage) : undefined;
}

/** The nginx (or other proxy) configuration in front of the app for `url`, and what it passes to the app. */
export interface ProxyInFront {
  config: ProxyConfig;
  /** The URL nginx passes the request to (its upstream), when the model says it passes it on. */
  upstreamUrl?: string;
}

/** The proxy configuration that takes `page.url`, if any, and the URL at which the request reaches the app. */
export function proxyInFront(project: Project, page: PageFetch): ProxyInFront | undefined {
  const [config] = configsForUrl(project.proxies, page.url);
  if (!config) return undefined;
  let upstream: ServerRequest | undefined;
  try {
    predictThroughProxy(config, { method: page.method, url: page.url, headers: page.headers }, (request) => {
      upstream ??= request;
      return {
        known: true,
        status: 200,
        headers: [],
        answeredBy: 'app',
        explanation: 'the app',
        statusAssumed: true,
        assumptions: [],
        path: [],
      };
    });
  } catch {
    // A configuration the model cannot follow: the request is taken to reach the app unchanged.
  }
  return { config, ...(upstream && { upstreamUrl: upstream.url }) };
}

/**
 * Whether a route (or a mounted app) of `app` serves the URL's path, or redirects it to the path with or
 * without its trailing slash (`redirect_slashes`).
 */
export function routeServes(app: PythonApp, url: string): boolean {
  const { pathname } = new URL(url);
  const other = pathname.endsWith('/') ? pathname.slice(0, -1) : `${pathname}/`;
  const paths = app.redirectSlashes && other ? [pathname, other] : [pathname];
  return paths.some(
    (path) =>
      app.routes.some((r) => routeMatchesPath(r, path)) ||
      app.mounts.some((m) => path === m.path || path.startsWith(`${m.path.replace(/\/$/, '')}/`)),
  );
}
