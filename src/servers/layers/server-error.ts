// The ServerErrorMiddleware layer: an exception from inside becomes a 500 (or an exception handler's).
import { JSON_TYPE, TEXT_TYPE } from './answers.js';
import type { Layer } from './types.js';

/** ServerErrorMiddleware: passes the request on and answers 500 when what comes back is an exception. */
export const serverErrorMiddleware: Layer = (entry, _context, next) => {
  const inner = next();
  if (inner.kind !== 'raised') return inner;
  const handler = entry.exceptionHandlers?.[0];
  const explanation = `${inner.explanation}; ServerErrorMiddleware turns it into a 500${handler ? ` (through @app.exception_handler(${handler.key}) at ${handler.source.file}:${handler.source.line})` : ''}, outside every layer that would add CORS headers inside it`;
  return {
    kind: 'response',
    statusAssumed: false,
    answer: {
      status: 500,
      headers: handler ? [JSON_TYPE] : [['content-length', '21'], TEXT_TYPE],
      body: handler ? undefined : 'Internal Server Error',
      answeredBy: handler ? `exception handler ${handler.key}` : 'ServerErrorMiddleware',
      explanation,
    },
  };
};
