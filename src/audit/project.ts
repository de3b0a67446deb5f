/**
 * `audit --project`: each live finding joined to the source finding that explains it (same code first),
 * with its file:line and a patch proven by the server model: applied in memory (the project reader's
 * overlay), the attacking origin is then refused and every trusted origin still gets what it got before.
 */
import { readFile } from 'node:fs/promises';
import { findingsForUrl } from '../analysis/fix-project.js';
import { predictPage } from '../analysis/prove-fix.js';
import { scanProject } from '../analysis/scan.js';
import type { AuditFinding, AuditReport } from '../core/audit.js';
import type { CauseCode, Finding, SourceLocation } from '../core/causes.js';
import { BadInputError } from '../core/errors.js';
import type { PageFetch } from '../core/page.js';
import { appForUrl } from '../evidence/offline.js';
import { EditDoesNotApply, unifiedDiff } from '../fix/edits.js';
import { decodeSource } from '../fix/file-text.js';
import { edited, inside, singleFile } from '../fix/patches.js';
import type { BrowserName } from '../model/types.js';
import { readProject } from '../project/read-project.js';
import type { Project } from '../project/types.js';
import { configsForUrl } from '../proxy/registry.js';
import { projectStarletteVersion } from '../python/starlette-version.js';
import { PROBE_COOKIE } from './probes.js';

/** The codes of docs/causes.md's security part: what a live finding can be joined to. */
export const SECURITY_CODES: readonly CauseCode[] = [
  'reflects-any-origin',
  'null-origin-trusted',
  'origin-suffix-bypass',
  'origin-prefix-bypass',
  'regex-unescaped-dot',
  'insecure-origin-trusted',
  'wildcard-credentials-reflection',
  'wildcard-origin-private-api',
  'hosting-platform-origin-trusted',
  'dev-origin-in-production',
];

const BROWSERS: BrowserName[] = ['chrome', 'firefox'];

const locationsOf = (f: Finding): SourceLocation[] => [{ file: f.file, line: f.line }, ...(f.related ?? [])];

function unique(locations: SourceLocation[]): SourceLocation[] {
  const seen = new Set<string>();
  return locations.filter((l) => !seen.has(`${l.file}:${l.line}`) && seen.add(`${l.file}:${l.line}`));
}

/** The page's GET from `origin`, with the dummy cookie or without. */
function pageFrom(url: string, origin: string, credentials: boolean): PageFetch {
  return {
    url,
    origin,
    method: 'GET',
    headers: [],
    credentials: credentials ? 'include' : 'omit',
    ...(credentials && { cookie: PROBE_COOKIE }),
  };
}

async function allowed(project: Project, page: PageFetch): Promise<boolean | undefined> {
  try {
    const report = await predictPage(project, page, BROWSERS);
    if (!report) return undefined;
    return BROWSERS.some((b) => report.browsers[b]?.outcome === 'allowed');
  } catch {
    return undefined;
  }
}

interface Proven {
  patch: string;
  /** Why no patch is offered, when none is. */
  refused?: string;
}

/** Applies the findings' edits in memory and proves them for one attacking origin. */
async function prove(
  project: Project,
  url: string,
  finding: AuditFinding,
  sources: Finding[],
  trusted: string[],
): Promise<Proven | undefined> {
  const overlay = new Map<string, string>();
  const originals = new Map<string, string>();
  for (const source of sources) {
    const edits = source.fix?.edits;
    const file = edits && singleFile(edits);
    if (!edits || !file) continue;
    try {
      if (!originals.has(file))
        originals.set(file, decodeSource(await readFile(await inside(project.root, file))).text);
      overlay.set(file, await edited(file, overlay.get(file) ?? (originals.get(file) as string), edits));
    } catch (error) {
      if (!(error instanceof EditDoesNotApply) && (error as NodeJS.ErrnoException).code === undefined)
        throw error;
    }
  }
  if (overlay.size === 0) return undefined;
  const patched = await readProject(project.root, { overlay });
  const patch = (
    await Promise.all(
      [...overlay].map(([file, after]) => unifiedDiff(file, originals.get(file) ?? '', after)),
    )
  ).join('');
  const attacker = pageFrom(url, finding.origin, finding.credentials);
  if ((await allowed(patched, attacker)) !== false)
    return { patch, refused: `the server model still lets ${finding.origin} in after the change` };
  for (const origin of trusted)
    for (const credentials of [true, false]) {
      const page = pageFrom(url, origin, credentials);
      if ((await allowed(project, page)) === true && (await allowed(patched, page)) !== true)
        return { patch, refused: `the change would refuse ${origin} (--origin)` };
    }
  return { patch };
}

/** The source findings that explain a live finding: the same code, else any security finding. */
function explaining(finding: AuditFinding, findings: Finding[]): Finding[] {
  const same = findings.filter((f) => f.code === finding.code);
  if (same.length > 0) return same;
  return findings.filter((f) => SECURITY_CODES.includes(f.code) && f.severity !== 'info');
}

/** Joins every live finding of `report` to the project's source, each patch proven. */
export async function joinWithSource(report: AuditReport, projectDir: string): Promise<AuditReport> {
  let project: Project;
  try {
    project = await readProject(projectDir);
  } catch (error) {
    throw new BadInputError(`--project: ${(error as Error).message}`);
  }
  const url = report.url;
  // No request: the security findings are about what other sites can do, not about one request.
  const scan = scanProject(project, { origins: report.origins });
  const relevant = findingsForUrl(project, scan, url);
  const notes = [...report.notes];
  if (!appForUrl(project, url) && project.proxies.length === 0)
    notes.push(`no FastAPI or Starlette app and no nginx configuration found in ${project.root}`);
  const version = projectStarletteVersion(project);
  const proxy = configsForUrl(project.proxies, url)[0];
  const findings: AuditFinding[] = [];
  for (const finding of report.findings) {
    const sources = explaining(finding, relevant);
    if (sources.length === 0) {
      findings.push({
        ...finding,
        evidence: [...finding.evidence, 'source: no finding in the project explains it'],
      });
      continue;
    }
    const proven = await prove(project, url, finding, sources, report.origins);
    const first = sources[0] as Finding;
    const summary = sources.find((s) => s.fix)?.fix?.summary ?? first.message;
    findings.push({
      ...finding,
      evidence: [
        ...finding.evidence,
        ...sources.map((s) => `source: ${s.file}:${s.line} ${s.code}: ${s.message}`),
        ...(proven?.refused ? [`no patch offered: ${proven.refused}`] : []),
        ...(proven && !proven.refused
          ? [
              `patch proven by the server model (Starlette ${version.version}${proxy ? `, behind the ${proxy.proxy} model of ${proxy.file}` : ''}): ${finding.origin} is refused after it, and ${report.origins.join(', ')} ${report.origins.length === 1 ? 'keeps what it' : 'keep what they'} got before`,
            ]
          : []),
      ],
      locations: unique([...finding.locations, ...sources.flatMap(locationsOf)]),
      fix: proven && !proven.refused ? { summary, patch: proven.patch } : { summary },
    });
  }
  return { ...report, findings, notes, project: { root: project.root, starletteVersion: version.version } };
}
