import { BadInputError } from '../../core/errors.js';
import type { Style } from '../../report/style.js';

/** `cors-doctor har`: not built yet. */
export async function runHar(_file: string, _options: unknown, _style: Style): Promise<number> {
  throw new BadInputError('har is not available yet');
}
