export { exposedResponseHeaders } from './expose.js';
export { isCorsSafelistedMethod, normalizeMethod } from './method.js';
export { prepareScenario, serializeOrigin } from './request.js';
export {
  corsUnsafeRequestHeaderNames,
  isCorsSafelistedRequestHeader,
  isForbiddenRequestHeader,
  splitRequestHeaders,
} from './safelist.js';
export { preflightRequestHeaders, simulate } from './simulate.js';
export type * from './types.js';
