import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { checkWithSource } from '../../analysis/check-with-source.js';
import { BadInputError, CorsDoctorError, FileSystemError } from '../../core/errors.js';
import { EXIT } from '../../core/exit.js';
import { buildPageFetch, DEFAULT_ORIGIN, type PageFetch } from '../../core/page.js';
import { noCorsCheck } from '../../gen-tests/browser-requests.js';
import type { Prediction } from '../../gen-tests/console.js';
import { dockerfilesFor, dotenvChain, type EnvironmentSources } from '../../gen-tests/environment.js';
import { NoAppToTestError } from '../../gen-tests/errors.js';
import { moduleNotes, testModule } from '../../gen-tests/module.js';
import { proxyInFront, routeServes, type ServedApp, servedApp } from '../../gen-tests/served-app.js';
import { readProject } from '../../project/read-project.js';
import type { Project } from '../../project/types.js';
import { maskSecrets, maskText } from '../../report/mask.js';
import type { Style } from '../../report/style.js';

export interface GenTestsOptions {
  project: string;
  origin?: string;
  method?: string;
  header: string[];
  data?: string;
  jsonBody?: string;
  credentials?: string;
  cookie?: string;
  out?: string;
  showSecrets?: boolean;
}

/** What `check --project --offline` predicts for the request as it reaches the app (no proxy in front). */
async function predict(page: PageFetch, project: Project): Promise<Prediction | undefined> {
  try {
    const report = await checkWithSource(
      page,
      { browsers: ['chrome', 'firefox'], timeoutMs: 5000 },
      { ...project, proxies: [] },
      { offline: true },
    );
    return { ...(report.browsers.chrome && { chrome: report.browsers.chrome }), causes: report.causes };
  } catch (error) {
    // The server model cannot answer (code it does not run): the test names the usual cause of each check.
    if (error instanceof CorsDoctorError) return undefined;
    throw error;
  }
}

/** The files that set the app's environment (compose, Dockerfiles, `.env` next to the app or above it), if any. */
function environmentSources(project: Project, served: ServedApp): EnvironmentSources | undefined {
  const files = project.environment ?? [];
  const appDir = served.app ? posix.dirname(served.app.source.file) : served.importDir;
  const dir = appDir === '.' ? '' : appDir;
  const composeFiles = files.filter((f) => f.kind === 'compose').map((f) => f.file);
  const dockerfiles = dockerfilesFor(
    files.filter((f) => f.kind === 'dockerfile').map((f) => f.file),
    dir,
  );
  const dotenvFiles = dotenvChain(dir);
  const present = dotenvFiles.some((f) => existsSync(join(project.root, f)));
  return composeFiles.length > 0 || dockerfiles.length > 0 || present
    ? { composeFiles, dockerfiles, dotenvFiles }
    : undefined;
}

function writeModule(path: string, text: string, shown: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw FileSystemError.from(error, shown, 'write', '--out');
  }
}

/** `cors-doctor gen-tests URL --project DIR`: writes the pytest module. Returns the exit status. */
export async function runGenTests(rawUrl: string, options: GenTestsOptions, style: Style): Promise<number> {
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
  const refused = noCorsCheck(page);
  if (refused) throw new BadInputError(refused);
  let project: Project;
  try {
    project = await readProject(options.project);
  } catch (error) {
    throw new BadInputError(`--project: ${(error as Error).message}`);
  }
  const root = project.root;
  const served = servedApp(project, page.url, (dir) => existsSync(join(root, dir, '__init__.py')));
  if (!served) {
    throw new NoAppToTestError(
      `no FastAPI or Starlette app to test in ${root}; point --project at the backend folder`,
    );
  }
  const proxy = proxyInFront(project, page);
  const appUrl = proxy?.upstreamUrl ?? page.url;
  const noRoute = served.app !== undefined && !routeServes(served.app, appUrl);
  const prediction = await predict({ ...page, url: appUrl }, project);
  const environment = environmentSources(project, served);
  const out = options.out === undefined ? undefined : resolve(options.out);
  const fromRoot = out ? relative(root, out).split(sep).join('/') : undefined;
  const text = testModule({
    page,
    served,
    projectPath: out ? { relative: relative(dirname(out), root).split(sep).join('/') } : { absolute: root },
    ...(proxy && { proxy }),
    ...(noRoute && { noRoute }),
    ...(prediction && { prediction }),
    ...(environment && { environment }),
    runWith:
      fromRoot && !fromRoot.startsWith('..')
        ? `python3 -m pytest -q ${fromRoot} (from the project folder)`
        : 'python3 -m pytest -q FILE (FILE: where this module is saved)',
  });

  // Written before the notes, so that an --out that cannot be written is the only line.
  if (out !== undefined) writeModule(out, text, options.out as string);
  if (options.origin === undefined) {
    process.stderr.write(style.dim(`note: no --origin given; using ${DEFAULT_ORIGIN}\n`));
  }
  if (options.cookie !== undefined && page.credentials !== 'include') {
    process.stderr.write(
      style.dim('note: --cookie is sent only with --credentials include (as the browser does)\n'),
    );
  }
  // The module sends the request as given; what is said about it on stderr has its secrets masked.
  const said = (line: string) => (options.showSecrets ? line : maskText(line));
  for (const note of moduleNotes({ page, served, ...(proxy && { proxy }), ...(noRoute && { noRoute }) })) {
    process.stderr.write(style.dim(`note: ${said(note)}\n`));
  }
  if (JSON.stringify(maskSecrets(page)) !== JSON.stringify(page)) {
    process.stderr.write(
      style.dim(
        'note: the module carries the secrets of the request as given (the requests it sends need them): keep it as private as they are\n',
      ),
    );
  }
  if (out === undefined) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  process.stderr.write(
    `wrote ${options.out}: the browser's checks on ${page.method} ${said(page.url)} against ${served.module}:${served.attribute}; run ${fromRoot && !fromRoot.startsWith('..') ? `python3 -m pytest -q ${fromRoot} in ${options.project}` : `python3 -m pytest -q ${options.out}`}\n`,
  );
  return EXIT.ok;
}
