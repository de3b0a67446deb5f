import { BadInputError } from '../../core/errors.js';
import { findingsExitStatus } from '../../core/exit.js';
import { parseCredentials } from '../../core/page.js';
import { collectHeaders, parseMethod, parseOrigin } from '../../core/request-input.js';
import { WriteRefused } from '../../fix/file-text.js';
import { packageVersion } from '../../package-root.js';
import { maskSecrets } from '../../report/mask.js';
import { parseFormat, render } from '../../report/renderers.js';
import type { Style } from '../../report/style.js';

export interface ScanCommandOptions {
  origin: string[];
  method?: string;
  header: string[];
  credentials?: string;
  json?: boolean;
  format?: string;
  write?: boolean;
  showSecrets?: boolean;
}

/** Progress on stderr, only on a terminal and only once the work takes longer than a second. */
function progressReporter(enabled: boolean): { update(done: number, total: number): void; done(): void } {
  const started = Date.now();
  let shown = false;
  return {
    update(done, total) {
      if (!enabled || Date.now() - started < 1000) return;
      shown = true;
      process.stderr.write(`\rreading Python files: ${done}/${total}`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

/** `cors-doctor scan DIR`: finds CORS problems in a FastAPI/Starlette project's source. */
export async function runScan(dir: string, options: ScanCommandOptions, style: Style): Promise<number> {
  const format = parseFormat('scan', options.format, options.json);
  const { assertFolder, scanFolder } = await import('../../analysis/scan-folder.js');
  await assertFolder(dir);
  const origins = options.origin.map(parseOrigin);
  const headers = collectHeaders(options.header);
  const method = options.method === undefined ? undefined : parseMethod(options.method);
  const credentials = options.credentials === undefined ? undefined : parseCredentials(options.credentials);
  const progress = progressReporter(process.stderr.isTTY === true && format === 'text');
  // tree-sitter parses with WebAssembly: baseline compilation only, or V8 waits at exit for a background
  // recompile of the grammar that a one-shot run never benefits from.
  (await import('node:v8')).setFlagsFromString('--liftoff-only');
  const request =
    method || headers.length > 0 || credentials
      ? { ...(method && { method }), headers, ...(credentials && { credentials }) }
      : undefined;
  const { report, written } = await scanFolder(dir, {
    origins,
    ...(request && { request }),
    write: options.write === true,
    onProgress: (done, total) => progress.update(done, total),
  }).catch((error: unknown) => {
    progress.done();
    // A file --write must change cannot be written (read-only, a full disk, changed since it was read).
    if (error instanceof WriteRefused) throw new BadInputError(`scan --write: ${error.message}`);
    throw error;
  });
  progress.done();
  if (written) {
    const files = written.written.length > 0 ? `: ${written.written.join(', ')}` : '';
    const skipped = written.skipped.length > 0 ? `; not applied: ${written.skipped.join('; ')}` : '';
    process.stderr.write(
      `cors-doctor: applied ${written.applied.length} fix(es), wrote ${written.written.length} file(s)${files}${skipped}. Run scan again to see what is left.\n`,
    );
  }
  // The files written keep their values; what is printed has its secrets masked unless asked.
  const shown = options.showSecrets ? report : maskSecrets(report);
  process.stdout.write(
    `${render(format, { command: 'scan', report: shown }, { style, version: packageVersion() })}\n`,
  );
  return findingsExitStatus(report.findings);
}
