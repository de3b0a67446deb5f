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

/** The page's request from `origin`: a GET with the dummy cookie or without, or a PUT with Authorization. */
function pageFrom(url: string, origin: string, credentials: boolean, write = false): PageFetch {
  return {
    url,
    origin,
    method: write ? 'PUT' : 'GET',
    headers: write ? [['Authorization', 'Bearer x']] : [],
    credentials: credentials ? 'include' : 'omit',
    ...(credentials && { cookie: PROBE_COOKIE }),
  };
}

/** What the models make of one request: allowed or not, and what the server model could not model. */
interface Verdict {
  /** Undefined when the models cannot tell. */
  allowed?: boolean;
  /** A CORS header the server model does not compute (code it does not run): its verdict proves nothing. */
  unmodelled?: string;
  /** Why the models cannot tell, when they cannot. */
  why?: string;
}

async function verdict(project: Project, page: PageFetch): Promise<Verdict> {
  try {
    const report = await predictPage(project, page, BROWSERS);
    if (!report) return {};
    const unmodelled = report.exchanges
      .flatMap((e) => e.predicted?.assumptions ?? [])
      .find((a) => /access-control-/i.test(a) && /not modelled/.test(a));
    return {
      allowed: BROWSERS.some((b) => report.browsers[b]?.outcome === 'allowed'),
      ...(unmodelled && { unmodelled }),
    };
  } catch (error) {
    return { why: (error as Error).message };
  }
}

/** The live audit saw `origin` served (its GET readable, with the cookie when `credentials`). */
function servedLive(report: AuditReport, origin: string, credentials: boolean): boolean {
  return report.probes.some(
    (p) =>
      p.origin === origin &&
      p.kind === 'actual' &&
      p.credentials === credentials &&
      (credentials
        ? p.allowOrigin === origin && p.allowCredentials
        : p.allowOrigin === origin || p.allowOrigin === '*'),
  );
}

interface Proven {
  patch: string;
  /** Why no patch is offered, when none is. */
  refused?: string;
  /** How the proof went, in one line, when it held. */
  proof?: string;
}

/**
 * Applies the findings' edits in memory and proves them: the attacking origin's request (and its
 * state-changing preflight) refused after the change, with every CORS header computed by the server model
 * (none written by code it does not run), and every trusted origin that was served, live or in the model,
 * still allowed.
 */
async function prove(
  project: Project,
  report: AuditReport,
  finding: AuditFinding,
  sources: Finding[],
): Promise<Proven | undefined> {
  const url = report.url;
  const overlay = new Map<string, string>();
  const originals = new Map<string, string>();
  // Findings of one hole may carry the same change: each change once, each finding's edits together.
  const seen = new Set<string>();
  for (const source of sources) {
    const edits = source.fix?.edits;
    const file = edits && singleFile(edits);
    if (!edits || !file || seen.has(JSON.stringify(edits))) continue;
    seen.add(JSON.stringify(edits));
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
  const attacks = [
    pageFrom(url, finding.origin, finding.credentials),
    pageFrom(url, finding.origin, true, true),
  ];
  let reproduced = false;
  let unmodelledBefore: string | undefined;
  for (const page of attacks) {
    const after = await verdict(patched, page);
    if (after.unmodelled)
      return {
        patch,
        refused: `the server model cannot prove the change: ${after.unmodelled}`,
      };
    if (after.allowed !== false)
      return {
        patch,
        refused:
          after.allowed === undefined
            ? `the server model cannot predict the answer to ${page.method} from ${finding.origin} after the change${after.why ? ` (${after.why})` : ''}`
            : `the server model still lets ${finding.origin} in after the change (${page.method}${page.method === 'PUT' ? ' with Authorization' : ''})`,
      };
    const before = await verdict(project, page);
    if (before.allowed === true && !before.unmodelled) reproduced = true;
    unmodelledBefore ??= before.unmodelled;
  }
  for (const origin of report.origins)
    for (const credentials of [true, false]) {
      const page = pageFrom(url, origin, credentials);
      const before = await verdict(project, page);
      if (before.allowed !== true && !servedLive(report, origin, credentials)) continue;
      const after = await verdict(patched, page);
      if (after.allowed !== true || after.unmodelled)
        return {
          patch,
          refused: `the change would refuse ${origin} (--origin)${credentials ? ' with cookies' : ''}${after.unmodelled ? `: ${after.unmodelled}` : ''}`,
        };
    }
  const kept = `${report.origins.join(', ')} ${report.origins.length === 1 ? 'is' : 'are'} still allowed`;
  return {
    patch,
    proof: reproduced
      ? `the model lets ${finding.origin} in before the change and refuses it after (its GET and its PUT preflight); ${kept}`
      : `${unmodelledBefore ? `before the change the model cannot show the hole (${unmodelledBefore}); after it` : 'the model does not show the hole before the change; after it'} every CORS header is modelled: ${finding.origin} is refused (its GET and its PUT preflight), and ${kept}`,
  };
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
    const proven = await prove(project, report, finding, sources);
    const first = sources[0] as Finding;
    const summary = sources.find((s) => s.fix)?.fix?.summary ?? first.message;
    const snippet = sources.find((s) => s.fix?.snippet)?.fix?.snippet;
    findings.push({
      ...finding,
      evidence: [
        ...finding.evidence,
        ...sources.map((s) => `source: ${s.file}:${s.line} ${s.code}: ${s.message}`),
        ...(proven?.refused ? [`no patch offered: ${proven.refused}`] : []),
        ...(proven?.proof
          ? [
              `patch proven by the server model (Starlette ${version.version}${proxy ? `, behind the ${proxy.proxy} model of ${proxy.file}` : ''}): ${proven.proof}`,
            ]
          : []),
      ],
      locations: unique([...finding.locations, ...sources.flatMap(locationsOf)]),
      fix:
        proven && !proven.refused
          ? { summary, patch: proven.patch }
          : { summary, ...(snippet !== undefined && { snippet }) },
    });
  }
  return { ...report, findings, notes, project: { root: project.root, starletteVersion: version.version } };
}
