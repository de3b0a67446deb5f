// The one project reader: one walk of the folder; the Python reader reads the apps, each proxy model the
// configuration files it claims, and the serve-command reader the files that start the server.
import { join } from 'node:path';
import { isProxyFile, readProxyConfigs } from '../proxy/registry.js';
import { getPythonParser } from '../python/parser.js';
import { type ReadProjectOptions, readPythonProject } from '../python/read-project.js';
import { decodeText, readSmallFile } from '../python/walk.js';
import { findServeCommands, isServeFile, moduleFile, resolveServeCommands } from './serve-commands.js';
import type { Project } from './types.js';

/**
 * Python files read for `uvicorn.run(...)` and the like: the names entry points have. (Every Python file
 * would mean reading all of a large project twice.)
 */
const ENTRY_POINTS = new Set([
  '__main__.py',
  'main.py',
  'app.py',
  'application.py',
  'asgi.py',
  'server.py',
  'serve.py',
  'run.py',
  'start.py',
  'api.py',
  'gunicorn.conf.py',
  'gunicorn_conf.py',
]);

const servesFrom = (name: string): boolean =>
  name.endsWith('.py') ? ENTRY_POINTS.has(name) : isServeFile(name);

/** Reads a backend project: its FastAPI/Starlette apps, its proxy configurations, its serve commands. */
export async function readProject(root: string, options: ReadProjectOptions = {}): Promise<Project> {
  const {
    otherFiles = [],
    pythonFiles = [],
    ...python
  } = await readPythonProject(root, {
    ...options,
    otherFiles: (name) => isProxyFile(name) || servesFrom(name) || options.otherFiles?.(name) === true,
  });
  const name = (rel: string) => rel.slice(rel.lastIndexOf('/') + 1);
  const proxies = readProxyConfigs(
    otherFiles.filter((f) => isProxyFile(name(f.file))).map((f) => ({ rel: f.file, text: f.text })),
  );
  const proxyErrors = proxies.flatMap((p) =>
    p.syntaxError ? [{ file: p.file, line: p.syntaxError.line, message: p.syntaxError.message }] : [],
  );
  const commands = otherFiles
    .filter((f) => servesFrom(name(f.file)))
    .flatMap((f) => findServeCommands(f.file, f.text));
  // The served modules' text, to tell `app` from a wrapper bound to another name.
  const modules = new Map<string, string>();
  for (const command of commands) {
    const file = moduleFile(command, pythonFiles);
    if (!file || modules.has(file)) continue;
    const overlaid = options.overlay?.get(file);
    if (overlaid !== undefined) {
      modules.set(file, overlaid);
      continue;
    }
    const read = readSmallFile(join(python.root, file));
    if (read.ok) modules.set(file, decodeText(read.buf));
  }
  // The files where middleware writes response headers, read once, through the overlay.
  const middlewareSources = new Map<string, string>();
  for (const app of python.apps)
    for (const m of app.middleware)
      for (const w of m.behaviour?.writesHeaders ?? []) {
        const file = w.source.file;
        if (middlewareSources.has(file)) continue;
        const overlaid = options.overlay?.get(file);
        const read = overlaid === undefined ? readSmallFile(join(python.root, file)) : undefined;
        const text = overlaid ?? (read?.ok ? decodeText(read.buf) : undefined);
        if (text !== undefined) middlewareSources.set(file, text);
      }
  return {
    ...python,
    proxies,
    ...(middlewareSources.size > 0 && { middlewareSources }),
    filesWithErrors: [...python.filesWithErrors, ...proxyErrors],
    ...(commands.length > 0 && {
      serveCommands: resolveServeCommands(
        commands,
        pythonFiles.map((file) => ({ file, text: modules.get(file) ?? '' })),
        await getPythonParser(),
      ),
    }),
  };
}
