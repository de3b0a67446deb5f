// Answer pieces several layers write the way Starlette does: the content-type lines and a 307 redirect.
import type { Outcome } from './types.js';

export const JSON_TYPE: [string, string] = ['content-type', 'application/json'];
export const TEXT_TYPE: [string, string] = ['content-type', 'text/plain; charset=utf-8'];

/** A 307 answered by a layer (never the endpoint), as Starlette's RedirectResponse writes it. */
export function redirectTo(location: string, answeredBy: string, explanation: string): Outcome {
  return {
    kind: 'response',
    statusAssumed: false,
    answer: {
      status: 307,
      headers: [
        ['content-length', '0'],
        ['location', location],
      ],
      answeredBy,
      explanation,
    },
  };
}
