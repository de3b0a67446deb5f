// Static evaluation of Python expressions: the entry module; the evaluator and its concerns live in ./evaluate/.

export type { EnvHit, EnvProvider } from './evaluate/environment.js';
export { Evaluator } from './evaluate/evaluator.js';
export { type AnnotationInfo, analyseAnnotation } from './evaluate/field-types.js';
export { canonical } from './evaluate/names.js';
export { describe, type Obj, refOf, type Scope, unresolvedRv } from './evaluate/objects.js';
export { callArgs, className, decoratorNames, type Param, paramList } from './evaluate/syntax.js';
export { jsonToPy, plainOf, pySplit, pyStrip, truthy } from './evaluate/values.js';
