import { BadInputError } from '../../core/errors.js';
import type { Style } from '../../report/style.js';

/** `cors-doctor audit`: not built yet. */
export async function runAudit(_url: string, _options: unknown, _style: Style): Promise<number> {
  throw new BadInputError('audit is not available yet');
}
