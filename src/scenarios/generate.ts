import { isCorsSafelistedMethod, normalizeMethod } from '../model/method.js';
import { corsUnsafeRequestHeaderNames, splitRequestHeaders } from '../model/safelist.js';
import type { CredentialsMode, HeaderList, Scenario, ServerAnswer } from '../model/types.js';

/** A small, fast, seeded PRNG (mulberry32): the same seed always gives the same scenarios. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const METHODS = [
  'GET',
  'GET',
  'GET',
  'POST',
  'POST',
  'PUT',
  'put',
  'DELETE',
  'PATCH',
  'patch',
  'HEAD',
  'PURGE',
];
const HEADER_SETS: HeaderList[] = [
  [],
  [],
  [['Content-Type', 'application/json']],
  [['Content-Type', 'application/json']],
  [['Content-Type', 'text/plain;charset=utf-8']],
  [['Content-Type', 'application/x-www-form-urlencoded']],
  [['Authorization', 'Bearer t0ken']],
  [
    ['Authorization', 'Bearer t0ken'],
    ['Content-Type', 'application/json'],
  ],
  [['X-Request-ID', '42']],
  [
    ['X-Requested-With', 'XMLHttpRequest'],
    ['X-Api-Key', 'k'],
  ],
  [['Accept-Language', 'fr']],
  [['Accept-Language', 'fr@x']],
  [['Range', 'bytes=0-10']],
  [['Range', 'bytes=-10']],
  [['Accept', 'application/json']],
];
const CREDENTIALS: CredentialsMode[] = ['omit', 'same-origin', 'include', 'include'];

/** Request the generator builds: what the page passes to fetch(). */
interface GeneratedRequest {
  method: string;
  headers: HeaderList;
  credentials: CredentialsMode;
}

function correctAnswers(
  origin: string,
  req: GeneratedRequest,
  random: Random,
): { preflight: ServerAnswer; response: ServerAnswer } {
  const include = req.credentials === 'include';
  const allowOrigin = !include && random() < 0.3 ? '*' : origin;
  const base: HeaderList = [['Access-Control-Allow-Origin', allowOrigin]];
  if (include) base.push(['Access-Control-Allow-Credentials', 'true']);
  const method = normalizeMethod(req.method);
  const unsafe = corsUnsafeRequestHeaderNames(splitRequestHeaders(req.headers).sent);
  const preflightHeaders: HeaderList = [...base];
  if (!isCorsSafelistedMethod(method)) {
    preflightHeaders.push(['Access-Control-Allow-Methods', pick(random, [method, `GET, POST, ${method}`])]);
  }
  if (unsafe.length > 0) {
    const names = req.headers.map(([n]) => n).filter((n) => unsafe.includes(n.toLowerCase()));
    preflightHeaders.push([
      'Access-Control-Allow-Headers',
      names.join(pick(random, [', ', ','])) || unsafe.join(', '),
    ]);
  }
  preflightHeaders.push(['Access-Control-Max-Age', '0']);
  return {
    preflight: { status: pick(random, [200, 204]), headers: preflightHeaders },
    response: { status: 200, headers: [...base, ['Content-Type', 'application/json']] },
  };
}

const set = (headers: HeaderList, name: string, value: string | null): HeaderList => {
  const lower = name.toLowerCase();
  const kept = headers.filter(([n]) => n.toLowerCase() !== lower);
  return value === null ? kept : [...kept, [name, value]];
};

/** One thing changed in an otherwise right answer (or a plainly wrong answer). */
type Mutation = (
  answer: ServerAnswer,
  ctx: { origin: string; method: string; random: Random },
) => ServerAnswer;

const ACAO = 'Access-Control-Allow-Origin';
const otherPort = (origin: string) => origin.replace(/:(\d+)$/, (_, p: string) => `:${Number(p) + 1}`);

const ANSWER_MUTATIONS: Record<string, Mutation> = {
  'acao-missing': (a) => ({ ...a, headers: set(a.headers, ACAO, null) }),
  'acao-wildcard': (a) => ({ ...a, headers: set(a.headers, ACAO, '*') }),
  'acao-trailing-slash': (a, { origin }) => ({ ...a, headers: set(a.headers, ACAO, `${origin}/`) }),
  'acao-uppercase': (a, { origin }) => ({ ...a, headers: set(a.headers, ACAO, origin.toUpperCase()) }),
  'acao-other-port': (a, { origin }) => ({ ...a, headers: set(a.headers, ACAO, otherPort(origin)) }),
  'acao-127': (a, { origin }) => ({
    ...a,
    headers: set(a.headers, ACAO, origin.replace('localhost', '127.0.0.1')),
  }),
  'acao-null': (a) => ({ ...a, headers: set(a.headers, ACAO, 'null') }),
  'acao-invalid': (a) => ({ ...a, headers: set(a.headers, ACAO, 'foo') }),
  'acao-empty': (a) => ({ ...a, headers: set(a.headers, ACAO, '') }),
  'acao-two-lines': (a, { origin }) => ({ ...a, headers: [...set(a.headers, ACAO, origin), [ACAO, origin]] }),
  // The app (uvicorn writes lower-case names) and a proxy in front of it both send the header.
  'acao-app-and-proxy': (a, { origin }) => ({
    ...a,
    headers: [...set(a.headers, ACAO, null), ['access-control-allow-origin', origin], [ACAO, origin]],
  }),
  'acao-two-values': (a, { origin }) => ({
    ...a,
    headers: [...set(a.headers, ACAO, origin), [ACAO, 'https://other.test']],
  }),
  'acao-comma-list': (a, { origin }) => ({
    ...a,
    headers: set(a.headers, ACAO, `${origin}, https://other.test`),
  }),
  'acac-missing': (a) => ({ ...a, headers: set(a.headers, 'Access-Control-Allow-Credentials', null) }),
  'acac-True': (a) => ({ ...a, headers: set(a.headers, 'Access-Control-Allow-Credentials', 'True') }),
  'acac-false': (a) => ({ ...a, headers: set(a.headers, 'Access-Control-Allow-Credentials', 'false') }),
  'status-400': (a) => ({ ...a, status: 400 }),
  'status-401': (a) => ({ ...a, status: 401 }),
  'status-403': (a) => ({ ...a, status: 403 }),
  'status-404': (a) => ({ ...a, status: 404 }),
  'status-500': (a) => ({ ...a, status: 500 }),
  'no-cors-headers': (a) => ({ status: a.status, headers: [['Content-Type', 'text/plain']] }),
};

const PREFLIGHT_MUTATIONS: Record<string, Mutation> = {
  ...ANSWER_MUTATIONS,
  'status-405-bare': () => ({ status: 405, headers: [['Allow', 'GET']] }),
  'starlette-disallowed-method': (a) => ({ ...a, status: 400 }),
  'redirect-301': (a, { origin }) => ({
    status: 301,
    headers: [...a.headers, ['Location', `${origin}/elsewhere`]],
  }),
  'redirect-307-bare': () => ({ status: 307, headers: [['Location', '/login']] }),
  'acam-missing': (a) => ({ ...a, headers: set(a.headers, 'Access-Control-Allow-Methods', null) }),
  'acam-lowercase': (a, { method }) => ({
    ...a,
    headers: set(a.headers, 'Access-Control-Allow-Methods', method.toLowerCase()),
  }),
  'acam-uppercase': (a, { method }) => ({
    ...a,
    headers: set(a.headers, 'Access-Control-Allow-Methods', method.toUpperCase()),
  }),
  'acam-wildcard': (a) => ({ ...a, headers: set(a.headers, 'Access-Control-Allow-Methods', '*') }),
  'acam-get-only': (a) => ({ ...a, headers: set(a.headers, 'Access-Control-Allow-Methods', 'GET') }),
  'acam-invalid': (a) => ({
    ...a,
    headers: set(a.headers, 'Access-Control-Allow-Methods', 'GET, Bad method'),
  }),
  'acah-missing': (a) => ({ ...a, headers: set(a.headers, 'Access-Control-Allow-Headers', null) }),
  'acah-wildcard': (a) => ({ ...a, headers: set(a.headers, 'Access-Control-Allow-Headers', '*') }),
  'acah-content-type-only': (a) => ({
    ...a,
    headers: set(a.headers, 'Access-Control-Allow-Headers', 'Content-Type'),
  }),
  'acah-starlette-default': (a) => ({
    ...a,
    headers: set(
      a.headers,
      'Access-Control-Allow-Headers',
      'Accept, Accept-Language, Content-Language, Content-Type',
    ),
  }),
  'acah-invalid': (a) => ({
    ...a,
    headers: set(a.headers, 'Access-Control-Allow-Headers', 'x-ok, bad header'),
  }),
};

export interface GenerateOptions {
  seed: number;
  count: number;
  /** The page origin, e.g. `http://localhost:3000`. */
  origin: string;
  /** Where the API lives; each scenario gets its own path below it, e.g. `http://localhost:8000`. */
  apiBase: string;
}

/** A generated scenario and how it was made. */
export interface GeneratedScenario {
  id: string;
  /** What was changed from a right answer (`none` when the answer is right). */
  mutation: string;
  scenario: Scenario;
}

/**
 * Generates reproducible scenarios: requests from simple GETs to credentialed PUTs with custom headers,
 * answered either right, right but for one thing, or plainly wrong.
 */
export function generateScenarios(options: GenerateOptions): GeneratedScenario[] {
  const random = seededRandom(options.seed);
  const out: GeneratedScenario[] = [];
  for (let i = 0; i < options.count; i++) {
    const req: GeneratedRequest = {
      method: pick(random, METHODS),
      headers: pick(random, HEADER_SETS),
      credentials: pick(random, CREDENTIALS),
    };
    if (req.method.toUpperCase() === 'HEAD' || req.method.toUpperCase() === 'GET') {
      req.headers = req.headers.filter(([n]) => n.toLowerCase() !== 'content-type');
    }
    let { preflight, response } = correctAnswers(options.origin, req, random);
    const ctx = { origin: options.origin, method: normalizeMethod(req.method), random };
    const roll = random();
    let mutation = 'none';
    if (roll < 0.45) {
      const name = pick(random, Object.keys(PREFLIGHT_MUTATIONS));
      preflight = (PREFLIGHT_MUTATIONS[name] as Mutation)(preflight, ctx);
      mutation = `preflight:${name}`;
    } else if (roll < 0.85) {
      const name = pick(random, Object.keys(ANSWER_MUTATIONS));
      response = (ANSWER_MUTATIONS[name] as Mutation)(response, ctx);
      mutation = `response:${name}`;
    }
    const id = `${options.seed}-${i}`;
    const method = req.method;
    const body = ['GET', 'HEAD'].includes(method.toUpperCase()) ? undefined : '{"x":1}';
    out.push({
      id,
      mutation,
      scenario: {
        origin: options.origin,
        request: {
          url: `${options.apiBase}/s/${id}`,
          method,
          headers: req.headers,
          credentials: req.credentials,
          ...(body !== undefined && { body }),
        },
        preflight,
        response,
      },
    });
  }
  return out;
}
