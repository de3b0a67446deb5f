import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/core/exchange.js';
import { allowListRefusal, sameServerLayer } from '../../../src/evidence/har/causes.js';
import type { HeaderList } from '../../../src/model/types.js';

/** A recorded preflight asking for `method` and `headers`, answered `status` with `answer`. */
function preflight(
  method: string,
  headers: string | undefined,
  status: number,
  answer: HeaderList,
): Exchange {
  return {
    kind: 'preflight',
    request: {
      method: 'OPTIONS',
      url: 'https://api.example.com/items/1',
      headers: [
        ['Origin', 'https://app.example.com'],
        ['Access-Control-Request-Method', method],
        ...(headers ? ([['Access-Control-Request-Headers', headers]] as HeaderList) : []),
      ],
    },
    response: { status, statusText: '', headers: answer, bodyExcerpt: '' },
    ms: 1,
    recorded: { source: 'har', entry: 2 },
  };
}

const answer = (status: number, headers: HeaderList, method = 'GET'): Exchange => ({
  kind: method === 'OPTIONS' ? 'preflight' : 'actual',
  request: { method, url: 'https://api.example.com/items', headers: [['Origin', 'https://app.example.com']] },
  response: { status, statusText: '', headers, bodyExcerpt: '' },
  ms: 1,
  recorded: { source: 'har', entry: 5 },
});

describe('allowListRefusal: what a refused preflight asked for and its allow-lists lack', () => {
  it('the page wrote patch, the server lists PATCH: upper names it', () => {
    const refusal = allowListRefusal([
      preflight('patch', undefined, 400, [['access-control-allow-methods', 'DELETE, GET, PATCH, POST']]),
    ]);
    expect(refusal?.method).toEqual({ asked: 'patch', listed: 'DELETE, GET, PATCH, POST', upper: 'PATCH' });
  });

  it.each([
    {
      title: "Starlette's default allow_methods (GET) refuses PUT",
      x: preflight('PUT', 'content-type', 400, [
        ['access-control-allow-methods', 'GET'],
        ['access-control-allow-headers', 'content-type'],
      ]),
      method: 'PUT',
      headers: undefined,
    },
    {
      title: 'Authorization is not among the allowed headers (names compared without case)',
      x: preflight('GET', 'authorization,x-request-id', 400, [
        ['access-control-allow-methods', 'DELETE, GET, POST'],
        ['access-control-allow-headers', 'Accept, Content-Type, X-Request-ID'],
      ]),
      method: undefined,
      headers: ['authorization'],
    },
    {
      title: 'methods are compared with their case: put is not PUT',
      x: preflight('put', undefined, 400, [['access-control-allow-methods', 'GET, PUT']]),
      method: 'put',
      headers: undefined,
    },
    {
      title:
        "Starlette's item holding a comma list: PUT is inside DELETE,GET,POST,PUT, not an item of its own",
      x: preflight('PUT', undefined, 400, [
        ['access-control-allow-methods', 'DELETE,GET,POST,PUT'],
        ['access-control-max-age', '600'],
      ]),
      method: 'PUT',
      headers: undefined,
    },
    {
      title: 'a 403 listing GET,POST,PUT without spaces refuses for another reason: PUT is listed',
      x: preflight('PUT', undefined, 403, [['access-control-allow-methods', 'GET,POST,PUT']]),
      method: undefined,
      headers: undefined,
    },
    {
      title: '* lists every method and header',
      x: preflight('PATCH', 'x-a', 403, [
        ['access-control-allow-methods', '*'],
        ['access-control-allow-headers', '*'],
      ]),
      method: undefined,
      headers: undefined,
    },
    {
      title: 'a 2xx answer is no refusal: the browser model judges its lists',
      x: preflight('DELETE', undefined, 204, [['access-control-allow-methods', 'GET']]),
      method: undefined,
      headers: undefined,
    },
    {
      title: 'a redirected preflight is no refusal by the lists (preflight-redirected tells it)',
      x: preflight('PUT', undefined, 307, [['access-control-allow-methods', 'GET']]),
      method: undefined,
      headers: undefined,
    },
    {
      title: 'without Access-Control-Allow-Methods no CORS layer wrote lists: nothing is read',
      x: preflight('PUT', 'x-a', 401, [['access-control-allow-headers', 'content-type']]),
      method: undefined,
      headers: undefined,
    },
  ])('$title', ({ x, method, headers }) => {
    const refusal = allowListRefusal([x]);
    expect(refusal?.method?.asked).toBe(method);
    expect(refusal?.headers?.missing).toEqual(headers);
  });
});

describe("sameServerLayer: the page's other exchanges with the server, about its CORS layer", () => {
  it.each([
    {
      title: 'a preflight refused with the lists and no Access-Control-Allow-Origin: the layer refuses',
      others: [answer(400, [['access-control-allow-methods', 'GET, PUT']], 'OPTIONS')],
      layer: 'refuses',
    },
    {
      title: 'answers with CORS headers, never Access-Control-Allow-Origin: the layer refuses',
      others: [answer(200, [['access-control-allow-credentials', 'true']])],
      layer: 'refuses',
    },
    {
      title: 'a preflight answered 405 without CORS headers: no layer',
      others: [answer(405, [['allow', 'GET']], 'OPTIONS')],
      layer: 'none',
    },
    {
      title: 'an answer that allows the origin: the layer exists and allows it, nothing is told',
      others: [
        answer(200, [['access-control-allow-origin', 'https://app.example.com']]),
        answer(405, [], 'OPTIONS'),
      ],
      layer: undefined,
    },
    {
      title: 'only answers without CORS headers and no preflight: nothing is told',
      others: [answer(200, [['content-type', 'application/json']])],
      layer: undefined,
    },
    { title: 'no other exchange', others: [], layer: undefined },
  ])('$title', ({ others, layer }) => {
    expect(sameServerLayer(others)?.layer).toBe(layer);
  });
});
