/**
 * The origins an audit tries, derived from the frontend origins that must keep working (`--origin`) and
 * from the API's own site, most telling first: an unrelated site and `null`, then the forms a loose check
 * lets through (prefix, suffix, an unescaped dot, the http downgrade), then the site's own subdomains, the
 * characters browsers put in hosts, shared hosting platforms and development origins. Pure: no I/O.
 */
import { getDomain } from 'tldts';
import type { AuditProbe } from '../core/audit.js';
import { attackForm, HOSTING_PLATFORMS, hostingPlatformOf, trustedOf } from '../fix/origin-attacks.js';

/** The site no check meant to trust: an attacker's own domain. */
export const UNRELATED_ORIGIN = 'https://attacker.test';

/** The cookie every credentialed probe carries: a dummy, never the user's. */
export const PROBE_COOKIE = 'cors_doctor_probe=1';

/** The state-changing request a preflight asks for: writes are judged from the preflight alone. */
export const WRITE_METHOD = 'PUT';
export const WRITE_HEADERS = ['authorization'];

/**
 * The shared hosting platforms tried whatever the trusted origins are: the ones people most often trust
 * by pattern (`https://.*\.vercel\.app` for preview deployments) beside a frontend on a domain of its own.
 * The other platforms of the list are tried when the budget leaves room.
 */
const COMMON_PLATFORMS = HOSTING_PLATFORMS.slice(0, 5);

/** A host that names this machine or an address: no site of its own to derive attacks from. */
const isLocalHost = (host: string): boolean =>
  host === 'localhost' ||
  host.endsWith('.localhost') ||
  /^\d+\.\d+\.\d+\.\d+$/.test(host) ||
  host.startsWith('[');

/**
 * The registrable domain of a host (`app.example.com` → `example.com`, `a.example.co.uk` →
 * `example.co.uk`; on a hosting platform, the customer's own name: `myapp.vercel.app`), from the Public
 * Suffix List. The host itself for a single label or an address.
 */
export function registrableDomain(host: string): string {
  if (isLocalHost(host)) return host;
  const platform = hostingPlatformOf(host);
  if (platform)
    return host
      .split('.')
      .slice(-(platform.split('.').length + 1))
      .join('.');
  return getDomain(host, { allowPrivateDomains: true, validateHostname: false }) ?? host;
}

/** An origin an audit tries, and why. */
export interface AttackOrigin {
  origin: string;
  why: string;
  derivedFrom?: string;
  /** 0 first: the lower, the more telling when the probes are limited. */
  tier: number;
}

interface Parts {
  scheme: string;
  host: string;
  /** `:8443`, or empty for the scheme's default port. */
  port: string;
}

function partsOf(origin: string): Parts | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return { scheme: url.protocol.slice(0, -1), host: url.hostname, port: url.port ? `:${url.port}` : '' };
  } catch {
    return undefined;
  }
}

/**
 * The ranks of the attacking origins, most telling first: when the budget runs out, the later ranks are
 * left out.
 */
const RANK = {
  /** An unrelated site and `null`: what a policy that lets anyone in shows first. */
  broad: 0,
  /** The frontend's own forms: prefix, suffix, each kind of unescaped dot, http, cut short. */
  frontend: 1,
  /** The common hosting platforms, trusted by pattern beside a frontend on its own domain. */
  platform: 2,
  /** The characters browsers put in a host, after the frontend's name. */
  frontendHost: 3,
  /** The same forms of the API's own host, then of its site (what the usual scanners derive). */
  api: 4,
  apiSite: 5,
  development: 6,
  /** The rest of the hosting platforms. */
  otherPlatform: 7,
} as const;

/** `host` with its dot at `at` written as another character (what an unescaped `.` also matches). */
const dotAsLetter = (host: string, at: number): string => `${host.slice(0, at)}x${host.slice(at + 1)}`;

/** The forms a loose check lets through, derived from one trusted origin. */
function formsOf(base: string, ranks: { core: number; host: number }, ownSite: boolean): AttackOrigin[] {
  const p = partsOf(base);
  if (!p) return [];
  const { scheme, host, port } = p;
  const site = registrableDomain(host);
  const out: AttackOrigin[] = [];
  const add = (tier: number, origin: string, why: string) =>
    out.push({ origin, why: `${why}${ownSite ? " (the API's own site)" : ''}`, derivedFrom: base, tier });
  const local = isLocalHost(host);
  const named = !local || host === 'localhost';
  // Another customer of the platform the origin is hosted on: first, as nothing else tells it.
  const platform = hostingPlatformOf(host);
  if (platform)
    add(
      ranks.core,
      `https://attacker.${platform}`,
      `another customer's site on ${platform}, where ${base} is hosted`,
    );
  if (named) {
    add(ranks.core, `${scheme}://${host}.attacker.test${port}`, `prefix form of ${base}`);
    add(ranks.core, `${scheme}://attacker${host}${port}`, `suffix form of ${base}`);
  }
  if (!local) {
    add(
      ranks.core,
      `${scheme}://attacker-${site}${port}`,
      `suffix form of ${base} (a look-alike of ${site})`,
    );
    // A dot read as "any character": the one before the registrable domain (a domain anyone can
    // register), and the last one (the only one left unescaped in `https://.*\.example.com`).
    if (site !== host) {
      const at = host.length - site.length - 1;
      add(ranks.core, `${scheme}://${dotAsLetter(host, at)}${port}`, `unescaped dot in ${base}`);
    }
    const last = host.lastIndexOf('.');
    if (last > 0)
      add(ranks.core, `${scheme}://${dotAsLetter(host, last)}${port}`, `unescaped last dot in ${base}`);
  }
  if (scheme === 'https') add(ranks.core, `http://${host}${port}`, `http downgrade of ${base}`);
  // What a substring test admits (`origin in "https://app.example.com"`, a string where Starlette wants a
  // list): the origin cut short, on a domain someone else can register (`app.example.co`).
  if (!local && !port && (host.split('.').at(-1) as string).length >= 3)
    add(ranks.core, `${scheme}://${host.slice(0, -1)}`, `${base} cut short (what a substring test admits)`);
  if (!local) {
    add(ranks.host, `${scheme}://attacker.${site}${port}`, `sibling subdomain of ${base}`);
    if (site !== host) add(ranks.host, `${scheme}://attacker.${host}${port}`, `deeper subdomain of ${base}`);
  }
  if (named) {
    add(
      ranks.host,
      `${scheme}://${host}_.attacker.test${port}`,
      `${base} followed by _ (browsers send it in a host)`,
    );
    add(
      ranks.host,
      `${scheme}://${host}-.attacker.test${port}`,
      `${base} followed by - (browsers send it in a host)`,
    );
    add(
      ranks.host,
      `${scheme}://${host}\`.attacker.test${port}`,
      `${base} followed by a backtick (Chromium sends it in a host)`,
    );
  }
  if (platform) {
    const name = host
      .slice(0, -platform.length - 1)
      .split('.')
      .at(-1) as string;
    add(ranks.host, `https://${name}-attacker.${platform}`, `a deployment named like ${base} on ${platform}`);
  }
  return out;
}

/** A site of its own whose name begins with `localhost`. */
const LOCALHOST_LOOKALIKE = 'http://localhost.attacker.test';

/** Development origins: worth a note when trusted with credentials in production. */
const DEVELOPMENT_ORIGINS = [
  'http://localhost:3000',
  'http://127.0.0.1:3000',
  'http://localhost:5173',
  'http://localhost:8080',
];

/** Another customer's deployment on each platform, at `tier`. */
const platformOrigins = (platforms: readonly string[], tier: number): AttackOrigin[] =>
  platforms.map((p) => ({
    origin: `https://attacker.${p}`,
    why: `a deployment anyone can publish on ${p} (a shared hosting platform)`,
    tier,
  }));

/**
 * Every origin worth trying against `url` for the trusted `origins`, without repeats, most telling first.
 * Only origins that would prove something when let in: not the trusted origins, nor their subdomains and
 * other ports (their own site), nor development origins beside a development frontend.
 */
export function attackOrigins(url: string, origins: string[]): AttackOrigin[] {
  const api = new URL(url);
  const apiOrigin = api.origin;
  const all: AttackOrigin[] = [
    { origin: UNRELATED_ORIGIN, why: 'an unrelated site', tier: RANK.broad },
    { origin: 'null', why: 'null (sandboxed iframes, file:// pages, redirected requests)', tier: RANK.broad },
  ];
  const frontend = { core: RANK.frontend, host: RANK.frontendHost };
  for (const origin of origins) if (origin !== 'null') all.push(...formsOf(origin, frontend, false));
  all.push(...platformOrigins(COMMON_PLATFORMS, RANK.platform));
  // A look-alike of localhost: what `http://localhost.*` (any port, meant for development) also admits.
  all.push({ origin: LOCALHOST_LOOKALIKE, why: 'a look-alike of localhost', tier: RANK.platform });
  // The API's own site, as the usual scanners derive it: after the frontend's forms.
  const apiRanks = { core: RANK.api, host: RANK.api };
  if (!isLocalHost(api.hostname) && !origins.includes(apiOrigin))
    all.push(...formsOf(apiOrigin, apiRanks, true));
  const apiSite = `${api.protocol}//${registrableDomain(api.hostname)}`;
  const siteRanks = { core: RANK.apiSite, host: RANK.apiSite };
  if (!isLocalHost(api.hostname) && apiSite !== apiOrigin && !origins.includes(apiSite))
    all.push(...formsOf(apiSite, siteRanks, true));
  for (const origin of DEVELOPMENT_ORIGINS)
    all.push({ origin, why: 'a development origin', tier: RANK.development });
  all.push(...platformOrigins(HOSTING_PLATFORMS.slice(COMMON_PLATFORMS.length), RANK.otherPlatform));
  const trusted = trustedOf(origins);
  const seen = new Set<string>(origins);
  return all
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.tier - y.a.tier || x.i - y.i)
    .map(({ a }) => a)
    .filter((a) => {
      if (seen.has(a.origin) || attackForm(a.origin, trusted) === undefined) return false;
      seen.add(a.origin);
      return true;
    });
}

/**
 * The bare site of a trusted host (`https://example.com` for `https://app.example.com`), tried when both a
 * suffix form and a dot-replaced form got through: refused, the pattern needs a character before the site,
 * which an unescaped dot is; let in, a suffix match lets anything end in the site.
 */
export function bareSiteOf(origin: string): string | undefined {
  const p = partsOf(origin);
  if (!p || isLocalHost(p.host)) return undefined;
  const site = registrableDomain(p.host);
  return site === p.host ? undefined : `${p.scheme}://${site}${p.port}`;
}

/**
 * A trusted host with the dot before its site written as a backtick (Chromium sends it in a host): only a
 * regex `.` takes it, where a class of host characters (`[\w.-]+example\.com`, a suffix match) does not.
 */
export function oddDotOf(origin: string): string | undefined {
  const p = partsOf(origin);
  if (!p || isLocalHost(p.host)) return undefined;
  const site = registrableDomain(p.host);
  if (site === p.host) return undefined;
  const at = p.host.length - site.length - 1;
  return `${p.scheme}://${p.host.slice(0, at)}\`${p.host.slice(at + 1)}${p.port}`;
}

/** The probe of an actual (GET) request from `origin`, with or without the dummy cookie. */
export function actualProbe(
  origin: string,
  credentials: boolean,
  why: string,
  derivedFrom?: string,
): AuditProbe {
  return {
    origin,
    credentials,
    kind: 'actual',
    method: 'GET',
    requestHeaders: [],
    why,
    ...(derivedFrom !== undefined && { derivedFrom }),
  };
}

/** The preflight of a state-changing request with Authorization from `origin` (never sent for real). */
export function writePreflightProbe(origin: string, why: string, derivedFrom?: string): AuditProbe {
  return {
    origin,
    credentials: false,
    kind: 'preflight',
    method: WRITE_METHOD,
    requestHeaders: WRITE_HEADERS,
    why,
    ...(derivedFrom !== undefined && { derivedFrom }),
  };
}
