import { BadInputError } from '../../core/errors.js';
import type { Style } from '../../report/style.js';

/** `cors-doctor verify`: not built yet. */
export async function runVerify(_url: string, _options: unknown, _style: Style): Promise<number> {
  throw new BadInputError('verify is not available yet');
}
