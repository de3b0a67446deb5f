// nginx behind the proxy interface: its files, its parser (with nginx's own line numbers), the servers that
// listen on a URL's port, and the prediction of its answers in front of the app.
import type { ProxyModel } from '../types.js';
import { looksLikeNginx, type NginxConfigFile, NginxSyntaxError, parseNginxConfig } from './config.js';
import { listensOn, portOf } from './cors.js';
import { linkNginxConfigs } from './include.js';
import { predictThroughNginx } from './predict.js';

export const nginx: ProxyModel<NginxConfigFile> = {
  name: 'nginx',
  claims(name) {
    if (name === 'nginx.conf' || /^nginx[\w.-]*\.conf(\.template)?$/.test(name)) return 'yes';
    // Another *.conf file: nginx configuration when its text reads like it.
    return name.endsWith('.conf') ? 'maybe' : 'no';
  },
  parse(file, text, claim) {
    if (claim === 'maybe' && !looksLikeNginx(text)) return undefined;
    try {
      return { proxy: 'nginx', file, directives: parseNginxConfig(text) };
    } catch (error) {
      if (!(error instanceof NginxSyntaxError)) throw error;
      return {
        proxy: 'nginx',
        file,
        directives: [],
        syntaxError: {
          line: error.line,
          message: `${error.reason}; nginx -t rejects it too, and its CORS rules were not read`,
        },
      };
    }
  },
  link: linkNginxConfigs,
  // The servers of the file itself (a file another includes is run as part of that one's whole).
  takes: (config, url) =>
    !config.syntaxError &&
    listensOn(
      config.includedBy ? config.directives : (config.served ?? config.directives),
      portOf(new URL(url)),
    ),
  predict: predictThroughNginx,
};
