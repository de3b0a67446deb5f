/**
 * The pytest module `gen-tests` writes: it imports the app the server serves, sends what the browser
 * sends for the page's fetch() through FastAPI's TestClient (in-process), and asserts each check the
 * browser makes, a failure quoting Chrome's console line and naming the cause. Pure: the project, the
 * page's fetch() and what the command read -> Python text.
 */
import type { PageFetch } from '../core/page.js';
import { isCorsSafelistedMethod } from '../model/method.js';
import { type BrowserRequest, browserRequests, REDIRECT_STATUSES } from './browser-requests.js';
import { type Check, consoleTemplates, defaultCauses, type Prediction, predictedCauses } from './console.js';
import { type EnvironmentSources, environmentBlock } from './environment.js';
import { checkFunctions } from './python-checks.js';
import { pyComment, pyHeaders, pyOptional, pyString, pyStrings } from './python-literals.js';
import type { ProxyInFront, ServedApp } from './served-app.js';

export interface TestModuleInput {
  page: PageFetch;
  served: ServedApp;
  /**
   * Where the module finds the project: a path relative to the module's own folder (with `--out`), or
   * absolute (the module printed).
   */
  projectPath: { relative: string } | { absolute: string };
  /** The proxy configuration in front of the app for this URL, if any: the test covers the app alone. */
  proxy?: ProxyInFront;
  /** No route of the app serves the URL's path. */
  noRoute?: boolean;
  /** What `check --project --offline` predicts for this request, when it can. */
  prediction?: Prediction;
  /** Where the environment comes from; none: the project sets no variable. */
  environment?: EnvironmentSources;
  /** How the module is run, for its header (`python3 -m pytest -q test_cors.py`). */
  runWith: string;
}

/** The notes a module carries in its header and the command prints on stderr. */
export function moduleNotes(input: Pick<TestModuleInput, 'page' | 'proxy' | 'noRoute' | 'served'>): string[] {
  const notes: string[] = [];
  if (input.proxy) {
    notes.push(
      `nginx is not covered: ${input.page.url} goes through ${input.proxy.config.file}, and this test sends the requests to the app alone${input.proxy.upstreamUrl ? ` (at ${input.proxy.upstreamUrl}, where nginx passes them)` : ''}. What nginx adds, hides or answers itself is not tested here: check it live (cors-doctor check URL).`,
    );
  }
  if (input.noRoute) {
    notes.push(
      `no route of the app serves ${new URL(input.page.url).pathname}: the app answers 404, which still carries the CORS headers (Starlette's CORS layer writes them on every answer), so the test still asserts what the browser checks.`,
    );
  }
  return notes;
}

function describeRequest(page: PageFetch): string {
  const names = page.headers.map(([name]) => name);
  return [
    `${page.method} ${page.url} from a page at ${page.origin}`,
    names.length > 0 ? `with ${names.join(', ')}` : 'with no header of its own',
    page.body !== undefined ? 'and a body' : '',
    `(credentials: ${page.credentials})`,
  ]
    .filter(Boolean)
    .join(' ');
}

function describePreflight(request: BrowserRequest): string {
  const preflight = request.preflight;
  if (!preflight) {
    return `Chrome sends no preflight: ${request.method} with these headers is a simple request, so only its answer is checked.`;
  }
  const why = [
    ...(preflight.method !== undefined && !isCorsSafelistedMethod(preflight.method)
      ? [`${preflight.method} is not a safelisted method`]
      : []),
    ...(preflight.headerNames.length === 1 ? [`${preflight.headerNames[0]} is not a safelisted header`] : []),
    ...(preflight.headerNames.length > 1
      ? [`${preflight.headerNames.join(', ')} are not safelisted headers`]
      : []),
  ];
  return `Chrome sends a preflight first (${why.join('; ')}), then the request.`;
}

function describePrediction(prediction: Prediction | undefined): string | undefined {
  const chrome = prediction?.chrome;
  if (!prediction || !chrome) return undefined;
  if (chrome.outcome === 'allowed') return 'cors-doctor check --project --offline predicts: allowed.';
  const causes = prediction.causes.filter((c) => c.severity === 'error').map((c) => c.code);
  const where = {
    preflight: 'the preflight',
    actual: 'the request',
    redirect: 'a redirect',
    network: 'the network',
  }[chrome.stage ?? 'actual'];
  return `cors-doctor check --project --offline predicts: blocked at ${where}${causes.length > 0 ? ` (${causes.join(', ')})` : ''}.`;
}

function header(input: TestModuleInput, first: BrowserRequest): string[] {
  const { served } = input;
  const lines = [
    ...pyComment(`CORS as the browser checks it: ${describeRequest(input.page)}.`),
    ...pyComment(describePreflight(first)),
    ...pyComment(
      `These tests send the same requests, header for header, to \`${served.module}:${served.attribute}${served.factory ? '()' : ''}\`, the object the server serves, from ${served.foundBy}, in-process through TestClient, and assert each check the browser makes. A failure quotes Chrome's console line and names the cause (docs/causes.md).`,
    ),
  ];
  const predicted = describePrediction(input.prediction);
  if (predicted) lines.push(...pyComment(predicted));
  for (const note of moduleNotes(input)) lines.push('#', ...pyComment(`Note: ${note}`));
  lines.push('#', ...pyComment(`Generated by cors-doctor gen-tests. Run: ${input.runWith}`));
  return lines;
}

function projectLines(input: TestModuleInput): string[] {
  const { served } = input;
  const project =
    'relative' in input.projectPath
      ? `os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ${pyString(input.projectPath.relative || '.')}))`
      : pyString(input.projectPath.absolute);
  const inProject = (dir: string) => (dir ? `os.path.join(PROJECT, ${pyString(dir)})` : 'PROJECT');
  return [
    '# The project, the folder the server runs in, and the folder it imports the app from.',
    `PROJECT = ${project}`,
    `RUN_DIR = ${inProject(served.runDir)}`,
    `IMPORT_DIR = ${inProject(served.importDir)}`,
    `APP_MODULE = ${pyString(served.module)}`,
    `APP_ATTRIBUTE = ${pyString(served.attribute)}`,
    `APP_IS_FACTORY = ${served.factory ? 'True' : 'False'}`,
    `APP_TOP = ${pyString(served.module.split('.')[0] as string)}`,
  ];
}

function requestEntry(request: BrowserRequest): string[] {
  const after = REDIRECT_STATUSES.filter((s) => request.afterRedirect[s] !== undefined)
    .map((s) => `${s}: ${pyString(request.afterRedirect[s] as string)}`)
    .join(', ');
  const preflight = request.preflight;
  return [
    `    ${pyString(request.id)}: {`,
    `        "method": ${pyString(request.method)},`,
    `        "headers": ${pyHeaders(request.headers, '        ')},`,
    `        "body": ${pyOptional(request.body)},`,
    preflight
      ? `        "preflight": ${pyHeaders(preflight.headers, '        ')},`
      : '        "preflight": None,',
    ...(preflight
      ? [
          `        "method_to_allow": ${pyOptional(preflight.method)},`,
          `        "header_names_to_allow": ${pyStrings(preflight.headerNames)},`,
        ]
      : []),
    `        "after_redirect": {${after}},`,
    '    },',
  ];
}

function consoleLines(input: TestModuleInput, requests: BrowserRequest[], hasCorsLayer: boolean): string[] {
  const credentials = input.page.credentials === 'include';
  const templates = consoleTemplates(input.page.url, input.page.origin, requests, credentials);
  const causes = defaultCauses(hasCorsLayer);
  const predicted = predictedCauses(input.prediction);
  const checks = Object.keys(causes) as Check[];
  const used = checks.filter(
    (c) =>
      templates.tails[c] !== undefined ||
      c === 'RedirectToOtherOrigin' ||
      c === 'TooManyRedirects' ||
      (c === 'AuthorizationCoveredByWildcard' && templates.authorizationWarning !== undefined),
  );
  return [
    "# Chrome's console line for each check (@@url@@ and @@hint@@ are filled in), and the cause each names.",
    `CONSOLE_HEAD = ${pyString(templates.head)}`,
    `CONSOLE_HEAD_REDIRECTED = ${pyString(templates.headRedirected)}`,
    'CONSOLE = {',
    ...Object.entries(templates.tails).map(([check, tail]) => `    ${pyString(check)}: ${pyString(tail)},`),
    '}',
    `AUTHORIZATION_WARNING = ${pyOptional(templates.authorizationWarning)}`,
    'CAUSES = {',
    ...used.map((c) => `    ${pyString(c)}: ${pyString(causes[c])},`),
    '}',
    '# What cors-doctor check --project --offline names for the check it predicts Chrome fails.',
    'PREDICTED = {',
    ...Object.entries(predicted).map(
      ([check, named]) => `    ${pyString(check)}: ${pyString(named as string)},`,
    ),
    '}',
    'STARLETTE_REFUSALS = {"origin": "origin-not-allowed", "method": "method-not-allowed", "headers": "header-not-allowed"}',
  ];
}

const FIXTURE = (environment: boolean) => `@pytest.fixture(scope="module")
def client():
    """The app as the server imports it (its folder, its environment), in a TestClient."""
    try:
        from fastapi.testclient import TestClient
    except ImportError:  # a Starlette app without FastAPI
        from starlette.testclient import TestClient

    # A module of the same name from another project (\`main\`) may be imported already: it goes first, and
    # this project's modules go when these tests are done, as if each project ran alone.
    forget([APP_TOP])
    with pytest.MonkeyPatch.context() as patch:
${environment ? '        for name, value in project_environment().items():\n            patch.setenv(name, value)\n' : ''}        patch.chdir(RUN_DIR)
        patch.syspath_prepend(IMPORT_DIR)
        app = getattr(importlib.import_module(APP_MODULE), APP_ATTRIBUTE)
        if APP_IS_FACTORY:
            app = app()
        # A server error reaches the test as the browser gets it: the 500 answer, not the exception.
        with TestClient(app, raise_server_exceptions=False) as test_client:
            yield test_client
    forget(imported_from(PROJECT))


def imported_from(root):
    """The imported modules whose files are in \`root\`, test modules aside (pytest holds those)."""
    folder = os.path.realpath(root) + os.sep
    names = []
    for name, module in list(sys.modules.items()):
        files = [getattr(module, "__file__", None)] + list(getattr(module, "__path__", None) or [])
        files = [os.path.realpath(file) for file in files if file]
        is_test = any(re.fullmatch(r"test_.*\\.py|.*_test\\.py|conftest\\.py", os.path.basename(f)) for f in files)
        if not is_test and any(file.startswith(folder) for file in files):
            names.append(name)
    return names


def forget(names):
    for name in set(names):
        for loaded in [n for n in sys.modules if n == name or n.startswith(name + ".")]:
            del sys.modules[loaded]`;

function preflightTest(first: BrowserRequest): string[] {
  if (!first.preflight) return [];
  return [
    'def test_preflight(client):',
    `    """The preflight Chrome sends before the ${first.method} (OPTIONS), and each check it makes on the answer."""`,
    '    request = REQUESTS["request"]',
    '    response = send(client, "OPTIONS", APP_URL, request["preflight"])',
    '    check_preflight(response, URL, expected(request))',
    '',
    '',
  ];
}

const REQUEST_TEST = `def test_request(client):
    """The request, and each redirect the browser follows (with a new preflight when one is due)."""
    # The browser sends it only once the preflight passed; it is sent here in any case, so that a
    # failure shows every answer that blocks.
    url, app_url, request = URL, APP_URL, REQUESTS["request"]
    for redirects in range(MAX_REDIRECTS + 1):
        if redirects > 0 and request["preflight"] is not None:
            check_preflight(send(client, "OPTIONS", app_url, request["preflight"]), url, expected(request))
        response = send(client, request["method"], app_url, request["headers"], request["body"])
        check_response(response, url)
        if not is_redirect(response):
            return
        target = urljoin(app_url, response.headers["location"])
        assert origin_of(target) == origin_of(app_url), blocked("RedirectToOtherOrigin", response, url, target)
        url, app_url = urljoin(url, response.headers["location"]), target
        request = REQUESTS[request["after_redirect"][response.status_code]]
    pytest.fail(blocked("TooManyRedirects", response, url))


def expected(request):
    return {"method": request.get("method_to_allow"), "header_names": request.get("header_names_to_allow", [])}`;

/** The pytest module for the page's fetch() against the served app. */
export function testModule(input: TestModuleInput): string {
  const requests = browserRequests(input.page);
  const first = requests[0] as BrowserRequest;
  const hasCorsLayer = input.served.app?.middleware.some((m) => m.kind === 'cors') ?? true;
  const appUrl = input.proxy?.upstreamUrl ?? input.page.url;
  const environment = input.environment;
  const checks = checkFunctions({
    credentials: input.page.credentials === 'include',
    checksMethod: requests.some((r) => r.preflight?.method !== undefined),
    checksHeaders: requests.some((r) => (r.preflight?.headerNames.length ?? 0) > 0),
    preflights: requests.some((r) => r.preflight !== undefined),
    console: consoleTemplates(
      input.page.url,
      input.page.origin,
      requests,
      input.page.credentials === 'include',
    ),
  });
  const sections = [
    header(input, first).join('\n'),
    [
      'import importlib',
      'import os',
      'import posixpath',
      'import re',
      'import sys',
      'from urllib.parse import urljoin, urlsplit',
      '',
      'import pytest',
    ].join('\n'),
    [
      ...projectLines(input),
      '',
      "# The page's origin, the URL it fetches (Chrome's console names it) and where the request reaches the app.",
      `ORIGIN = ${pyString(input.page.origin)}`,
      `URL = ${pyString(input.page.url)}`,
      `APP_URL = ${pyString(appUrl)}`,
      'REDIRECT_STATUSES = (301, 302, 303, 307, 308)',
      'MAX_REDIRECTS = 20',
      '',
      '# What the browser sends, header for header: the request, its preflight (None: no preflight) with what',
      "# the preflight's answer must allow, and the request it sends next after a redirect, by status.",
      'REQUESTS = {',
      ...requests.flatMap(requestEntry),
      '}',
      '',
      ...consoleLines(input, requests, hasCorsLayer),
    ].join('\n'),
    ...(environment ? [environmentBlock(environment)] : []),
    FIXTURE(environment !== undefined),
    [...preflightTest(first), REQUEST_TEST].join('\n'),
    checks,
  ];
  return `${sections.join('\n\n\n')}\n`;
}
