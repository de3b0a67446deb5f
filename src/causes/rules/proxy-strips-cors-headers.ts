import { asNginx, directiveText } from '../../proxy/nginx/config.js';
import { addedHeaders, blocks, findHeader, hiddenHeaders, passesToApp } from '../../proxy/nginx/cors.js';
import { corsHeaderLines, proxyName, proxyStrippedAllowOrigin, statusLine } from '../evidence.js';
import type { CauseRule, FindingDraft, ProxyScanContext } from '../types.js';

export const proxyStripsCorsHeaders: CauseRule = {
  code: 'proxy-strips-cors-headers',
  severity: 'error',
  title: 'A reverse proxy removes the Access-Control-Allow-Origin the app sends.',
  scanProxy: scanNginxHiddenHeaders,
  detect(e) {
    const stripped = proxyStrippedAllowOrigin(e);
    const first = stripped[0];
    if (!first?.response) return undefined;
    const proxy = proxyName(first.response) as string;
    return {
      summary: `The app allows ${e.page.origin}, but the answer reaches the browser through ${proxy} without Access-Control-Allow-Origin: the proxy removes it.`,
      evidence: [
        ...stripped.map(
          (x) =>
            `${x.request.method} -> ${statusLine(x.response as NonNullable<typeof x.response>)} via ${proxy}: ${corsHeaderLines(x.response as NonNullable<typeof x.response>).join('; ')}, but no Access-Control-Allow-Origin`,
        ),
        'Vary: Origin (and, on a preflight, 200 "OK" with Access-Control-Allow-Methods) is what Starlette sends together with Access-Control-Allow-Origin for an allowed origin',
      ],
      locations: [],
      fix: {
        summary: `Remove \`proxy_hide_header Access-Control-Allow-Origin\` (or the header filter that drops it) from the ${proxy} configuration; the app's value must reach the browser unchanged.`,
      },
    };
  },
};

/** `proxy_hide_header Access-Control-Allow-Origin` where nginx adds none back. */
function scanNginxHiddenHeaders(context: ProxyScanContext): FindingDraft[] {
  const config = asNginx(context.config);
  if (!config) return [];
  const findings: FindingDraft[] = [];
  for (const at of blocks(config.directives)) {
    if (!passesToApp(at.directive)) continue;
    const hidden = hiddenHeaders(at, config.directives).find(
      (d) => (d.args[0] ?? '').toLowerCase() === 'access-control-allow-origin',
    );
    if (!hidden || findHeader(addedHeaders(at, config.directives), 'Access-Control-Allow-Origin')) continue;
    findings.push({
      file: config.file,
      line: hidden.line,
      message: `proxy_hide_header Access-Control-Allow-Origin drops the header the app sends to requests of ${directiveText(at.directive)}, and nginx adds none back: browsers block every cross-origin response that passes here.`,
      fix: {
        summary:
          "Remove this proxy_hide_header line so the app's Access-Control-Allow-Origin reaches the browser.",
      },
    });
  }
  return findings;
}
