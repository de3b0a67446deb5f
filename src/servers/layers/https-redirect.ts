// The HTTPSRedirectMiddleware layer: every http:// request, preflights included, gets a 307 to https://.
import { redirectTo } from './answers.js';
import type { Layer } from './types.js';

/** HTTPSRedirectMiddleware: passes https:// requests on and redirects the others. */
export const httpsRedirectMiddleware: Layer = (entry, { url }, next) => {
  if (url.protocol !== 'http:') return next();
  const port = url.port === '' || url.port === '80' || url.port === '443' ? '' : `:${url.port}`;
  const location = `https://${url.hostname}${port}${url.pathname}${url.search}`;
  return redirectTo(
    location,
    entry.name,
    `HTTPSRedirectMiddleware redirects every http:// request to ${location}, preflights included`,
  );
};
