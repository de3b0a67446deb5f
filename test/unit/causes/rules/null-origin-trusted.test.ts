import { RULES } from '../../../../src/causes/index.js';
import { nullOriginTrusted } from '../../../../src/causes/rules/null-origin-trusted.js';
import { fastapi, NGINX_API, nginxMap, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

/** A hand-written middleware that writes the Origin back with credentials when `test` holds. */
const echoWhen = (test: string, before: string[] = []) => ({
  'requirements.txt': 'fastapi==0.100.0\nstarlette==0.26.1\n',
  'main.py': [
    'from fastapi import FastAPI, Request',
    '',
    ...before,
    'app = FastAPI()',
    '',
    '',
    '@app.middleware("http")',
    'async def allow(request: Request, call_next):',
    '    response = await call_next(request)',
    '    origin = request.headers.get("origin")',
    `    if ${test}:`,
    '        response.headers["Access-Control-Allow-Origin"] = origin',
    '        response.headers["Access-Control-Allow-Credentials"] = "true"',
    '    return response',
    '',
  ].join('\n'),
});

securityTable(nullOriginTrusted, RULES, {
  insecure: [
    {
      name: '"null" listed beside the frontend',
      files: fastapi('allow_origins=["https://app.example.com", "null"], allow_credentials=True'),
      origins: [APP],
      origin: 'null',
    },
    {
      name: 'null as an alternative of the regex',
      files: fastapi('allow_origin_regex=r"https://app\\.example\\.com|null", allow_credentials=True'),
      origins: [APP],
      origin: 'null',
      pattern: { text: 'https://app\\.example\\.com|null', mode: 'fullmatch' },
    },
    {
      name: 'nginx map with a null key',
      files: nginxMap(['default "";', '"https://app.example.com" $http_origin;', 'null $http_origin;']),
      origins: [APP],
      url: NGINX_API,
      origin: 'null',
    },
    {
      name: 'a middleware testing the origin against a module list naming null',
      files: echoWhen('origin in ALLOWED_ORIGINS', [
        'ALLOWED_ORIGINS = [',
        '    "https://app.example.com",',
        '    "null",',
        ']',
        '',
      ]),
      origins: [APP],
      origin: 'null',
      // The model does not run a hand-written middleware: the real server is in test/fixtures/audit.
      unmodelled: true,
    },
    {
      name: 'a middleware testing the origin against a frozenset naming null, annotated',
      files: echoWhen('origin in TRUSTED', [
        'TRUSTED: frozenset[str] = frozenset({"https://app.example.com", "null"})',
        '',
      ]),
      origins: [APP],
      origin: 'null',
      // The model does not run a hand-written middleware: the real server is in test/fixtures/audit.
      unmodelled: true,
    },
    {
      name: 'a middleware testing the origin against a tuple written in the test',
      files: echoWhen('origin and origin in ("https://app.example.com", "null")'),
      origins: [APP],
      origin: 'null',
      // The model does not run a hand-written middleware: the real server is in test/fixtures/audit.
      unmodelled: true,
    },
  ],
  safe: [
    {
      name: 'a middleware testing the origin against a list of the frontend only',
      files: echoWhen('origin in ALLOWED_ORIGINS', ['ALLOWED_ORIGINS = ["https://app.example.com"]', '']),
      origins: [APP],
      // The model does not run a hand-written middleware: the real server is in test/fixtures/audit.
      unmodelled: true,
    },
    {
      name: 'a middleware comparing the origin with a list built at run time (not read)',
      files: echoWhen('origin in ALLOWED_ORIGINS', [
        'import os',
        '',
        'ALLOWED_ORIGINS = os.environ.get("ORIGINS", "").split(",")',
        '',
      ]),
      origins: [APP],
      // The model does not run a hand-written middleware: the real server is in test/fixtures/audit.
      unmodelled: true,
    },
    {
      name: '"null" listed without credentials',
      files: fastapi('allow_origins=["https://app.example.com", "null"]'),
      origins: [APP],
    },
    {
      name: 'the frontend only',
      files: fastapi('allow_origins=["https://app.example.com"], allow_credentials=True'),
      origins: [APP],
    },
    {
      name: 'nginx map without null',
      files: nginxMap(['default "";', '"https://app.example.com" $http_origin;']),
      origins: [APP],
      url: NGINX_API,
    },
  ],
});
