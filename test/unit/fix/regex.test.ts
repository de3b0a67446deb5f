/**
 * Regex repair on allow_origin_regex values seen in real projects. Each row is the pattern as Python
 * gets it, the origins a page is served from, and the smallest repaired pattern. Python's own `re` is the
 * judge: the original refuses an asked origin, the repair accepts every asked origin, lets in no
 * look-alike (suffix, prefix, unescaped dot, another port) the original kept out, and the server model's
 * translation of the repair agrees with Python on every origin tried.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  lookAlikes,
  originRegexMatcher,
  patternConcerns,
  patternPlace,
  pythonStringLike,
  type RegexMatchMode,
  regexMatchMode,
  repairOriginRegex,
} from '../../../src/fix/regex.js';
import type { ResolvedValue } from '../../../src/python/types.js';

const PYTHON = '/usr/bin/python3';
const inCI = process.env.CI === 'true';
const noPython = !existsSync(PYTHON);
if (noPython && inCI) throw new Error(`CI needs ${PYTHON} to judge regexes with Python's re`);

interface Row {
  title: string;
  /** The pattern's value (what Python's re.compile gets). */
  pattern: string;
  origins: string[];
  mode?: RegexMatchMode;
  /** The repaired pattern; undefined: no repair (the regex is not about these origins). */
  repaired: string | undefined;
  /** More origins the repair must keep out. */
  keepsOut?: string[];
  /**
   * The repair only corrects how the pattern is written (double escaping, a glob, a JavaScript literal, a
   * path, a default port): what the corrected pattern lets in is what its author meant, not new.
   */
  asMeant?: true;
}

const ROWS: Row[] = [
  {
    title: 'localhost without the port (fullmatch refuses :3000)',
    pattern: 'http://localhost',
    origins: ['http://localhost:3000'],
    repaired: 'http://localhost(:3000)?',
    keepsOut: ['http://localhost:5173'],
  },
  {
    title: 'a production domain or localhost, the port forgotten on the localhost branch',
    pattern: 'https://([a-z0-9-]+\\.)?shop\\.example|http://localhost',
    origins: ['http://localhost:3000'],
    repaired: 'https://([a-z0-9-]+\\.)?shop\\.example|http://localhost(:3000)?',
    keepsOut: ['https://shop.example:3000'],
  },
  {
    title: 'the port goes into the branch of a group that names the host, not after the group',
    pattern: 'https?://(localhost|127\\.0\\.0\\.1)',
    origins: ['http://localhost:5173'],
    repaired: 'https?://(localhost(:5173)?|127\\.0\\.0\\.1)',
    keepsOut: ['http://127.0.0.1:5173'],
  },
  {
    title: 'two dev servers on two ports',
    pattern: 'http://localhost',
    origins: ['http://localhost:3000', 'http://localhost:5173'],
    repaired: 'http://localhost(:(3000|5173))?',
  },
  {
    title: 'double escaping inside a raw string: r"https://.*\\\\.example\\\\.com"',
    asMeant: true,
    pattern: 'https://.*\\\\.example\\\\.com',
    origins: ['https://app.example.com'],
    repaired: 'https://.*\\.example\\.com',
  },
  {
    title: 'double escaping in a subdomain group',
    asMeant: true,
    pattern: 'https://([a-z0-9-]+\\\\.)?acme\\\\.dev',
    origins: ['https://app.acme.dev'],
    repaired: 'https://([a-z0-9-]+\\.)?acme\\.dev',
    keepsOut: ['https://app.acmexdev', 'https://evil.com/.acme.dev'],
  },
  {
    title: 'a glob: https://*.example.com',
    asMeant: true,
    pattern: 'https://*.example.com',
    origins: ['https://app.example.com'],
    repaired: 'https://([a-z0-9-]+\\.)+example\\.com',
    keepsOut: ['https://app.examplexcom', 'https://example.com'],
  },
  {
    title: 'a glob port: http://localhost:*',
    pattern: 'http://localhost:*',
    origins: ['http://localhost:5173'],
    repaired: 'http://localhost(:5173)?',
  },
  {
    title: 'a JavaScript regex literal, slashes and all',
    asMeant: true,
    pattern: '/^https:\\/\\/.*\\.example\\.com$/',
    origins: ['https://app.example.com'],
    repaired: '^https:\\/\\/.*\\.example\\.com$',
  },
  {
    title: 'a trailing slash: an origin has no path',
    asMeant: true,
    pattern: '^https://example\\.com/$',
    origins: ['https://example.com'],
    repaired: '^https://example\\.com$',
  },
  {
    title: 'a path wildcard after the host',
    asMeant: true,
    pattern: 'https://app\\.example\\.com/.*',
    origins: ['https://app.example.com'],
    repaired: 'https://app\\.example\\.com',
  },
  {
    title: 'subdomains only, and the page is on the bare domain',
    pattern: 'https://.*\\.example\\.com',
    origins: ['https://example.com'],
    repaired: 'https://(.*\\.)?example\\.com',
  },
  {
    title: 'https only, and a staging page on http',
    pattern: 'https://.*\\.example\\.com',
    origins: ['http://staging.example.com'],
    repaired: 'https?://.*\\.example\\.com',
  },
  {
    title: 'localhost listed, the page is on 127.0.0.1',
    pattern: 'http://localhost:3000',
    origins: ['http://127.0.0.1:3000'],
    repaired: 'http://(localhost|127\\.0\\.0\\.1):3000',
    keepsOut: ['http://127.0.0.1:3001'],
  },
  {
    title: 'another fixed port',
    pattern: 'http://localhost:3000',
    origins: ['http://localhost:5173'],
    repaired: 'http://localhost:(3000|5173)',
  },
  {
    title: 'a port on one branch of a top-level alternation',
    pattern: 'https://(www\\.)?example\\.com|https://staging\\.example\\.com',
    origins: ['https://staging.example.com:8443'],
    repaired: 'https://(www\\.)?example\\.com|https://staging\\.example\\.com(:8443)?',
    keepsOut: ['https://www.example.com:8443'],
  },
  {
    title: 'a port inside anchors and a group',
    pattern: '^(https://a\\.com|http://localhost)$',
    origins: ['http://localhost:3000'],
    repaired: '^(https://a\\.com|http://localhost(:3000)?)$',
    keepsOut: ['https://a.com:3000'],
  },
  {
    title: 'the apex is listed, www is asked: the label made optional',
    pattern: 'https://example\\.com',
    origins: ['https://www.example.com'],
    repaired: 'https://(www\\.)?example\\.com',
    keepsOut: ['https://other.example.com'],
  },
  {
    title: 'a class without the hyphen, a hyphenated subdomain asked: a branch of its own',
    pattern: 'https://[a-z]+\\.example\\.com',
    origins: ['https://my-app.example.com'],
    repaired: 'https://[a-z]+\\.example\\.com|https://my-app\\.example\\.com',
    keepsOut: ['https://other-app.example.com'],
  },
  {
    title: 'the default port written out: browsers never send :443',
    asMeant: true,
    pattern: 'https://.*\\.example\\.com:443',
    origins: ['https://app.example.com'],
    repaired: 'https://.*\\.example\\.com',
  },
  {
    title: 'any port on localhost, the page on 127.0.0.1: only that port of 127.0.0.1, as a branch',
    pattern: 'https?://localhost:\\d+',
    origins: ['http://127.0.0.1:5173'],
    repaired: 'https?://localhost:\\d+|http://127\\.0\\.0\\.1:5173',
    keepsOut: ['http://127.0.0.1:8080'],
  },
  {
    title: 'a preview-deployment class without the hyphen: the exact origin as a branch of its own',
    pattern: 'https://my-app-[a-z0-9]+-team\\.vercel\\.app',
    origins: ['https://my-app-git-main-team.vercel.app'],
    repaired: 'https://my-app-[a-z0-9]+-team\\.vercel\\.app|https://my-app-git-main-team\\.vercel\\.app',
  },
  {
    title: 'an origin the regex is not about: no repair (allow_origins is the place)',
    pattern: 'https://.*\\.example\\.com',
    origins: ['http://localhost:3000'],
    repaired: undefined,
  },
  {
    title: 're.match (Starlette before 0.13.1): the missing port is not a failure, the prefix matches',
    pattern: 'http://localhost',
    origins: ['http://localhost:3000'],
    mode: 'match',
    repaired: undefined,
  },
  {
    title: 're.match: a new branch is anchored at its end',
    pattern: 'https://.*\\.example\\.com',
    origins: ['https://example.com'],
    mode: 'match',
    repaired: 'https://.*\\.example\\.com|https://example\\.com$',
    keepsOut: ['https://example.com.attacker.test'],
  },
];

interface Judged {
  original: boolean[];
  repaired: boolean[];
  probes: Array<{ origin: string; original: boolean; repaired: boolean }>;
}

/** Python's verdicts for every row: re.fullmatch or re.match, as Starlette calls it. */
function judgeWithPython(rows: Row[]): Judged[] {
  const input = rows.map((r) => ({
    pattern: r.pattern,
    repaired: r.repaired ?? r.pattern,
    mode: r.mode ?? 'fullmatch',
    origins: r.origins,
    probes: [...new Set([...r.origins.flatMap(lookAlikes), ...(r.keepsOut ?? [])])],
  }));
  const script = `
import json, re, sys
out = []
for r in json.load(sys.stdin):
    test = (lambda p, o: re.fullmatch(p, o) is not None) if r["mode"] == "fullmatch" else (lambda p, o: re.match(p, o) is not None)
    out.append({
        "original": [test(r["pattern"], o) for o in r["origins"]],
        "repaired": [test(r["repaired"], o) for o in r["origins"]],
        "probes": [{"origin": o, "original": test(r["pattern"], o), "repaired": test(r["repaired"], o)} for o in r["probes"]],
    })
json.dump(out, sys.stdout)
`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input) }).toString());
}

describe.skipIf(noPython)(
  `allow_origin_regex repair, judged by Python's re${noPython ? ' (skipped: no /usr/bin/python3)' : ''}`,
  () => {
    const judged = noPython ? [] : judgeWithPython(ROWS);
    it.each(ROWS.map((r, i) => [r.title, r, i] as const))('%s', (_title, row, i) => {
      const mode = row.mode ?? 'fullmatch';
      const repair = repairOriginRegex(row.pattern, row.origins, mode);
      expect(repair?.pattern).toBe(row.repaired);
      const verdict = judged[i] as Judged;
      if (row.repaired === undefined) return;
      expect(repair?.changes.length).toBeGreaterThan(0);
      // The bug is real, and the repair ends it.
      expect(verdict.original).toContain(false);
      expect(verdict.repaired.every(Boolean)).toBe(true);
      // Nothing new is let in.
      for (const probe of verdict.probes) {
        if (probe.repaired && !row.origins.includes(probe.origin) && !row.asMeant)
          expect({ origin: probe.origin, original: probe.original }).toEqual({
            origin: probe.origin,
            original: true,
          });
      }
      for (const probe of row.keepsOut ?? []) {
        expect(verdict.probes.find((p) => p.origin === probe)?.repaired).toBe(false);
      }
      // The server model reads the repaired pattern as Python does.
      const model = originRegexMatcher(row.repaired, mode);
      expect(row.origins.map((o) => model.test(o))).toEqual(verdict.repaired);
      expect(verdict.probes.map((p) => model.test(p.origin))).toEqual(verdict.probes.map((p) => p.repaired));
    });
  },
);

describe('regex match mode by Starlette version', () => {
  it.each([
    ['0.12.9', 'match'],
    ['0.13.0', 'match'],
    ['0.13.1', 'fullmatch'],
    ['0.26.1', 'fullmatch'],
    ['1.3.1', 'fullmatch'],
  ] as const)('%s: re.%s', (version, mode) => {
    expect(regexMatchMode(version)).toBe(mode);
  });
});

describe('what a regex is about', () => {
  it.each([
    ['https://.*\\.example\\.com', 'https://app.example.com', true],
    ['https://.*\\\\.example\\\\.com', 'https://app.example.com', true],
    ['http://localhost:3000', 'http://127.0.0.1:3000', true],
    ['https://.*\\.example\\.com', 'http://localhost:3000', false],
    ['https://.*\\.example\\.com', 'https://app.other.org', false],
  ] as const)('%s and %s: %s', (pattern, origin, about) => {
    expect(patternConcerns(pattern, origin)).toBe(about);
  });
});

const at = (file: string, line: number) => ({ file, line });
const regexValue = (value: string, extra: Partial<ResolvedValue>): ResolvedValue => ({
  value: { kind: 'str', value },
  source: at('main.py', 9),
  expression: 'x',
  via: [],
  ...extra,
});

describe('where the pattern is written, and the edit there', () => {
  it.each([
    {
      title: 'a raw literal at the keyword: the literal is rewritten in its own prefix and quotes',
      rv: regexValue('https://.*\\\\.example\\\\.com', { expression: 'r"https://.*\\\\.example\\\\.com"' }),
      to: 'https://.*\\.example\\.com',
      place: at('main.py', 9),
      edit: { from: 'r"https://.*\\\\.example\\\\.com"', to: 'r"https://.*\\.example\\.com"' },
    },
    {
      title: 'a plain literal with single quotes keeps them, and its unknown escapes as they are',
      rv: regexValue('http://localhost', { expression: "'http://localhost'" }),
      to: 'http://localhost(:3000)?',
      place: at('main.py', 9),
      edit: { from: "'http://localhost'", to: "'http://localhost(:3000)?'" },
    },
    {
      title: 'a constant: its line, the value replaced there',
      rv: regexValue('https://([a-z0-9-]+\\\\.)?acme\\\\.dev', {
        expression: 'ACME_ORIGINS',
        via: ['ACME_ORIGINS at main.py:5'],
      }),
      to: 'https://([a-z0-9-]+\\.)?acme\\.dev',
      place: at('main.py', 5),
      edit: { from: 'https://([a-z0-9-]+\\\\.)?acme\\\\.dev', to: 'https://([a-z0-9-]+\\.)?acme\\.dev' },
    },
    {
      title: 'a settings default, the variable set nowhere: the field line',
      rv: regexValue('http://localhost', {
        expression: 'settings.cors_origin_regex',
        via: [
          'Settings.cors_origin_regex field at app/config.py:7',
          'CORS_ORIGIN_REGEX not set: default used',
        ],
        env: { name: 'CORS_ORIGIN_REGEX', defaultUsed: true },
      }),
      to: 'http://localhost(:3000)?',
      place: at('app/config.py', 7),
      edit: { from: 'http://localhost', to: 'http://localhost(:3000)?' },
    },
    {
      title: 'set in .env: the .env line',
      rv: regexValue('https://.*\\.example\\.com', {
        expression: 'os.getenv("CORS_ORIGIN_REGEX")',
        env: { name: 'CORS_ORIGIN_REGEX', defaultUsed: false, valueFrom: at('.env', 3) },
      }),
      to: 'https?://.*\\.example\\.com',
      place: at('.env', 3),
      edit: { from: 'https://.*\\.example\\.com', to: 'https?://.*\\.example\\.com' },
    },
    {
      title: 'an f-string: the keyword line, no edit',
      rv: regexValue('https://.*\\.example\\.com', { expression: 'f"https://.*\\.{DOMAIN}"' }),
      to: 'https?://.*\\.example\\.com',
      place: at('main.py', 9),
      edit: undefined,
    },
  ])('$title', ({ rv, to, place, edit }) => {
    const found = patternPlace(rv, to);
    expect(found.place).toEqual(place);
    expect(found.edits).toEqual(
      edit ? [{ kind: 'replace-text', file: place.file, line: place.line, ...edit }] : undefined,
    );
  });

  it.each([
    ['r"x"', 'a\\.b', 'r"a\\.b"'],
    ["r'x'", 'a"b', "r'a\"b'"],
    ['r"x"', 'a"b', undefined],
    ['"x"', 'a\\.b', '"a\\.b"'],
    ['"x"', 'a\\\\b', '"a\\\\\\\\b"'],
    ['"""x"""', 'a', undefined],
  ])('a literal like %s holding %s: %s', (literal, value, expected) => {
    expect(pythonStringLike(literal, value)).toBe(expected);
  });
});
