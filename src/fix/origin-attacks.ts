/**
 * Attacking origins: which origins a browser can really send, how an origin that gets through relates to
 * the trusted ones (the security code it proves), the attack candidates derived from trusted hosts and
 * from the hosts a pattern names, and repairs of an origin pattern that close what it lets in. Pure.
 *
 * A browser sends `scheme://host[:port]` in `Origin`, never a path, user or fragment, the host in lower
 * case; hosts may hold `_` and `-` (and a backtick in Chromium), or `null` for opaque origins.
 */
import { parse } from 'tldts';
import type { CauseCode } from '../core/causes.js';

/** The hosts attack candidates are built on: a name that is no one's (RFC 2606 `.test`). */
export const ATTACKER_HOST = 'attacker.test';
export const UNRELATED_ORIGIN = `https://${ATTACKER_HOST}`;

/** Shared hosting domains where anyone can publish (each in the Public Suffix List's private section). */
export const HOSTING_PLATFORMS = [
  'vercel.app',
  'netlify.app',
  'github.io',
  'herokuapp.com',
  'pages.dev',
  'onrender.com',
  'fly.dev',
  'web.app',
  'firebaseapp.com',
  'azurewebsites.net',
  'appspot.com',
  'workers.dev',
  'up.railway.app',
  'surge.sh',
  'glitch.me',
];

export interface ParsedOrigin {
  scheme: 'http' | 'https';
  host: string;
  /** The port as sent (empty for the scheme's default, which browsers leave out). */
  port: string;
}

const ORIGIN = /^(https?):\/\/([a-z0-9_`-]+(?:\.[a-z0-9_`-]+)*|\[[0-9a-f:.]+\])(?::([1-9]\d{0,4}))?$/;

/** The origin as a browser serialises it, or undefined when no browser sends it (`null` included). */
export function parseOrigin(origin: string): ParsedOrigin | undefined {
  const m = ORIGIN.exec(origin);
  if (!m) return undefined;
  const scheme = m[1] as 'http' | 'https';
  const port = m[3] ?? '';
  if (port && (Number(port) > 65535 || port === (scheme === 'https' ? '443' : '80'))) return undefined;
  return { scheme, host: m[2] as string, port };
}

/** A browser can send this `Origin` (an opaque origin's `null` included). */
export const browserSendable = (origin: string): boolean =>
  origin === 'null' || parseOrigin(origin) !== undefined;

export const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' ||
  host.endsWith('.localhost') ||
  /^127\.\d+\.\d+\.\d+$/.test(host) ||
  host === '[::1]';

/** The shared hosting suffix a host is published under (`vercel.app`), when it is one. */
export function hostingPlatformOf(host: string): string | undefined {
  const known = HOSTING_PLATFORMS.find((p) => host.endsWith(`.${p}`));
  if (known) return known;
  const parsed = parse(host, { allowPrivateDomains: true, validateHostname: false });
  return parsed.isPrivate && parsed.publicSuffix && host !== parsed.publicSuffix
    ? parsed.publicSuffix
    : undefined;
}

/** The site a host belongs to: its registrable domain (a platform's subdomain is a site of its own). */
export function siteOf(host: string): string {
  if (isLoopbackHost(host) || /^[\d.]+$|^\[/.test(host)) return host;
  const parsed = parse(host, { allowPrivateDomains: true, validateHostname: false });
  return parsed.domain ?? host;
}

/** The origins that must keep working, and the sites they are on. */
export interface Trusted {
  origins: string[];
  sites: string[];
}

export function trustedOf(origins: string[]): Trusted {
  const parsed = origins.flatMap((o) => {
    const p = parseOrigin(o);
    return p ? [p] : [];
  });
  return {
    origins: [...new Set(origins)],
    sites: [...new Set(parsed.filter((p) => !isLoopbackHost(p.host)).map((p) => siteOf(p.host)))],
  };
}

/** What an origin that got through proves: its code, and the trusted name it imitates. */
export interface AttackForm {
  code: CauseCode;
  /** The trusted origin, host or site it imitates (absent for unrelated origins and `null`). */
  imitates?: string;
  /** `prefix form of app.example.com`, `unrelated origin`. */
  form: string;
}

/** The hosts the trusted origins name (loopback left out). */
const trustedHosts = (t: Trusted): string[] =>
  t.origins.flatMap((o) => {
    const p = parseOrigin(o);
    return p && !isLoopbackHost(p.host) ? [p.host] : [];
  });

/** `b` is `a` with one or more of its dots written as another character. */
function dotReplaced(host: string, trusted: string): boolean {
  if (host.length !== trusted.length || host === trusted) return false;
  for (let i = 0; i < host.length; i++)
    if (host[i] !== trusted[i] && (trusted[i] !== '.' || host[i] === '.')) return false;
  return true;
}

/**
 * How an origin that a policy lets in relates to the trusted ones: undefined when it is no attack (a
 * trusted origin, a subdomain or another port of a trusted site, a development origin beside development
 * origins, or an origin no browser sends).
 */
export function attackForm(origin: string, trusted: Trusted): AttackForm | undefined {
  if (origin === 'null') return { code: 'null-origin-trusted', form: 'the opaque origin null' };
  const o = parseOrigin(origin);
  if (!o || trusted.origins.includes(origin)) return undefined;
  const hosts = trustedHosts(trusted);
  // Look-alikes of a development host (`localhost.attacker.test`) are forms of it too.
  const named = [
    ...hosts,
    ...trusted.origins.flatMap((t) => {
      const p = parseOrigin(t);
      return p && isLoopbackHost(p.host) && /[a-z]/.test(p.host) ? [p.host] : [];
    }),
  ];
  if (isLoopbackHost(o.host)) {
    const devOnly = trusted.origins.some((t) => {
      const p = parseOrigin(t);
      return p !== undefined && isLoopbackHost(p.host);
    });
    return devOnly ? undefined : { code: 'dev-origin-in-production', form: 'a development origin' };
  }
  const site = siteOf(o.host);
  if (trusted.sites.includes(site)) {
    const secure = trusted.origins.find((t) => {
      const p = parseOrigin(t);
      return p?.scheme === 'https' && siteOf(p.host) === site;
    });
    if (o.scheme === 'http' && secure)
      return {
        code: 'insecure-origin-trusted',
        imitates: secure,
        form: `the http:// downgrade of ${secure}`,
      };
    return undefined;
  }
  const platform = hostingPlatformOf(o.host);
  if (platform && !hosts.includes(o.host))
    return {
      code: 'hosting-platform-origin-trusted',
      imitates: platform,
      form: `a deployment anyone can publish on ${platform}`,
    };
  for (const name of [...named, ...trusted.sites]) {
    if (dotReplaced(o.host, name))
      return { code: 'regex-unescaped-dot', imitates: name, form: `${name} with a dot as another character` };
  }
  for (const name of [...named, ...trusted.sites]) {
    const at = o.host.indexOf(name);
    if (at >= 0 && (at === 0 || o.host[at - 1] === '.') && at + name.length < o.host.length)
      return { code: 'origin-prefix-bypass', imitates: name, form: `prefix form of ${name}` };
  }
  for (const name of [...trusted.sites, ...named]) {
    if (o.host.endsWith(name) && o.host !== name)
      return { code: 'origin-suffix-bypass', imitates: name, form: `suffix form of ${name}` };
    if (name.startsWith(o.host) && name !== o.host)
      return { code: 'origin-suffix-bypass', imitates: name, form: `a truncation of ${name}` };
  }
  return { code: 'reflects-any-origin', form: 'an unrelated origin' };
}

// -------------------------------------------------------------------------------------------------
// Attack candidates.

const LOOPBACK_CANDIDATES = [
  'http://localhost:3000',
  'http://localhost:5173',
  'http://localhost:8080',
  'http://localhost',
  'http://127.0.0.1:3000',
  'http://127.0.0.1:5173',
  'http://127.0.0.1',
  'https://localhost',
];

/**
 * Origins an attacker could use against a policy meant for `names` (trusted hosts and sites, and those a
 * pattern names), most telling first: unrelated, `null`, then for each name its prefix, suffix,
 * unescaped-dot and http forms, hosting platforms, development origins.
 */
export function attackCandidates(names: string[], ports: string[] = [], loopback: string[] = []): string[] {
  const out: string[] = [UNRELATED_ORIGIN, `http://${ATTACKER_HOST}`, 'null'];
  const withPorts = (scheme: string, host: string) => [
    `${scheme}://${host}`,
    ...ports.map((p) => `${scheme}://${host}:${p}`),
  ];
  const sites = [...new Set(names.map(siteOf))];
  // A loopback name (a pattern meant for development ports) begins sites anyone can name:
  // localhost.attacker.test. Only its prefix forms: a host ending in a loopback name is loopback or no site.
  for (const scheme of ['http', 'https'])
    for (const name of loopback)
      out.push(
        ...withPorts(scheme, `${name}.${ATTACKER_HOST}`),
        ...withPorts(scheme, `${name}-${ATTACKER_HOST}`),
      );
  for (const scheme of ['https', 'http']) {
    for (const name of names) {
      const site = siteOf(name);
      out.push(
        ...withPorts(scheme, `${name}.${ATTACKER_HOST}`),
        ...withPorts(scheme, `${name}-${ATTACKER_HOST}`),
        ...withPorts(scheme, `${name}_.${ATTACKER_HOST}`),
        ...withPorts(scheme, `x.${name}.${ATTACKER_HOST}`),
        ...withPorts(scheme, `attacker-${site}`),
        ...withPorts(scheme, `attacker${site}`),
        ...withPorts(scheme, `attacker_${site}`),
        ...withPorts(scheme, `attacker\`${site}`),
      );
      const dots = [...name.matchAll(/\./g)].map((m) => m.index as number);
      for (const at of dots)
        for (const c of ['x', '-'])
          out.push(...withPorts(scheme, `${name.slice(0, at)}${c}${name.slice(at + 1)}`));
    }
    if (scheme === 'http')
      for (const name of [...names, ...sites.map((s) => `x.${s}`)]) out.push(...withPorts(scheme, name));
  }
  for (const platform of HOSTING_PLATFORMS) out.push(`https://attacker.${platform}`);
  // A project named like the trusted one on its platform (myapp-attacker.vercel.app): a name anyone can take.
  // (Names that end like it are left out: a platform may keep those for the owner's preview deployments.)
  const attacker = ATTACKER_HOST.split('.')[0] as string;
  for (const name of names) {
    const platform = hostingPlatformOf(name);
    const project = platform ? name.slice(0, -platform.length - 1) : '';
    if (project && !project.includes('.'))
      out.push(`https://${project}-${attacker}.${platform}`, `https://${project}${attacker}.${platform}`);
  }
  out.push(...LOOPBACK_CANDIDATES);
  return [...new Set(out)].filter(browserSendable);
}

/** Every origin a browser can send that is a substring of `text` (what `origin in "<text>"` admits). */
export function substringOrigins(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/https?:\/\//g)) {
    const start = m.index as number;
    for (let end = text.length; end > start + m[0].length; end--) {
      const candidate = text.slice(start, end);
      if (parseOrigin(candidate)) out.add(candidate);
    }
  }
  if (text.includes('null')) out.add('null');
  return [...out];
}

/**
 * Host names a pattern names: its literal text with escapes read, as `name.name` runs, also with its
 * optional groups left out (`myapp(-[a-z0-9-]+)?\.vercel\.app` names myapp.vercel.app).
 */
export function namedHosts(pattern: string): string[] {
  const read = (p: string) => p.replace(/\\(.)/g, '$1').toLowerCase();
  const text = `${read(pattern)} ${read(pattern.replace(/\((?:\?:)?[^()]*\)\?/g, ''))}`;
  const out = new Set<string>();
  for (const m of text.matchAll(/[a-z0-9-]+(?:\.[a-z0-9-]+)+/g)) {
    const name = m[0].replace(/^[.-]+|[.-]+$/g, '');
    if (/[a-z]/.test(name) && name.includes('.')) out.add(name);
  }
  return [...out];
}

/**
 * The projects a pattern names on a hosting platform, as hosts: `myapp-.*\\.vercel\\.app` names
 * myapp.vercel.app (the literal beginning of the label before the platform).
 */
export function namedProjects(pattern: string): string[] {
  const out = new Set<string>();
  for (const platform of HOSTING_PLATFORMS) {
    const escaped = platform.replace(/\./g, '\\\\.');
    for (const m of pattern
      .toLowerCase()
      .matchAll(new RegExp(`([^/|(]*?)\\\\\\.${escaped}(?![a-z0-9-])`, 'g'))) {
      const label = (m[1] ?? '').split('\\.').at(-1) ?? '';
      // The label's literal beginning (`myapp` of `myapp-.*`); one that begins with a wildcard names no project.
      const project = /^[a-z0-9][a-z0-9-]*/
        .exec(label.replace(/\[[^\]]*\]|\{[^}]*\}|\\./g, ' '))?.[0]
        .replace(/-+$/, '');
      if (project && /[a-z]/.test(project)) out.add(`${project}.${platform}`);
    }
  }
  return [...out];
}

/** Ports a pattern names literally (`:3000`). */
export const namedPorts = (pattern: string): string[] => [
  ...new Set([...pattern.matchAll(/:(\d{2,5})(?!\d)/g)].map((m) => m[1] as string)),
];

/** An attack a policy lets in: the origin and what it proves. */
export interface Admitted extends AttackForm {
  origin: string;
}

/** Loopback host names a pattern names (`localhost` in `http://localhost.*`), which it is meant for. */
export const namedLoopbackHosts = (pattern: string): string[] =>
  /localhost/i.test(pattern.replace(/\\(.)/g, '$1')) ? ['localhost'] : [];

/**
 * An origin that is no form of a trusted one may still imitate localhost (`http://localhost.attacker.test`,
 * let in by `http://localhost.*`, a pattern meant for development ports): named as a form of localhost.
 */
export function localhostLookalike(form: AttackForm | undefined, origin: string, trusted: Trusted) {
  if (form?.code !== 'reflects-any-origin') return form;
  const local = attackForm(origin, trustedOf([...trusted.origins, 'http://localhost']));
  return local?.code === 'origin-prefix-bypass' || local?.code === 'origin-suffix-bypass' ? local : form;
}

/** The attacks among `candidates` that `admits` lets in, classified against `trusted`. */
export function admittedAttacks(
  candidates: string[],
  admits: (origin: string) => boolean,
  trusted: Trusted,
): Admitted[] {
  return candidates.flatMap((origin) => {
    if (!admits(origin)) return [];
    const form = localhostLookalike(attackForm(origin, trusted), origin, trusted);
    return form ? [{ origin, ...form }] : [];
  });
}

// -------------------------------------------------------------------------------------------------
// Repairs of an origin pattern (Python or PCRE text).

/** Offset after the character class opening at `i`. */
function classEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++;
  while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Each unescaped `.` outside a character class, with whether a quantifier follows it. */
function bareDots(p: string): Array<{ at: number; quantified: boolean }> {
  const out: Array<{ at: number; quantified: boolean }> = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') i += 2;
    else if (c === '[') i = classEnd(p, i);
    else {
      if (c === '.') out.push({ at: i, quantified: /[*+?{]/.test(p[i + 1] ?? '') });
      i++;
    }
  }
  return out;
}

/** The pattern with every unescaped literal dot escaped (`.*`, `.+`, `.?` are left alone). */
export function escapeDots(p: string): string {
  let out = p;
  for (const { at, quantified } of bareDots(p).reverse())
    if (!quantified) out = `${out.slice(0, at)}\\.${out.slice(at + 1)}`;
  return out;
}

/**
 * Repeated host-character classes that take a dot (`[\w.-]+`, `[a-z0-9.-]*`) just before a name: whole
 * labels followed by a dot instead (`[\w.-]+example\.com` becomes `([a-z0-9-]+\.)+example\.com`), so the
 * name starts a label and no `attacker-example.com` gets in.
 */
function narrowDottedClasses(p: string): string {
  const found: Array<{ at: number; end: number; q: string }> = [];
  let i = 0;
  while (i < p.length) {
    if (p[i] === '\\') i += 2;
    else if (p[i] === '[') {
      const end = classEnd(p, i);
      const body = p.slice(i + 1, end - 1);
      const q = p[end] ?? '';
      if (
        !body.startsWith('^') &&
        /(^|[^\\])\.|\\\./.test(body) &&
        (q === '+' || q === '*') &&
        /[a-z0-9]/i.test(p[end + 1] ?? '')
      )
        found.push({ at: i, end: end + 1, q });
      i = end;
    } else i++;
  }
  let out = p;
  for (const { at, end, q } of found.reverse())
    out = `${out.slice(0, at)}([a-z0-9-]+\\.)${q}${out.slice(end)}`;
  return out;
}

/**
 * The pattern with `.*` and `.+` in a host narrowed to host labels: before a literal dot to one or more
 * label characters, elsewhere to whole labels followed by a dot (`.*example\.com` becomes
 * `([a-z0-9-]+\.)*example\.com`), and at the end of the pattern removed; a repeated class of host
 * characters with a dot just before a name, likewise (narrowDottedClasses).
 */
export function narrowWildcards(p: string): string {
  let out = narrowDottedClasses(p);
  for (const { at, quantified } of bareDots(out).reverse()) {
    if (!quantified) continue;
    const q = out[at + 1] as string;
    if (q !== '*' && q !== '+') continue;
    const lazy = out[at + 2] === '?' ? 1 : 0;
    const rest = out.slice(at + 2 + lazy);
    const replacement = /^(\$|\\Z)?\)*\$?$/.test(rest)
      ? ''
      : rest.startsWith('\\.')
        ? '[a-z0-9-]+'
        : `([a-z0-9-]+\\.)${q}`;
    out = `${out.slice(0, at)}${replacement}${rest}`;
  }
  return out;
}

/** `https?://` and `(http|https)://` written as `https://`. */
export const httpsOnly = (p: string): string =>
  p.replace(/https\?(?=:)/g, 'https').replace(/\((?:\?:)?(?:http\|https|https\|http)\)(?=:)/g, 'https');

/** Top-level alternatives of a pattern. */
function topAlternatives(p: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '[') {
      i = classEnd(p, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(p.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  out.push(p.slice(start));
  return out;
}

/** The pattern without the top-level alternatives `drop` says, or undefined when none would be left. */
export function withoutAlternatives(p: string, drop: (alternative: string) => boolean): string | undefined {
  const kept = topAlternatives(p).filter((a) => !drop(a));
  return kept.length > 0 ? kept.join('|') : undefined;
}

/** Anchored at the end (`re.match`), or at both ends (an unanchored search, as nginx's `~`). */
export function anchored(p: string, ends: 'end' | 'both'): string {
  const body = topAlternatives(p).length > 1 ? `(${p})` : p;
  const start = ends === 'both' && !p.startsWith('^') ? '^' : '';
  const end = /(?<!\\)\$$|\\Z$/.test(p) && topAlternatives(p).length === 1 ? '' : '$';
  return `${start}${start && body.startsWith('^') ? body.slice(1) : body}${end}`;
}

/** Exactly these origins, as a pattern. */
export const exactOriginsPattern = (origins: string[]): string =>
  origins.map((o) => o.replace(/[.[\]]/g, '\\$&')).join('|');

/**
 * Platforms where some names under a site's own host are the site owner's alone, with a deployment of
 * the site at such a name: Netlify's deploy previews (`deploy-preview-12--myapp.netlify.app`; `--` is
 * reserved for the site's deploys) and Cloudflare Pages' preview and branch deployments
 * (`3f2a1b.myapp.pages.dev`, under the project's own host). Vercel has none: anyone can create a project
 * named `myapp-anything`, so only the exact origin is the project's.
 */
const OWN_DEPLOYMENTS: Array<{ platform: string; sample: (host: string) => string; prefix: string }> = [
  {
    platform: 'netlify.app',
    sample: (host) => `deploy-preview-1--${host}`,
    prefix: '(deploy-preview-[0-9]+--)?',
  },
  { platform: 'pages.dev', sample: (host) => `preview.${host}`, prefix: '([a-z0-9-]+\\.)?' },
];

/**
 * These origins as a pattern, each with its site's own deployments on a platform that has them, where
 * `admitted` (what the pattern let in before) let one of them in: the previews a platform-wide pattern was
 * meant for, kept without the deployments of anyone else.
 */
export function ownDeploymentsPattern(origins: string[], admitted: (origin: string) => boolean): string {
  return origins
    .map((o) => {
      const p = parseOrigin(o);
      const own = p && OWN_DEPLOYMENTS.find((d) => p.host.endsWith(`.${d.platform}`));
      const escaped = o.replace(/[.[\]]/g, '\\$&');
      if (!p || !own || p.host.split('.').length !== own.platform.split('.').length + 1) return escaped;
      const port = p.port ? `:${p.port}` : '';
      if (!admitted(`${p.scheme}://${own.sample(p.host)}${port}`)) return escaped;
      return `${p.scheme}://${own.prefix}${escaped.slice(`${p.scheme}://`.length)}`;
    })
    .join('|');
}
