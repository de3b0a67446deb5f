import { analyze } from '../../analysis/analyze.js';
import { check } from '../../analysis/check.js';
import { BadInputError } from '../../core/errors.js';
import { checkExitStatus } from '../../core/exit.js';
import { buildPageFetch, DEFAULT_ORIGIN, parseBrowsers } from '../../core/page.js';
import type { CheckReport } from '../../core/report.js';
import { parseTimeout } from '../../core/request-input.js';
import { otherCredentialsNote, pageInputFromCopy, parseCopyAs } from '../../evidence/copy-as/index.js';
import { readCopiedText } from '../../evidence/copy-as/read.js';
import { packageVersion } from '../../package-root.js';
import { maskReport } from '../../report/mask.js';
import { parseFormat, render } from '../../report/renderers.js';
import type { Style } from '../../report/style.js';

export interface CheckOptions {
  origin?: string;
  method?: string;
  header: string[];
  data?: string;
  jsonBody?: string;
  credentials?: string;
  cookie?: string;
  browser: string;
  timeout: string;
  forceActual?: boolean;
  from?: string;
  project?: string;
  offline?: boolean;
  json?: boolean;
  format?: string;
  showSecrets?: boolean;
}

/** `cors-doctor check URL`: probes like a browser and explains the verdict. Returns the exit status. */
export async function runCheck(
  rawUrl: string | undefined,
  options: CheckOptions,
  style: Style,
): Promise<number> {
  const format = parseFormat('check', options.format, options.json);
  const forPeople = format === 'text';
  // --from: the request as DevTools copied it; the flags given beside it override it.
  const copied = options.from === undefined ? undefined : await fromCopy(rawUrl, options);
  if (rawUrl === undefined && copied === undefined) {
    // The parser's own words for a missing argument (the URL is optional only with --from).
    throw new BadInputError("missing required argument 'url'; run cors-doctor check --help");
  }
  const page = buildPageFetch(
    copied?.input ?? {
      url: rawUrl as string,
      ...(options.origin !== undefined && { origin: options.origin }),
      ...(options.method !== undefined && { method: options.method }),
      headers: options.header,
      ...(options.data !== undefined && { data: options.data }),
      ...(options.jsonBody !== undefined && { jsonBody: options.jsonBody }),
      ...(options.credentials !== undefined && { credentials: options.credentials }),
      ...(options.cookie !== undefined && { cookie: options.cookie }),
    },
  );
  const browsers = parseBrowsers(options.browser);
  const timeoutMs = parseTimeout(options.timeout);
  if (options.offline && options.project === undefined) {
    throw new BadInputError('--offline answers from the source: give the backend folder with --project DIR');
  }

  const probeOptions = { browsers, timeoutMs, forceActual: options.forceActual === true };
  let report: CheckReport;
  if (options.project === undefined) {
    report = await check(page, probeOptions);
  } else {
    // The source join needs the Python parser: a file of its own, loaded only with --project.
    const { checkProject } = await import('./check-project.js');
    report = await checkProject(page, probeOptions, options.project, options.offline === true);
  }
  if (copied !== undefined) {
    const notes = [...copied.notes];
    if (copied.otherCredentials !== undefined) {
      // The same answers judged in the other mode the page may have used (the requests sent are the same).
      const other = analyze({ ...page, credentials: copied.otherCredentials }, report.exchanges, browsers);
      const note = otherCredentialsNote(copied.otherCredentials, report, other);
      if (note !== undefined) notes.push(note);
    }
    report.notes.unshift(...notes);
  }
  // The notes come once the input is known to be good: bad input is one line on stderr.
  if (options.origin === undefined && copied === undefined && forPeople) {
    process.stderr.write(
      style.dim(
        `note: no --origin given; using ${DEFAULT_ORIGIN} (the page's origin: scheme, host and port)\n`,
      ),
    );
  }
  if (options.cookie !== undefined && page.credentials !== 'include' && forPeople) {
    process.stderr.write(
      style.dim('note: --cookie is sent only with --credentials include (as the browser does)\n'),
    );
  }
  const shown = maskReport(report, options.showSecrets === true);
  process.stdout.write(
    `${render(format, { command: 'check', report: shown }, { style, version: packageVersion() })}\n`,
  );
  const status = checkExitStatus(report);
  if (report.causes.some((c) => c.code === 'server-unreachable') && forPeople)
    process.stderr.write(`cors-doctor: ${shown.causes[0]?.summary}\n`);
  return status;
}

/** The page's fetch() from the text of `--from` (a file, or - for standard input) and the flags beside it. */
async function fromCopy(rawUrl: string | undefined, options: CheckOptions) {
  const { text, name } = await readCopiedText(options.from as string);
  return pageInputFromCopy(parseCopyAs(text, name), {
    ...(rawUrl !== undefined && { url: rawUrl }),
    ...(options.origin !== undefined && { origin: options.origin }),
    ...(options.method !== undefined && { method: options.method }),
    headers: options.header,
    ...(options.data !== undefined && { data: options.data }),
    ...(options.jsonBody !== undefined && { jsonBody: options.jsonBody }),
    ...(options.credentials !== undefined && { credentials: options.credentials }),
    ...(options.cookie !== undefined && { cookie: options.cookie }),
  });
}
