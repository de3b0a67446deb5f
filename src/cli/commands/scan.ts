import { stat } from 'node:fs/promises';
import { BadInputError } from '../../core/errors.js';
import { EXIT } from '../../core/exit.js';
import { collectHeaders, parseOrigin } from '../../core/request-input.js';
import type { CredentialsMode } from '../../model/types.js';
import { packageVersion } from '../../package-root.js';
import type { Style } from '../../report/style.js';

export interface ScanCommandOptions {
  origin: string[];
  method?: string;
  header: string[];
  credentials?: string;
  json?: boolean;
  format?: string;
  write?: boolean;
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
  const format = options.json ? 'json' : (options.format ?? 'text');
  if (!['text', 'json', 'sarif'].includes(format))
    throw new BadInputError(`--format is text, json or sarif, not ${JSON.stringify(format)}`);
  try {
    if (!(await stat(dir)).isDirectory())
      throw new BadInputError(`${dir} is not a directory: give the backend project's folder`);
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new BadInputError(code === 'ELOOP' ? `${dir}: a symlink loop` : `${dir}: no such directory`);
  }
  const origins = options.origin.map(parseOrigin);
  const headers = collectHeaders(options.header);
  const credentials = options.credentials as CredentialsMode | undefined;
  if (credentials && !['omit', 'same-origin', 'include'].includes(credentials)) {
    throw new BadInputError(
      `--credentials is omit, same-origin or include, not ${JSON.stringify(credentials)}`,
    );
  }
  const progress = progressReporter(process.stderr.isTTY === true && format === 'text');
  // tree-sitter parses with WebAssembly: baseline compilation only, or V8 waits at exit for a background
  // recompile of the grammar that a one-shot run never benefits from.
  (await import('node:v8')).setFlagsFromString('--liftoff-only');
  const { readPythonProject } = await import('../../python/read-project.js');
  const project = await readPythonProject(dir, { onProgress: (done, total) => progress.update(done, total) });
  progress.done();
  const { scanProject } = await import('../../analysis/scan.js');
  const request =
    options.method || headers.length > 0 || credentials
      ? { ...(options.method && { method: options.method }), headers, ...(credentials && { credentials }) }
      : undefined;
  const report = scanProject(project, { origins, ...(request && { request }) });
  const { attachPatches, editsOf, writeFixes } = await import('../../fix/patches.js');
  // The first round of --write works on this scan; attachPatches removes the edits from the report.
  let firstRound: ReturnType<typeof editsOf> | undefined = options.write
    ? editsOf(report.findings)
    : undefined;
  await attachPatches(project.root, report.findings);
  let result: Awaited<ReturnType<typeof writeFixes>> | undefined;
  if (options.write) {
    // One fix at a time, each on a fresh scan of the files as they are now.
    result = await writeFixes(project.root, async () => {
      const planned = firstRound;
      firstRound = undefined;
      return (
        planned ??
        editsOf(
          scanProject(await readPythonProject(project.root), { origins, ...(request && { request }) })
            .findings,
        )
      );
    });
  }
  if (result) {
    const files = result.written.length > 0 ? `: ${result.written.join(', ')}` : '';
    const skipped = result.skipped.length > 0 ? `; not applied: ${result.skipped.join('; ')}` : '';
    process.stderr.write(
      `cors-doctor: applied ${result.applied.length} fix(es), wrote ${result.written.length} file(s)${files}${skipped}. Run scan again to see what is left.\n`,
    );
  }
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (format === 'sarif') {
    const { toSarif } = await import('../../report/sarif.js');
    process.stdout.write(`${JSON.stringify(toSarif(report, packageVersion()), null, 2)}\n`);
  } else {
    const { renderScan } = await import('../../report/scan-text.js');
    process.stdout.write(`${renderScan(report, style)}\n`);
  }
  return report.findings.some((f) => f.severity === 'error') ? EXIT.blocked : EXIT.ok;
}
