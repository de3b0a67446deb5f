/**
 * cors-doctor as a library: the browser model (pure, no I/O), the live check, the source scan, the
 * server model, and their types.
 */

export { check } from './analysis/check.js';
export { checkWithSource, NoAppToModel } from './analysis/check-with-source.js';
export { scanProject } from './analysis/scan.js';
export type { CheckEvidence } from './causes/index.js';
export { diagnose, LIVE_RULES } from './causes/index.js';
export type { Cause, CauseCode } from './core/causes.js';
export type { Exchange } from './core/exchange.js';
export type { PageFetch } from './core/page.js';
export type { CheckReport, ScanReport } from './core/report.js';
export { UnpredictableAnswer } from './evidence/offline.js';
export type { ProbeOptions } from './evidence/probe/probe.js';
export { probeLikeBrowser } from './evidence/probe/probe.js';
export * from './model/index.js';
export { readPythonProject } from './python/read-project.js';
export type { PythonApp, PythonProject } from './python/types.js';
export { generateScenarios } from './scenarios/generate.js';
export { parseScenarios, ScenarioInputError, scenarioSchema } from './scenarios/schema.js';
export type { Prediction } from './servers/stack.js';
export { predictAnswer } from './servers/stack.js';
