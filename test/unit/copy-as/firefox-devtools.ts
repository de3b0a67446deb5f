// Firefox's own copy-as code, read from the Firefox installed here (its omni.ja) and run as it is:
// devtools/client/shared/curl.js (`Curl.generateCommand`: "Copy as cURL", POSIX and Windows) and the
// `generateFetchString` method of devtools/client/netmonitor/src/widgets/RequestListContextMenu.js
// ("Copy as Fetch"). Nothing of it is kept in the project: tests load it from the browser's files.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const FIREFOX_OMNI_JA = '/usr/lib/firefox-esr/browser/omni.ja';
const CURL_JS = 'chrome/devtools/modules/devtools/client/shared/curl.js';
const CONTEXT_MENU_JS =
  'chrome/devtools/modules/devtools/client/netmonitor/src/widgets/RequestListContextMenu.js';

/** A request as Firefox's network monitor holds it. */
export interface FirefoxRequest {
  url: string;
  method: string;
  headers: Array<{ name: string; value: string }>;
  postDataText?: string;
  responseHeaders?: Array<{ name: string; value: string }>;
}

export interface FirefoxCopyAs {
  curl(request: FirefoxRequest, platform: 'Linux' | 'WINNT'): string;
  fetch(request: FirefoxRequest): Promise<string>;
}

const read = (omni: string, path: string): string =>
  execFileSync('unzip', ['-p', omni, path], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });

/** The method `name` of a class body, cut from the source at its own indentation. */
function methodSource(source: string, name: string): string {
  const start = source.indexOf(`  async ${name}(`);
  if (start < 0) throw new Error(`${name} not found in ${CONTEXT_MENU_JS}`);
  const end = source.indexOf('\n  }\n', start);
  return source.slice(start, end + 4);
}

/** Firefox's copy-as functions, or why they cannot be loaded here. */
export function loadFirefoxCopyAs(omni = FIREFOX_OMNI_JA): FirefoxCopyAs | string {
  if (!existsSync(omni)) return `${omni} not found: install firefox-esr`;
  let curlJs: string;
  let menuJs: string;
  try {
    curlJs = read(omni, CURL_JS);
    menuJs = read(omni, CONTEXT_MENU_JS);
  } catch (error) {
    return `cannot read Firefox's DevTools code from ${omni} (${(error as Error).message.split('\n')[0]}): install unzip`;
  }
  const exports: { Curl?: { generateCommand(data: unknown, platform: string): string } } = {};
  // curl.js is a CommonJS module that reads Services.appinfo.OS only when no platform is given.
  new Function('exports', 'Services', curlJs)(exports, { appinfo: { OS: 'Linux' } });
  const Menu = new Function(
    `return class { ${methodSource(menuJs, 'generateFetchString')} }`,
  )() as new () => {
    generateFetchString(
      id: string,
      url: string,
      method: string,
      headers: { headers: FirefoxRequest['headers'] },
      postData: { postData: { text?: string } },
    ): Promise<string>;
  };
  const curl = exports.Curl;
  if (!curl) return `${CURL_JS} in ${omni} exports no Curl`;
  return {
    curl: (request, platform) =>
      curl.generateCommand(
        {
          url: request.url,
          method: request.method,
          headers: request.headers,
          responseHeaders: request.responseHeaders ?? [],
          httpVersion: 'HTTP/1.1',
          postDataText: request.postDataText ?? '',
        },
        platform,
      ),
    fetch: (request) =>
      new Menu().generateFetchString(
        'id',
        request.url,
        request.method,
        { headers: request.headers },
        { postData: { ...(request.postDataText !== undefined && { text: request.postDataText }) } },
      ),
  };
}
