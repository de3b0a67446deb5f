import { causesFromSource, correlate } from '../causes/correlate.js';
import { NoAppToModelError, UnpredictableAnswerError } from '../core/errors.js';
import type { Exchange } from '../core/exchange.js';
import type { PageFetch } from '../core/page.js';
import type { CheckReport } from '../core/report.js';
import { appForUrl, offlineTransport } from '../evidence/offline.js';
import type { ProbeOptions } from '../evidence/probe/probe.js';
import { attachPatches } from '../fix/patches.js';
import type { Project } from '../project/types.js';
import { configsForUrl } from '../proxy/registry.js';
import { projectStarletteVersion } from '../python/starlette-version.js';
import type { PythonApp } from '../python/types.js';
import { analyze } from './analyze.js';
import { check } from './check.js';
import { notModelled } from './prove-fix.js';
import { scanProject } from './scan.js';

/** `check --offline` was asked for, but the project holds no FastAPI or Starlette app to model. */
export { NoAppToModelError as NoAppToModel };

const ENDPOINTS_NOT_RUN =
  "offline: endpoints are not run; the endpoint's answer is assumed to be 200. If it raises an unhandled exception, ServerErrorMiddleware answers 500 outside CORSMiddleware, without CORS headers, and browsers report a CORS error (error-response-without-cors): only a live check shows that.";

/** The project holds a proxy configuration, but none listens on the URL's port: answers are the app's alone. */
const proxyNotModelled = (files: string[]) =>
  `offline: the project has an nginx configuration (${files.join(', ')}), but none listens on this URL's port; the server model answers as the app alone, so what the proxy adds, hides or answers itself is not in these predictions. Use the proxy's URL, or check it live.`;

/**
 * A browser stopped at the preflight, refused by its status, while a middleware on its path writes
 * Access-Control-Allow-Origin with a value not computed and also writes Access-Control-Allow-Methods or
 * -Headers: hand-written preflight handling, whose own answer to OPTIONS the server model does not see.
 */
function preflightNotModelled(report: CheckReport, served: PythonApp): string | undefined {
  if (!Object.values(report.browsers).some((v) => v.outcome !== 'allowed' && v.stage === 'preflight'))
    return undefined;
  const assumptions = report.exchanges
    .filter((x) => x.kind === 'preflight')
    .flatMap((x) => x.predicted?.assumptions ?? []);
  for (const m of served.middleware) {
    const writes = m.behaviour?.writesHeaders ?? [];
    const answersPreflights = writes.some((w) => /^access-control-allow-(methods|headers)$/i.test(w.name));
    const why = assumptions.find(
      (a) => a.startsWith(`${m.name} writes `) && /access-control-allow-origin/i.test(a),
    );
    if (answersPreflights && why) return why;
  }
  return undefined;
}

/**
 * Offline, a browser stopped where the app's own middleware writes an Access-Control-* header with a value
 * the server model does not compute (the Origin written back after a test): what browsers do is not known,
 * so no verdict is given. Throws `UnpredictableAnswer` naming the middleware and the line it writes at.
 */
function throwWhenNotModelled(
  page: PageFetch,
  report: CheckReport,
  served: PythonApp,
  options: ProbeOptions,
): void {
  const why = notModelled(report, options.browsers) ?? preflightNotModelled(report, served);
  if (!why) return;
  const entry = served.middleware.find((m) => why.startsWith(`${m.name} writes `));
  const header = /writes (access-control-[a-z-]+)/i.exec(why)?.[1] ?? 'Access-Control-Allow-Origin';
  const write = entry?.behaviour?.writesHeaders?.find(
    (w) => w.name.toLowerCase() === header.toLowerCase() && w.value === undefined,
  );
  const at = write?.source ?? entry?.source;
  const where = at ? ` (${at.file}:${at.line})` : '';
  throw new UnpredictableAnswerError(
    `cannot predict the answer to ${page.method} ${page.url} from ${page.origin}: ${entry?.name ?? 'a middleware'}${where} writes ${header} with a value the server model does not compute (not a literal), so whether browsers allow it is not modelled`,
  );
}

/**
 * `check` with the backend's source: the live causes (or, `offline`, the causes the server model
 * predicts, or the `recorded` exchanges of a HAR file) joined to what `scan` finds in the app that serves the URL, with file:line and patches.
 * Throws `NoAppToModel` offline when there is no app, and `UnpredictableAnswer` when the model cannot
 * answer a request.
 */
export async function checkWithSource(
  page: PageFetch,
  options: ProbeOptions,
  project: Project,
  { offline = false, recorded }: { offline?: boolean; recorded?: Exchange[] } = {},
): Promise<CheckReport> {
  const served = appForUrl(project, page.url);
  const version = projectStarletteVersion(project);
  if (offline && !served) {
    throw new NoAppToModelError(
      `no FastAPI or Starlette app found in ${project.root}; point --project at the backend folder`,
    );
  }
  // The nginx configurations that take the URL's port. Offline, the first answers in front of the app.
  const listening = configsForUrl(project.proxies, page.url);
  const proxy = offline ? listening[0] : undefined;
  // Recorded exchanges (a HAR file) are judged as they are: nothing is sent.
  const report = recorded
    ? analyze(page, recorded, options.browsers)
    : await check(page, {
        ...options,
        ...(offline && served && { transport: offlineTransport(served, proxy, version.version) }),
      });
  if (offline && served && !recorded) throwWhenNotModelled(page, report, served, options);
  if (offline && served) {
    report.offline = {
      app: `${served.variable} (${served.source.file}:${served.source.line})`,
      ...(proxy && { proxy: proxy.file }),
      starletteVersion: version.version,
      versionAssumed: version.assumed,
      versionSource: version.source,
    };
    if (report.exchanges.some((x) => x.predicted?.statusAssumed)) report.notes.push(ENDPOINTS_NOT_RUN);
    if (!proxy && project.proxies.length > 0)
      report.notes.push(proxyNotModelled(project.proxies.map((p) => p.file)));
  }

  const scan = scanProject(project, {
    origins: [page.origin],
    request: { method: page.method, headers: page.headers, credentials: page.credentials, url: page.url },
  });
  // Only the app that serves this URL can explain what the request met, and, of several nginx
  // configurations, those that listen on the URL's port (all of them when none says so).
  if (served) {
    const key = `${served.source.file}:${served.source.line}`;
    scan.findings = scan.findings.filter((f) => f.app === undefined || f.app === key);
  }
  if (listening.length > 0) {
    const proxyFiles = new Set(project.proxies.map((p) => p.file));
    const taking = new Set(listening.flatMap((p) => [p.file, ...(p.reads ?? [])]));
    scan.findings = scan.findings.filter((f) => !proxyFiles.has(f.file) || taking.has(f.file));
  }
  await attachPatches(project.root, scan.findings);
  const joined = correlate(
    report.causes,
    scan,
    offline
      ? 'the server model and source'
      : recorded
        ? 'recorded evidence and source'
        : 'live evidence and source',
  );
  report.causes = joined.causes;
  // Blocked, and the answers name no cause: the source names it.
  const blocked = Object.values(report.browsers).some((v) => v.outcome === 'blocked');
  if (blocked && !joined.causes.some((c) => c.severity === 'error')) {
    const named = causesFromSource(
      joined.otherFindings,
      offline ? 'the source and the server model' : 'the source',
    );
    report.causes.push(...named);
    if (named.length > 0) joined.otherFindings = joined.otherFindings.filter((f) => f.severity !== 'error');
  }
  report.project = {
    root: scan.root,
    starletteVersion: scan.starletteVersion.version,
    versionSource: scan.starletteVersion.source,
    apps: scan.apps.length,
    otherFindings: joined.otherFindings,
  };
  return report;
}
