// A backend project as cors-doctor reads it: the apps in its Python source, the proxy configurations in
// front of them, and the commands that serve them.
import type { ProxyConfig } from '../proxy/types.js';
import type { PythonProject } from '../python/types.js';
import type { ServeCommand } from './serve-commands.js';

export interface Project extends Omit<PythonProject, 'otherFiles' | 'pythonFiles'> {
  /** Proxy configuration files (nginx, ...) in the project, parsed. */
  proxies: ProxyConfig[];
  /**
   * The commands that serve an app (Dockerfile, compose, Procfile, scripts, `uvicorn.run`), each with its
   * module's file and bindings when that is one file of the project.
   */
  serveCommands?: ServeCommand[];
  /**
   * The text of each file where an app's own middleware writes a response header (relative path -> text),
   * as the reader read it (its overlay included): rules read the code around those lines from here.
   */
  middlewareSources?: ReadonlyMap<string, string>;
}
