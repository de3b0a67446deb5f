import { BadInputError } from '../../core/errors.js';
import type { Style } from '../../report/style.js';

/** `cors-doctor gen-tests`: not built yet. */
export async function runGenTests(_url: string, _options: unknown, _style: Style): Promise<number> {
  throw new BadInputError('gen-tests is not available yet');
}
