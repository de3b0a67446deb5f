/**
 * cors-doctor as a library: the browser model (pure, no I/O) and its types.
 */
export * from './model/index.js';
export { parseScenarios, ScenarioInputError, scenarioSchema } from './scenarios/schema.js';
