import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/core/exchange.js';
import { corsMiddlewareSnippet } from '../../../src/fix/starlette.js';

const ORIGIN = 'http://localhost:3000';

/** A preflight answered with these header lines (as uvicorn sent them). */
const preflight = (headers: Array<[string, string]>): Exchange => ({
  kind: 'preflight',
  request: { method: 'OPTIONS', url: 'http://localhost:8000/items/1', headers: [] },
  response: { status: 400, statusText: 'Bad Request', headers, bodyExcerpt: 'Disallowed CORS headers' },
  ms: 1,
});

const line = (snippet: string, option: string) =>
  snippet
    .split('\n')
    .find((l) => l.includes(`${option}=`))
    ?.trim();

describe('corsMiddlewareSnippet keeps what the live answer allows', () => {
  it.each([
    {
      title: 'a missing header: the methods allowed today stay (DELETE is not dropped)',
      needs: {
        method: 'PUT',
        headers: [['X-Trace', '1']] as Array<[string, string]>,
        credentials: 'same-origin' as const,
      },
      answered: [
        preflight([
          ['access-control-allow-origin', ORIGIN],
          ['access-control-allow-methods', 'DELETE, GET, PUT'],
          ['access-control-allow-headers', 'Accept, Content-Type'],
        ]),
      ],
      expected: {
        allow_origins: `allow_origins=["${ORIGIN}"],`,
        allow_methods: 'allow_methods=["GET", "PUT", "DELETE"],',
        allow_headers: 'allow_headers=["x-trace", "accept", "content-type"],',
      },
    },
    {
      title: 'another origin allowed today stays; credentials allowed today stay',
      needs: {
        method: 'GET',
        headers: [['Authorization', 'Bearer t']] as Array<[string, string]>,
        credentials: 'same-origin' as const,
      },
      answered: [
        preflight([
          ['access-control-allow-origin', 'https://admin.example.com'],
          ['access-control-allow-credentials', 'true'],
          ['access-control-allow-methods', '*'],
          ['access-control-allow-headers', '*'],
        ]),
      ],
      expected: {
        allow_origins: `allow_origins=["${ORIGIN}", "https://admin.example.com"],`,
        allow_credentials: 'allow_credentials=True,',
        allow_methods: 'allow_methods=["*"],',
        allow_headers: 'allow_headers=["*", "authorization"],',
      },
    },
    {
      title: 'no answer to keep: only what the request needs',
      needs: { method: 'DELETE', headers: [] as Array<[string, string]>, credentials: 'include' as const },
      answered: [],
      expected: {
        allow_origins: `allow_origins=["${ORIGIN}"],`,
        allow_credentials: 'allow_credentials=True,',
        allow_methods: 'allow_methods=["GET", "DELETE"],',
      },
    },
  ])('$title', ({ needs, answered, expected }) => {
    const snippet = corsMiddlewareSnippet({ origin: ORIGIN, ...needs, answered });
    for (const [option, text] of Object.entries(expected)) expect(line(snippet, option)).toBe(text);
    if (!('allow_credentials' in expected)) expect(line(snippet, 'allow_credentials')).toBeUndefined();
  });
});
