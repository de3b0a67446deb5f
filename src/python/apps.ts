// FastAPI / Starlette apps read from source: the entry module; discovery, the app reader, middleware, routes and handlers live in ./apps/.
import { lineOf } from './parser.js';

export { findApps } from './apps/discovery.js';
export { behaviourOf } from './apps/middleware-behaviour.js';
export { lineOf };
