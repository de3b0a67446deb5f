// `audit --project DIR`: the source join, in a file of its own so that a plain audit does not load the
// Python parser and the project reader (see scripts/bundle-cli.js).
export { joinWithSource } from '../../audit/project.js';
