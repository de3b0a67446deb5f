// The TrustedHostMiddleware layer: a Host not allowed gets a 400, or a 307 to its www. name.

import { firstHeaderValue } from '../../model/header-list.js';
import { stringItems } from '../../python/options.js';
import { redirectTo, TEXT_TYPE } from './answers.js';
import type { Layer } from './types.js';

/** TrustedHostMiddleware: passes on a request whose Host it allows, answers every other one itself. */
export const trustedHostMiddleware: Layer = (entry, { request, url }, next) => {
  const hosts = entry.arguments?.allowed_hosts;
  const { shape, items, unresolved } = stringItems(hosts);
  if (shape === 'unresolved' || shape === 'other' || unresolved.length > 0) {
    return {
      kind: 'unknown',
      why: `TrustedHostMiddleware allowed_hosts=${hosts?.expression} cannot be resolved`,
    };
  }
  // None (the default) allows every host; Starlette does list(allowed_hosts): a str becomes its characters.
  const list =
    shape === 'absent' || shape === 'none'
      ? ['*']
      : shape === 'str'
        ? [...(items[0]?.value ?? '')]
        : items.map((i) => i.value);
  const host = (firstHeaderValue(request.headers, 'host') ?? url.host).split(':')[0] ?? '';
  const ok = list.some((p) => p === '*' || p === host || (p.startsWith('*') && host.endsWith(p.slice(1))));
  if (ok) return next();
  const wwwRedirect = entry.arguments?.www_redirect?.value;
  if (list.includes(`www.${host}`) && !(wwwRedirect?.kind === 'bool' && !wwwRedirect.value)) {
    const port = url.port ? `:${url.port}` : '';
    return redirectTo(
      `${url.protocol}//www.${host}${port}${url.pathname}${url.search}`,
      'TrustedHostMiddleware',
      `TrustedHostMiddleware redirects ${host} to www.${host} (www_redirect) before CORSMiddleware sees the request`,
    );
  }
  return {
    kind: 'response',
    statusAssumed: false,
    answer: {
      status: 400,
      headers: [['content-length', '19'], TEXT_TYPE],
      body: 'Invalid host header',
      answeredBy: 'TrustedHostMiddleware',
      explanation: `TrustedHostMiddleware refuses Host ${host} (allowed_hosts ${JSON.stringify(list)}) before CORSMiddleware sees the request`,
    },
  };
};
