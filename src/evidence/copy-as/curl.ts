// "Copy as cURL" text → the request it describes. The shapes are the ones the DevTools write:
// - Chromium (devtools-frontend, front_end/panels/network/NetworkLogView.ts, generateCurlCommand):
//   `curl --url '<url>'` ([ ] { } escaped with a backslash), `-X 'METHOD'` only when the method is not the
//   one curl infers, `-H 'name: value'` (`-H 'name;'` for an empty value), a Cookie header as `-b '…'`,
//   `--data-raw '…'`, `--insecure`; older versions put the URL first without --url and end with --compressed.
// - Firefox (devtools/client/shared/curl.js, Curl.generateCommand): `curl '<url>'` (or `curl.exe` for
//   Windows), `--globoff`, `--compressed`, `-I` for HEAD, `-X POST` for any method but GET and HEAD, every
//   header as `-H`, Cookie included, `--data-raw` or `--data-binary` (multipart, files left out).
// Words come from bash ($'…' ANSI-C quoting) or cmd.exe (^ escapes), see shell-words.ts.
import { BadInputError } from '../../core/errors.js';
import type { HeaderList } from '../../model/types.js';
import { bashWords, cmdWords } from './shell-words.js';

/** A request as a copy describes it, before the browser's own headers are told from the page's. */
export interface RawCopy {
  url: string;
  method?: string;
  /** Every header line of the copy, in its order. */
  headers: HeaderList;
  body?: string;
  /** `-b`: the Cookie header. */
  cookie?: string;
  notes: string[];
}

/** Options that take a value and do not change what the browser sent (they shape curl's own run). */
const IGNORED_WITH_VALUE = new Set([
  '-o',
  '--output',
  '-m',
  '--max-time',
  '--connect-timeout',
  '-w',
  '--write-out',
  '--retry',
  '-x',
  '--proxy',
  '--resolve',
  '--connect-to',
  '--cacert',
  '--cert',
  '--key',
  '-c',
  '--cookie-jar',
  '--max-redirs',
  '--limit-rate',
  '--interface',
  '--dns-servers',
]);

/** Options without a value that do not change the request the browser sent. */
const IGNORED_FLAGS = new Set([
  '--compressed',
  '--insecure',
  '-k',
  '--globoff',
  '-g',
  '-s',
  '--silent',
  '-S',
  '--show-error',
  '-v',
  '--verbose',
  '-i',
  '--include',
  '-L',
  '--location',
  '-f',
  '--fail',
  '--http1.1',
  '--http2',
  '--http2-prior-knowledge',
  '--http3',
  '-N',
  '--no-buffer',
  '-#',
  '--progress-bar',
  '--raw',
]);

const DATA_OPTIONS = new Set(['--data-raw', '--data-binary', '--data', '-d', '--data-ascii']);

/** `name: value` or `name;` (an empty value) as curl's -H takes it. */
function headerOf(line: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon < 0) {
    const empty = /^([^\s;]+);$/.exec(line.trim());
    if (empty) return [empty[1] as string, ''];
    throw new BadInputError(
      'the curl command has a -H without a colon (its text is not shown: it may hold a secret): copy the command again from DevTools',
    );
  }
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}

/** `curl` (or `curl.exe`), in any case, as the first word. */
const isCurl = (word: string | undefined): boolean => /^curl(\.exe)?$/i.test(word ?? '');

/** The words of the command, from bash or cmd.exe, with only one command allowed. */
function commandWords(text: string, shell: 'bash' | 'cmd'): string[] {
  const { words, rest } = shell === 'cmd' ? cmdWords(text) : bashWords(text);
  if (!isCurl(words[0])) throw new BadInputError(notCurl(words[0]));
  const next = rest.trimStart();
  if (isCurl((shell === 'cmd' ? cmdWords(next) : bashWords(next)).words[0])) {
    throw new BadInputError(
      'the text holds more than one curl command ("Copy all as cURL"): copy only the failing request, with "Copy as cURL"',
    );
  }
  return words.slice(1);
}

const notCurl = (first: string | undefined): string =>
  `not a curl command: it starts with ${JSON.stringify((first ?? '').slice(0, 20))}, not curl; in DevTools' Network panel, right-click the failing request and use Copy > Copy as cURL (bash or cmd) or Copy as fetch`;

/** The request of a "Copy as cURL" text, bash or cmd. Throws BadInputError for what is not a curl command. */
export function parseCurl(text: string, shell: 'bash' | 'cmd'): RawCopy {
  const words = commandWords(text, shell);
  const notes: string[] = [];
  const headers: HeaderList = [];
  let url: string | undefined;
  let method: string | undefined;
  let head = false;
  let cookie: string | undefined;
  const bodies: string[] = [];
  const ignored: string[] = [];
  let i = 0;
  const value = (option: string): string => {
    const next = words[i + 1];
    if (next === undefined)
      throw new BadInputError(`the curl command ends with ${option} and no value after it`);
    i += 2;
    return next;
  };
  const setUrl = (candidate: string) => {
    if (url !== undefined) {
      throw new BadInputError(
        'the curl command names more than one URL: copy only the failing request, with "Copy as cURL"',
      );
    }
    url = candidate;
  };
  while (i < words.length) {
    const word = words[i] as string;
    // -XPOST, -HName: v (curl accepts a short option glued to its value).
    const glued = /^-([XHbd])(.+)$/.exec(word);
    const option = glued ? `-${glued[1]}` : word;
    const take = (name: string): string => {
      if (glued) {
        i++;
        return glued[2] as string;
      }
      return value(name);
    };
    if (option === '--url') setUrl(take(option));
    else if (option === '-X' || option === '--request') method = take(option);
    else if (option === '-H' || option === '--header') headers.push(headerOf(take(option)));
    else if (option === '-b' || option === '--cookie') {
      const jar = take(option);
      if (!jar.includes('=')) {
        throw new BadInputError(
          `the curl command reads cookies from a file (-b ${JSON.stringify(jar)}): give them as -b 'name=value' or with --cookie`,
        );
      }
      cookie = cookie === undefined ? jar : `${cookie}; ${jar}`;
    } else if (DATA_OPTIONS.has(option)) {
      const data = take(option);
      if (data.startsWith('@') && option !== '--data-raw') {
        throw new BadInputError(
          `the curl command reads its body from a file (${option} ${JSON.stringify(data.slice(0, 40))}): paste the body with --data-raw, or give it with --data`,
        );
      }
      bodies.push(data);
    } else if (option === '-I' || option === '--head') {
      head = true;
      i++;
    } else if (option === '-A' || option === '--user-agent') {
      headers.push(['User-Agent', take(option)]);
    } else if (option === '-e' || option === '--referer') {
      headers.push(['Referer', take(option)]);
    } else if (option === '-u' || option === '--user') {
      const user = take(option);
      headers.push(['Authorization', `Basic ${Buffer.from(user, 'utf8').toString('base64')}`]);
    } else if (IGNORED_WITH_VALUE.has(option)) {
      ignored.push(option);
      i += 2;
    } else if (IGNORED_FLAGS.has(option)) {
      i++;
    } else if (option.startsWith('-') && option.length > 1) {
      ignored.push(option);
      i++;
    } else {
      setUrl(option);
      i++;
    }
  }
  if (url === undefined) throw new BadInputError('the curl command has no URL: copy the whole command');
  // curl's URL globbing: DevTools escapes [ ] { } with a backslash.
  url = url.replace(/\\([[\]{}])/g, '$1');
  if (head && method === undefined) method = 'HEAD';
  if (ignored.length > 0) {
    notes.push(`curl options that DevTools does not write were ignored: ${[...new Set(ignored)].join(', ')}`);
  }
  return {
    url,
    ...(method !== undefined && { method }),
    headers,
    // curl joins several -d values with &, as a form.
    ...(bodies.length > 0 && { body: bodies.join('&') }),
    ...(cookie !== undefined && { cookie }),
    notes,
  };
}
