// Secrets in what cors-doctor prints, masked in one place. Every report passes through `maskSecrets`
// before it is rendered (text, JSON, SARIF and the curl lines are all built from the masked report), and
// every error message through `maskText`; `--show-secrets` skips both. The rules are the tables below:
// secret names (headers, URL parameters, body fields), the authorization schemes kept, the Set-Cookie
// attributes kept, the report fields read by name. A masked value keeps nothing of the secret (no length,
// no prefix); what helps to debug CORS stays: the scheme (`Bearer ***`), cookie names (`a=***; b=***`),
// cookie attributes (`SameSite=None; Secure`), parameter and field names.
import type { Exchange } from '../core/exchange.js';
import type { CheckReport } from '../core/report.js';
import type { HeaderList } from '../model/types.js';

/** What a secret is printed as. */
export const MASK = '***';

/** Said beside the curl commands when one of them carries a masked value. */
export const MASKED_CURL_NOTE = `values shown as ${MASK} are masked: run with --show-secrets to print them`;

/** Where a name is read: a header, a URL parameter (query or fragment), a JSON field, a form field. */
export type NamePlace = 'header' | 'query' | 'json' | 'form';

interface NameRule {
  /** `part`: anywhere in the name with its separators removed; `word`: one whole word of the name. */
  match: 'part' | 'word';
  text: string;
  places: readonly NamePlace[];
}

const EVERYWHERE: readonly NamePlace[] = ['header', 'query', 'json', 'form'];
const PARAMETERS: readonly NamePlace[] = ['query', 'json', 'form'];

/** Names whose value is a secret. */
export const SECRET_NAMES: readonly NameRule[] = [
  { match: 'part', text: 'authorization', places: EVERYWHERE },
  { match: 'part', text: 'cookie', places: EVERYWHERE },
  { match: 'part', text: 'token', places: EVERYWHERE },
  { match: 'part', text: 'secret', places: EVERYWHERE },
  { match: 'part', text: 'passw', places: EVERYWHERE },
  { match: 'part', text: 'passphrase', places: EVERYWHERE },
  { match: 'part', text: 'session', places: EVERYWHERE },
  { match: 'part', text: 'csrf', places: EVERYWHERE },
  { match: 'part', text: 'xsrf', places: EVERYWHERE },
  { match: 'part', text: 'signature', places: EVERYWHERE },
  { match: 'part', text: 'apikey', places: EVERYWHERE },
  { match: 'part', text: 'jwt', places: EVERYWHERE },
  // A header whose name says key or auth anywhere (X-Api-Key, X-Auth-User, Ocp-Apim-Subscription-Key).
  { match: 'part', text: 'key', places: ['header'] },
  { match: 'part', text: 'auth', places: ['header'] },
  // Parameters and fields: short words only whole (`key=` and `apiKey` but not `keyword=`, `author=`).
  { match: 'word', text: 'key', places: PARAMETERS },
  { match: 'word', text: 'auth', places: PARAMETERS },
  { match: 'word', text: 'sig', places: PARAMETERS },
  { match: 'word', text: 'pwd', places: PARAMETERS },
  { match: 'word', text: 'pw', places: PARAMETERS },
  { match: 'word', text: 'pass', places: PARAMETERS },
  { match: 'word', text: 'otp', places: PARAMETERS },
  { match: 'word', text: 'sid', places: PARAMETERS },
  // An OAuth authorization code in a URL or a form (a JSON `code` is most often an error code).
  { match: 'word', text: 'code', places: ['query', 'form'] },
];

/** Headers whose name says auth or key but which carry no secret, printed as they are. */
const PUBLIC_HEADERS: readonly RegExp[] = [/^access-control-/i, /^(www|proxy)-authenticate$/i];

/** Authorization schemes kept in front of the masked credentials (`Bearer ***`). */
const AUTH_SCHEMES = [
  'basic',
  'bearer',
  'digest',
  'dpop',
  'gnap',
  'hoba',
  'mutual',
  'negotiate',
  'ntlm',
  'oauth',
  'privatetoken',
  'scram-sha-1',
  'scram-sha-256',
  'vapid',
  'token',
  'apikey',
  'aws4-hmac-sha256',
  'hawk',
  'jwt',
  'mac',
];

/** Set-Cookie attributes printed as they are (they say why a browser stores or sends the cookie). */
const COOKIE_ATTRIBUTES = [
  'expires',
  'max-age',
  'domain',
  'path',
  'secure',
  'httponly',
  'samesite',
  'partitioned',
  'priority',
  'version',
];

/**
 * `Name: value` at the start of a line or a quote, in text; also `Authorization Bearer x` (a header line
 * written without its colon).
 */
const HEADER_LINE = new RegExp(
  `(^|[\\n"'])([ \\t]*)([A-Za-z0-9-]+)(:[ \\t]*|[ \\t]+(?=(?:${AUTH_SCHEMES.join('|')})\\s))([^\\n"']+)`,
  'gi',
);

/** `user:password@` (or `token@`) after a URL's scheme. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@'"<>`]*)@/gi;

/** A `name=value` parameter in text: in a URL (query, fragment), or opening a quoted form body. */
const QUERY_PAIR = /(^|[?&#;"'])([A-Za-z0-9_.~%[\]-]+)=([^&#\s"'<>`;,)]*)/g;

/** A field of a form-encoded body. */
const FORM_PAIR = /(^|&)([A-Za-z0-9_.~%[\]-]+)=([^&\s]*)/g;

/** A JSON Web Token (or its start, cut short): base64url of `{"`, then up to two more parts. */
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}/g;

/** Files of settings, one a line: `.env`, `.env.production`, `prod.env`, `.envrc`, compose files. */
const SETTINGS_FILE = /(^|\/)(\.env[^/]*|[^/]+\.env|(docker-)?compose[^/]*\.ya?ml)$/i;

/**
 * A setting: `NAME=value`, `export NAME=value`, `- NAME=value` and `NAME: value` (compose), `name = "…"`
 * (Python), the name maybe quoted.
 */
const SETTING_LINE =
  /^(\s*(?:-\s*)?(?:export\s+)?["']?)([A-Za-z_][A-Za-z0-9_.-]*)(["']?\s*(?:=|:(?=\s|$))\s*)(.*)$/;

/** Settings that say what CORS allows, shown around a change. */
const CORS_SETTING = /cors|origin|allow|expose|credential|max_?age/i;

const COOKIE_HEADERS = ['cookie', 'cookie2'];
const SET_COOKIE_HEADERS = ['set-cookie', 'set-cookie2'];

/** The words of a name: `X-Api-Key`, `api_key`, `apiKey` all give `api`, `key`. */
function nameWords(name: string): string[] {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // a name with a stray % is read as written
  }
  return decoded
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether the value of `name`, read at `place`, is a secret. */
export function isSecretName(name: string, place: NamePlace): boolean {
  const key = `${place} ${name}`;
  const known = judged.get(key);
  if (known !== undefined) return known;
  if (judged.size > 10_000) judged.clear();
  const words = nameWords(name);
  const compact = words.join('');
  const secret =
    !(place === 'header' && PUBLIC_HEADERS.some((p) => p.test(name))) &&
    SECRET_NAMES.some(
      (rule) =>
        rule.places.includes(place) &&
        (rule.match === 'part' ? compact.includes(rule.text) : words.includes(rule.text)),
    );
  judged.set(key, secret);
  return secret;
}

/** Names already judged (the same few header names come back in every exchange). */
const judged = new Map<string, boolean>();

export function isSecretHeader(name: string): boolean {
  return isSecretName(name, 'header');
}

/** Collects the secrets a pass hides, then hides them wherever else they are printed. */
class Masker {
  readonly found = new Set<string>();
  constructor(private readonly known: readonly string[] = []) {}

  hide(secret: string): string {
    if (secret !== '' && secret !== MASK) this.found.add(secret);
    return MASK;
  }

  /** `Bearer ***` for a known scheme, else `***`. */
  credentials(value: string): string {
    if (value.trim() === '') return value;
    const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s+(\S[\s\S]*)$/.exec(value.trim());
    if (m && AUTH_SCHEMES.includes((m[1] as string).toLowerCase())) {
      this.hide(m[2] as string);
      return `${m[1]} ${MASK}`;
    }
    return this.hide(value.trim());
  }

  /** Every value of a Cookie header, names kept; a part without `=` is all value. */
  cookie(value: string): string {
    return value
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const eq = part.indexOf('=');
        if (eq < 0) return this.hide(part);
        this.hide(part.slice(eq + 1).trim());
        return `${part.slice(0, eq).trim()}=${MASK}`;
      })
      .join('; ');
  }

  /** The cookie's value masked, its attributes kept (cookies joined with `, ` each masked). */
  setCookie(value: string): string {
    const cookies = value.split(/,\s*(?=[^;,=\s]+=)/).reduce<string[]>((all, piece) => {
      const name = /^([^;,=\s]+)=/.exec(piece)?.[1]?.toLowerCase() ?? '';
      const previous = all.length - 1;
      // `Expires=Wed, 21 Oct 2015 …` is not split (no `=` after the comma); an attribute after a comma is
      // the previous cookie's, glued back.
      if (previous >= 0 && COOKIE_ATTRIBUTES.includes(name)) all[previous] += `, ${piece}`;
      else all.push(piece);
      return all;
    }, []);
    return cookies
      .map((cookie) => {
        const [pair = '', ...attributes] = cookie.split(';');
        const eq = pair.indexOf('=');
        const shown =
          eq < 0
            ? this.hide(pair.trim())
            : `${pair.slice(0, eq).trim()}=${this.hide(pair.slice(eq + 1).trim())}`;
        const kept = attributes.map((attribute) => {
          const a = attribute.trim();
          const aeq = a.indexOf('=');
          const name = (aeq < 0 ? a : a.slice(0, aeq)).trim();
          if (COOKIE_ATTRIBUTES.includes(name.toLowerCase()) || a === '') return a;
          return aeq < 0 ? this.hide(a) : `${name}=${this.hide(a.slice(aeq + 1).trim())}`;
        });
        return [shown, ...kept].join('; ');
      })
      .join(', ');
  }

  /** A header value: credentials and cookies masked, other values as text (URLs in Location, Referer). */
  header(name: string, value: string): string {
    const lower = name.toLowerCase();
    if (COOKIE_HEADERS.includes(lower)) return this.cookie(value);
    if (SET_COOKIE_HEADERS.includes(lower)) return this.setCookie(value);
    if (isSecretHeader(name)) return this.credentials(value);
    return this.text(value);
  }

  /** Secret fields of JSON (whole or cut short) masked; the rest of the text as written. */
  jsonFields(text: string): string {
    const key = /"((?:[^"\\\n]|\\.)*)"\s*:\s*/g;
    let out = '';
    let from = 0;
    for (let m = key.exec(text); m; m = key.exec(text)) {
      if (!isSecretName(m[1] as string, 'json')) continue;
      const start = key.lastIndex;
      const end = jsonValueEnd(text, start);
      const raw = text.slice(start, end);
      if (/^(null|true|false)$/.test(raw) || raw === '') continue;
      out += text.slice(from, start);
      this.hide(raw.startsWith('"') ? raw.replace(/^"|"$/g, '') : raw);
      out += raw.startsWith('"') && !raw.endsWith('"') ? `"${MASK}` : `"${MASK}"`;
      from = end;
      key.lastIndex = end;
    }
    return out + text.slice(from);
  }

  /** The `name=value` pairs `pair` finds, masked when the name is secret. */
  pairs(text: string, pair: RegExp, place: NamePlace): string {
    return text.replace(pair, (all, lead: string, name: string, secret: string) =>
      secret !== '' && isSecretName(name, place) ? `${lead}${name}=${this.hide(secret)}` : all,
    );
  }

  /** A body: JSON fields, form fields, JWTs, then as text. */
  body(text: string): string {
    return this.text(this.pairs(this.jsonFields(text), FORM_PAIR, 'form'));
  }

  /**
   * A unified diff: in a settings file (`.env*`, a compose file) every value around the change is masked
   * but CORS settings'; on the changed lines, and in any file, the value of a setting whose name is secret
   * (`SECRET_KEY=`, `secret_key="…"`); everywhere, URL credentials and JWTs.
   */
  patch(diff: string): string {
    let settings = false;
    return diff
      .split('\n')
      .map((line) => {
        const file = /^(?:---|\+\+\+) (?:[ab]\/)?(.+)$/.exec(line);
        if (file) {
          settings = SETTINGS_FILE.test(file[1] as string);
          return line;
        }
        if (!/^[ +-]/.test(line)) return line;
        return line[0] + this.setting(line.slice(1), settings && line[0] === ' ');
      })
      .join('\n');
  }

  /** One line of a diff; `context` for an unchanged line of a settings file. */
  private setting(line: string, context: boolean): string {
    let text = line.replace(URL_USERINFO, (_all, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      if (colon < 0) return `${scheme}${this.hide(userinfo)}@`;
      return `${scheme}${userinfo.slice(0, colon)}:${this.hide(userinfo.slice(colon + 1))}@`;
    });
    text = text.replace(JWT, (jwt) => this.hide(jwt));
    const m = SETTING_LINE.exec(text);
    if (!m) return text;
    const [, lead, name, equals, value] = m as unknown as [string, string, string, string, string];
    const secret = isSecretName(name, 'json');
    const environment = /^[A-Z][A-Z0-9_]*$/.test(name) || equals.includes('=');
    if (!secret && !(context && environment && !CORS_SETTING.test(name))) return text;
    // Only a secret's value is hidden elsewhere in the report too (not every setting around a change).
    const hide = (v: string): string => (secret ? this.hide(v) : MASK);
    const quoted = /^(\s*[rbuRBU]?)(["'])(.*)\2(\s*,?\s*(?:#.*)?)$/.exec(value);
    if (quoted)
      return `${lead}${name}${equals}${quoted[1]}${quoted[2]}${hide(quoted[3] as string)}${quoted[2]}${quoted[4]}`;
    if (value.trim() === '' || value.startsWith(MASK)) return text;
    // Code (a call, a list, a dict): its string literals but the names of environment variables.
    if (/^(?:[\w.]+\(|\[|\{)/.test(value))
      return `${lead}${name}${equals}${value.replace(
        /(["'])((?:(?!\1)[^\\]|\\.)*)\1/g,
        (all, q: string, v: string) => (/^[A-Z][A-Z0-9_]*$/.test(v) || v === '' ? all : `${q}${hide(v)}${q}`),
      )}`;
    return `${lead}${name}${equals}${hide(value.trim())}`;
  }

  /** Free text: known secrets, URL credentials, secret parameters, `Name: value` lines, JSON fields, JWTs. */
  text(input: string): string {
    let text = hideAllKnown(input, this.known);
    if (text.includes('@'))
      text = text.replace(URL_USERINFO, (_all, scheme: string, userinfo: string) => {
        const colon = userinfo.indexOf(':');
        if (colon < 0) return `${scheme}${this.hide(userinfo)}@`;
        return `${scheme}${userinfo.slice(0, colon)}:${this.hide(userinfo.slice(colon + 1))}@`;
      });
    if (text.includes(':') || text.includes(' '))
      text = text.replace(
        HEADER_LINE,
        (all, lead: string, space: string, name: string, colon: string, value: string) => {
          const lower = name.toLowerCase();
          if (!isSecretHeader(name) || value.startsWith(MASK) || /^\/\//.test(value)) return all;
          const masked = COOKIE_HEADERS.includes(lower)
            ? this.cookie(value)
            : SET_COOKIE_HEADERS.includes(lower)
              ? this.setCookie(value)
              : this.credentials(value);
          return `${lead}${space}${name}${colon.startsWith(':') ? ': ' : ' '}${masked}`;
        },
      );
    if (text.includes('=')) text = this.pairs(text, QUERY_PAIR, 'query');
    if (text.includes('"')) text = this.jsonFields(text);
    if (text.includes('\\"'))
      text = text.replace(ESCAPED_JSON_FIELD, (all, name: string, value: string, end: string) =>
        isSecretName(name, 'json') && value !== '' ? `\\"${name}\\": \\"${this.hide(value)}${end}` : all,
      );
    if (text.includes('eyJ')) text = text.replace(JWT, (jwt) => this.hide(jwt));
    return text;
  }
}

/**
 * A JSON field quoted inside a JSON string (`\\"access_token\\": \\"…\\"`, a body excerpt in an evidence line),
 * its value ending at its escaped quote, at a bare quote or at the end of the text when it is cut short.
 */
const ESCAPED_JSON_FIELD = /\\"([^"\\]*)\\"\s*:\s*\\"((?:[^"\\]|\\[^"])*)(\\"|"|$)/g;

/** The shortest piece of a known secret hidden where the secret is printed cut short. */
const KNOWN_PREFIX = 6;

/** Every known secret hidden in `text` (as written and URL-encoded). */
function hideAllKnown(input: string, known: readonly string[]): string {
  let text = input;
  for (const secret of known) {
    text = hideKnown(text, secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) text = hideKnown(text, encoded);
  }
  return text;
}

/** `secret` hidden in `text`, also where it is cut short (its start, then the end of a quote or of the text). */
function hideKnown(text: string, secret: string): string {
  const head = secret.slice(0, KNOWN_PREFIX);
  if (!text.includes(head)) return text;
  let out = '';
  let from = 0;
  for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, at + 1)) {
    if (at < from) continue;
    let n = KNOWN_PREFIX;
    while (n < secret.length && text[at + n] === secret[n]) n++;
    const next = text[at + n];
    const cut = next === undefined || next === '"' || next === "'" || next === '\\' || next === '…';
    if (n < secret.length && !cut) continue;
    out += text.slice(from, at) + MASK;
    from = at + n;
  }
  return out + text.slice(from);
}

/** Where a JSON value that starts at `start` ends (the end of the text when it is cut short). */
function jsonValueEnd(text: string, start: number): number {
  const first = text[start];
  if (first === '"') {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') return i + 1;
    }
    return text.length;
  }
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      } else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return text.length;
  }
  const literal = /^[^,}\]\s]*/.exec(text.slice(start));
  return start + (literal?.[0].length ?? 0);
}

type FieldMasker = (value: unknown, masker: Masker) => unknown;

const isPairList = (value: unknown): value is HeaderList =>
  Array.isArray(value) &&
  value.every((p) => Array.isArray(p) && p.length === 2 && p.every((s) => typeof s === 'string'));

const headersField: FieldMasker = (value, m) => {
  if (isPairList(value)) return value.map(([n, v]) => [n, m.header(n, v)]);
  if (value && typeof value === 'object' && !Array.isArray(value))
    return Object.fromEntries(
      Object.entries(value).map(([n, v]) => [n, typeof v === 'string' ? m.header(n, v) : walk(v, m)]),
    );
  return walk(value, m);
};

/** Report fields read by name; every other string is masked as text. */
const FIELDS: Record<string, FieldMasker> = {
  headers: headersField,
  preflightRequest: headersField,
  body: (value, m) => (typeof value === 'string' ? m.body(value) : walk(value, m)),
  bodyExcerpt: (value, m) => (typeof value === 'string' ? m.body(value) : walk(value, m)),
  cookie: (value, m) => (typeof value === 'string' ? m.cookie(value) : walk(value, m)),
  // A diff of the project's own source: settings around the change masked (the file written keeps them).
  patch: (value, m) => (typeof value === 'string' ? m.patch(value) : walk(value, m)),
};

function walk(value: unknown, m: Masker): unknown {
  if (typeof value === 'string') return m.text(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, m));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const field = Object.hasOwn(FIELDS, k) ? FIELDS[k] : undefined;
      out[k] = field ? field(v, m) : walk(v, m);
    }
    return out;
  }
  return value;
}

/** Every string of `value` through `change`. */
function walkText(value: unknown, change: (text: string) => string): unknown {
  if (typeof value === 'string') return change(value);
  if (Array.isArray(value)) return value.map((v) => walkText(v, change));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walkText(v, change);
    return out;
  }
  return value;
}

/** A secret worth hiding wherever it is printed (not a short or common word that text is made of). */
const worthReplacing = (secret: string): boolean =>
  secret.length >= 6 && (secret.length >= 16 || /[^A-Za-z]/.test(secret) || /[A-Z]/.test(secret.slice(1)));

function replaceable(secrets: Iterable<string>): string[] {
  return [...new Set(secrets)].filter(worthReplacing).sort((a, b) => b.length - a.length);
}

/**
 * Any report (check, verify, fix, simulate) with its secrets masked: header lists, bodies and cookies
 * by their field names, every other string as text; a secret found in one place is hidden in all.
 */
export function maskSecrets<T>(value: T, alsoKnown: Iterable<string> = []): T {
  const extra = [...alsoKnown];
  const masker = new Masker(replaceable(extra));
  const masked = walk(value, masker);
  const known = replaceable([...extra, ...masker.found]);
  return (known.length === 0 ? masked : walkText(masked, (text) => hideAllKnown(text, known))) as T;
}

/** Masks secrets everywhere in a check report unless asked not to. */
export function maskReport(report: CheckReport, showSecrets: boolean): CheckReport {
  return showSecrets ? report : maskSecrets(report);
}

export function maskExchange(exchange: Exchange): Exchange {
  return maskSecrets(exchange);
}

/** One header value masked: `Bearer ***`, `session=***; theme=***`; other values as text. */
export function maskValue(name: string, value: string): string {
  return new Masker().header(name, value);
}

export function maskHeaders(headers: HeaderList): HeaderList {
  const m = new Masker();
  return headers.map(([n, v]) => [n, m.header(n, v)]);
}

/** A URL, a line, an error message with its secrets masked; `known` are secrets to hide wherever they are. */
export function maskText(text: string, known: Iterable<string> = []): string {
  return new Masker(replaceable(known)).text(text);
}

/** A request or response body with its secret fields masked (JSON, form, JWTs). */
export function maskBody(text: string): string {
  return new Masker().body(text);
}

/** Options whose value is read as a header line, a cookie jar or a body (the rest is read as text). */
const ARGUMENT_KINDS: Record<string, 'header' | 'cookie' | 'body'> = {
  '-H': 'header',
  '--header': 'header',
  '--cookie': 'cookie',
  '--data': 'body',
  '--json-body': 'body',
};

/**
 * The secrets in the command line (header lines, cookies, bodies, URLs), so that a message about a bad
 * argument never prints them.
 */
export function secretsInArguments(argv: readonly string[]): string[] {
  const m = new Masker();
  argv.forEach((argument, i) => {
    const glued = /^(--[a-z-]+)=([\s\S]*)$/.exec(argument);
    const kind = glued ? ARGUMENT_KINDS[glued[1] as string] : ARGUMENT_KINDS[argv[i - 1] ?? ''];
    const value = glued && kind ? (glued[2] as string) : argument;
    if (kind === 'header') {
      const line = /^([^:\s]+)(?::|\s)\s*([\s\S]*)$/.exec(value);
      if (line) m.header(line[1] as string, line[2] as string);
      else m.hide(value);
    } else if (kind === 'cookie') m.cookie(value);
    else if (kind === 'body') m.body(value);
    else m.text(value);
  });
  return replaceable(m.found);
}

/** Whether a printed line carries a masked value. */
export const carriesMask = (text: string): boolean => text.includes(MASK);
