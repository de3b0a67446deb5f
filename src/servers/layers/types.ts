// The shared layer types: what a layer receives (the request in context, the rest of the stack) and returns.
import type { MiddlewareEntry, PythonApp } from '../../python/types.js';
import type { StarletteCorsVersion } from '../starlette-cors.js';
import type { PredictedAnswer, ServerRequest } from '../types.js';

/** What a layer, and everything inside it, made of the request. */
export type Outcome =
  /** An answer the app sends (as far as this layer knows). */
  | { kind: 'response'; answer: PredictedAnswer; statusAssumed: boolean }
  /** An exception on its way out: only ServerErrorMiddleware turns it into an answer. */
  | { kind: 'raised'; by: string; explanation: string }
  /** Something the model cannot see decides the answer. */
  | { kind: 'unknown'; why: string };

/** What the matched endpoint is taken to do (the model does not run it). */
export interface EndpointBehaviour {
  /** It raises an unhandled exception instead of answering. */
  raises: boolean;
  /** The status it answers when it does not raise. */
  status: number;
}

/** One request on its way through one app: what every layer reads, and the two records layers add to. */
export interface RequestContext {
  app: PythonApp;
  request: ServerRequest;
  /** `request.url`, parsed once. */
  url: URL;
  /** What the app's Starlette version changes in CORSMiddleware. */
  corsVersion: StarletteCorsVersion;
  endpoint: EndpointBehaviour;
  /** What the prediction takes for granted, one line each (layers append). */
  assumptions: string[];
  /** The layers the request passed, outermost first (the stack walk appends each entry, the router the route). */
  path: string[];
}

/** Passes the request to the rest of the stack (the layers inside this one) and returns what they made of it. */
export type Next = () => Outcome;

/**
 * One kind of layer: given its stack entry, the request and the rest of the stack, it answers itself or
 * calls `next` (at most once) and returns that outcome, changed or not.
 */
export type Layer = (entry: MiddlewareEntry, context: RequestContext, next: Next) => Outcome;
