import { mixedContent } from '../../../../src/causes/rules/mixed-content.js';
import { testRule } from '../../../support/rule-tester.js';

const allowed = [['Access-Control-Allow-Origin', 'https://app.example.com']] as [string, string][];

testRule(mixedContent, {
  invalid: [
    {
      name: 'an https page calls a plain-http API',
      page: { origin: 'https://app.example.com', url: 'http://api.example.com/items' },
      exchanges: [{ kind: 'actual', status: 200, headers: allowed }],
      summary: /mixed content/,
      evidence: /request URL http:\/\/api\.example\.com\/items/,
    },
    {
      name: 'an https page calls a plain-http IP address',
      page: { origin: 'https://app.example.com', url: 'http://10.0.0.5:8000/items' },
      exchanges: [{ kind: 'actual', status: 200, headers: allowed }],
    },
  ],
  valid: [
    {
      name: 'an https page calls an https API',
      page: { origin: 'https://app.example.com', url: 'https://api.example.com/items' },
      exchanges: [{ kind: 'actual', status: 200, headers: allowed }],
    },
    {
      name: 'an https page calls http://localhost (potentially trustworthy)',
      page: { origin: 'https://app.example.com', url: 'http://localhost:8000/items' },
      exchanges: [{ kind: 'actual', status: 200, headers: allowed }],
    },
    {
      name: 'an https page calls http://api.localhost',
      page: { origin: 'https://app.example.com', url: 'http://api.localhost:8000/items' },
      exchanges: [{ kind: 'actual', status: 200, headers: allowed }],
    },
    {
      name: 'an http page calls an http API',
      page: { origin: 'http://localhost:3000', url: 'http://api.example.com/items' },
      exchanges: [{ kind: 'actual', status: 200, headers: [['Access-Control-Allow-Origin', '*']] }],
    },
  ],
});
