import { corsHeaderLines, proxyName, proxyStrippedAllowOrigin, statusLine } from '../evidence.js';
import type { CauseRule } from '../types.js';

export const proxyStripsCorsHeaders: CauseRule = {
  code: 'proxy-strips-cors-headers',
  severity: 'error',
  title: 'A reverse proxy removes the Access-Control-Allow-Origin the app sends.',
  detect(e) {
    const stripped = proxyStrippedAllowOrigin(e);
    const first = stripped[0];
    if (!first?.response) return undefined;
    const proxy = proxyName(first.response) as string;
    return {
      code: 'proxy-strips-cors-headers',
      severity: 'error',
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
