import { serverUnreachable } from '../../../../src/causes/rules/server-unreachable.js';
import { testRule } from '../../../support/rule-tester.js';

const refused = { code: 'ECONNREFUSED', message: 'connection refused by localhost:8000: is the server up?' };

testRule(serverUnreachable, {
  invalid: [
    {
      name: 'a HAR entry Chrome could not connect for (net::ERR_CONNECTION_REFUSED)',
      exchanges: [{ kind: 'actual', error: refused, browserError: 'net::ERR_CONNECTION_REFUSED' }],
      summary: /Not a CORS problem: connection refused/,
    },
    {
      name: 'the actual request is refused',
      exchanges: [{ kind: 'actual', error: refused }],
      summary: /Not a CORS problem: connection refused/,
      evidence: /GET http:\/\/localhost:8000\/items: ECONNREFUSED/,
    },
    {
      name: 'the preflight times out',
      page: { method: 'PUT', headers: [['Content-Type', 'application/json']], body: '{}' },
      exchanges: [{ kind: 'preflight', error: { code: 'TIMEOUT', message: 'no answer within 10000 ms' } }],
      evidence: /OPTIONS .*: TIMEOUT/,
    },
    {
      // The server answers curl; browsers never connect to port 6000 (the Fetch standard's bad ports).
      name: 'the API is served on a port browsers refuse',
      page: { url: 'http://localhost:6000/items' },
      exchanges: [{ kind: 'actual', url: 'http://localhost:6000/items', status: 200 }],
      summary: /browsers never connect to port 6000 \(Chrome: net::ERR_UNSAFE_PORT/,
      evidence: /port 6000 is on the Fetch standard's list of bad ports/,
    },
  ],
  valid: [
    {
      // The HAR keeps no answer (status 0) for a request Chrome refused itself: the server may have answered.
      name: 'a HAR entry Chrome refused itself (net::ERR_FAILED), its answer not kept',
      exchanges: [
        {
          kind: 'actual',
          error: { code: 'ERR_FAILED', message: 'net::ERR_FAILED' },
          browserError: 'net::ERR_FAILED',
        },
      ],
    },
    {
      name: 'a port next to a refused one',
      page: { url: 'http://localhost:6001/items' },
      exchanges: [
        {
          kind: 'actual',
          url: 'http://localhost:6001/items',
          status: 200,
          headers: [['Access-Control-Allow-Origin', '*']],
        },
      ],
    },
    {
      // The server answered: its redirect to another origin leads nowhere (redirect-to-other-origin).
      name: 'the target of a redirect to another origin does not answer',
      exchanges: [
        {
          kind: 'actual',
          status: 307,
          headers: [
            ['Location', 'http://localhost:9000/items'],
            ['Access-Control-Allow-Origin', '*'],
          ],
        },
        { kind: 'actual', hop: 1, url: 'http://localhost:9000/items', error: refused },
      ],
    },
    {
      name: 'the server answers, even with an error status',
      exchanges: [{ kind: 'actual', status: 500, body: 'Internal Server Error' }],
    },
    {
      name: 'only a diagnostic probe fails',
      exchanges: [
        { kind: 'actual', status: 200 },
        { kind: 'diagnostic', method: 'OPTIONS', error: refused },
      ],
    },
  ],
});
