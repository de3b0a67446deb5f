// The errors of `gen-tests`.
import { NoAppToModelError } from '../core/errors.js';
import { EXIT } from '../core/exit.js';

/** The project holds no FastAPI or Starlette app to import: `gen-tests` exits 3. */
export class NoAppToTestError extends NoAppToModelError {
  override name = 'NoAppToTestError';
  override readonly exitStatus = EXIT.unreachable;
}
