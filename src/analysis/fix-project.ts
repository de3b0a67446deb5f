/**
 * `fix`: the project's fixes, each proven before it is offered. The findings' edits are applied one at a
 * time to the project as the earlier patches leave it (in memory: the project reader's overlay); the server
 * and browser models then answer and judge the page's request, and a policy's worth of other requests.
 * A patch is kept only when it removes its problem and opens or drops nothing; the set is offered only when
 * the page's request is then allowed in every browser. `--write` writes the set, keeping each file's bytes
 * on the lines it does not change.
 */
import { readFile } from 'node:fs/promises';
import type { Finding } from '../core/causes.js';
import { NoAppToModelError } from '../core/errors.js';
import type { FixReport, FixTarget, OfferedPatch, RequestVerdict, WithoutPatch } from '../core/fix-report.js';
import type { PageFetch } from '../core/page.js';
import type { ScanReport } from '../core/report.js';
import { appForUrl } from '../evidence/offline.js';
import { EditDoesNotApply, unifiedDiff } from '../fix/edits.js';
import { decodeSource, encodeChange, type SourceFile, writeSourceAtomically } from '../fix/file-text.js';
import { edited, inside, singleFile, type WriteResult } from '../fix/patches.js';
import type { BrowserName, CredentialsMode, HeaderList } from '../model/types.js';
import { readProject } from '../project/read-project.js';
import type { Project } from '../project/types.js';
import { asNginx } from '../proxy/nginx/config.js';
import { configsForUrl } from '../proxy/registry.js';
import type { ProxyConfig } from '../proxy/types.js';
import { projectStarletteVersion } from '../python/starlette-version.js';
import type { PythonApp } from '../python/types.js';
import {
  comparePolicies,
  notModelled,
  type Policy,
  policyProbes,
  predictPage,
  predictPolicy,
  proofHolds,
  proofMethod,
} from './prove-fix.js';
import { scanProject } from './scan.js';

export interface FixProjectOptions {
  /** The page's request: `url` is where it goes (its path and port choose the app and the proxy). */
  request: Omit<PageFetch, 'origin'>;
  /** The frontend origins that must work. */
  origins: string[];
  browsers: BrowserName[];
  /** At most this many patches are tried. */
  maxRounds?: number;
}

const keyOf = (f: Finding) => `${f.code} ${f.file} ${f.message}`;

const targetOf = (f: Finding): FixTarget => ({
  code: f.code,
  severity: f.severity,
  locations: [{ file: f.file, line: f.line }, ...(f.related ?? [])],
  message: f.message,
  summary: f.fix?.summary ?? f.message,
});

/** The findings about the app that serves the URL and the proxies in front of it (as `check --project`). */
export function findingsForUrl(project: Project, scan: ScanReport, url: string): Finding[] {
  const served = appForUrl(project, url);
  const key = served ? `${served.source.file}:${served.source.line}` : undefined;
  // A file of maps or snippets that holds no server is part of the configuration that includes it.
  const proxyFiles = new Set(project.proxies.filter(holdsServer).map((p) => p.file));
  const listening = configsForUrl(project.proxies, url);
  const taking = new Set(listening.map((p) => p.file));
  return scan.findings.filter(
    (f) =>
      (key === undefined || f.app === undefined || f.app === key) &&
      (listening.length === 0 || !proxyFiles.has(f.file) || taking.has(f.file)),
  );
}

/** A proxy configuration file that holds a server of its own (nginx: a `server` block). */
function holdsServer(config: ProxyConfig): boolean {
  const nginx = asNginx(config);
  if (!nginx) return true;
  const http = nginx.directives.find((d) => d.name === 'http');
  return [...nginx.directives, ...(http?.block ?? [])].some((d) => d.name === 'server');
}

/** The page's request from each origin, as the models judge it from `project`. */
async function verdicts(
  project: Project,
  pages: PageFetch[],
  browsers: BrowserName[],
  notes?: Set<string>,
): Promise<RequestVerdict[]> {
  return Promise.all(
    pages.map(async (page) => {
      try {
        const report = await predictPage(project, page, browsers);
        // Hand-written CORS the server model does not run: not modelled, never "blocked".
        const unknown = notModelled(report, browsers);
        if (unknown)
          notes?.add(
            `the request from ${page.origin} is not modelled (${unknown.replace(/: not modelled$/, '')}): the models cannot tell what browsers do with it; a live check can`,
          );
        return {
          origin: page.origin,
          browsers: Object.fromEntries(
            browsers.map((b) => [
              b,
              report?.browsers[b]?.outcome === 'allowed' ? 'allowed' : unknown ? 'unpredictable' : 'blocked',
            ]),
          ),
          causes: unknown ? [] : (report?.causes.map((c) => c.code) ?? []),
        };
      } catch {
        return {
          origin: page.origin,
          browsers: Object.fromEntries(browsers.map((b) => [b, 'unpredictable'])),
          causes: [],
        };
      }
    }),
  );
}

/** The project's files as they are on disk (read once) and as the accepted patches leave them. */
class WorkingCopy {
  readonly originals = new Map<string, SourceFile & { abs: string }>();
  overlay = new Map<string, string>();
  constructor(readonly root: string) {}

  async text(file: string): Promise<string> {
    const changed = this.overlay.get(file);
    if (changed !== undefined) return changed;
    let original = this.originals.get(file);
    if (!original) {
      const abs = await inside(this.root, file);
      original = { ...decodeSource(await readFile(abs)), abs };
      this.originals.set(file, original);
    }
    return original.text;
  }

  /** The combined change of every file changed. */
  async diffs(): Promise<Array<{ file: string; patch: string }>> {
    const out: Array<{ file: string; patch: string }> = [];
    for (const [file, after] of this.overlay) {
      const before = this.originals.get(file)?.text ?? '';
      const patch = await unifiedDiff(file, before, after);
      if (patch !== '') out.push({ file, patch });
    }
    return out;
  }

  /** Writes every changed file, keeping the bytes of the lines no patch changes. */
  async write(): Promise<string[]> {
    const written: string[] = [];
    // Encode every file first: nothing is written when one of them cannot be.
    const planned = [...this.overlay].map(([file, after]) => {
      const original = this.originals.get(file) as SourceFile & { abs: string };
      return { file, original, bytes: encodeChange(original, after) };
    });
    for (const { file, original, bytes } of planned) {
      if (bytes.equals(original.bytes)) continue;
      await writeSourceAtomically(original.abs, original.bytes, bytes, file);
      written.push(file);
    }
    return written;
  }
}

/** Proves the project's fixes for the page's request from `origins`; writes nothing. */
export async function proveProjectFixes(
  root: string,
  options: FixProjectOptions,
): Promise<{ report: FixReport; copy: WorkingCopy }> {
  const { origins, browsers } = options;
  const pages: PageFetch[] = origins.map((origin) => ({ ...options.request, origin }));
  const scanOptions = {
    origins,
    request: {
      method: options.request.method,
      headers: options.request.headers,
      credentials: options.request.credentials,
      url: options.request.url,
    },
  };
  const copy = new WorkingCopy(root);
  const read = () => readProject(root, { overlay: copy.overlay });
  const first = await read();
  const url = options.request.url;
  if (!appForUrl(first, url))
    throw new NoAppToModelError(
      `no FastAPI or Starlette app found in ${first.root}: point fix at the backend folder`,
    );
  const method = proofMethod(first, url, browsers);
  const probes = policyProbes(first, pages);
  const startPolicy = await predictPolicy(first, probes, browsers);
  const notes = new Set<string>();
  const before = await verdicts(first, pages, browsers, notes);

  let current: { project: Project; policy: Policy } = { project: first, policy: startPolicy };
  const patches: OfferedPatch[] = [];
  const withoutPatch: WithoutPatch[] = [];
  const tried = new Set<string>();
  const findingsOf = (project: Project) =>
    findingsForUrl(project, scanProject(project, scanOptions), url).filter((f) => f.severity !== 'info');

  for (let round = 0; round < (options.maxRounds ?? 25); round++) {
    const candidate = findingsOf(current.project).find((f) => f.fix?.edits?.length && !tried.has(keyOf(f)));
    if (!candidate) break;
    tried.add(keyOf(candidate));
    const edits = candidate.fix?.edits ?? [];
    const file = singleFile(edits);
    const target = targetOf(candidate);
    if (!file) {
      withoutPatch.push({ ...target, reason: 'its change spans several files: make it by hand' });
      continue;
    }
    let before: string;
    let after: string;
    try {
      before = await copy.text(file);
      after = await edited(file, before, edits);
    } catch (error) {
      if (!(error instanceof EditDoesNotApply) && (error as NodeJS.ErrnoException).code === undefined)
        throw error;
      withoutPatch.push({ ...target, reason: `the change does not apply: ${(error as Error).message}` });
      continue;
    }
    if (after === before) continue;
    const overlay = new Map(copy.overlay).set(file, after);
    const project = await readProject(root, { overlay });
    const policy = await predictPolicy(project, probes, browsers);
    const proof = comparePolicies(probes, current.policy, policy, method);
    const stillThere = findingsOf(project).some((f) => keyOf(f) === keyOf(candidate));
    const improved = proof.requests.some((r) => !allowedEverywhere(r.before) && allowedEverywhere(r.after));
    if (proof.opened.length > 0 || proof.dropped.length > 0) {
      const why = [
        ...(proof.opened.length > 0 ? [`it would also let in: ${proof.opened.join('; ')}`] : []),
        ...(proof.dropped.length > 0 ? [`it would stop: ${proof.dropped.join('; ')}`] : []),
      ].join('; ');
      withoutPatch.push({ ...target, reason: `no patch: ${why}`, proof });
      continue;
    }
    if (stillThere && !improved) {
      withoutPatch.push({ ...target, reason: 'no patch: the models show no change after it', proof });
      continue;
    }
    patches.push({ ...target, patch: await unifiedDiff(file, before, after), proof });
    copy.overlay = overlay;
    current = { project, policy };
  }

  // Problems left without a patch: what must change, in words (or the frontend's code).
  const left = findingsOf(current.project).filter(
    (f) => !withoutPatch.some((w) => w.code === f.code && w.message === f.message),
  );
  for (const f of left) {
    if (f.fix?.edits?.length && tried.has(keyOf(f))) continue;
    withoutPatch.push({
      ...targetOf(f),
      reason: f.fix?.edits?.length
        ? 'not tried: too many changes in one run; run fix again'
        : 'no patch: this finding comes without a mechanical change; make it as the summary says',
      ...(f.fix?.snippet && { snippet: f.fix.snippet }),
    });
  }

  // The set is offered only when the page's request is then allowed (or was already).
  const whole = comparePolicies(probes, startPolicy, current.policy, method);
  let after = await verdicts(current.project, pages, browsers, notes);
  if (patches.length > 0 && !proofHolds(whole)) {
    const blockedBy = [...new Set(after.flatMap((v) => v.causes))];
    const reason =
      whole.opened.length > 0 || whole.dropped.length > 0
        ? `no patch: together the patches would ${whole.opened.length > 0 ? `let in ${whole.opened.join('; ')}` : `stop ${whole.dropped.join('; ')}`}`
        : `no patch: the request stays blocked after it${blockedBy.length > 0 ? ` (${blockedBy.join(', ')})` : ''}; the problems below must change too`;
    for (const p of patches) withoutPatch.unshift({ ...p, reason, proof: p.proof });
    patches.length = 0;
    copy.overlay = new Map();
    after = before;
  }
  const version = projectStarletteVersion(first);
  const report: FixReport = {
    root: first.root,
    url,
    origins,
    request: {
      method: options.request.method,
      headers: options.request.headers as Array<[string, string]>,
      credentials: options.request.credentials,
    },
    starletteVersion: { version: version.version, source: version.source },
    method,
    before,
    after,
    patches,
    withoutPatch,
    files: await copy.diffs(),
    notes: [...notes],
  };
  return { report, copy };
}

const allowedEverywhere = (v: Partial<Record<BrowserName, string>>) =>
  Object.values(v).every((o) => o === 'allowed');

/** Proves the fixes and, with `write`, writes them; returns the report. */
export async function fixProject(
  root: string,
  options: FixProjectOptions & { write?: boolean },
): Promise<FixReport> {
  const { report, copy } = await proveProjectFixes(root, options);
  if (options.write && report.patches.length > 0) {
    report.written = await copy.write();
    // Re-read from disk: what was written is what is judged.
    const written = await readProject(root);
    report.after = await verdicts(
      written,
      options.origins.map((origin) => ({ ...options.request, origin })),
      options.browsers,
    );
  }
  return report;
}

/** A URL that the server model routes to `app` (a route of it that takes `method`, if it has one). */
export function urlForApp(project: Project, app: PythonApp, method: string): string | undefined {
  const key = (a: PythonApp | undefined) => a && `${a.source.file}:${a.source.line}`;
  const literal = app.routes.filter((r) => !r.path.includes('{'));
  const paths = [
    ...literal.filter((r) => r.methods.includes(method.toUpperCase())).map((r) => r.path),
    ...literal.map((r) => r.path),
    '/',
  ];
  return paths
    .map((p) => `http://localhost:8000${p.startsWith('/') ? p : `/${p}`}`)
    .find((url) => key(appForUrl(project, url)) === key(app));
}

/**
 * `scan --write` with the frontend's origins: for each app, the fixes `fix` proves for the request the
 * frontend makes (at a route of that app), written as `fix --write` writes them.
 */
export async function writeProvenFixes(
  project: Project,
  options: {
    origins: string[];
    request?: { method?: string; headers: HeaderList; credentials?: CredentialsMode; url?: string };
  },
): Promise<WriteResult> {
  const result: WriteResult = { written: [], applied: [], skipped: [] };
  const method = options.request?.method ?? 'GET';
  // The request's URL when it is known; else a route of each app.
  const urls = options.request?.url
    ? [options.request.url]
    : project.apps.flatMap((app) => urlForApp(project, app, method) ?? []);
  for (const url of urls) {
    const report = await fixProject(project.root, {
      request: {
        url,
        method,
        headers: options.request?.headers ?? [],
        credentials: options.request?.credentials ?? 'same-origin',
      },
      origins: options.origins,
      browsers: ['chrome', 'firefox'],
      write: true,
    });
    const at = (t: FixTarget) => `${t.code} at ${t.locations[0]?.file}:${t.locations[0]?.line}`;
    for (const file of report.written ?? []) if (!result.written.includes(file)) result.written.push(file);
    result.applied.push(...report.patches.map(at));
    result.skipped.push(
      ...report.withoutPatch
        .filter((w) => w.proof || /does not apply|spans/.test(w.reason))
        .map((w) => `${at(w)} (${w.reason})`),
    );
  }
  return result;
}
