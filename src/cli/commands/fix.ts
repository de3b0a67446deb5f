import { check } from '../../analysis/check.js';
import { fixProject } from '../../analysis/fix-project.js';
import { assertFolder } from '../../analysis/scan-folder.js';
import { BadInputError, NoAppToModelError } from '../../core/errors.js';
import { EXIT } from '../../core/exit.js';
import type { FixReport, RequestVerdict } from '../../core/fix-report.js';
import { buildPageFetch } from '../../core/page.js';
import { parseOrigin, parseTimeout } from '../../core/request-input.js';
import { WriteRefused } from '../../fix/file-text.js';
import type { BrowserName } from '../../model/types.js';
import { packageVersion } from '../../package-root.js';
import { maskSecrets } from '../../report/mask.js';
import { parseFormat, render } from '../../report/renderers.js';
import type { Style } from '../../report/style.js';

export interface FixCommandOptions {
  origin: string[];
  method?: string;
  header: string[];
  data?: string;
  jsonBody?: string;
  credentials?: string;
  cookie?: string;
  url?: string;
  timeout: string;
  write?: boolean;
  format?: string;
  json?: boolean;
  showSecrets?: boolean;
}

/** The URL proven when none is given: the app's root path (CORS answers every path the same way). */
const DEFAULT_URL = 'http://localhost:8000/';
const BROWSERS: BrowserName[] = ['chrome', 'firefox'];

async function liveVerdicts(
  pages: ReturnType<typeof buildPageFetch>[],
  timeoutMs: number,
): Promise<RequestVerdict[]> {
  const out: RequestVerdict[] = [];
  for (const page of pages) {
    const report = await check(page, { browsers: BROWSERS, timeoutMs });
    out.push({
      origin: page.origin,
      browsers: Object.fromEntries(
        BROWSERS.map((b) => [b, report.browsers[b]?.outcome === 'allowed' ? 'allowed' : 'blocked']),
      ),
      causes: report.causes.map((c) => c.code),
    });
  }
  return out;
}

const sameVerdicts = (a: RequestVerdict[], b: RequestVerdict[]) => JSON.stringify(a) === JSON.stringify(b);

/** `cors-doctor fix DIR`: the proven patches of a project, written with --write. Returns the exit status. */
export async function runFix(dir: string, options: FixCommandOptions, style: Style): Promise<number> {
  const format = parseFormat('fix', options.format, options.json);
  await assertFolder(dir);
  if (options.origin.length === 0) {
    throw new BadInputError(
      'fix needs the frontend origins that must work: --origin ORIGIN (repeatable), e.g. --origin http://localhost:3000',
    );
  }
  const origins = [...new Set(options.origin.map(parseOrigin))];
  const timeoutMs = parseTimeout(options.timeout);
  const pages = origins.map((origin) =>
    buildPageFetch({
      url: options.url ?? DEFAULT_URL,
      origin,
      ...(options.method !== undefined && { method: options.method }),
      headers: options.header,
      ...(options.data !== undefined && { data: options.data }),
      ...(options.jsonBody !== undefined && { jsonBody: options.jsonBody }),
      ...(options.credentials !== undefined && { credentials: options.credentials }),
      ...(options.cookie !== undefined && { cookie: options.cookie }),
    }),
  );
  const [{ origin: _origin, ...request }] = pages as [ReturnType<typeof buildPageFetch>];
  // tree-sitter parses with WebAssembly: baseline compilation only (a one-shot run never gains from more).
  (await import('node:v8')).setFlagsFromString('--liftoff-only');

  const liveBefore = options.write && options.url ? await liveVerdicts(pages, timeoutMs) : undefined;
  let report: FixReport;
  try {
    report = await fixProject(dir, { request, origins, browsers: BROWSERS, write: options.write === true });
  } catch (error) {
    if (error instanceof WriteRefused) throw new BadInputError(`fix --write: ${error.message}`);
    if (error instanceof NoAppToModelError) throw new BadInputError(error.message, EXIT.unreachable);
    throw error;
  }
  if (options.url === undefined)
    report.notes.push(
      `no --url: the request proven goes to ${DEFAULT_URL} (give --url for the path and port the page calls)`,
    );
  if (liveBefore && report.written) {
    const after = await liveVerdicts(pages, timeoutMs);
    report.live = {
      before: liveBefore,
      after,
      ...(after.every((v) => v.causes.includes('server-unreachable'))
        ? { note: `nothing answered at ${options.url}: start the server and run cors-doctor check there` }
        : sameVerdicts(liveBefore, after) && {
            note: 'the live server answers as before: restart it (or run uvicorn with --reload) and run cors-doctor check again',
          }),
    };
  }
  const shown = options.showSecrets ? report : maskSecrets(report);
  process.stdout.write(
    `${render(format, { command: 'fix', report: shown }, { style, version: packageVersion() })}\n`,
  );
  // 0 only when the project as it now is on disk lets the request through and no error is left.
  const now = report.written ? report.after : report.before;
  const blocked = now.some((v) => Object.values(v.browsers).some((o) => o !== 'allowed'));
  const errorsLeft =
    report.withoutPatch.some((w) => w.severity === 'error') || (!report.written && report.patches.length > 0);
  return blocked || errorsLeft ? EXIT.blocked : EXIT.ok;
}
