/** Exit statuses of every command (documented in the README). */
export const EXIT = {
  /** Allowed in every browser checked; no error-level finding. */
  ok: 0,
  /** Blocked in at least one browser; some error-level finding. */
  blocked: 1,
  /** Bad usage or bad input. */
  usage: 2,
  /** Nothing answered: connection refused, DNS, TLS, timeout. */
  unreachable: 3,
  /** A bug in cors-doctor. */
  internal: 70,
} as const;

/** An error the user can act on: printed as one line, with an exit status. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}
