import { BadInputError } from '../../core/errors.js';
import type { Style } from '../../report/style.js';

/** `cors-doctor watch`: not built yet. */
export async function runWatch(_options: unknown, _style: Style): Promise<number> {
  throw new BadInputError('watch is not available yet');
}
