import { getHeader } from '../../model/header-list.js';
import { corsHeaderLines, proxyAnsweredPreflight, proxyName, statusLine } from '../evidence.js';
import type { CauseRule } from '../types.js';

export const proxyAnswersPreflight: CauseRule = {
  code: 'proxy-answers-preflight',
  severity: 'error',
  title: 'The reverse proxy answers the preflight itself, without CORS headers; the app never sees it.',
  detect(e) {
    const preflight = proxyAnsweredPreflight(e);
    if (!preflight?.response) return undefined;
    const proxy = proxyName(preflight.response) as string;
    const evidence = [
      `OPTIONS ${preflight.request.url} -> ${statusLine(preflight.response)} from ${proxy} (Server: ${getHeader(preflight.response.headers, 'Server')}), empty, with no Access-Control-* header`,
      'an application answers OPTIONS with a body (405 from the router) or with CORS headers (its CORS layer): this answer never reached the app',
    ];
    const actual = e.exchanges.find(
      (x) => x.kind !== 'preflight' && x.response && corsHeaderLines(x.response).length > 0,
    );
    if (actual?.response) {
      evidence.push(
        `${actual.request.method} (not a preflight) -> ${corsHeaderLines(actual.response).join('; ')}: the app behind ${proxy} does send CORS headers`,
      );
    }
    return {
      code: 'proxy-answers-preflight',
      severity: 'error',
      summary: `${proxy} answers the preflight itself (${statusLine(preflight.response)}) without Access-Control-Allow-Origin, so the app's CORS layer never sees it and the browser blocks the request.`,
      evidence,
      locations: [],
      fix: {
        summary: `Let OPTIONS through to the app: remove the \`if ($request_method = OPTIONS) { return 204; }\` block (or whatever answers OPTIONS) from the ${proxy} configuration, so the app's CORS layer answers preflights.`,
      },
    };
  },
};
