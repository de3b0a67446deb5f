/**
 * Which probes an audit sends, within its budget (`--max-probes`), in two rounds: first every trusted origin
 * with and without the dummy cookie, an unrelated site and `null`, and each derived origin with the cookie;
 * then, for each origin that got through, the same request without the cookie and the preflight of a
 * state-changing request (what a write would meet), and any derived origin the first round had no room
 * for. Pure: the requests are built here, sent elsewhere.
 */
import type { AuditAnswer, AuditProbe } from '../core/audit.js';
import type { RecordedRequest } from '../core/exchange.js';
import { actualHeaders, preflightHeaders } from '../evidence/probe/browser-request.js';
import { attackForm, trustedOf } from '../fix/origin-attacks.js';
import { headerValues } from '../model/header-list.js';
import type { HeaderList } from '../model/types.js';
import {
  type AttackOrigin,
  actualProbe,
  attackOrigins,
  bareSiteOf,
  oddDotOf,
  PROBE_COOKIE,
  UNRELATED_ORIGIN,
  writePreflightProbe,
} from './probes.js';

export interface AuditPlan {
  /** Sent first, in this order. */
  first: AuditProbe[];
  /** Derived origins the first round had no room for, most telling first. */
  later: AuditProbe[];
  /** At most this many probes in all. */
  maxProbes: number;
}

/** The share of the budget kept for the second round (what got through, asked again). */
const secondRoundShare = (maxProbes: number) => Math.min(10, Math.floor(maxProbes / 4));

/** The probes of an audit of `url` for the trusted `origins`, split into the two rounds. */
export function planAudit(url: string, origins: string[], maxProbes: number): AuditPlan {
  const attacks = attackOrigins(url, origins);
  const unrelated = attacks.find((a) => a.origin === UNRELATED_ORIGIN) as AttackOrigin;
  const legit = origins.map((origin) => ({ origin, why: 'a trusted origin (--origin)' }));
  const [firstLegit, ...otherLegit] = legit;
  const ranked: AuditProbe[] = [];
  if (firstLegit) ranked.push(actualProbe(firstLegit.origin, true, firstLegit.why));
  for (const attack of attacks.filter((a) => a.tier === 0))
    ranked.push(actualProbe(attack.origin, true, attack.why, attack.derivedFrom));
  if (firstLegit) ranked.push(actualProbe(firstLegit.origin, false, firstLegit.why));
  ranked.push(actualProbe(unrelated.origin, false, unrelated.why));
  ranked.push(writePreflightProbe(unrelated.origin, unrelated.why));
  for (const l of otherLegit)
    ranked.push(actualProbe(l.origin, true, l.why), actualProbe(l.origin, false, l.why));
  for (const attack of attacks.filter((a) => a.tier > 0))
    ranked.push(actualProbe(attack.origin, true, attack.why, attack.derivedFrom));
  const firstCount = Math.max(1, maxProbes - secondRoundShare(maxProbes));
  return { first: ranked.slice(0, firstCount), later: ranked.slice(firstCount), maxProbes };
}

const sameProbe = (a: AuditProbe, b: AuditProbe) =>
  a.origin === b.origin && a.kind === b.kind && a.credentials === b.credentials;

/** An attacking origin that got through: the answer names it in Access-Control-Allow-Origin. */
const gotThrough = (answer: AuditAnswer): boolean =>
  answer.status !== 0 && answer.allowOrigin === answer.probe.origin;

/**
 * The bare sites worth asking when a suffix form and a dot-replaced form of a trusted origin both got
 * through: whether the pattern needs a character before the site, and takes any (an unescaped dot, as in
 * `https://.*.example\.com`), or takes none (a suffix match, `https://.*example\.com`) or only host
 * characters (`https://[\w.-]+example\.com`), tells which hole it is.
 */
function bareSiteProbes(answers: AuditAnswer[], trusted: string[]): AuditProbe[] {
  const t = trustedOf(trusted);
  const through = answers
    .filter((a) => !trusted.includes(a.probe.origin) && gotThrough(a))
    .map((a) => ({ probe: a.probe, code: attackForm(a.probe.origin, t)?.code }));
  if (!through.some((f) => f.code === 'origin-suffix-bypass')) return [];
  const out: AuditProbe[] = [];
  for (const { probe, code } of through) {
    const from = probe.derivedFrom;
    const bare = code === 'regex-unescaped-dot' && from !== undefined ? bareSiteOf(from) : undefined;
    const odd = code === 'regex-unescaped-dot' && from !== undefined ? oddDotOf(from) : undefined;
    if (bare === undefined || odd === undefined || out.some((p) => p.origin === bare)) continue;
    out.push(
      actualProbe(bare, true, `the bare site of ${from}: refused, a character is needed before it`, from),
      actualProbe(odd, true, `${from} with a backtick for its dot: only a regex . takes it`, from),
    );
  }
  return out;
}

/**
 * The answers to the actual requests carry no Access-Control-Allow-Origin at all, not even for a trusted
 * origin, which was answered with an error (nginx adds its headers to a 401 only with `always`): the policy
 * shows only in the preflights, which the second round then asks for the origins of the first.
 */
function actualShowsNothing(answers: AuditAnswer[], trusted: string[]): boolean {
  const actual = answers.filter((a) => a.probe.kind === 'actual' && a.status > 0);
  return (
    actual.every((a) => a.allowOrigin === undefined) &&
    actual.some((a) => trusted.includes(a.probe.origin) && a.status >= 400)
  );
}

/**
 * The second round: the bare sites that tell an unescaped dot from a suffix match, then for every origin
 * that got through (not a trusted one), the request without the cookie and the write preflight; when the
 * actual answers showed no CORS header at all, the preflights of the first round's origins; then the
 * derived origins left over, within what the budget leaves.
 */
export function secondRound(plan: AuditPlan, answers: AuditAnswer[], trusted: string[]): AuditProbe[] {
  const sent = answers.map((a) => a.probe);
  const followUps: AuditProbe[] = [];
  const add = (next: AuditProbe) => {
    if (![...sent, ...followUps].some((s) => sameProbe(s, next))) followUps.push(next);
  };
  for (const bare of bareSiteProbes(answers, trusted))
    if (!sent.some((s) => s.origin === bare.origin && s.kind === 'actual')) add(bare);
  for (const answer of answers) {
    const { probe } = answer;
    if (trusted.includes(probe.origin) || !gotThrough(answer)) continue;
    add(actualProbe(probe.origin, false, probe.why, probe.derivedFrom));
    add(writePreflightProbe(probe.origin, probe.why, probe.derivedFrom));
  }
  if (actualShowsNothing(answers, trusted))
    for (const probe of [...sent.filter((p) => trusted.includes(p.origin)).slice(0, 1), ...sent])
      if (probe.kind === 'actual') add(writePreflightProbe(probe.origin, probe.why, probe.derivedFrom));
  const room = Math.max(0, plan.maxProbes - sent.length);
  return [...followUps, ...plan.later].slice(0, room);
}

/** The request a probe sends, as a browser sends it: Chrome's headers, the dummy cookie when credentialed. */
export function probeRequest(url: string, probe: AuditProbe): RecordedRequest {
  if (probe.kind === 'preflight') {
    const lines: HeaderList = [
      ['Accept', '*/*'],
      ['Access-Control-Request-Method', probe.method],
    ];
    if (probe.requestHeaders.length > 0)
      lines.push(['Access-Control-Request-Headers', probe.requestHeaders.join(',')]);
    lines.push(['Origin', probe.origin]);
    return { method: 'OPTIONS', url, headers: preflightHeaders(lines, probe.origin, url) };
  }
  return {
    method: probe.method,
    url,
    headers: actualHeaders({
      origin: probe.origin,
      url,
      headers: [],
      credentials: probe.credentials ? 'include' : 'omit',
      cookie: PROBE_COOKIE,
    }),
  };
}

/** What an answer says to CORS: its status and the Access-Control-* headers read as a browser reads them. */
export function answerOf(
  probe: AuditProbe,
  result: { status?: number; headers?: HeaderList; ms: number; error?: string },
): AuditAnswer {
  const headers = result.headers ?? [];
  const one = (name: string) => {
    const values = headerValues(headers, name);
    return values.length === 1 ? values[0] : undefined;
  };
  const allowOrigin = one('access-control-allow-origin');
  const allowMethods = headerValues(headers, 'access-control-allow-methods').join(', ');
  const allowHeaders = headerValues(headers, 'access-control-allow-headers').join(', ');
  return {
    probe,
    status: result.status ?? 0,
    ...(allowOrigin !== undefined && { allowOrigin }),
    // Browsers take only the exact, case-sensitive `true`.
    allowCredentials: one('access-control-allow-credentials') === 'true',
    ...(allowMethods !== '' && { allowMethods }),
    ...(allowHeaders !== '' && { allowHeaders }),
    headers,
    ms: Math.round(result.ms * 10) / 10,
    ...(result.error !== undefined && { error: result.error }),
  };
}

/**
 * Whether reading the API needs the user's cookies, from what a trusted origin gets without a cookie:
 * refused (401, 403) without a bearer challenge, it does; answered (2xx), or challenged for a token, it
 * does not; anything else cannot tell.
 */
export function needsCookies(answers: AuditAnswer[], trusted: string[]): boolean | undefined {
  const plain = answers.find(
    (a) => trusted.includes(a.probe.origin) && a.probe.kind === 'actual' && !a.probe.credentials && a.status,
  );
  if (!plain) return undefined;
  const challenge = headerValues(plain.headers, 'www-authenticate').join(' ');
  if (/^\s*bearer\b/i.test(challenge)) return false;
  if (plain.status === 401 || plain.status === 403) return true;
  if (plain.status >= 200 && plain.status < 300) return false;
  return undefined;
}
