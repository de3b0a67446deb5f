// Attacking origins: how an origin that gets through relates to the trusted ones, the repairs of a pattern,
// and what a pattern lets in under Starlette's matching rule, each counter-example and each repair checked
// against Python's own `re`.
import { describe, expect, it } from 'vitest';
import { readPattern, starletteCompile } from '../../../src/causes/security-scan.js';
import {
  anchored,
  attackForm,
  browserSendable,
  escapeDots,
  narrowWildcards,
  substringOrigins,
  trustedOf,
} from '../../../src/fix/origin-attacks.js';
import { pythonSays } from '../causes/rules/security-cases.js';

const APP = 'https://app.example.com';

describe('attackForm: what an origin that gets through proves', () => {
  const trusted = trustedOf([APP]);
  it.each([
    ['https://attacker.test', 'reflects-any-origin'],
    ['null', 'null-origin-trusted'],
    ['https://app.example.com.attacker.test', 'origin-prefix-bypass'],
    ['https://app.example.com_.attacker.test', 'origin-prefix-bypass'],
    ['https://app.example.com`.attacker.test', 'origin-prefix-bypass'],
    ['https://attacker-example.com', 'origin-suffix-bypass'],
    ['https://attackerexample.com', 'origin-suffix-bypass'],
    ['https://app.example.co', 'origin-suffix-bypass'],
    ['https://appxexample.com', 'regex-unescaped-dot'],
    ['https://app-example.com', 'regex-unescaped-dot'],
    ['https://app.examplexcom', 'regex-unescaped-dot'],
    ['http://app.example.com', 'insecure-origin-trusted'],
    ['http://attacker.example.com', 'insecure-origin-trusted'],
    ['https://attacker.vercel.app', 'hosting-platform-origin-trusted'],
    ['http://localhost:3000', 'dev-origin-in-production'],
    ['http://127.0.0.1:5173', 'dev-origin-in-production'],
  ])('%s: %s', (origin, code) => {
    expect(attackForm(origin, trusted)?.code).toBe(code);
  });
  it.each([
    [APP, 'the trusted origin itself'],
    ['https://attacker.example.com', 'a sibling subdomain of the trusted site'],
    ['https://attackerapp.example.com', 'a subdomain of the trusted site, named like the frontend'],
    ['https://a_b.app.example.com', 'a deeper subdomain'],
    ['https://app.example.com:8443', 'another port of the trusted host'],
    ['https://attacker.test/app.example.com', 'a path: no browser sends one'],
    ['https://user@attacker.test', 'a user: no browser sends one'],
    ['HTTPS://ATTACKER.TEST', 'upper case: browsers send the origin in lower case'],
    ['https://attacker.test:443', 'the default port: browsers leave it out'],
  ])('no attack: %s (%s)', (origin) => {
    expect(attackForm(origin, trusted)).toBeUndefined();
  });
  it('development origins beside development origins are no finding', () => {
    expect(attackForm('http://localhost:3000', trustedOf(['http://localhost:5173']))).toBeUndefined();
    expect(
      attackForm('http://localhost.attacker.test:5173', trustedOf(['http://localhost:5173']))?.code,
    ).toBe('origin-prefix-bypass');
  });
  it('a customer of a hosting platform is a site of its own', () => {
    const vercel = trustedOf(['https://myapp.vercel.app']);
    expect(attackForm('https://attacker.vercel.app', vercel)?.code).toBe('hosting-platform-origin-trusted');
    expect(attackForm('https://preview.myapp.vercel.app', vercel)).toBeUndefined();
  });
  it('browsers send _, - and backtick hosts, and null; never a path', () => {
    expect(['https://a_b.test', 'https://a-b.test', 'https://a`b.test', 'null'].every(browserSendable)).toBe(
      true,
    );
    expect(
      ['https://a.test/', 'https://a.test/x', 'file:///x', 'https://a b.test'].some(browserSendable),
    ).toBe(false);
  });
});

describe('repairs of a pattern', () => {
  it.each([
    ['https://app.example.com', 'https://app\\.example\\.com'],
    ['https://.*.example.com', 'https://.*\\.example\\.com'],
    ['https://[a-z.]+\\.example.com', 'https://[a-z.]+\\.example\\.com'],
    ['https://app\\.example\\.com', 'https://app\\.example\\.com'],
  ])('escapeDots %s', (from, to) => {
    expect(escapeDots(from)).toBe(to);
  });
  it.each([
    ['https://.*example\\.com', 'https://([a-z0-9-]+\\.)*example\\.com'],
    ['https://.+example\\.com', 'https://([a-z0-9-]+\\.)+example\\.com'],
    ['https://.*\\.example\\.com', 'https://[a-z0-9-]+\\.example\\.com'],
    ['https://app\\.example\\.com.*', 'https://app\\.example\\.com'],
    ['https://[\\w.-]+example\\.com', 'https://([a-z0-9-]+\\.)+example\\.com'],
    ['https://[a-z0-9.-]*example\\.com', 'https://([a-z0-9-]+\\.)*example\\.com'],
    ['https://[\\w.-]+\\.example\\.com', 'https://[\\w.-]+\\.example\\.com'],
    ['https://[^/]+example\\.com', 'https://[^/]+example\\.com'],
  ])('narrowWildcards %s', (from, to) => {
    expect(narrowWildcards(from)).toBe(to);
  });
  it.each([
    ['https://app\\.example\\.com', 'end', 'https://app\\.example\\.com$'],
    ['https://a\\.test|https://b\\.test', 'end', '(https://a\\.test|https://b\\.test)$'],
    ['^https://app\\.example\\.com', 'both', '^https://app\\.example\\.com$'],
    ['example\\.com$', 'both', '^example\\.com$'],
  ] as const)('anchored %s (%s)', (from, ends, to) => {
    expect(anchored(from, ends)).toBe(to);
  });
  it('a string tested by substring lets in every origin it contains', () => {
    expect(substringOrigins('https://app.example.com')).toContain('https://app.example.co');
    expect(substringOrigins('https://a.test,null')).toContain('null');
    expect(substringOrigins('https://a.test')).not.toContain('https://a.test,');
  });
});

/** Patterns, the Starlette matching rule, and the codes of what they let in (none: safe). */
const PATTERNS: Array<[string, 'fullmatch' | 'match', string[]]> = [
  ['.*', 'fullmatch', ['reflects-any-origin']],
  ['https://.*', 'fullmatch', ['reflects-any-origin']],
  ['https://.*\\.example\\.com', 'fullmatch', []],
  ['https://.+\\.example\\.com', 'fullmatch', []],
  ['https://[a-z0-9-]+\\.example\\.com', 'fullmatch', []],
  ['https://(app|admin)\\.example\\.com', 'fullmatch', []],
  ['https://(www\\.)?example\\.com', 'fullmatch', []],
  ['https://app\\.example\\.com(:\\d+)?', 'fullmatch', []],
  ['(?i)https://APP\\.example\\.com', 'fullmatch', []],
  ['https://.*example\\.com', 'fullmatch', ['origin-suffix-bypass']],
  ['https://app.example.com', 'fullmatch', ['regex-unescaped-dot']],
  ['https://.*.example.com', 'fullmatch', ['regex-unescaped-dot']],
  ['https?://app\\.example\\.com', 'fullmatch', ['insecure-origin-trusted']],
  ['https://app\\.example\\.com|null', 'fullmatch', ['null-origin-trusted']],
  ['https://app\\.example\\.com|https://.*\\.vercel\\.app', 'fullmatch', ['hosting-platform-origin-trusted']],
  ['https://app\\.example\\.com|http://localhost:\\d+', 'fullmatch', ['dev-origin-in-production']],
  ['https://app\\.example\\.com', 'match', ['origin-prefix-bypass']],
  ['https://.*\\.example\\.com', 'match', ['origin-prefix-bypass']],
  ['https://app\\.example\\.com$', 'match', []],
  // A development pattern beside a production frontend is a development origin in production.
  ['http://localhost:\\d+', 'fullmatch', ['dev-origin-in-production']],
  ['http://localhost.*', 'fullmatch', ['origin-prefix-bypass', 'dev-origin-in-production']],
  [
    'https://app\\.example\\.com|https://myapp(-[a-z0-9-]+)?\\.vercel\\.app',
    'fullmatch',
    ['hosting-platform-origin-trusted'],
  ],
  // Preview deployments by the project's name on Vercel, no --origin there: myapp-attacker.vercel.app is anyone's.
  [
    'https://app\\.example\\.com|https://myapp-.*\\.vercel\\.app',
    'fullmatch',
    ['hosting-platform-origin-trusted'],
  ],
  ['https://app\\.example\\.com|https://(deploy-preview-\\d+--)?myapp\\.netlify\\.app', 'fullmatch', []],
];

describe('what a pattern lets in, as Python reads it', () => {
  it.each(PATTERNS)('%s under re.%s: %j', (pattern, mode, codes) => {
    const reading = readPattern(pattern, [APP], starletteCompile(mode), mode === 'match' ? 'end' : 'none');
    expect(reading?.holes.map((h) => h.code)).toEqual(codes);
    const holes = reading?.holes ?? [];
    const python = pythonSays(
      pattern,
      holes.map((h) => h.origin),
      mode,
    );
    if (python) expect(python, 'Python lets each counter-example in').toEqual(holes.map(() => true));
    if (holes.length === 0) return;
    const repaired = reading?.repaired as string;
    expect(repaired, 'a repair').toBeDefined();
    const after = pythonSays(repaired, [...holes.map((h) => h.origin), APP], mode);
    if (after)
      expect(after, 'the repair refuses them and keeps the frontend').toEqual([
        ...holes.map(() => false),
        true,
      ]);
  });
});

// A platform-wide pattern repaired to the frontend's own deployments: the names only its owner can take.
describe('the own deployments of a frontend on a hosting platform', () => {
  it.each([
    {
      pattern: String.raw`https://.*\.netlify\.app`,
      origin: 'https://myapp.netlify.app',
      repaired: String.raw`https://(deploy-preview-[0-9]+--)?myapp\.netlify\.app`,
      kept: ['https://myapp.netlify.app', 'https://deploy-preview-42--myapp.netlify.app'],
      refused: [
        'https://attacker.netlify.app',
        'https://myapp-attacker.netlify.app',
        'https://x--myapp.netlify.app',
      ],
    },
    {
      pattern: String.raw`https://.*\.pages\.dev`,
      origin: 'https://myproj.pages.dev',
      repaired: String.raw`https://([a-z0-9-]+\.)?myproj\.pages\.dev`,
      kept: ['https://myproj.pages.dev', 'https://3f2a1b.myproj.pages.dev'],
      refused: [
        'https://attacker.pages.dev',
        'https://myproj-attacker.pages.dev',
        'https://a.myprojx.pages.dev',
      ],
    },
    {
      pattern: String.raw`https://[a-z]+\.netlify\.app`,
      origin: 'https://myapp.netlify.app',
      repaired: String.raw`https://myapp\.netlify\.app`,
      kept: ['https://myapp.netlify.app'],
      refused: ['https://attacker.netlify.app', 'https://deploy-preview-1--myapp.netlify.app'],
    },
    {
      pattern: String.raw`https://.*\.vercel\.app`,
      origin: 'https://myapp.vercel.app',
      repaired: String.raw`https://myapp\.vercel\.app`,
      kept: ['https://myapp.vercel.app'],
      refused: ['https://attacker.vercel.app', 'https://myapp-git-main-attacker.vercel.app'],
    },
  ])('$pattern for $origin: $repaired', ({ pattern, origin, repaired, kept, refused }) => {
    const reading = readPattern(pattern, [origin], starletteCompile('fullmatch'), 'none');
    expect(reading?.holes.map((h) => h.code)).toContain('hosting-platform-origin-trusted');
    expect(reading?.repaired).toBe(repaired);
    const python = pythonSays(repaired, [...kept, ...refused], 'fullmatch');
    if (python) expect(python).toEqual([...kept.map(() => true), ...refused.map(() => false)]);
  });
});
