// "Copy as fetch" text → the request it describes. The shapes are the ones the DevTools write:
// - Chromium (devtools-frontend, front_end/panels/network/NetworkLogView.ts, generateFetchCall):
//   `fetch("<url>", {…});` with JSON.stringify(…, null, 2) of headers (lower-cased and sorted by a Headers
//   object; sec-*, proxy-*, user-agent and the other forbidden headers dropped), referrer, body (null when
//   none), method, "mode": "cors" and "credentials": "include" (a cookie or Authorization was sent) or "omit".
//   "Copy as fetch (Node.js)": no mode and no credentials; the cookie and Referer go into the headers.
// - Firefox (devtools/client/netmonitor/src/widgets/RequestListContextMenu.js, generateFetchString):
//   `await fetch("<url>", {…});` with JSON.stringify(…, null, 4) of credentials ("include" for a Cookie or
//   Authorization header, else "omit"), headers (only the forbidden names dropped: User-Agent, Sec-Fetch-*,
//   Priority stay), referrer, body, method and "mode": "cors".
import { BadInputError } from '../../core/errors.js';
import type { HeaderList } from '../../model/types.js';
import type { RawCopy } from './curl.js';
import { JsLiteralError, JsLiteralReader, type JsValue } from './js-literal.js';

/** What a fetch() copy adds to a request: the fields fetch() takes beside the headers. */
export interface RawFetchCopy extends RawCopy {
  /** `credentials`, as written (absent in the Node.js copy). */
  credentials?: string;
  referrer?: string;
  mode?: string;
  /** No `mode` and no `credentials`: Chrome's "Copy as fetch (Node.js)" (or a hand-written call). */
  node: boolean;
}

const notFetch = (text: string): string =>
  `not a fetch() call: it starts with ${JSON.stringify(text.trim().slice(0, 20))}; in DevTools' Network panel, right-click the failing request and use Copy > Copy as fetch (or Copy as cURL)`;

/** `fetch(` at the start, after an optional `await`. */
export const FETCH_START = /^\s*(?:await\s+)?(?:window\.)?fetch\s*\(/;

const isRecord = (value: JsValue): value is { [key: string]: JsValue } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function stringField(options: { [key: string]: JsValue }, key: string): string | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new BadInputError(`the fetch() call's ${key} is not a string: write it as the text that was sent`);
  }
  return value;
}

function headersOf(value: JsValue): HeaderList {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.map((pair) => {
      if (
        !Array.isArray(pair) ||
        pair.length !== 2 ||
        typeof pair[0] !== 'string' ||
        typeof pair[1] !== 'string'
      )
        throw new BadInputError(
          'the fetch() call\'s headers is an array that is not of ["name", "value"] pairs',
        );
      return [pair[0], pair[1]];
    });
  }
  if (!isRecord(value))
    throw new BadInputError("the fetch() call's headers is not an object of names and values");
  return Object.entries(value).map(([name, v]) => {
    if (typeof v !== 'string' && typeof v !== 'number')
      throw new BadInputError(
        `the fetch() call's header ${JSON.stringify(name)} has a value that is not a string`,
      );
    return [name, String(v)];
  });
}

/** The request of a "Copy as fetch" text. Throws BadInputError for what is not one fetch() call. */
export function parseFetch(text: string): RawFetchCopy {
  const start = FETCH_START.exec(text);
  if (!start) throw new BadInputError(notFetch(text));
  const reader = new JsLiteralReader(text, start[0].length);
  let url: string;
  let options: JsValue;
  try {
    url = reader.string();
    options = reader.eat(',') ? reader.value() : undefined;
    reader.eat(',');
    reader.expect(')', '")" closing fetch(');
    reader.eat(';');
    reader.skip();
  } catch (error) {
    if (error instanceof JsLiteralError) {
      throw new BadInputError(
        `the fetch() call cannot be read (${error.message}): copy it again with Copy as fetch`,
      );
    }
    throw error;
  }
  if (FETCH_START.test(text.slice(reader.pos))) {
    throw new BadInputError(
      'the text holds more than one fetch() call ("Copy all as fetch"): copy only the failing request, with "Copy as fetch"',
    );
  }
  if (reader.pos < text.length) {
    throw new BadInputError(
      `the fetch() call is followed by other text at ${reader.where()}: give only the copied call`,
    );
  }
  if (options !== undefined && !isRecord(options))
    throw new BadInputError("the fetch() call's second argument is not an object of options");
  const init = options ?? {};
  const method = stringField(init, 'method');
  const body = stringField(init, 'body');
  const credentials = stringField(init, 'credentials');
  const referrer = stringField(init, 'referrer');
  const mode = stringField(init, 'mode');
  return {
    url,
    headers: headersOf(init.headers),
    ...(method !== undefined && { method }),
    ...(body !== undefined && { body }),
    ...(credentials !== undefined && { credentials }),
    ...(referrer !== undefined && { referrer }),
    ...(mode !== undefined && { mode }),
    node: !('mode' in init) && !('credentials' in init),
    notes: [],
  };
}
