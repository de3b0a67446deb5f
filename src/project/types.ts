// A backend project as cors-doctor reads it: the apps in its Python source, and the proxy configurations in
// front of them.
import type { ProxyConfig } from '../proxy/types.js';
import type { PythonProject } from '../python/types.js';

export interface Project extends Omit<PythonProject, 'otherFiles'> {
  /** Proxy configuration files (nginx, ...) in the project, parsed. */
  proxies: ProxyConfig[];
}
