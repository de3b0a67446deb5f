// The copy-as generators of the DevTools, transcribed line for line so that tests can produce the exact text
// a browser gives for any request:
// - Chromium 156: devtools-frontend front_end/panels/network/NetworkLogView.ts, `generateCurlCommand` and
//   `generateFetchCall` (read from the panels/network/network.js Chromium 156 serves at /devtools/).
// - Firefox ESR 153: devtools/client/shared/curl.js (`Curl.generateCommand`, `CurlUtils.escapeString*`) and
//   devtools/client/netmonitor/src/widgets/RequestListContextMenu.js (`generateFetchString`), from omni.ja.
// The tables in the tests hold literal texts; these functions check that they are the ones DevTools writes,
// and generate the round trips over awkward values.

export interface DevtoolsRequest {
  url: string;
  method: string;
  /** The request headers as DevTools lists them (name, value), in order. */
  headers: [string, string][];
  /** The request body DevTools shows (requestFormData / postData.text). */
  body?: string;
  /** Chrome: the request was sent over plain HTTP to a page DevTools marks insecure. */
  insecure?: boolean;
  /** Firefox: the answer had Content-Encoding (adds --compressed). */
  compressedAnswer?: boolean;
  /** Chrome: cookies DevTools attached to the request (includedRequestCookies). */
  includedCookies?: number;
}

// ---- Chromium 156 ----

function chromeEscapeWin(u: string): string {
  return `^"${u
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[^a-zA-Z0-9\s_\-:=+~'/.',?;*]/g, '^$&')
    .replace(/%(?=[a-zA-Z0-9_])/g, '%^')
    .replace(/[^ -~\r\n]/g, ' ')
    .replace(/\r?\n|\r/g, '^\n\n')}^"`;
}

function chromeEscapePosix(u: string): string {
  const escapeCharacter = (w: string): string => {
    let hex = w.charCodeAt(0).toString(16);
    while (hex.length < 4) hex = `0${hex}`;
    return `\\u${hex}`;
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the DevTools regex, as written
  const special = /[\0-\x1F\x7F-\x9F!]|'/;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the DevTools regex, as written
  const control = /[\0-\x1F\x7F-\x9F!]/g;
  return special.test(u)
    ? `$'${u
        .replace(/\\/g, '\\\\')
        .replace(/'/g, "\\'")
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r')
        .replace(control, escapeCharacter)}'`
    : `'${u}'`;
}

/** Chromium's "Copy as cURL (bash)" (platform 'linux'/'mac') or "Copy as cURL (cmd)" (platform 'win'). */
export function chromeCurl(request: DevtoolsRequest, platform: 'bash' | 'cmd'): string {
  let command: string[] = [];
  const ignored = new Set([
    'accept-encoding',
    'host',
    'method',
    'path',
    'scheme',
    'version',
    'authority',
    'protocol',
  ]);
  const quote = platform === 'cmd' ? chromeEscapeWin : chromeEscapePosix;
  command.push(`--url ${quote(request.url).replace(/[[{}\]]/g, '\\$&')}`);
  let inferred = 'GET';
  const data: string[] = [];
  if (request.body) {
    data.push(`--data-raw ${quote(request.body)}`);
    ignored.add('content-length');
    inferred = 'POST';
  }
  if (request.method !== inferred) command.push(`-X ${quote(request.method)}`);
  for (const [rawName, value] of request.headers) {
    const name = rawName.replace(/^:/, '');
    if (ignored.has(name.toLowerCase())) continue;
    if (value.trim()) {
      if (name.toLowerCase() === 'cookie' && value.includes('=')) command.push(`-b ${quote(value)}`);
      else command.push(`-H ${quote(`${name}: ${value}`)}`);
    } else command.push(`-H ${quote(`${name};`)}`);
  }
  command = command.concat(data);
  if (request.insecure) command.push('--insecure');
  return `curl ${command.join(command.length >= 3 ? (platform === 'cmd' ? ' ^\n  ' : ' \\\n  ') : ' ')}`;
}

/** FetchHeaderCommenting.ts: the headers a page cannot set, which "Copy as fetch" leaves out. */
function chromeForbidden(name: string, value: string): boolean {
  const patterns = [
    /^sec-/i,
    /^proxy-/i,
    /^accept-charset$/i,
    /^accept-encoding$/i,
    /^access-control-request-headers$/i,
    /^access-control-request-method$/i,
    /^connection$/i,
    /^content-length$/i,
    /^cookie$/i,
    /^cookie2$/i,
    /^date$/i,
    /^dnt$/i,
    /^expect$/i,
    /^host$/i,
    /^keep-alive$/i,
    /^origin$/i,
    /^referer$/i,
    /^set-cookie$/i,
    /^te$/i,
    /^trailer$/i,
    /^transfer-encoding$/i,
    /^upgrade$/i,
    /^via$/i,
  ];
  if (patterns.some((p) => p.test(name))) return true;
  return (
    /^x-(?:http-method(?:-override)?|method-override)$/i.test(name) &&
    value.split(',').some((m) => /^(?:CONNECT|TRACE|TRACK)$/i.test(m.trim()))
  );
}

/** Chromium's "Copy as fetch" (style 'browser') or "Copy as fetch (Node.js)" (style 'node'). */
export function chromeFetch(request: DevtoolsRequest, style: 'browser' | 'node'): string {
  const internal = new Set(['method', 'path', 'scheme', 'version']);
  const skip = (name: string, value: string): boolean => {
    const lower = name.toLowerCase();
    return (
      internal.has(lower) || name.includes(':') || lower === 'user-agent' || chromeForbidden(name, value)
    );
  };
  const headerData = new Headers();
  for (const [name, value] of request.headers) if (!skip(name, value)) headerData.append(name, value);
  const headers: Record<string, string> = {};
  for (const [name, value] of headerData) headers[name] = value;
  const credentials =
    request.includedCookies ||
    request.headers.some(([n]) => ['cookie', 'authorization'].includes(n.toLowerCase()))
      ? 'include'
      : 'omit';
  const referrer = request.headers.find(([n]) => n.toLowerCase() === 'referer')?.[1];
  const options: Record<string, unknown> = {
    headers: Object.keys(headers).length ? headers : undefined,
    referrer,
    body: request.body ?? null,
    method: request.method,
    mode: 'cors',
  };
  if (style === 'node') {
    const cookie = request.headers.find(([n]) => n.toLowerCase() === 'cookie');
    const extra: Record<string, string> = {};
    delete options.mode;
    if (cookie) extra.cookie = cookie[1];
    if (referrer) {
      delete options.referrer;
      extra.Referer = referrer;
    }
    if (Object.keys(extra).length) options.headers = { ...headers, ...extra };
  } else options.credentials = credentials;
  return `fetch(${JSON.stringify(request.url)}, ${JSON.stringify(options, null, 2)});`;
}

// ---- Firefox ESR 153 ----

function firefoxEscapePosix(str: string): string {
  const escapeCharacter = (x: string): string => {
    const code = x.charCodeAt(0);
    if (code < 256) return code < 16 ? `\\x0${code.toString(16)}` : `\\x${code.toString(16)}`;
    const hex = code.toString(16);
    return `\\u${`0000${hex}`.substr(hex.length, 4)}`;
  };
  if (/[^\x20-\x7E]|!|'/.test(str)) {
    return `$'${str
      .replace(/\\/g, '\\\\')
      .replace(/'/g, "\\'")
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/!/g, '\\041')
      .replace(/[^\x20-\x7E]/g, escapeCharacter)}'`;
  }
  return `'${str}'`;
}

function firefoxEscapeWin(str: string): string {
  return `^"${str
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[^-a-zA-Z0-9\s_:=+~/.',?;()*`\p{C}]/gu, '^$&')
    .replace(/%(?=[a-zA-Z0-9_])/g, '%^')
    .replace(/[^\S\r\n]/g, ' ')
    .replace(/\r?\n|\r/g, '^\n\n')}^"`;
}

/** Firefox's "Copy as cURL" (POSIX, or 'cmd' for "Copy as cURL (Windows)"). Multipart bodies are not covered. */
export function firefoxCurl(request: DevtoolsRequest, platform: 'bash' | 'cmd'): string {
  let parts: string[] = [];
  const quote = platform === 'cmd' ? firefoxEscapeWin : firefoxEscapePosix;
  const ifNeeded = (value: string): string => (/^[a-zA-Z-]+$/.test(value) ? value : quote(value));
  const ignored = new Set<string>();
  parts.push(quote(request.url));
  if (request.url.includes('[') || request.url.includes(']')) parts.push('--globoff');
  const postData: string[] = [];
  const contentType = request.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
  const urlEncoded =
    !!request.body &&
    (request.body.toLowerCase().includes('content-type: application/x-www-form-urlencoded') ||
      contentType.toLowerCase().includes('application/x-www-form-urlencoded'));
  if (request.body && (urlEncoded || ['PUT', 'POST', 'PATCH'].includes(request.method))) {
    const lines = request.body.split('\r\n');
    postData.push(`--data-raw ${ifNeeded(`${lines[lines.length - 1]}`)}`);
    ignored.add('content-length');
  }
  ignored.add('host');
  if (request.compressedAnswer) parts.push('--compressed');
  if (request.method === 'HEAD') parts.push('-I');
  else if (request.method !== 'GET') parts.push(`-X ${ifNeeded(`${request.method}`)}`);
  for (const [name, value] of request.headers) {
    if (ignored.has(name.toLowerCase())) continue;
    parts.push(`-H ${ifNeeded(`${name}: ${value}`)}`);
  }
  parts = parts.concat(postData);
  const join = platform === 'cmd' ? ' ^\n  ' : ' \\\n  ';
  const cmd = platform === 'cmd' ? 'curl.exe ' : 'curl ';
  return cmd + parts.join(parts.length >= 3 ? join : ' ');
}

/** Firefox's "Copy as Fetch". */
export function firefoxFetch(request: DevtoolsRequest): string {
  const forbidden = new Set([
    'accept-charset',
    'accept-encoding',
    'access-control-request-headers',
    'access-control-request-method',
    'connection',
    'content-length',
    'cookie',
    'cookie2',
    'date',
    'dnt',
    'expect',
    'host',
    'keep-alive',
    'origin',
    'referer',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'via',
  ]);
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) if (!forbidden.has(name.toLowerCase())) headers[name] = value;
  const referrer = request.headers.find(([n]) => n.toLowerCase() === 'referer')?.[1];
  const credentials = request.headers.some(([n]) => ['cookie', 'authorization'].includes(n.toLowerCase()))
    ? 'include'
    : 'omit';
  const options = {
    credentials,
    headers,
    referrer,
    body: request.body,
    method: request.method,
    mode: 'cors',
  };
  return `await fetch(${JSON.stringify(request.url)}, ${JSON.stringify(options, null, 4)});`;
}
