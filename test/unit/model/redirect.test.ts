import { describe, expect, it } from 'vitest';
import { followRedirect } from '../../../src/model/redirect.js';
import type { HeaderList } from '../../../src/model/types.js';

const PAGE = 'http://localhost:3000';
const API = 'http://localhost:8000/items';
const headers: HeaderList = [
  ['Authorization', 'Bearer t'],
  ['Content-Type', 'application/json'],
  ['X-Trace', '1'],
];
const current = { url: API, method: 'POST', headerLines: headers, origin: PAGE, body: '{}' };
const redirect = (status: number, location: string) => ({
  status,
  headers: [['Location', location]] as HeaderList,
});

describe('following a redirect (Fetch HTTP-redirect fetch)', () => {
  it.each([
    [301, 'POST', 'GET'],
    [302, 'POST', 'GET'],
    [303, 'PUT', 'GET'],
    [303, 'GET', 'GET'],
    [307, 'POST', 'POST'],
    [308, 'PUT', 'PUT'],
    [302, 'PUT', 'PUT'],
  ])('%i after %s is followed with %s', (status, method, expected) => {
    const next = followRedirect({ ...current, method }, redirect(status, '/other'), PAGE, 0);
    expect(typeof next === 'string' ? next : next.method).toBe(expected);
  });
  it('drops request-body headers and the body when switching to GET', () => {
    const next = followRedirect(current, redirect(302, '/other'), PAGE, 0);
    expect(next).toMatchObject({ url: 'http://localhost:8000/other', headerLines: [headers[0], headers[2]] });
    expect(typeof next === 'string' ? 'refused' : next.body).toBeUndefined();
  });
  it('keeps the Origin on a same-origin hop and sends null after a cross-origin hop', () => {
    const same = followRedirect(current, redirect(307, 'http://localhost:8000/b'), PAGE, 0);
    const cross = followRedirect(current, redirect(307, 'http://127.0.0.1:8000/b'), PAGE, 0);
    expect(typeof same !== 'string' && same.origin).toBe(PAGE);
    expect(typeof cross !== 'string' && cross.origin).toBe('null');
  });
  it('removes Authorization on a cross-origin hop', () => {
    const cross = followRedirect(current, redirect(307, 'https://api.example.com/b'), PAGE, 0);
    expect(typeof cross !== 'string' && cross.headerLines.map(([n]) => n)).toEqual([
      'Content-Type',
      'X-Trace',
    ]);
  });
  it.each([
    ['http://user:pw@localhost:8000/b', 0, 'credentials-in-url'],
    ['ftp://localhost/b', 0, 'not-http'],
    ['/b', 20, 'too-many-redirects'],
  ])('refuses %s after %i redirects: %s', (location, count, refusal) => {
    expect(followRedirect(current, redirect(302, location), PAGE, count)).toBe(refusal);
  });
});
