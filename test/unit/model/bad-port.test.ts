import { describe, expect, it } from 'vitest';
import { badPortOf } from '../../../src/model/bad-port.js';
import { judge } from '../../../src/model/judge.js';
import { acao, scenario } from '../../support/scenarios.js';

describe("ports browsers refuse (the Fetch standard's bad ports)", () => {
  it.each([
    { url: 'http://localhost:6000/items', port: 6000 },
    { url: 'https://api.example.com:6666/x', port: 6666 },
    { url: 'http://127.0.0.1:10080/', port: 10080 },
    { url: 'http://[::1]:5060/', port: 5060 },
    { url: 'http://localhost:22/', port: 22 },
    { url: 'http://localhost:6001/items', port: undefined },
    { url: 'http://localhost:8000/items', port: undefined },
    // A default port is never written in a parsed URL, and 80/443 are not bad ports.
    { url: 'http://localhost:80/items', port: undefined },
    { url: 'https://localhost:443/items', port: undefined },
    { url: 'not a url', port: undefined },
  ])('$url: $port', ({ url, port }) => {
    expect(badPortOf(url)).toBe(port);
  });

  it.each([
    { url: 'http://localhost:6000/items', blocked: true },
    { url: 'http://localhost:6668/items', blocked: true },
    { url: 'http://localhost:6670/items', blocked: false },
  ])('$url with Access-Control-Allow-Origin: * is blocked at the network: $blocked', ({ url, blocked }) => {
    const base = scenario({ response: { headers: [acao('*')] } });
    const result = judge({ ...base, request: { ...base.request, url } });
    for (const verdict of [result.chrome, result.firefox, result.spec])
      expect(verdict.outcome).toBe(blocked ? 'blocked' : 'allowed');
    if (blocked) {
      expect(result.chrome.stage).toBe('network');
      expect(result.chrome.messages).toEqual([]);
      expect(result.firefox.messages).toEqual([]);
      expect(result.spec.reason).toBe('bad port');
    }
  });
});
