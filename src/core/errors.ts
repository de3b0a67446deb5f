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

/** Why the system refused to read or write a file, in words, by the error's code (`EACCES`, `ENOSPC`, ...). */
const FILE_SYSTEM_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is too large',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOENT: 'no such file or folder',
  ELOOP: 'too many levels of symbolic links (a symlink loop)',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'input/output error',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EINVAL: 'invalid argument for this file',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EAGAIN: 'the file is not ready (try again)',
};

/** The error code of a failed system call (`EACCES`, ...), or undefined for any other error. */
export function systemErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** Node's message of a system error without its code and call (`EXDEV: cross-device link, rename 'a'`). */
function systemMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message.replace(/^E[A-Z0-9]+: /, '').replace(/, \w+( '.*)?$/, '');
}

/**
 * A file the user named (an input, an `--out`, a project file `--write` changes, standard output) cannot be
 * read or written: the system's refusal, as one line that names the file and the reason.
 */
export class FileSystemError extends CorsDoctorError {
  override name = 'FileSystemError';
  override readonly code = 'CD_ERR_FILE_SYSTEM';
  constructor(
    message: string,
    /** The system's error code (`EACCES`, `ENOSPC`, ...), when there is one. */
    readonly systemCode?: string,
  ) {
    super(message);
  }

  /** `[CONTEXT: ]cannot write FILE: REASON`, from the error a read or a write of `file` raised. */
  static from(error: unknown, file: string, action: 'read' | 'write', context?: string): FileSystemError {
    const code = systemErrorCode(error);
    const missingFolder = code === 'ENOENT' && action === 'write';
    const worded = missingFolder ? 'its folder does not exist' : code && FILE_SYSTEM_REASONS[code];
    // The system's own words, with its code, for a refusal not worded here.
    const reason = worded || `${systemMessage(error)}${code ? ` (${code})` : ''}`;
    const where = context === undefined ? '' : `${context}: `;
    return new FileSystemError(`${where}cannot ${action} ${file}: ${reason.replace(/\s+/g, ' ')}`, code);
  }
}
