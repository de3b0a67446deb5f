import { getHeader } from '../../model/header-list.js';
import { isRedirectStatus } from '../../model/request.js';
import { at, corsEntries, outsideOf } from '../../python/options.js';
import { firstBlocked, preflightOf, serverSoftware, statusLine } from '../evidence.js';
import type { CauseRule, FindingDraft, ScanContext } from '../types.js';
import { nginxSlashHint, scanNginxSlashRedirect } from './proxy-slash-redirect.js';

export const preflightRedirected: CauseRule = {
  code: 'preflight-redirected',
  severity: 'error',
  title: 'The preflight is answered with a redirect; browsers never follow one.',
  scan: scanPreflightRedirected,
  scanProxy: scanNginxSlashRedirect('preflight'),
  detect(e) {
    const preflight = preflightOf(e);
    const response = preflight?.response;
    if (firstBlocked(e)?.stage !== 'preflight' || !response || !isRedirectStatus(response.status))
      return undefined;
    const location = getHeader(response.headers, 'Location');
    const evidence = [
      `OPTIONS ${preflight.request.url} -> ${statusLine(response)}, Location: ${location ?? '(none)'}`,
    ];
    let hint = 'Call the final URL directly.';
    if (location) {
      const from = new URL(preflight.request.url);
      const to = new URL(location, preflight.request.url);
      if (from.protocol === 'http:' && to.protocol === 'https:') {
        evidence.push('http -> https: HTTPSRedirectMiddleware or a proxy redirect runs before CORS');
        hint =
          'Call the https:// URL from the page: every http:// request is redirected, the actual request too, so running CORSMiddleware first would only move the failure to the redirect of the actual request (redirect-to-other-origin).';
      } else if (to.pathname === `${from.pathname}/` && serverSoftware(response) === 'nginx') {
        const nginx = nginxSlashHint(from, to);
        evidence.push(nginx.evidence);
        hint = nginx.hint;
      } else if (to.pathname === `${from.pathname}/` || `${to.pathname}/` === from.pathname) {
        evidence.push('a trailing-slash redirect: the route is declared with the other spelling');
        hint = `Call ${to.pathname} (the route's exact path) from the page.`;
      }
    }
    return {
      summary:
        'The preflight got a redirect. Browsers never follow a redirect for a preflight, so the request is blocked.',
      evidence,
      locations: [],
      fix: { summary: hint },
    };
  },
};

function scanPreflightRedirected({ app, request }: ScanContext): FindingDraft[] {
  const cors = corsEntries(app)[0];
  // A page that calls https:// is never redirected.
  if (!cors || request?.url?.startsWith('https:')) return [];
  return outsideOf(app, cors)
    .filter((m) => m.kind === 'https-redirect' && m.source)
    .map((m) => ({
      file: m.source?.file ?? app.source.file,
      line: m.source?.line ?? app.source.line,
      message: `HTTPSRedirectMiddleware runs before CORSMiddleware (at ${at(cors.source)}): every request to http:// gets a 307 redirect to https://, the preflight (which browsers never follow) and the actual request alike.`,
      // No patch: registering CORSMiddleware after it gets the preflight through, but the actual request is
      // still redirected to another origin (https://), where the browser sends Origin: null.
      fix: {
        summary:
          'Call the https:// URL from the page (a frontend change): moving CORSMiddleware outermost would answer the preflight, but the actual request would still be redirected to https://, another origin. Behind a proxy that terminates TLS, the app sees http:// on every request: let the proxy redirect and remove HTTPSRedirectMiddleware, or make uvicorn trust X-Forwarded-Proto (--proxy-headers --forwarded-allow-ips).',
      },
    }));
}
