import { check } from '../../analysis/check.js';
import { BadInputError } from '../../core/errors.js';
import { EXIT } from '../../core/exit.js';
import type { CheckReport } from '../../core/report.js';
import { collectHeaders, parseOrigin, parseRequestUrl, parseTimeout } from '../../core/request-input.js';
import { hasHeader } from '../../model/header-list.js';
import type { BrowserName, CredentialsMode } from '../../model/types.js';
import { renderCheck } from '../../report/check-text.js';
import { maskReport } from '../../report/mask-report.js';
import type { Style } from '../../report/style.js';

export interface CheckOptions {
  origin?: string;
  method?: string;
  header: string[];
  data?: string;
  jsonBody?: string;
  credentials: string;
  cookie?: string;
  browser: string;
  timeout: string;
  forceActual?: boolean;
  project?: string;
  offline?: boolean;
  json?: boolean;
  showSecrets?: boolean;
}

export const DEFAULT_ORIGIN = 'http://localhost:3000';

/** `cors-doctor check URL`: probes like a browser and explains the verdict. Returns the exit status. */
export async function runCheck(rawUrl: string, options: CheckOptions, style: Style): Promise<number> {
  const url = parseRequestUrl(rawUrl);
  if (options.origin === undefined && !options.json) {
    process.stderr.write(
      style.dim(
        `note: no --origin given; using ${DEFAULT_ORIGIN} (the page's origin: scheme, host and port)\n`,
      ),
    );
  }
  const origin = parseOrigin(options.origin ?? DEFAULT_ORIGIN);
  const headers = collectHeaders(options.header);
  if (options.data !== undefined && options.jsonBody !== undefined)
    throw new BadInputError('give either --data or --json-body, not both');
  let body = options.data;
  if (options.jsonBody !== undefined) {
    try {
      JSON.parse(options.jsonBody);
    } catch (error) {
      throw new BadInputError(`--json-body is not valid JSON (${(error as Error).message})`);
    }
    body = options.jsonBody;
    if (!hasHeader(headers, 'Content-Type')) headers.push(['Content-Type', 'application/json']);
  }
  const method = options.method ?? (body !== undefined ? 'POST' : 'GET');
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method))
    throw new BadInputError(`not a valid HTTP method: ${JSON.stringify(method)}`);
  if (['GET', 'HEAD'].includes(method.toUpperCase()) && body !== undefined) {
    throw new BadInputError(
      `fetch() cannot send a body with ${method.toUpperCase()}: use -X POST (or PUT, PATCH)`,
    );
  }
  const credentials = options.credentials as CredentialsMode;
  if (!['omit', 'same-origin', 'include'].includes(credentials)) {
    throw new BadInputError(
      `--credentials is omit, same-origin or include, not ${JSON.stringify(options.credentials)}`,
    );
  }
  if (!['chrome', 'firefox', 'all'].includes(options.browser)) {
    throw new BadInputError(`--browser is chrome, firefox or all, not ${JSON.stringify(options.browser)}`);
  }
  const browsers: BrowserName[] =
    options.browser === 'all' ? ['chrome', 'firefox'] : [options.browser as BrowserName];
  if (options.cookie !== undefined && credentials !== 'include' && !options.json) {
    process.stderr.write(
      style.dim('note: --cookie is sent only with --credentials include (as the browser does)\n'),
    );
  }
  const timeoutMs = parseTimeout(options.timeout);

  if (options.offline && options.project === undefined) {
    throw new BadInputError('--offline answers from the source: give the backend folder with --project DIR');
  }
  const page = {
    url,
    origin,
    method,
    headers,
    credentials,
    ...(body !== undefined && { body }),
    ...(options.cookie !== undefined && { cookie: options.cookie }),
  };

  const probeOptions = { browsers, timeoutMs, forceActual: options.forceActual === true };
  let report: CheckReport;
  if (options.project === undefined) {
    report = await check(page, probeOptions);
  } else {
    // The source join needs the Python parser: a file of its own, loaded only with --project.
    const { checkProject } = await import('./check-project.js');
    report = await checkProject(page, probeOptions, options.project, options.offline === true);
  }
  const shown = maskReport(report, options.showSecrets === true);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderCheck(shown, style)}\n`);
  }
  if (report.causes.some((c) => c.code === 'server-unreachable')) {
    if (!options.json) process.stderr.write(`cors-doctor: ${report.causes[0]?.summary}\n`);
    return EXIT.unreachable;
  }
  return Object.values(report.browsers).some((v) => v.outcome === 'blocked') ? EXIT.blocked : EXIT.ok;
}
