/**
 * cors-doctor as a library: the browser model (pure, no I/O), the live check, and their types.
 */

export type { Cause, CauseCode, CheckEvidence } from './causes/index.js';
export { diagnose, LIVE_RULES } from './causes/index.js';
export { check } from './check.js';
export type { PageFetch, ProbeOptions, ProbeResult } from './evidence/probe/probe.js';
export { probeLikeBrowser } from './evidence/probe/probe.js';
export type { Exchange } from './evidence/types.js';
export * from './model/index.js';
export type { CheckReport } from './report/check-json.js';
export { generateScenarios } from './scenarios/generate.js';
export { parseScenarios, ScenarioInputError, scenarioSchema } from './scenarios/schema.js';
