// User middleware layers: @app.middleware("http") functions as read statically, and unmodelled middleware.
import { firstHeaderValue } from '../../model/header-list.js';
import type { MiddlewareEntry } from '../../python/types.js';
import { setHeader } from '../starlette-cors.js';
import { JSON_TYPE } from './answers.js';
import type { Layer } from './types.js';

/** ` (file:line)` of the entry's registration, or nothing when it is not known. */
const where = (entry: MiddlewareEntry): string =>
  entry.source ? ` (${entry.source.file}:${entry.source.line})` : '';

/**
 * An `@app.middleware("http")` function (or BaseHTTPMiddleware subclass, or a pure ASGI class whose
 * `__call__` answers an error itself): refuses a request without
 * the header its guard reads (answering itself or raising), else passes it on and writes the response
 * header lines it is seen to write.
 */
export const httpFunctionMiddleware: Layer = (entry, { request, url, assumptions }, next) => {
  const b = entry.behaviour ?? {};
  const at = where(entry);
  const listed = (paths: { exact: string[]; prefixes: string[] }) =>
    paths.exact.includes(url.pathname) || paths.prefixes.some((p) => url.pathname.startsWith(p));
  const exempt =
    (b.exemptPaths !== undefined && listed(b.exemptPaths)) ||
    (b.guardedPaths !== undefined && !listed(b.guardedPaths));
  // A pass-through written for real preflights only also asks for Access-Control-Request-Method.
  const letThrough =
    request.method === 'OPTIONS' &&
    (!b.skipsOnlyPreflights ||
      firstHeaderValue(request.headers, 'access-control-request-method') !== undefined);
  const bypassed = (b.skipsOptions === true && letThrough) || exempt;
  const guard = b.rejectsWithout;
  const carries = guard
    ? firstHeaderValue(request.headers, guard) !== undefined
    : firstHeaderValue(request.headers, 'authorization') !== undefined ||
      firstHeaderValue(request.headers, 'cookie') !== undefined;
  if ((b.mayReject || b.raisesHttpException) && !bypassed && !carries) {
    assumptions.push(
      guard
        ? `${entry.name}${at} refuses requests without ${guard} (it reads that header before answering ${b.mayReject?.status ?? 'with an exception'})`
        : `${entry.name}${at} is assumed to refuse requests without Authorization or Cookie (it can answer ${b.mayReject?.status ?? 'with an exception'}; its condition is not modelled)`,
    );
    if (b.mayReject) {
      return {
        kind: 'response',
        statusAssumed: false,
        answer: {
          status: b.mayReject.status,
          headers: [JSON_TYPE],
          answeredBy: entry.name,
          explanation: `${entry.name}${at} answers ${b.mayReject.status} itself${request.method === 'OPTIONS' ? ' to the preflight' : ''}; the answer never passes through the CORS layers inside it`,
        },
      };
    }
    return {
      kind: 'raised',
      by: entry.name,
      explanation: `${entry.name}${at} raises HTTPException, which in a middleware is an unhandled exception`,
    };
  }
  if (b.mayReject || b.raisesHttpException) {
    const why = exempt
      ? `its path test leaves ${url.pathname} alone`
      : bypassed
        ? `it lets ${b.skipsOnlyPreflights ? 'preflights' : 'OPTIONS'} through`
        : `the request carries ${guard ?? 'credentials'}`;
    assumptions.push(`${entry.name}${at} is assumed to pass this request on: ${why}`);
  }
  const inner = next();
  if (inner.kind !== 'response' || !b.writesHeaders) return inner;
  let headers = inner.answer.headers;
  for (const w of b.writesHeaders) {
    if (w.value === undefined) {
      assumptions.push(`${entry.name} writes ${w.name} with a value that is not a literal: not modelled`);
      continue;
    }
    headers =
      w.mode === 'append'
        ? [...headers, [w.name.toLowerCase(), w.value]]
        : setHeader(headers, w.name, w.value);
  }
  return { ...inner, answer: { ...inner.answer, headers } };
};

/** Middleware whose code is not modelled (AuthenticationMiddleware, other classes): assumed to pass every request on. */
export const unmodelledMiddleware: Layer = (entry, { assumptions }, next) => {
  assumptions.push(
    `${entry.name}${where(entry)} is assumed to pass every request on unchanged: its code is not modelled`,
  );
  return next();
};
