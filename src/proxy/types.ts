// The proxy interface: what a model of a reverse proxy (nginx today; Caddy, Traefik later) gives the rest of
// cors-doctor. A proxy model finds its configuration files, parses them with their lines, says which
// configuration takes a URL, and predicts the answer in front of an upstream; its static findings are rules
// with a `scanProxy` hook.
import type { Prediction } from '../servers/stack.js';
import type { ServerRequest } from '../servers/types.js';

/** One configuration file of a proxy, parsed (or why it could not be). */
export interface ProxyConfig {
  /** The proxy model that read it (`nginx`). */
  proxy: string;
  /** Relative to the project root. */
  file: string;
  /** The file could not be parsed: the line and why (its rules were not read). */
  syntaxError?: { line: number; message: string };
  /** Other files of the project it reads (its includes), relative to the project root. */
  reads?: string[];
}

/** What the app behind the proxy answers (the server model, offline). */
export type Upstream = (request: ServerRequest) => Prediction;

export interface ProxyModel<C extends ProxyConfig = ProxyConfig> {
  /** Its name, as `ProxyConfig.proxy` carries it. */
  name: string;
  /** Whether a file of this name may be its configuration: `yes`, `maybe` (read the text), or `no`. */
  claims(fileName: string): 'yes' | 'maybe' | 'no';
  /** The configuration in `text`, or undefined when a `maybe` file is not its configuration. */
  parse(file: string, text: string, claim: 'yes' | 'maybe'): C | undefined;
  /** The configuration answers requests to `url` (listens on its port). */
  takes(config: C, url: string): boolean;
  /** The configurations read together, linked (the files they include): the same ones, in order. */
  link?(configs: C[]): C[];
  /** What the proxy answers to `request`, passing it to `upstream` where its configuration does. */
  predict(config: C, request: ServerRequest, upstream: Upstream): Prediction;
}
