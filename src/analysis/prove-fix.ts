/**
 * The proof of a patch: the same requests answered by the server model (behind the proxy model when a
 * proxy configuration takes the URL) before and after the change, and judged by the browser model. A patch
 * is proven when the page's request is then allowed in every browser, every origin that worked still works
 * for what it did before, and nothing new is opened (no other origin allowed, no method or header dropped).
 */

import { handWrittenEchoAdmits } from '../causes/security-middleware.js';
import type { PatchProof, PredictedOutcome } from '../core/fix-report.js';
import type { PageFetch } from '../core/page.js';
import type { CheckReport } from '../core/report.js';
import { appForUrl, offlineTransport } from '../evidence/offline.js';
import type { BrowserName } from '../model/types.js';
import type { Project } from '../project/types.js';
import { configsForUrl } from '../proxy/registry.js';
import { corsEntries, stringItems } from '../python/options.js';
import { projectStarletteVersion } from '../python/starlette-version.js';
import { check } from './check.js';

export type { PatchProof, PredictedOutcome };

/** One request of the policy: who asks, and why it is in the set. */
export interface PolicyProbe {
  /** `PUT from http://localhost:3000 with authorization`. */
  label: string;
  page: PageFetch;
  /** `request`: the page's request; `kept`: must keep working; `attacker`: must not start working. */
  role: 'request' | 'kept' | 'attacker';
}

/** What the browsers do with each probe of the policy. */
export type Policy = Map<string, Partial<Record<BrowserName, PredictedOutcome>>>;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const HEADERS: Array<[string, string]> = [
  ['Authorization', 'Bearer x'],
  ['Content-Type', 'application/json'],
  ['X-Requested-With', 'XMLHttpRequest'],
  ['X-CSRF-Token', 'x'],
  ['X-API-Key', 'x'],
];

/** Origins a careless change could let in, derived from the asked ones. */
function attackerOrigins(asked: string[]): string[] {
  const out = new Set<string>(['https://attacker.example', 'null']);
  for (const origin of asked) {
    const url = new URL(origin);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    out.add(`${url.protocol}//${url.hostname}:${port === 65535 ? port - 1 : port + 1}`);
    out.add(`${url.protocol === 'https:' ? 'http:' : 'https:'}//${url.host}`);
    out.add(`${url.protocol}//${url.hostname}.attacker.example${url.port ? `:${url.port}` : ''}`);
    out.add(
      `${url.protocol}//attacker${url.hostname.replace(/^[^.]*$/, '-$&')}${url.port ? `:${url.port}` : ''}`,
    );
  }
  for (const origin of asked) out.delete(origin);
  return [...out];
}

/** The origins the served app's configuration lists (what worked for someone before). */
function listedOrigins(project: Project, url: string): string[] {
  const app = appForUrl(project, url);
  if (!app) return [];
  return corsEntries(app).flatMap((entry) =>
    stringItems(entry.options?.allow_origins)
      .items.map((i) => i.value.trim())
      .filter((v) => /^https?:\/\/[^/]+$/.test(v)),
  );
}

/**
 * The requests a policy is compared on: the page's request from each asked origin; the same request,
 * every usual method and every usual header from the asked origins and from those the configuration lists;
 * the page's request, with cookies, from origins nobody asked for.
 */
export function policyProbes(project: Project, asked: PageFetch[]): PolicyProbe[] {
  const [first] = asked;
  if (!first) return [];
  const askedOrigins = asked.map((p) => p.origin);
  const probes: PolicyProbe[] = asked.map((page) => ({
    label: `the page's request from ${page.origin}`,
    page,
    role: 'request',
  }));
  const listed = listedOrigins(project, first.url).filter((o) => !askedOrigins.includes(o));
  for (const origin of [...askedOrigins, ...listed]) {
    const base: PageFetch = { ...first, origin, headers: [] };
    delete base.body;
    if (!askedOrigins.includes(origin))
      probes.push({ label: `the page's request from ${origin}`, page: { ...first, origin }, role: 'kept' });
    for (const method of METHODS)
      probes.push({ label: `${method} from ${origin}`, page: { ...base, method }, role: 'kept' });
    for (const [name, value] of HEADERS)
      probes.push({
        label: `GET with ${name} from ${origin}`,
        page: { ...base, method: 'GET', headers: [[name, value]] },
        role: 'kept',
      });
  }
  for (const origin of attackerOrigins([...askedOrigins, ...listed])) {
    probes.push({
      label: `${first.method} from ${origin} with cookies`,
      page: { ...first, origin, credentials: 'include', cookie: 'session=x' },
      role: 'attacker',
    });
  }
  return probes;
}

/** The report of the page's request as the models predict it from `project`. */
export async function predictPage(
  project: Project,
  page: PageFetch,
  browsers: BrowserName[],
): Promise<CheckReport | undefined> {
  const served = appForUrl(project, page.url);
  if (!served) return undefined;
  const proxy = configsForUrl(project.proxies, page.url)[0];
  const version = projectStarletteVersion(project).version;
  return check(page, { browsers, timeoutMs: 1000, transport: offlineTransport(served, proxy, version) });
}

/**
 * Why the models cannot judge the page's request, when they cannot: code of the app the server model does
 * not run writes an Access-Control-* header where a browser stopped (hand-written CORS in a middleware).
 * A preflight refused by its status alone is judged all the same.
 */
export function notModelled(report: CheckReport | undefined, browsers: BrowserName[]): string | undefined {
  if (!report) return undefined;
  for (const b of browsers) {
    const verdict = report.browsers[b];
    if (!verdict || verdict.outcome === 'allowed') continue;
    const stopped = report.exchanges.filter((x) => x.kind === verdict.stage);
    if (verdict.stage === 'preflight' && stopped.every((x) => !/^2/.test(String(x.response?.status))))
      continue;
    const why = stopped
      .flatMap((x) => x.predicted?.assumptions ?? [])
      .find((a) => /access-control-/i.test(a) && /not modelled/.test(a));
    if (why) return why;
  }
  return undefined;
}

const outcomesOf = (
  report: CheckReport | undefined,
  browsers: BrowserName[],
): Partial<Record<BrowserName, PredictedOutcome>> => {
  const unknown = notModelled(report, browsers) !== undefined;
  return Object.fromEntries(
    browsers.map((b) => [
      b,
      report?.browsers[b]?.outcome === 'allowed' ? 'allowed' : unknown ? 'unpredictable' : 'blocked',
    ]),
  );
};

/**
 * A probe the models cannot judge because the app's own middleware writes Access-Control-Allow-Origin:
 * what that middleware's source says of its origin, when the browsers stopped at the actual answer
 * (its code writes the Origin back, with credentials, only when its test admits it).
 */
function fromSource(
  project: Project,
  page: PageFetch,
  report: CheckReport | undefined,
  browsers: BrowserName[],
): PredictedOutcome {
  const app = appForUrl(project, page.url);
  const atActual = browsers.every((b) => {
    const v = report?.browsers[b];
    return v?.outcome === 'allowed' || v?.stage === 'actual';
  });
  const admits = app && atActual ? handWrittenEchoAdmits(project, app, page.origin) : undefined;
  return admits === undefined ? 'unpredictable' : admits ? 'allowed' : 'blocked';
}

/** What the browsers do with every probe, as the models predict it from `project`. */
export async function predictPolicy(
  project: Project,
  probes: PolicyProbe[],
  browsers: BrowserName[],
): Promise<Policy> {
  const policy: Policy = new Map();
  for (const probe of probes) {
    try {
      const report = await predictPage(project, probe.page, browsers);
      const outcomes = outcomesOf(report, browsers);
      // Not modelled: the proof compares with what the hand-written code's source lets in.
      if (Object.values(outcomes).includes('unpredictable')) {
        const read = fromSource(project, probe.page, report, browsers);
        for (const b of browsers) if (outcomes[b] === 'unpredictable') outcomes[b] = read;
      }
      policy.set(probe.label, outcomes);
    } catch {
      policy.set(probe.label, Object.fromEntries(browsers.map((b) => [b, 'unpredictable'])));
    }
  }
  return policy;
}

const allowedIn = (verdicts: Partial<Record<BrowserName, PredictedOutcome>> | undefined): boolean =>
  verdicts !== undefined && Object.values(verdicts).every((v) => v === 'allowed');

const allowedInAny = (verdicts: Partial<Record<BrowserName, PredictedOutcome>> | undefined): boolean =>
  verdicts !== undefined && Object.values(verdicts).some((v) => v === 'allowed');

/** A one-line account of what answered and judged. */
export function proofMethod(project: Project, url: string, browsers: BrowserName[]): string {
  const served = appForUrl(project, url);
  const proxy = configsForUrl(project.proxies, url)[0];
  const version = projectStarletteVersion(project);
  const judged = browsers.map((b) => (b === 'chrome' ? 'Chrome' : 'Firefox')).join(' and ');
  return `applied in memory; every request answered by the Starlette ${version.version} model of ${served ? `${served.variable} (${served.source.file}:${served.source.line})` : 'the app'}${proxy ? ` behind the ${proxy.proxy} model of ${proxy.file}` : ''}, and judged by the ${judged} models`;
}

/** Compares the policy before and after a change. */
export function comparePolicies(
  probes: PolicyProbe[],
  before: Policy,
  after: Policy,
  method: string,
): PatchProof {
  const opened: string[] = [];
  const dropped: string[] = [];
  let kept = 0;
  const requests: PatchProof['requests'] = [];
  for (const probe of probes) {
    const was = before.get(probe.label);
    const now = after.get(probe.label);
    if (probe.role === 'attacker') {
      if (allowedInAny(now) && !allowedInAny(was)) opened.push(probe.label);
      continue;
    }
    if (probe.role === 'request') {
      requests.push({ origin: probe.page.origin, before: was ?? {}, after: now ?? {} });
      continue;
    }
    if (allowedIn(was)) {
      if (allowedIn(now)) kept++;
      else dropped.push(probe.label);
    }
  }
  return { method, requests, kept, compared: probes.length, opened, dropped };
}

/** Whether the proof holds: the page's request allowed everywhere, nothing opened, nothing dropped. */
export function proofHolds(proof: PatchProof): boolean {
  return (
    proof.opened.length === 0 && proof.dropped.length === 0 && proof.requests.every((r) => allowedIn(r.after))
  );
}

/** Whether the page's request is allowed in every browser, for every asked origin. */
export function requestsAllowed(proof: PatchProof, side: 'before' | 'after'): boolean {
  return proof.requests.every((r) => allowedIn(r[side]));
}
