import { asNginx, directiveText } from '../../proxy/nginx/config.js';
import { addedHeaders, blocks, findHeader, passesToApp } from '../../proxy/nginx/cors.js';
import {
  actualOf,
  allowOrigin,
  firstBlocked,
  preflightOf,
  proxyStrippedAllowOrigin,
  serverSoftware,
  statusLine,
} from '../evidence.js';
import type { CauseRule, FindingDraft, ProxyScanContext } from '../types.js';

export const proxyHeadersMissingOnErrors: CauseRule = {
  code: 'proxy-headers-missing-on-errors',
  severity: 'error',
  title: 'The proxy adds CORS headers to successful answers only.',
  scanProxy: scanNginxAddHeader,
  detect(e) {
    const actual = actualOf(e)?.response;
    if (firstBlocked(e)?.stage !== 'actual' || !actual || actual.status < 400 || allowOrigin(actual) !== null)
      return undefined;
    // The app's own CORS traces came through: the proxy removed the header, it did not fail to add one.
    if (proxyStrippedAllowOrigin(e).length > 0) return undefined;
    if (serverSoftware(actual) !== 'nginx') return undefined;
    const preflight = preflightOf(e)?.response;
    const evidence = [`${statusLine(actual)} from nginx without Access-Control-Allow-Origin`];
    if (preflight && allowOrigin(preflight) !== null)
      evidence.unshift(`the preflight (${statusLine(preflight)}) had CORS headers`);
    return {
      summary: `nginx answered ${actual.status} without CORS headers: add_header without "always" only applies to 2xx/3xx answers, so errors reach the page as CORS failures.`,
      evidence,
      locations: [],
      fix: {
        summary:
          'Add "always" to every add_header Access-Control-* line in nginx (add_header Access-Control-Allow-Origin $origin always;).',
      },
    };
  },
};

/**
 * nginx adds CORS headers to what the app answers: without `always` they are missing on 4xx/5xx; and a
 * location with add_header lines of its own drops the CORS lines of the levels around it.
 */
function scanNginxAddHeader(context: ProxyScanContext): FindingDraft[] {
  const config = asNginx(context.config);
  if (!config) return [];
  const { appHasCors } = context;
  if (appHasCors) return []; // the app sends its own headers, errors included (duplicate-cors-headers covers both)
  const findings: FindingDraft[] = [];
  for (const at of blocks(config.directives)) {
    if (!passesToApp(at.directive)) continue;
    const headers = addedHeaders(at, config.directives);
    const allowOrigin = findHeader(headers, 'Access-Control-Allow-Origin');
    if (allowOrigin && !allowOrigin.always) {
      findings.push({
        severity: 'warning',
        file: config.file,
        line: allowOrigin.line,
        message: `add_header Access-Control-Allow-Origin has no "always": nginx adds it to 2xx and 3xx answers only, so the app's 4xx and 5xx answers reach the browser without it, and the page sees a CORS error instead of the status.`,
        fix: { summary: 'Add "always" to each add_header Access-Control-* line.' },
      });
      continue;
    }
    if (allowOrigin) continue;
    // An enclosing level adds the CORS headers, but this block's own add_header lines replace them.
    const shadowing = (at.directive.block ?? []).find((d) => d.name === 'add_header');
    const outerLine = [...at.outer]
      .reverse()
      .flatMap((o) => o.block ?? [])
      .concat(config.directives)
      .find(
        (d) => d.name === 'add_header' && (d.args[0] ?? '').toLowerCase() === 'access-control-allow-origin',
      );
    if (shadowing && outerLine) {
      findings.push({
        file: config.file,
        line: shadowing.line,
        message: `${directiveText(at.directive)} has add_header lines of its own, so the add_header Access-Control-Allow-Origin at line ${outerLine.line} does not apply here: nginx inherits add_header only into a level that has none.`,
        fix: { summary: 'Repeat the add_header Access-Control-* lines in this block (with "always").' },
      });
    }
  }
  return findings;
}
