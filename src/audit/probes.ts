/**
 * The origins an audit tries, derived from the frontend origins that must keep working (`--origin`) and
 * from the API's own site, most telling first: an unrelated site and `null`, then the forms a loose check
 * lets through (prefix, suffix, an unescaped dot, the http downgrade), then the site's own subdomains, the
 * characters browsers put in hosts, shared hosting platforms and development origins. Pure: no I/O.
 */
import { getDomain } from 'tldts';
import type { AuditProbe } from '../core/audit.js';

/** The site no check meant to trust: an attacker's own domain. */
export const UNRELATED_ORIGIN = 'https://attacker.test';

/** The cookie every credentialed probe carries: a dummy, never the user's. */
export const PROBE_COOKIE = 'cors_doctor_probe=1';

/** The state-changing request a preflight asks for: writes are judged from the preflight alone. */
export const WRITE_METHOD = 'PUT';
export const WRITE_HEADERS = ['authorization'];

/**
 * Domains where anyone can publish a site under a name of their own (public suffixes of the private part of
 * the Public Suffix List): an origin there shares its parent with every other customer.
 */
export const HOSTING_PLATFORMS = [
  'vercel.app',
  'netlify.app',
  'github.io',
  'gitlab.io',
  'herokuapp.com',
  'pages.dev',
  'workers.dev',
  'web.app',
  'firebaseapp.com',
  'onrender.com',
  'fly.dev',
  'azurewebsites.net',
  'azurestaticapps.net',
  'appspot.com',
  'amplifyapp.com',
  'up.railway.app',
  'glitch.me',
  'surge.sh',
  'ngrok-free.app',
  'ngrok.io',
  'cloudfront.net',
  'repl.co',
] as const;

/** The shared hosting platform a host is on, if any. */
export function hostingPlatformOf(host: string): string | undefined {
  return HOSTING_PLATFORMS.find((p) => host.endsWith(`.${p}`));
}

/** A host that names this machine or an address: no site of its own to derive attacks from. */
export const isLocalHost = (host: string): boolean =>
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

/** The forms a loose check lets through, derived from one trusted origin. */
function formsOf(base: string, tierOffset: number, ownSite: boolean): AttackOrigin[] {
  const p = partsOf(base);
  if (!p) return [];
  const { scheme, host, port } = p;
  const site = registrableDomain(host);
  const out: AttackOrigin[] = [];
  const add = (tier: number, origin: string, why: string) =>
    out.push({
      origin,
      why: `${why}${ownSite ? " (the API's own site)" : ''}`,
      derivedFrom: base,
      tier: tier + tierOffset,
    });
  const local = isLocalHost(host);
  const named = !local || host === 'localhost';
  // Another customer of the platform the origin is hosted on: first, as nothing else tells it.
  const platform = hostingPlatformOf(host);
  if (platform)
    add(1, `https://attacker.${platform}`, `another customer's site on ${platform}, where ${base} is hosted`);
  if (named) {
    add(1, `${scheme}://${host}.attacker.test${port}`, `prefix form of ${base}`);
    add(1, `${scheme}://attacker${host}${port}`, `suffix form of ${base}`);
  }
  if (!local) {
    add(1, `${scheme}://attacker-${site}${port}`, `suffix form of ${base} (a look-alike of ${site})`);
    // The dot before the registrable domain read as "any character": a domain anyone can register.
    if (site !== host) {
      const at = host.length - site.length - 1;
      add(1, `${scheme}://${host.slice(0, at)}x${host.slice(at + 1)}${port}`, `unescaped dot in ${base}`);
    }
  }
  if (scheme === 'https') add(1, `http://${host}${port}`, `http downgrade of ${base}`);
  // What a substring test admits (`origin in "https://app.example.com"`, a string where Starlette wants a
  // list): the origin cut short, on a domain someone else can register (`app.example.co`).
  if (!local && !port && (host.split('.').at(-1) as string).length >= 3)
    add(1, `${scheme}://${host.slice(0, -1)}`, `${base} cut short (what a substring test admits)`);
  if (!local) {
    add(2, `${scheme}://attacker.${site}${port}`, `sibling subdomain of ${base}`);
    if (site !== host) add(2, `${scheme}://attacker.${host}${port}`, `deeper subdomain of ${base}`);
  }
  if (named) {
    add(2, `${scheme}://${host}_.attacker.test${port}`, `${base} followed by _ (browsers send it in a host)`);
    add(2, `${scheme}://${host}-.attacker.test${port}`, `${base} followed by - (browsers send it in a host)`);
    add(
      2,
      `${scheme}://${host}\`.attacker.test${port}`,
      `${base} followed by a backtick (Chromium sends it in a host)`,
    );
  }
  if (platform) {
    const name = host
      .slice(0, -platform.length - 1)
      .split('.')
      .at(-1) as string;
    add(2, `https://${name}-attacker.${platform}`, `a deployment named like ${base} on ${platform}`);
  }
  return out;
}

/** Development origins: worth a note when trusted with credentials in production. */
const DEVELOPMENT_ORIGINS = [
  'http://localhost:3000',
  'http://127.0.0.1:3000',
  'http://localhost:5173',
  'http://localhost:8080',
];

/**
 * Every origin worth trying against `url` for the trusted `origins`, without repeats and without the
 * trusted origins themselves, most telling first.
 */
export function attackOrigins(url: string, origins: string[]): AttackOrigin[] {
  const api = new URL(url);
  const apiOrigin = api.origin;
  const all: AttackOrigin[] = [
    { origin: UNRELATED_ORIGIN, why: 'an unrelated site', tier: 0 },
    { origin: 'null', why: 'null (sandboxed iframes, file:// pages, redirected requests)', tier: 0 },
  ];
  for (const origin of origins) if (origin !== 'null') all.push(...formsOf(origin, 0, false));
  // The API's own site, as the usual scanners derive it: after the frontend's forms.
  if (!isLocalHost(api.hostname) && !origins.includes(apiOrigin)) all.push(...formsOf(apiOrigin, 1, true));
  const apiSite = `${api.protocol}//${registrableDomain(api.hostname)}`;
  if (!isLocalHost(api.hostname) && apiSite !== apiOrigin && !origins.includes(apiSite))
    all.push(...formsOf(apiSite, 2, true));
  for (const origin of DEVELOPMENT_ORIGINS) all.push({ origin, why: 'a development origin', tier: 3 });
  const seen = new Set<string>(origins);
  return all
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.tier - y.a.tier || x.i - y.i)
    .map(({ a }) => a)
    .filter((a) => {
      if (seen.has(a.origin)) return false;
      seen.add(a.origin);
      return true;
    });
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
