/**
 * `watch --project DIR`: each judged entry's causes joined to the backend's source, as `check --project`
 * joins them (the app that serves the target URL, the nginx configurations that listen on its port, the
 * findings that explain a cause, the source's own causes when the answers name none), with file:line and
 * patches. The project is read once; the scan of one kind of request is kept.
 */
import { scanProject } from '../analysis/scan.js';
import { causesFromSource, correlate } from '../causes/correlate.js';
import type { ScanReport } from '../core/report.js';
import { appForUrl } from '../evidence/offline.js';
import { attachPatches } from '../fix/patches.js';
import type { Project } from '../project/types.js';
import { configsForUrl } from '../proxy/registry.js';
import { causeView, type JudgedRecord, type WatchEntry } from './entry.js';

/** The URL the target serves for a URL the browser fetched from the proxy. */
export function targetUrlOf(seenUrl: string, target: URL): string {
  const seen = new URL(seenUrl);
  const prefix = target.pathname.replace(/\/+$/, '');
  return `${target.origin}${prefix}${seen.pathname}${seen.search}`;
}

const SCANS_KEPT = 200;

/** Joins entries to the project's source. */
export function sourceJoiner(
  project: Project,
  target: URL,
): (entry: WatchEntry, judged: JudgedRecord) => Promise<WatchEntry> {
  const scans = new Map<string, Promise<ScanReport>>();
  const scanFor = (judged: JudgedRecord, url: string): Promise<ScanReport> => {
    const { page } = judged;
    const key = JSON.stringify([
      page.origin,
      page.method,
      page.headers.map(([n]) => n.toLowerCase()).sort(),
      page.credentials,
      url,
    ]);
    let scan = scans.get(key);
    if (!scan) {
      scan = (async () => {
        const report = scanProject(project, {
          origins: [page.origin],
          request: { method: page.method, headers: page.headers, credentials: page.credentials, url },
        });
        const served = appForUrl(project, url);
        if (served) {
          const app = `${served.source.file}:${served.source.line}`;
          report.findings = report.findings.filter((f) => f.app === undefined || f.app === app);
        }
        const listening = configsForUrl(project.proxies, url);
        if (listening.length > 0) {
          const proxyFiles = new Set(project.proxies.map((p) => p.file));
          const taking = new Set(listening.map((p) => p.file));
          report.findings = report.findings.filter((f) => !proxyFiles.has(f.file) || taking.has(f.file));
        }
        await attachPatches(project.root, report.findings);
        return report;
      })();
      if (scans.size >= SCANS_KEPT) scans.delete(scans.keys().next().value as string);
      scans.set(key, scan);
    }
    return scan;
  };

  return async (entry, judged) => {
    if ((entry.outcome !== 'allowed' && entry.outcome !== 'blocked') || !judged.report) return entry;
    const scan = await scanFor(judged, targetUrlOf(judged.page.url, target));
    const joined = correlate(judged.report.causes, scan, 'live evidence and source');
    const causes = joined.causes;
    if (entry.outcome === 'blocked' && !causes.some((c) => c.severity === 'error'))
      causes.push(...causesFromSource(joined.otherFindings, 'the source'));
    // The proxy's own 502 is not the app's doing: the source has nothing to add to it.
    if (entry.targetError) return entry;
    return { ...entry, causes: causes.map(causeView) };
  };
}
