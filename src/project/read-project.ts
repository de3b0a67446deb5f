// The one project reader: one walk of the folder; the Python reader reads the apps, each proxy model the
// configuration files it claims.
import { isProxyFile, readProxyConfigs } from '../proxy/registry.js';
import { type ReadProjectOptions, readPythonProject } from '../python/read-project.js';
import type { Project } from './types.js';

/** Reads a backend project: its FastAPI/Starlette apps and the proxy configurations in front of them. */
export async function readProject(root: string, options: ReadProjectOptions = {}): Promise<Project> {
  const { otherFiles = [], ...python } = await readPythonProject(root, {
    ...options,
    otherFiles: (name) => isProxyFile(name) || options.otherFiles?.(name) === true,
  });
  const proxies = readProxyConfigs(otherFiles.map((f) => ({ rel: f.file, text: f.text })));
  const proxyErrors = proxies.flatMap((p) =>
    p.syntaxError ? [{ file: p.file, line: p.syntaxError.line, message: p.syntaxError.message }] : [],
  );
  return { ...python, proxies, filesWithErrors: [...python.filesWithErrors, ...proxyErrors] };
}
