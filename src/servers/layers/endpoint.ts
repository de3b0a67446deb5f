// The endpoint layer: what the route the router chose answers, which the model assumes rather than runs.
import type { RouteInfo } from '../../python/types.js';
import { JSON_TYPE } from './answers.js';
import type { Outcome, RequestContext } from './types.js';

/** The matched route's endpoint: raises an unhandled exception, or answers the assumed status with JSON. */
export function endpoint(route: RouteInfo, { request, endpoint, assumptions }: RequestContext): Outcome {
  if (endpoint.raises) {
    return {
      kind: 'raised',
      by: 'endpoint',
      explanation: `the endpoint ${route.path} raises an unhandled exception`,
    };
  }
  const status = endpoint.status;
  assumptions.push(
    `the endpoint ${request.method} ${route.path} answers ${status} (its own status is not modelled)`,
  );
  return {
    kind: 'response',
    statusAssumed: true,
    answer: {
      status,
      headers: [JSON_TYPE],
      answeredBy: `${route.path} (${route.source.file}:${route.source.line})`,
      explanation: `the router sends the request to ${request.method} ${route.path}`,
    },
  };
}
