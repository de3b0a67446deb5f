import { z } from 'zod';
import { BadInputError } from '../core/errors.js';
import type { Scenario } from '../model/types.js';

const headerName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'not a valid header name');
const headerValue = z
  .string()
  .refine((v) => !/[\r\n\0]/.test(v), 'header values cannot contain CR, LF or NUL')
  // Header values are bytes: fetch() throws a TypeError for a character above U+00FF (a lone surrogate
  // too), and a browser reads a server's bytes as U+0000 to U+00FF.
  .refine(
    (v) => !/[\u0100-\uffff]/.test(v),
    'header values are bytes: a character above U+00FF is not one (fetch() throws a TypeError for it)',
  );
const headerPairs = z.array(z.tuple([headerName, headerValue]));
const headerObject = z.record(headerName, headerValue);

const httpUrl = z.string().refine((v) => {
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http:// or https:// URL');

/** A serialised origin: scheme, host and optional port, nothing else (`null` for opaque origins). */
export const originSchema = z.string().refine((v) => {
  if (v === 'null') return true;
  try {
    return new URL(v).origin === v;
  } catch {
    return false;
  }
}, 'must be an origin like http://localhost:3000 (scheme, host and port only: no path, no trailing slash)');

const answer = z.object({
  status: z.number().int().min(100).max(599),
  headers: headerPairs.default([]),
});

export const scenarioSchema = z.object({
  origin: originSchema,
  request: z.object({
    url: httpUrl,
    method: z
      .string()
      .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'not a valid HTTP method')
      .default('GET'),
    headers: z.union([headerPairs, headerObject]).optional(),
    credentials: z.enum(['omit', 'same-origin', 'include']).optional(),
    mode: z.enum(['cors', 'no-cors', 'same-origin']).optional(),
    body: z.string().optional(),
  }),
  preflight: answer.optional(),
  response: answer.optional(),
  hops: z
    .array(z.object({ preflight: answer.optional(), response: answer }))
    .max(20)
    .optional(),
});

/** A scenario that does not fit the schema: the message names the bad field. */
export class ScenarioInputError extends BadInputError {
  override name = 'ScenarioInputError';
  override readonly code = 'CD_ERR_SCENARIO';
}

function describeIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const where = `${prefix}${path}`.replace(/^\./, '') || 'scenario';
  return `${where}: ${issue.message}`;
}

/**
 * Validates one parsed scenario: `index` is its place in a top-level array (undefined for a lone scenario).
 * Throws ScenarioInputError naming the bad field (`[3].request.url: ...`).
 */
export function parseScenario(item: unknown, index?: number): Scenario {
  const result = scenarioSchema.safeParse(item);
  if (result.success) return result.data as Scenario;
  const issue = result.error.issues[0];
  const prefix = index === undefined ? '' : `[${index}]`;
  throw new ScenarioInputError(issue ? describeIssue(issue, prefix) : `${prefix || 'scenario'}: invalid`);
}

/** Validates parsed JSON as one scenario or an array of them; throws ScenarioInputError naming the bad field. */
export function parseScenarios(input: unknown): { scenarios: Scenario[]; single: boolean } {
  const single = !Array.isArray(input);
  const items = single ? [input] : (input as unknown[]);
  const scenarios = items.map((item, index) => parseScenario(item, single ? undefined : index));
  return { scenarios, single };
}

/** parseScenarios for input read from `name` (a file, standard input): the error names it too. */
export function parseScenarioInput(input: unknown, name: string): { scenarios: Scenario[]; single: boolean } {
  try {
    return parseScenarios(input);
  } catch (error) {
    if (error instanceof ScenarioInputError) throw new ScenarioInputError(`${name}: ${error.message}`);
    throw error;
  }
}
