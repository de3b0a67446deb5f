// `verify`'s report: what each real browser did beside what the browser model predicted for the same
// request (pure; the browsers run in verify.ts, the prediction comes from `check`).

import { EXIT, type ExitStatus } from '../core/exit.js';
import type { PageFetch } from '../core/page.js';
import type { CheckReport } from '../core/report.js';
import type { BrowserName, BrowserVerdict, HeaderList, Outcome, Stage } from '../model/types.js';
import { maskSecrets } from '../report/mask.js';

/** What one real browser did with the page's fetch(). */
export interface RealRun {
  /** The browser binary that ran. */
  executable: string;
  /** Its version number, as the browser reports it. */
  version: string;
  outcome: Outcome;
  /** The response status the page read, when allowed. */
  status?: number;
  /** How fetch() rejected, as the page saw it, when blocked. */
  errorText?: string;
  /** CORS console error lines, exact text, in the order the browser printed them. */
  messages: string[];
  warnings: string[];
  /** Every other console line (mixed content, `Failed to load resource`, the page's own favicon). */
  otherConsole: string[];
  /** Milliseconds from launch to close. */
  ms: number;
}

/** One browser in the JSON contract of `verify`. */
export interface BrowserVerification extends RealRun {
  predicted: { outcome: Outcome; stage?: Stage; preflight: boolean; messages: string[] };
  agrees: boolean;
  /** What differs, one line each, when the browser disagrees with the model. */
  differences: string[];
}

export interface VerifyReport {
  url: string;
  origin: string;
  request: { method: string; headers: HeaderList; credentials: PageFetch['credentials']; cookie?: string };
  browsers: Partial<Record<BrowserName, BrowserVerification>>;
  /** Browsers asked for that are not installed, with what to install. */
  notFound: Partial<Record<BrowserName, string>>;
  /** The causes `check` named for the same request. */
  causes: Array<{ code: string; summary: string }>;
  notes: string[];
}

/** `a=b; c=d` as `[name, value]` pairs (a part without `=` is a value with an empty name, as browsers take it). */
export function parseCookieHeader(header: string): Array<[string, string]> {
  return header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      return equals < 0 ? ['', part] : [part.slice(0, equals).trim(), part.slice(equals + 1).trim()];
    });
}

const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/** Loopback: `localhost` and its subdomains, 127.0.0.0/8, ::1 (potentially trustworthy over plain http). */
export function isPotentiallyTrustworthyHost(host: string): boolean {
  const h = bare(host);
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1';
}

/** A loopback or private address (RFC 1918, link-local, unique local, `.local`). */
export function isLocalNetworkHost(host: string): boolean {
  const h = bare(host);
  if (isPotentiallyTrustworthyHost(h) || h.endsWith('.local')) return true;
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)
    );
  }
  return /^(fc|fd|fe[89ab])[0-9a-f]*:/.test(h);
}

/** Where the real browser and the model part, one line each; empty when they agree. */
export function differences(name: BrowserName, real: RealRun, predicted: BrowserVerdict): string[] {
  const lines: string[] = [];
  if (real.outcome !== predicted.outcome) {
    lines.push(`${name} ${real.outcome} the request; the model predicted ${predicted.outcome}`);
  }
  const realOnly = real.messages.filter((m) => !predicted.messages.includes(m));
  const predictedOnly = predicted.messages.filter((m) => !real.messages.includes(m));
  for (const m of realOnly) lines.push(`${name} printed a line the model did not predict: ${m}`);
  for (const m of predictedOnly) lines.push(`the model predicted a line ${name} did not print: ${m}`);
  if (
    realOnly.length === 0 &&
    predictedOnly.length === 0 &&
    real.messages.join('\n') !== predicted.messages.join('\n')
  ) {
    lines.push(`${name} printed the predicted lines in another order or number`);
  }
  return lines;
}

/** Public page to a loopback or private API: the case where browsers ask the user first. */
export function reachesLocalNetwork(origin: string, url: string): boolean {
  if (origin === 'null') return false;
  return !isLocalNetworkHost(new URL(origin).hostname) && isLocalNetworkHost(new URL(url).hostname);
}

/** Sets each real run beside the model's prediction for the same request. */
export function buildVerifyReport(
  page: PageFetch,
  prediction: CheckReport,
  runs: Partial<Record<BrowserName, RealRun>>,
  notFound: Partial<Record<BrowserName, string>>,
): VerifyReport {
  const browsers: VerifyReport['browsers'] = {};
  for (const name of Object.keys(runs) as BrowserName[]) {
    const real = runs[name] as RealRun;
    const verdict = prediction.browsers[name];
    if (!verdict) continue;
    // A predicted line the browser printed as an ordinary console line (Chrome's `Failed to load resource:
    // net::ERR_TOO_MANY_REDIRECTS`) was printed all the same.
    const printed = new Set(real.otherConsole);
    const diff = differences(name, real, {
      ...verdict,
      messages: verdict.messages.filter((m) => !printed.has(m)),
    });
    browsers[name] = {
      ...real,
      predicted: {
        outcome: verdict.outcome,
        ...(verdict.stage !== undefined && { stage: verdict.stage }),
        preflight: verdict.preflight,
        messages: verdict.messages,
      },
      agrees: diff.length === 0,
      differences: diff,
    };
  }
  const notes: string[] = [];
  if (reachesLocalNetwork(page.origin, page.url)) {
    notes.push(
      'a public page reaching a loopback or private address: Chrome (and Firefox where enabled) asks the user first; verify runs the browsers as a user who allows it',
    );
  }
  if (page.cookie !== undefined && page.credentials !== 'include') {
    notes.push(
      '--cookie is held by the browser but sent only with --credentials include on a cross-origin request',
    );
  }
  return {
    url: page.url,
    origin: page.origin,
    request: {
      method: page.method,
      headers: page.headers,
      credentials: page.credentials,
      ...(page.cookie !== undefined && { cookie: page.cookie }),
    },
    browsers,
    notFound,
    causes: prediction.causes.map((c) => ({ code: c.code, summary: c.summary })),
    notes,
  };
}

/** As `check`: 3 when nothing answered, 1 when a real browser blocked the request, else 0. */
export function verifyExitStatus(report: VerifyReport): ExitStatus {
  if (report.causes.some((c) => c.code === 'server-unreachable')) return EXIT.unreachable;
  return Object.values(report.browsers).some((b) => b.outcome === 'blocked') ? EXIT.blocked : EXIT.ok;
}

/** Whether every browser that ran agrees with the model. */
export const allAgree = (report: VerifyReport): boolean =>
  Object.values(report.browsers).every((b) => b.agrees);

/** Secrets (Authorization, cookies, tokens in headers, URLs and bodies) masked unless asked not to. */
export function maskVerifyReport(report: VerifyReport, showSecrets: boolean): VerifyReport {
  return showSecrets ? report : maskSecrets(report);
}
