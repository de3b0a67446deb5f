import { serverUnreachable } from '../../../../src/causes/rules/server-unreachable.js';
import { testRule } from '../../../support/rule-tester.js';

const refused = { code: 'ECONNREFUSED', message: 'connection refused by localhost:8000: is the server up?' };

testRule(serverUnreachable, {
  invalid: [
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
  ],
  valid: [
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
