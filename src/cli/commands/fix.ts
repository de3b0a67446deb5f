import { BadInputError } from '../../core/errors.js';
import type { Style } from '../../report/style.js';

/** `cors-doctor fix`: not built yet. */
export async function runFix(_dir: string, _options: unknown, _style: Style): Promise<number> {
  throw new BadInputError('fix is not available yet');
}
