import { analyze } from '../../analysis/analyze.js';
import { BadInputError } from '../../core/errors.js';
import { EXIT } from '../../core/exit.js';
import type { CheckReport } from '../../core/report.js';
import {
  chainEntries,
  type HarContents,
  type HarReport,
  type HarRequestReport,
  type RecordedFetch,
  readHar,
  withAnswersNotKept,
} from '../../evidence/har/index.js';
import type { BrowserName, CredentialsMode } from '../../model/types.js';
import { packageVersion } from '../../package-root.js';
import type { Project } from '../../project/types.js';
import { replayCommand } from '../../report/har-text.js';
import { maskSecrets } from '../../report/mask.js';
import { parseFormat, render } from '../../report/renderers.js';
import type { Style } from '../../report/style.js';
import { openInputStream } from '../read-input.js';

export interface HarOptions {
  project?: string;
  showSecrets?: boolean;
  format?: string;
  json?: boolean;
}

const BROWSERS: BrowserName[] = ['chrome', 'firefox'];

/** Judges one recorded request in one credentials mode, joined to the source when a project is given. */
type Judge = (fetch: RecordedFetch, credentials: CredentialsMode) => Promise<CheckReport>;

/**
 * The judge: the rules on the request's exchanges (its own and the diagnostic ones the HAR holds), and the
 * source with a project; a request whose answer the HAR does not keep is said so.
 */
function judgeWith(project: Project | undefined): Judge {
  return async (fetch, credentials) => {
    const page = { ...fetch.page, credentials };
    if (!project) return withAnswersNotKept(analyze(page, fetch.exchanges, BROWSERS));
    const { checkWithSource } = await import('../../analysis/check-with-source.js');
    const report = await checkWithSource(page, { browsers: BROWSERS, timeoutMs: 0 }, project, {
      recorded: fetch.exchanges,
    });
    return withAnswersNotKept(report);
  };
}

/** The verdict agrees with what the browser recorded: its outcome and, when it shows, where it stopped. */
function fitsRecording(report: CheckReport, fetch: RecordedFetch, browser: BrowserName): boolean {
  const verdict = report.browsers[browser];
  if (!verdict || !fetch.recordedOutcome) return false;
  if (verdict.outcome !== fetch.recordedOutcome) return false;
  return fetch.recordedStage === undefined || verdict.stage === fetch.recordedStage;
}

const outcomes = (report: CheckReport): string =>
  BROWSERS.map((b) => `${b}:${report.browsers[b]?.outcome}`).join(',');

/** The verdict of one request: in the mode the HAR shows, or, when it cannot, in both modes. */
async function judgeRequest(
  fetch: RecordedFetch,
  judge: Judge,
  browser?: BrowserName,
): Promise<HarRequestReport> {
  const { credentials } = fetch;
  let report = await judge(fetch, credentials.mode);
  const info: HarRequestReport['har'] = {
    entries: [],
    count: 1,
    ...(browser && { recordedBy: browser }),
    ...(fetch.recordedOutcome && { recordedOutcome: fetch.recordedOutcome }),
    originFrom: fetch.originFrom,
    credentials: { known: credentials.known, judged: credentials.mode, why: credentials.why },
    replay: '',
  };
  if (!credentials.known) {
    const otherMode: CredentialsMode = credentials.mode === 'include' ? 'same-origin' : 'include';
    let other = await judge(fetch, otherMode);
    // The browser's own record of the outcome says which mode the page used, when the two differ.
    if (browser && !fitsRecording(report, fetch, browser) && fitsRecording(other, fetch, browser)) {
      [report, other] = [other, report];
      info.credentials.judged = otherMode;
      const where = fetch.recordedStage ? ` at the ${fetch.recordedStage}` : '';
      info.credentials.why += `; judged as ${otherMode}, the mode in which the outcome ${browser === 'chrome' ? 'Chrome' : 'Firefox'} recorded (${fetch.recordedOutcome}${where}) is reached`;
    }
    if (outcomes(report) === outcomes(other) && codes(report) === codes(other)) {
      info.credentials.sameEitherWay = true;
    } else {
      info.credentials.other = {
        credentials: other.request.credentials,
        browsers: other.browsers,
        causes: other.causes,
      };
    }
  }
  info.replay = replayCommand(report, fetch.page.body, fetch.page.cookie);
  const notes = [...report.notes, ...fetch.notes];
  return { ...report, notes, har: info };
}

const codes = (report: CheckReport): string => report.causes.map((c) => c.code).join(',');

/**
 * Headers that differ from one answer to the next of the same request (its time, its size, its trace ids,
 * the cache's bookkeeping) and that no browser or rule reads for CORS.
 */
const PER_ANSWER = new Set([
  'date',
  'age',
  'expires',
  'last-modified',
  'etag',
  'content-length',
  'set-cookie',
  'x-request-id',
  'x-correlation-id',
  'traceparent',
  'tracestate',
  'server-timing',
  'cf-ray',
  'x-amz-cf-id',
  'x-amzn-requestid',
  'x-amzn-trace-id',
  'x-cache',
  'report-to',
  'nel',
  'keep-alive',
  'connection',
]);

/**
 * What a verdict depends on: the page's fetch(), the answers (status, headers but those that change with
 * each answer, body excerpt, failure) and what the browser recorded. Requests with the same key are the
 * same request with the same verdict: a failure repeated a second later is still one failure.
 */
function inputKey(fetch: RecordedFetch): string {
  return JSON.stringify([
    fetch.page,
    fetch.credentials,
    fetch.recordedOutcome,
    fetch.recordedStage,
    fetch.notes,
    fetch.exchanges.map((x) => [
      x.kind,
      x.hop,
      x.request.method,
      x.request.url,
      x.response?.status,
      x.response?.headers.filter(([name]) => !PER_ANSWER.has(name.toLowerCase())),
      x.response?.bodyExcerpt,
      x.error?.code,
      x.predicted?.answeredBy,
    ]),
  ]);
}

/** The HAR's requests judged, identical ones once (pure but for reading the project's files with `--project`). */
export async function judgeHar(contents: HarContents, file: string, project?: Project): Promise<HarReport> {
  const judge = judgeWith(project);
  const groups = new Map<string, { fetch: RecordedFetch; entries: number[]; count: number }>();
  for (const fetch of contents.fetches) {
    const key = inputKey(fetch);
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.entries.push(...chainEntries(fetch.chain));
    } else groups.set(key, { fetch, entries: chainEntries(fetch.chain), count: 1 });
  }
  const requests: HarRequestReport[] = [];
  for (const { fetch, entries, count } of groups.values()) {
    const report = await judgeRequest(fetch, judge, contents.browser);
    report.har.entries = entries;
    report.har.count = count;
    requests.push(report);
  }
  return {
    file,
    version: contents.log.version,
    creator: contents.log.creator,
    entries: contents.entries,
    requests,
    skipped: contents.skipped,
  };
}

/** `har`: 1 when a browser blocks some request, 3 when nothing is left to judge, else 0. */
export function harExitStatus(report: HarReport): number {
  if (report.requests.length === 0) return EXIT.unreachable;
  const blocked = report.requests.filter((r) =>
    Object.values(r.browsers).some((v) => v.outcome === 'blocked'),
  );
  if (blocked.some((r) => !r.causes.some((c) => c.code === 'server-unreachable'))) return EXIT.blocked;
  return blocked.length > 0 ? EXIT.unreachable : EXIT.ok;
}

/** `cors-doctor har FILE`: judges every cross-origin fetch/XHR the HAR recorded. Returns the exit status. */
export async function runHar(file: string, options: HarOptions, style: Style): Promise<number> {
  const format = parseFormat('har', options.format, options.json);
  let project: Project | undefined;
  if (options.project !== undefined) {
    // The source join needs the Python parser: loaded only with --project.
    const { readProject } = await import('../../project/read-project.js');
    try {
      project = await readProject(options.project);
    } catch (error) {
      throw new BadInputError(`--project: ${(error as Error).message}`);
    }
  }
  const input = await openInputStream(file);
  // What the file holds is let go once judged, and the report once masked: a 100 MB HAR's report is large.
  let report: HarReport | undefined = await judgeFile(input, project);
  const status = harExitStatus(report);
  const { skipped, entries, requests } = { ...report, requests: report.requests.length };
  const shown = options.showSecrets ? report : maskSecrets(report);
  report = undefined;
  if (format === 'json') writeJson(shown, (text) => process.stdout.write(text));
  else
    process.stdout.write(
      `${render(format, { command: 'har', report: shown }, { style, version: packageVersion() })}\n`,
    );
  if (requests === 0) {
    process.stderr.write(
      `cors-doctor: ${input.name} holds no cross-origin fetch/XHR request (${entries} entries${skipped.length ? `, ${skipped.length} fetch/XHR not judged` : ''}): nothing to judge; save the HAR while the failing request is made\n`,
    );
  }
  return status;
}

/** Stands for the requests in the report's JSON while the rest of it is written. */
const REQUESTS_HERE = '\u0000';

/**
 * The report's JSON, byte for byte as `--format json` prints it (`JSON.stringify(report, null, 2)` and a
 * newline), written request by request: a report of thousands of requests is tens of megabytes of text,
 * never held as one string.
 */
export function writeJson(report: HarReport, write: (text: string) => void): void {
  if (report.requests.length === 0) {
    write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const frame = JSON.stringify({ ...report, requests: REQUESTS_HERE }, null, 2);
  const at = frame.indexOf(`"requests": ${JSON.stringify(REQUESTS_HERE)}`);
  const rest = frame.slice(at + `"requests": ${JSON.stringify(REQUESTS_HERE)}`.length);
  write(`${frame.slice(0, at)}"requests": [\n`);
  report.requests.forEach((request, i) => {
    // Split at line feeds only: JSON keeps U+2028 and U+2029 raw in strings, where ^ would match.
    const lines = JSON.stringify(request, null, 2)
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
    write(i < report.requests.length - 1 ? `${lines},\n` : `${lines}\n`);
  });
  write(`  ]${rest}\n`);
}

/** The HAR read and judged. */
async function judgeFile(
  input: Awaited<ReturnType<typeof openInputStream>>,
  project: Project | undefined,
): Promise<HarReport> {
  const contents = await readHar(input.chunks, input.name);
  return judgeHar(contents, input.name, project);
}
