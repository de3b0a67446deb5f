/**
 * nginx's trailing-slash 301: `location /api/ { proxy_pass ...; }` and the page calls `/api`. nginx answers
 * 301 to `/api/` before any location runs, so a preflight is never answered (preflight-redirected) and any
 * other request pays a second round trip that must carry CORS headers too (redirect-extra-roundtrip). The
 * app's routes have nothing to do with it. The fix is an exact location for the path the page calls, written
 * before the prefix one: a copy of it that passes the request on without the redirect, to the path the
 * app serves; or the page calls the path with the slash.
 */

import { nginxEdit } from '../../fix/nginx-edits.js';
import { asNginx, directiveText } from '../../proxy/nginx/config.js';
import { listensOn, portOf } from '../../proxy/nginx/cors.js';
import { children, locationPath, serverFor, slashRedirect } from '../../proxy/nginx/locate.js';
import { routeMatchesPath } from '../../servers/stack.js';
import type { FindingDraft, ProxyScanContext } from '../types.js';
import { preflighted } from './proxy-scope.js';

/** The path an exact location `= path` with this `proxy_pass` gives the app. */
function exactUpstreamPath(pass: string, path: string): string {
  const uri = pass.replace(/^\w+:\/\/[^/]+/, '');
  return uri === '' ? path : uri;
}

/** A path one of the project's apps declares a route for. */
const served = (context: ProxyScanContext, path: string): boolean =>
  (context.project?.apps ?? []).some((app) => app.routes.some((r) => routeMatchesPath(r, path)));

/**
 * The finding for a request to `path` that nginx redirects to `path/`: for requests that are preflighted
 * (`preflight`) or not (`simple`).
 */
export function scanNginxSlashRedirect(kind: 'preflight' | 'simple') {
  return (context: ProxyScanContext): FindingDraft[] => {
    const config = asNginx(context.config);
    const url = context.request?.url;
    if (!config || !url || preflighted(context.request) !== (kind === 'preflight')) return [];
    const parsed = new URL(url);
    if (!listensOn(config.directives, portOf(parsed))) return [];
    const server = serverFor(config.directives, portOf(parsed));
    const path = parsed.pathname;
    const location = server && slashRedirect(server.directive, path);
    if (!location) return [];
    const pass = children(location, 'proxy_pass')[0]?.args[0];
    const named = locationPath(location);
    // What the app is given through an exact location: the same proxy_pass, or the other spelling of the
    // path when that is the one the app declares a route for.
    let target: string | undefined;
    let passLine: string | undefined;
    if (pass && !pass.includes('$')) {
      const same = exactUpstreamPath(pass, path);
      const other = same.endsWith('/') ? same.slice(0, -1) || '/' : `${same}/`;
      target = !served(context, same) && served(context, other) ? other : same;
      if (target !== same) passLine = `proxy_pass ${pass.replace(/^(\w+:\/\/[^/]+).*$/, '$1')}${target};`;
    }
    const head = `location = ${path}`;
    const redirect = `nginx answers ${path} with a 301 to ${path}/: ${directiveText(location)} (line ${location.line}) ends with a slash and passes requests to the app, so nginx redirects its name without the slash, before any location runs`;
    return [
      {
        ...(kind === 'simple' && { severity: 'warning' as const }),
        file: config.file,
        line: location.line,
        message:
          kind === 'preflight'
            ? `${redirect}. The preflight gets that 301, and browsers never follow a redirect for a preflight: the request is blocked. The app's routes play no part in it.`
            : `${redirect}. The browser follows it: a second round trip, and the 301 must carry the CORS headers too (nginx adds only the location's add_header lines to it).`,
        evidence: [
          `the page calls ${parsed.pathname}${named?.modifier === '=' ? '' : `; the location is a prefix named ${named?.path}`}`,
          ...(target
            ? [
                `through ${head}, the app is given ${target}${served(context, target) ? ', a path it declares' : ''}`,
              ]
            : []),
        ],
        fix: {
          summary: `Give nginx a location for ${path} itself, before ${directiveText(location)}: ${head} { ... } with the same directives${passLine ? ` and ${passLine}` : ''}, so nginx passes it on without a redirect. Or call ${path}/ from the page (a frontend change).`,
          ...(pass && {
            edits: [nginxEdit(config.file, location, 'copy-before', passLine ? [head, passLine] : [head])],
          }),
        },
      },
    ];
  };
}

/** The detect hint for a trailing-slash redirect that nginx answered: the location, not the app's route. */
export function nginxSlashHint(from: URL, to: URL): { evidence: string; hint: string } {
  return {
    evidence: `a trailing-slash redirect from nginx: a location named ${to.pathname} passes to the app, and nginx redirects ${from.pathname} to it before any location runs (the app's routes play no part)`,
    hint: `Give nginx a location for ${from.pathname} itself (location = ${from.pathname} { ... }, before location ${to.pathname}), or call ${to.pathname} from the page.`,
  };
}
