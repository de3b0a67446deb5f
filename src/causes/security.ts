/**
 * Security findings from the answers to audit probes. A finding needs a browser that could send the
 * attacking origin and an answer that lets that origin's page read what it should not: the origin echoed
 * with `Access-Control-Allow-Credentials: true` (read with the visitor's cookies), or a preflight that lets
 * a state-changing method with credentials through. Each probe's origin is classified against the trusted
 * origins (the most specific code), then codes explained by a broader hole are left out: an unrelated
 * origin echoed explains every other form. Every rule's audit hook takes its own code from this one reading.
 */
import type { AuditAnswer, AuditEvidence } from '../core/audit.js';
import type { CauseCode } from '../core/causes.js';
import {
  type AttackForm,
  attackForm,
  localhostLookalike,
  parseOrigin,
  siteOf,
  trustedOf,
} from '../fix/origin-attacks.js';
import type { AuditFindingDraft } from './types.js';

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

/** A method or header list (`GET, PUT`) as lower-case names. */
const names = (list: string | undefined): string[] =>
  lower(list)
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);

/** What one origin's probes show. */
interface Reach {
  origin: string;
  form: AttackForm;
  /** An actual request's answer echoes the origin with credentials allowed. */
  read?: AuditAnswer;
  /** A preflight for a state-changing method lets it through with credentials. */
  write?: AuditAnswer;
  /** Without a cookie the answer was `*` (with credentials allowed), with a cookie the origin echoed. */
  wildcardEcho: boolean;
  answers: AuditAnswer[];
}

const readsWithCookies = (a: AuditAnswer): boolean =>
  a.status > 0 && a.allowOrigin === a.probe.origin && a.allowCredentials;

function preflightPasses(a: AuditAnswer): boolean {
  if (a.probe.kind !== 'preflight' || a.status < 200 || a.status > 299) return false;
  if (a.allowOrigin !== a.probe.origin || !a.allowCredentials) return false;
  const methods = names(a.allowMethods);
  const method = a.probe.method.toLowerCase();
  const safe = ['get', 'head', 'post'].includes(method);
  if (!safe && !methods.includes(method)) return false;
  const headers = names(a.allowHeaders);
  return a.probe.requestHeaders.every((h) => headers.includes(h.toLowerCase()));
}

const line = (a: AuditAnswer): string => {
  const what =
    a.probe.kind === 'preflight'
      ? `OPTIONS (preflight for ${a.probe.method}${a.probe.requestHeaders.length > 0 ? ` with ${a.probe.requestHeaders.join(', ')}` : ''})`
      : a.probe.method;
  const got = [
    `${a.status}`,
    a.allowOrigin !== undefined
      ? `Access-Control-Allow-Origin: ${a.allowOrigin}`
      : 'no Access-Control-Allow-Origin',
    ...(a.allowCredentials ? ['Access-Control-Allow-Credentials: true'] : []),
    ...(a.probe.kind === 'preflight' && a.allowMethods
      ? [`Access-Control-Allow-Methods: ${a.allowMethods}`]
      : []),
    ...(a.probe.kind === 'preflight' && a.allowHeaders
      ? [`Access-Control-Allow-Headers: ${a.allowHeaders}`]
      : []),
  ];
  return `${what} with Origin: ${a.probe.origin}${a.probe.credentials ? ' and a Cookie' : ''} -> ${got.join(', ')}`;
};

/** The curl command that reproduces a finding. */
export function curlFor(url: string, a: AuditAnswer): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl -si'];
  if (a.probe.kind === 'preflight') {
    parts.push('-X OPTIONS', quote(url), '-H', quote(`Origin: ${a.probe.origin}`));
    parts.push('-H', quote(`Access-Control-Request-Method: ${a.probe.method}`));
    if (a.probe.requestHeaders.length > 0)
      parts.push('-H', quote(`Access-Control-Request-Headers: ${a.probe.requestHeaders.join(',')}`));
  } else {
    parts.push(quote(url), '-H', quote(`Origin: ${a.probe.origin}`));
    if (a.probe.credentials) parts.push('-H', quote('Cookie: session=test'));
  }
  return parts.join(' ');
}

/** Each probed origin that is an attack, with what its answers show. */
function reaches(evidence: AuditEvidence): Reach[] {
  const trusted = trustedOf(evidence.origins);
  const byOrigin = new Map<string, AuditAnswer[]>();
  for (const a of evidence.answers) {
    if (a.error || a.status === 0) continue;
    byOrigin.set(a.probe.origin, [...(byOrigin.get(a.probe.origin) ?? []), a]);
  }
  const out: Reach[] = [];
  for (const [origin, answers] of byOrigin) {
    const form = localhostLookalike(attackForm(origin, trusted), origin, trusted);
    if (!form) continue;
    const actual = answers.filter((a) => a.probe.kind === 'actual');
    const read =
      actual.find((a) => a.probe.credentials && readsWithCookies(a)) ?? actual.find(readsWithCookies);
    const write = answers.find(preflightPasses);
    const bare = actual.find((a) => !a.probe.credentials);
    const wildcardEcho =
      bare?.allowOrigin === '*' && actual.some((a) => a.probe.credentials && readsWithCookies(a));
    out.push({ origin, form, ...(read && { read }), ...(write && { write }), wildcardEcho, answers });
  }
  return out;
}

const WRITE_METHODS = (r: Reach): string =>
  [
    ...new Set(
      r.answers
        .filter(preflightPasses)
        .map(
          (a) =>
            `${a.probe.method}${a.probe.requestHeaders.length > 0 ? ` with ${a.probe.requestHeaders.join(', ')}` : ''}`,
        ),
    ),
  ].join('; ');

function impact(r: Reach, unseen: boolean): string {
  const page = r.origin === 'null' ? 'A sandboxed page on any site (Origin: null)' : `A page on ${r.origin}`;
  const writes = r.write
    ? `; the preflight also lets it send ${WRITE_METHODS(r)} with the visitor's cookies`
    : '';
  if (r.read) return `${page} can read this API's responses with the visitor's cookies${writes}.`;
  if (unseen)
    return `${page} can send ${WRITE_METHODS(r)} with the visitor's cookies through the preflight; no answer to an actual request carried CORS headers here (each was an error without the visitor's session), so whether a logged-in answer is readable too could not be seen.`;
  return `${page} can send ${WRITE_METHODS(r)} with the visitor's cookies through the preflight (the answers stay unreadable).`;
}

/** No answer to an actual request carried Access-Control-Allow-Origin: the policy showed in preflights only. */
const actualUnseen = (evidence: AuditEvidence): boolean =>
  evidence.answers.every((a) => a.probe.kind !== 'actual' || a.status === 0 || a.allowOrigin === undefined);

/**
 * An address of a private network: RFC 1918, the shared range (CGNAT, where VPNs such as Tailscale
 * number their machines), link-local, IPv6 unique-local and link-local.
 */
function privateAddress(address: string): boolean {
  const a = address
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/^::ffff:(?=\d+\.)/, '');
  return (
    /^10\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\.|^169\.254\.|^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./.test(
      a,
    ) || /^f[cd][0-9a-f]{2}:|^fe[89ab][0-9a-f]:/.test(a)
  );
}

/**
 * Why access to the URL may depend on network position alone, or undefined: a private address, an intranet
 * name (a name without a dot, or under a suffix only an intranet or a VPN resolves), or a name that resolved
 * to private addresses only. Loopback is left out: a server on this machine may be anything, a test server
 * as well as a local service, and the audit cannot tell.
 */
function privateTarget(url: string, addresses: string[] = []): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  if (privateAddress(host)) return `${host} is a private address`;
  if (addresses.length > 0 && addresses.every((a) => /^127\.|^::1$|^::ffff:127\./.test(a))) return undefined;
  if (
    /\.(internal|intranet|corp|lan|local|localdomain|home|private|home\.arpa|ts\.net)$/.test(host) ||
    (/^[a-z0-9-]+$/.test(host) && host !== 'localhost' && !/^\d+$/.test(host))
  )
    return `${host} is an intranet name`;
  if (addresses.length > 0 && addresses.every(privateAddress))
    return `${host} resolves to a private address (${addresses.join(', ')})`;
  return undefined;
}

function draftOf(evidence: AuditEvidence, code: CauseCode, r: Reach, others: Reach[]): AuditFindingDraft {
  const shown = [r.read, r.write].filter((a): a is AuditAnswer => a !== undefined);
  const bare = r.answers.find((a) => a.probe.kind === 'actual' && !a.probe.credentials);
  const lines = [
    `${r.origin} is ${r.form.form}`,
    ...shown.map(line),
    ...(code === 'wildcard-credentials-reflection' && bare ? [line(bare)] : []),
    ...(others.length > 0 ? [`the same hole lets in: ${others.map((o) => o.origin).join(', ')}`] : []),
  ];
  const proof = r.read ?? r.write;
  return {
    ...(code === 'insecure-origin-trusted' && !r.read && { severity: 'warning' as const }),
    origin: r.origin,
    credentials: true,
    impact: impact(r, actualUnseen(evidence)),
    evidence: lines,
    locations: [],
    ...(proof && { reproduce: curlFor(evidence.url, proof) }),
  };
}

/** Codes that one unrelated origin getting through explains. */
const BROAD: CauseCode[] = ['reflects-any-origin', 'wildcard-credentials-reflection'];

/**
 * An unescaped dot and a suffix match both let in forms like `https://appxexample.com`; which one a policy
 * has shows in what else gets through. A dot of the top-level part written as another character
 * (`https://app.examplexcom`) is only an unescaped dot. When suffix forms got through too, the bare site
 * (`https://example.com`) tells: refused, the pattern needs a character before the site, an unescaped dot
 * (`https://.*.example\.com`), which then explains the suffix forms, unless a backtick in the dot's place
 * is refused (a class of host characters, `[\w.-]+example\.com`); let in, a suffix match
 * (`https://.*example\.com`), which explains the dot forms inside the site.
 */
function nameDotOrSuffix(evidence: AuditEvidence, byCode: Map<CauseCode, Reach[]>): void {
  const dots = byCode.get('regex-unescaped-dot') ?? [];
  if (dots.length === 0 || !byCode.has('origin-suffix-bypass')) return;
  const sites = trustedOf(evidence.origins).sites;
  const pure = dots.filter((r) => {
    const host = parseOrigin(r.origin)?.host ?? '';
    return !sites.some((site) => host.endsWith(site));
  });
  const bare = bareSiteLetIn(evidence, dots);
  // A character is needed before the site; a backtick refused there shows a class of host characters.
  const odd = evidence.answers.find(
    (a) =>
      a.probe.kind === 'actual' &&
      a.status > 0 &&
      a.probe.origin.includes('`') &&
      attackForm(a.probe.origin, trustedOf(evidence.origins))?.code === 'regex-unescaped-dot',
  );
  const anyCharacter = bare === false && (odd === undefined || odd.allowOrigin === odd.probe.origin);
  if (anyCharacter || (bare === undefined && pure.length > 0)) byCode.delete('origin-suffix-bypass');
  else if (pure.length > 0) byCode.set('regex-unescaped-dot', pure);
  else byCode.delete('regex-unescaped-dot');
}

/** Whether the bare site a dot-replaced form imitates was let in (undefined: not asked, or no answer). */
function bareSiteLetIn(evidence: AuditEvidence, dots: Reach[]): boolean | undefined {
  for (const r of dots) {
    const o = parseOrigin(r.origin);
    if (!o || !r.form.imitates) continue;
    const bare = `${o.scheme}://${siteOf(r.form.imitates)}${o.port ? `:${o.port}` : ''}`;
    const answer = evidence.answers.find(
      (a) => a.probe.origin === bare && a.probe.kind === 'actual' && a.status > 0,
    );
    if (answer) return answer.allowOrigin === bare;
  }
  return undefined;
}

/** Every security finding of the audit, by code (one per code, most telling origin first). */
export function auditSecurity(evidence: AuditEvidence): Map<CauseCode, AuditFindingDraft> {
  const found = reaches(evidence).filter((r) => r.read || r.write);
  const byCode = new Map<CauseCode, Reach[]>();
  for (const r of found) {
    const code: CauseCode =
      r.form.code === 'reflects-any-origin' && r.wildcardEcho
        ? 'wildcard-credentials-reflection'
        : r.form.code;
    byCode.set(code, [...(byCode.get(code) ?? []), r]);
  }
  const broad = BROAD.find((c) => byCode.has(c));
  if (broad) for (const code of [...byCode.keys()]) if (code !== broad) byCode.delete(code);
  nameDotOrSuffix(evidence, byCode);
  const out = new Map<CauseCode, AuditFindingDraft>();
  for (const [code, rs] of byCode) {
    const [first, ...rest] = [...rs].sort((a, b) => Number(!!b.read) - Number(!!a.read));
    if (first) out.set(code, draftOf(evidence, code, first, rest));
  }
  const priv = privateApi(evidence);
  if (priv && !broad) out.set('wildcard-origin-private-api', priv);
  return out;
}

/**
 * `*` (or an echoed origin without credentials) on an API whose access depends on network position: the
 * target is a private address or intranet name, it answers without cookies, and an unrelated origin may
 * read that answer. Conservative: a public or loopback target is never this finding.
 */
function privateApi(evidence: AuditEvidence): AuditFindingDraft | undefined {
  const where = privateTarget(evidence.url, evidence.addresses);
  if (evidence.needsCookies !== false || where === undefined) return undefined;
  const trusted = trustedOf(evidence.origins);
  const hit = evidence.answers.find(
    (a) =>
      a.probe.kind === 'actual' &&
      !a.probe.credentials &&
      a.status >= 200 &&
      a.status < 300 &&
      attackForm(a.probe.origin, trusted)?.code === 'reflects-any-origin' &&
      (a.allowOrigin === '*' || a.allowOrigin === a.probe.origin),
  );
  if (!hit) return undefined;
  return {
    origin: hit.probe.origin,
    credentials: false,
    impact: `A page on ${hit.probe.origin} opened by anyone on this network can read this API's responses, which need no login.`,
    evidence: [`${where}: access depends on network position`, 'the API answers without a cookie', line(hit)],
    locations: [],
    reproduce: curlFor(evidence.url, hit),
  };
}

const cache = new WeakMap<AuditEvidence, Map<CauseCode, AuditFindingDraft>>();

/** The finding of one code, as an audit hook returns it. */
export function auditFor(code: CauseCode, evidence: AuditEvidence): AuditFindingDraft[] {
  let all = cache.get(evidence);
  if (!all) {
    all = auditSecurity(evidence);
    cache.set(evidence, all);
  }
  const found = all.get(code);
  return found ? [found] : [];
}
