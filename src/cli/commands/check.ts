import type { Transport } from '../../evidence/probe/probe.js';
import { hasHeader } from '../../model/header-list.js';
import type { BrowserName, CredentialsMode } from '../../model/types.js';
import type { PythonProject } from '../../python/types.js';
import { type CheckReport, maskReport } from '../../report/check-json.js';
import { CliError, EXIT } from '../errors.js';
import type { Style } from '../style.js';
import { collectHeaders, parseOrigin, parseRequestUrl, parseTimeout } from '../validate.js';

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
    throw new CliError('give either --data or --json-body, not both');
  let body = options.data;
  if (options.jsonBody !== undefined) {
    try {
      JSON.parse(options.jsonBody);
    } catch (error) {
      throw new CliError(`--json-body is not valid JSON (${(error as Error).message})`);
    }
    body = options.jsonBody;
    if (!hasHeader(headers, 'Content-Type')) headers.push(['Content-Type', 'application/json']);
  }
  const method = options.method ?? (body !== undefined ? 'POST' : 'GET');
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method))
    throw new CliError(`not a valid HTTP method: ${JSON.stringify(method)}`);
  if (['GET', 'HEAD'].includes(method.toUpperCase()) && body !== undefined) {
    throw new CliError(
      `fetch() cannot send a body with ${method.toUpperCase()}: use -X POST (or PUT, PATCH)`,
    );
  }
  const credentials = options.credentials as CredentialsMode;
  if (!['omit', 'same-origin', 'include'].includes(credentials)) {
    throw new CliError(
      `--credentials is omit, same-origin or include, not ${JSON.stringify(options.credentials)}`,
    );
  }
  if (!['chrome', 'firefox', 'all'].includes(options.browser)) {
    throw new CliError(`--browser is chrome, firefox or all, not ${JSON.stringify(options.browser)}`);
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
    throw new CliError('--offline answers from the source: give the backend folder with --project DIR');
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

  // undici parses HTTP with a WebAssembly build of llhttp; by default V8 recompiles it in the background and
  // waits for that at exit (about 100 ms). A one-shot CLI run is better served by the baseline compiler only.
  (await import('node:v8')).setFlagsFromString('--liftoff-only');
  const { check } = await import('../../check.js');
  let project: PythonProject | undefined;
  if (options.project !== undefined) {
    const { readPythonProject } = await import('../../python/read-project.js');
    try {
      project = await readPythonProject(options.project);
    } catch (error) {
      throw new CliError(`--project: ${(error as Error).message}`);
    }
  }
  const transport = project && options.offline ? await offlineTransport(project, url) : undefined;
  let report: CheckReport;
  try {
    report = await check(page, {
      browsers,
      timeoutMs,
      forceActual: options.forceActual === true,
      ...(transport && { transport: transport.send }),
    });
  } catch (error) {
    if ((error as Error).name === 'UnpredictableAnswer') {
      throw new CliError(
        `--offline: ${(error as Error).message}; run check against the live server instead`,
        EXIT.unreachable,
      );
    }
    throw error;
  }
  if (transport) {
    report.notes.unshift(
      `offline: every answer below is predicted from ${transport.app} with the Starlette ${transport.version} model, not received from a server.`,
    );
    if (report.exchanges.some((x) => x.predicted?.statusAssumed)) {
      report.notes.push(
        "offline: endpoints are not run; the endpoint's answer is assumed to be 200. If it raises an unhandled exception, ServerErrorMiddleware answers 500 outside CORSMiddleware, without CORS headers, and browsers report a CORS error (error-response-without-cors): only a live check shows that.",
      );
    }
  }
  if (project !== undefined) {
    const { scanProject } = await import('../../scan.js');
    const { correlate } = await import('../../causes/correlate.js');
    const scan = scanProject(project, { origins: [origin], request: { method, headers, credentials } });
    const { attachPatches } = await import('../../fix/patches.js');
    // Only the app that serves this URL can explain what the request met.
    const { appForUrl } = await import('../../servers/offline.js');
    const served = appForUrl(project, url);
    if (served) {
      const key = `${served.source.file}:${served.source.line}`;
      scan.findings = scan.findings.filter((f) => f.app === undefined || f.app === key);
    }
    await attachPatches(project.root, scan.findings);
    const joined = correlate(
      report.causes,
      scan,
      transport ? 'the server model and source' : 'live evidence and source',
    );
    report.causes = joined.causes;
    report.project = {
      root: scan.root,
      starletteVersion: scan.starletteVersion.version,
      apps: scan.apps.length,
      otherFindings: joined.otherFindings,
    };
  }
  const shown = maskReport(report, options.showSecrets === true);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  } else {
    const { renderCheck } = await import('../../report/check-text.js');
    process.stdout.write(`${renderCheck(shown, style)}\n`);
  }
  if (report.causes.some((c) => c.code === 'server-unreachable')) {
    if (!options.json) process.stderr.write(`cors-doctor: ${report.causes[0]?.summary}\n`);
    return EXIT.unreachable;
  }
  return Object.values(report.browsers).some((v) => v.outcome === 'blocked') ? EXIT.blocked : EXIT.ok;
}

/** The server model of the app in `project` that serves `url`, as the probe's transport. */
async function offlineTransport(
  project: PythonProject,
  url: string,
): Promise<{ send: Transport; app: string; version: string }> {
  const { appForUrl, modelTransport } = await import('../../servers/offline.js');
  const { projectStarletteVersion } = await import('../../causes/starlette-version.js');
  const app = appForUrl(project, url);
  if (!app) {
    throw new CliError(
      `--offline: no FastAPI or Starlette app found in ${project.root}; point --project at the backend folder`,
    );
  }
  const version = projectStarletteVersion(project);
  return {
    send: modelTransport(app, { starletteVersion: version.version }),
    app: `${app.variable} (${app.source.file}:${app.source.line})`,
    version: `${version.version}${version.assumed ? ' (no version pinned: newest assumed)' : ''}`,
  };
}
