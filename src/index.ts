/**
 * cors-doctor as a library: the browser model (pure, no I/O), the live check, the source scan, the
 * server model, and their types.
 */

export type { Cause, CauseCode, CheckEvidence } from './causes/index.js';
export { diagnose, LIVE_RULES } from './causes/index.js';
export { check } from './check.js';
export { checkWithSource, NoAppToModel } from './check-with-source.js';
export type { PageFetch, ProbeOptions, ProbeResult } from './evidence/probe/probe.js';
export { probeLikeBrowser } from './evidence/probe/probe.js';
export type { Exchange } from './evidence/types.js';
export * from './model/index.js';
export { readPythonProject } from './python/read-project.js';
export type { PythonApp, PythonProject } from './python/types.js';
export type { CheckReport } from './report/check-json.js';
export type { ScanReport } from './scan.js';
export { scanProject } from './scan.js';
export { generateScenarios } from './scenarios/generate.js';
export { parseScenarios, ScenarioInputError, scenarioSchema } from './scenarios/schema.js';
export { UnpredictableAnswer } from './servers/offline.js';
export type { Prediction } from './servers/stack.js';
export { predictAnswer } from './servers/stack.js';
