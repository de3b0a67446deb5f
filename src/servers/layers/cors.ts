// The CORSMiddleware layer: answers preflights, adds its lines to inner answers to requests with Origin.
import { firstHeaderValue } from '../../model/header-list.js';
import { readCorsConfig } from '../config.js';
import {
  type CompiledCors,
  compileCors,
  corsPreflightAnswer,
  corsSimpleHeaders,
  isStarlettePreflight,
  UntranslatableRegex,
} from '../starlette-cors.js';
import { TEXT_TYPE } from './answers.js';
import type { Layer } from './types.js';

/** CORSMiddleware, built from the entry's options for the app's Starlette version. */
export const corsMiddleware: Layer = (entry, { request, corsVersion }, next) => {
  const reading = readCorsConfig(entry.options);
  if (!reading.known) {
    return {
      kind: 'unknown',
      why: `CORSMiddleware at ${entry.source?.file}:${entry.source?.line} depends on values that cannot be resolved statically: ${reading.unresolved.join('; ')}`,
    };
  }
  let compiled: CompiledCors;
  try {
    compiled = compileCors(reading.config, corsVersion);
  } catch (error) {
    if (error instanceof UntranslatableRegex) {
      return {
        kind: 'unknown',
        why: `allow_origin_regex ${JSON.stringify(reading.config.allow_origin_regex)} cannot be evaluated faithfully (${error.message})`,
      };
    }
    return {
      kind: 'raised',
      by: entry.name,
      explanation: `CORSMiddleware fails: ${(error as Error).message}`,
    };
  }
  if (isStarlettePreflight(request.method, request.headers)) {
    const answer = corsPreflightAnswer(compiled, request.headers);
    return {
      kind: 'response',
      statusAssumed: false,
      answer: {
        status: answer.status,
        headers: [...answer.headers, ['content-length', String(answer.body.length)], TEXT_TYPE],
        body: answer.body,
        answeredBy: 'CORSMiddleware',
        explanation:
          answer.status === 200
            ? 'the preflight is answered by CORSMiddleware: allowed'
            : `the preflight is answered by CORSMiddleware: ${answer.body}`,
      },
    };
  }
  const inner = next();
  if (inner.kind !== 'response' || firstHeaderValue(request.headers, 'origin') === undefined) return inner;
  return {
    ...inner,
    answer: {
      ...inner.answer,
      headers: corsSimpleHeaders(compiled, request.headers, inner.answer.headers),
    },
  };
};
