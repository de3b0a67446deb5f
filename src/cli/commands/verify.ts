import { check } from '../../analysis/check.js';
import { findBrowsers, runInBrowsers } from '../../browsers/verify.js';
import { buildVerifyReport, maskVerifyReport, verifyExitStatus } from '../../browsers/verify-report.js';
import { renderVerify } from '../../browsers/verify-text.js';
import { BadInputError } from '../../core/errors.js';
import { buildPageFetch, DEFAULT_ORIGIN, parseBrowsers } from '../../core/page.js';
import { parseTimeout } from '../../core/request-input.js';
import type { BrowserName } from '../../model/types.js';
import type { Style } from '../../report/style.js';

export interface VerifyOptions {
  origin?: string;
  method?: string;
  header: string[];
  data?: string;
  jsonBody?: string;
  credentials?: string;
  cookie?: string;
  browser: string;
  timeout: string;
  json?: boolean;
  format?: string;
  showSecrets?: boolean;
}

const FORMATS = ['text', 'json'];

/**
 * `cors-doctor verify URL`: the page's fetch() in the real browsers installed here, beside the model's
 * prediction for the same request. Returns the exit status (as `check`, from what the browsers did).
 */
export async function runVerify(rawUrl: string, options: VerifyOptions, style: Style): Promise<number> {
  const format = options.json ? 'json' : (options.format ?? 'text');
  if (!FORMATS.includes(format))
    throw new BadInputError(`--format of verify is ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
  const forPeople = format === 'text';
  const page = buildPageFetch({
    url: rawUrl,
    ...(options.origin !== undefined && { origin: options.origin }),
    ...(options.method !== undefined && { method: options.method }),
    headers: options.header,
    ...(options.data !== undefined && { data: options.data }),
    ...(options.jsonBody !== undefined && { jsonBody: options.jsonBody }),
    ...(options.credentials !== undefined && { credentials: options.credentials }),
    ...(options.cookie !== undefined && { cookie: options.cookie }),
  });
  if (page.origin === 'null')
    throw new BadInputError(
      'verify serves the page at an http or https origin; --origin null cannot be served',
    );
  const timeoutMs = parseTimeout(options.timeout);
  const { found, missing } = findBrowsers(parseBrowsers(options.browser));
  if (options.origin === undefined && forPeople) {
    process.stderr.write(
      style.dim(
        `note: no --origin given; using ${DEFAULT_ORIGIN} (the page's origin: scheme, host and port)\n`,
      ),
    );
  }
  for (const m of missing) process.stderr.write(`cors-doctor: ${m.reason}; running the others\n`);

  const names = found.map((f) => f.name);
  const prediction = await check(page, { browsers: names, timeoutMs });
  const runs = await runInBrowsers(found, page, { fetchTimeoutMs: timeoutMs });
  const notFound: Partial<Record<BrowserName, string>> = {};
  for (const m of missing) notFound[m.name] = m.reason;
  const report = buildVerifyReport(page, prediction, runs, notFound);
  const shown = maskVerifyReport(report, options.showSecrets === true);
  process.stdout.write(`${forPeople ? renderVerify(shown, style) : JSON.stringify(shown, null, 2)}\n`);
  const status = verifyExitStatus(report);
  const unreachable = shown.causes.find((c) => c.code === 'server-unreachable');
  if (unreachable && forPeople) process.stderr.write(`cors-doctor: ${unreachable.summary}\n`);
  return status;
}
