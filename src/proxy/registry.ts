// Every proxy model, and what the project reader and the analysis ask of them as a whole.
import type { Prediction } from '../servers/stack.js';
import type { ServerRequest } from '../servers/types.js';
import { nginx } from './nginx/index.js';
import type { ProxyConfig, ProxyModel, Upstream } from './types.js';

export const PROXY_MODELS: readonly ProxyModel[] = [nginx as unknown as ProxyModel];

const modelOf = (config: ProxyConfig): ProxyModel | undefined =>
  PROXY_MODELS.find((m) => m.name === config.proxy);

/** Some proxy model may read a file of this name. */
export const isProxyFile = (fileName: string): boolean =>
  PROXY_MODELS.some((m) => m.claims(fileName) !== 'no');

/** The proxy configurations among the project's files (the models that claim each file, in order). */
export function readProxyConfigs(files: Array<{ rel: string; text: string }>): ProxyConfig[] {
  const configs: ProxyConfig[] = [];
  for (const { rel, text } of files) {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    for (const model of PROXY_MODELS) {
      const claim = model.claims(name);
      if (claim === 'no') continue;
      const config = model.parse(rel, text, claim);
      if (config) {
        configs.push(config);
        break;
      }
    }
  }
  // Each model links its own files (nginx: the files an include names).
  return PROXY_MODELS.reduce((all, model) => {
    if (!model.link) return all;
    const own = all.filter((c) => c.proxy === model.name);
    const linked = model.link(own);
    return all.map((c) => (c.proxy === model.name ? (linked[own.indexOf(c)] ?? c) : c));
  }, configs);
}

/** The readable configurations that answer requests to `url`. */
export const configsForUrl = (configs: ProxyConfig[], url: string): ProxyConfig[] =>
  configs.filter((c) => modelOf(c)?.takes(c, url) === true);

/** What the proxy of `config` answers in front of `upstream`. */
export function predictThroughProxy(
  config: ProxyConfig,
  request: ServerRequest,
  upstream: Upstream,
): Prediction {
  const model = modelOf(config);
  if (!model) throw new Error(`no proxy model named ${config.proxy}`);
  return model.predict(config, request, upstream);
}

export type { ProxyConfig, ProxyModel, Upstream } from './types.js';
