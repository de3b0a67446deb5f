/**
 * What a HAR does not keep of a request Chrome refused itself: its answer (status 0, no headers). Chrome
 * records a server that never answered with other words (ERR_CONNECTION_REFUSED, ...); for ERR_FAILED or an
 * extension's block the server may well have answered, so the request is not reported as unreachable, and
 * a note says what Chrome's words mean and that a live check tells which CORS check failed.
 */
import { REFUSED_BY_BROWSER } from '../../core/exchange.js';
import type { CheckReport } from '../../core/report.js';

/** Why Chrome refused it, as far as its failure text says. */
function refusedWhy(error: string): string {
  if (error === 'net::ERR_BLOCKED_BY_CLIENT')
    return 'an extension (an ad or privacy blocker) or a browser policy blocked it before it was sent: not CORS, and the server never saw it; try again with extensions off';
  if (error === 'net::ERR_BLOCKED_BY_RESPONSE')
    return "Chrome refused the answer for its Cross-Origin-Resource-Policy (or the page's Cross-Origin-Embedder-Policy), and the HAR keeps no answer";
  return 'the HAR keeps no answer for it (status 0, no headers), yet the server may well have answered: Chrome records a server that does not answer as ERR_CONNECTION_REFUSED, ERR_NAME_NOT_RESOLVED or the like. Which CORS check failed is not in the HAR: replay the request live';
}

/**
 * A request Chrome refused itself (`net::ERR_FAILED`, an extension's block) whose answer the HAR does not
 * keep (status 0, no headers: the export lost it, or it was never sent): not a server that never answered.
 * Which check failed cannot be told from it: server-unreachable does not name it, and a note says what
 * Chrome's words mean.
 */
export function withAnswersNotKept(report: CheckReport): CheckReport {
  const unanswered = report.exchanges.filter((x) => !x.response && x.kind !== 'diagnostic');
  if (
    unanswered.length === 0 ||
    !unanswered.every((x) => REFUSED_BY_BROWSER.test(x.recorded?.browserError ?? ''))
  )
    return report;
  const what = unanswered.map(
    (x) => `${x.kind === 'preflight' ? 'the preflight' : x.request.method} (entry ${x.recorded?.entry})`,
  );
  const error = unanswered[0]?.recorded?.browserError ?? '';
  return {
    ...report,
    notes: [...report.notes, `Chrome refused ${what.join(' and ')} (${error}): ${refusedWhy(error)}.`],
  };
}
