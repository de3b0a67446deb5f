// Typed errors with stable codes: what the library throws for input it cannot use. Callers test `code`
// (or `instanceof`), never the message; the CLI prints the message as one line and exits with `exitStatus`.
import { EXIT, type ExitStatus } from './exit.js';

/** Every error cors-doctor throws on purpose. `code` is stable; the message is one line for people. */
export class CorsDoctorError extends Error {
  override name = 'CorsDoctorError';
  readonly code: string = 'CD_ERR';
  readonly exitStatus: ExitStatus = EXIT.usage;
}

/** Bad usage or bad input: a flag, URL, origin, header, file or JSON the user must correct. */
export class BadInputError extends CorsDoctorError {
  override name = 'BadInputError';
  override readonly code: string = 'CD_ERR_BAD_INPUT';
  constructor(
    message: string,
    override readonly exitStatus: ExitStatus = EXIT.usage,
  ) {
    super(message);
  }
}

/** The project folder cannot be read (missing, not a folder). */
export class ProjectUnreadableError extends CorsDoctorError {
  override name = 'ProjectUnreadableError';
  override readonly code = 'CD_ERR_PROJECT_UNREADABLE';
}

/** `check --offline` was asked for, but the project holds no FastAPI or Starlette app to model. */
export class NoAppToModelError extends CorsDoctorError {
  override name = 'NoAppToModelError';
  override readonly code = 'CD_ERR_NO_APP_TO_MODEL';
}

/** The server model cannot predict an answer (unresolved configuration, code it does not model, ...). */
export class UnpredictableAnswerError extends CorsDoctorError {
  override name = 'UnpredictableAnswerError';
  override readonly code = 'CD_ERR_UNPREDICTABLE_ANSWER';
  override readonly exitStatus = EXIT.unreachable;
}
