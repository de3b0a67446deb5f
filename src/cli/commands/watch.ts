import { BadInputError } from '../../core/errors.js';
import { EXIT } from '../../core/exit.js';
import { packageVersion } from '../../package-root.js';
import { watchSnapshotHtml } from '../../report/html/index.js';
import type { Style } from '../../report/style.js';
import type { JudgedRecord, WatchEntry } from '../../watch/entry.js';
import { LIVE_PAGES, startWatch } from '../../watch/server.js';
import { entryLine, upgradeLine } from '../../watch/terminal.js';

export interface WatchCommandOptions {
  target: string;
  port: string;
  host: string;
  maxExchanges: string;
  project?: string;
  showSecrets?: boolean;
  format?: string;
}

/** What stdout gets: one line per entry (`text`), or the snapshot as one HTML page on Ctrl-C (`html`). */
const WATCH_FORMATS = ['text', 'html'] as const;

/** `--target`: an http(s) URL with a host, no credentials, query or fragment. */
export function parseTarget(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadInputError(
      `--target is not a URL: ${JSON.stringify(value)}; write it like http://localhost:8000`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new BadInputError(`--target must be an http:// or https:// URL, not ${url.protocol}`);
  if (url.username || url.password)
    throw new BadInputError('--target must not hold credentials (user:password@): the page sends its own');
  if (url.search || url.hash)
    throw new BadInputError('--target takes no query or fragment: give the API base URL');
  return url;
}

function parseInteger(value: string, option: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new BadInputError(
      `${option} is a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  return Number(value);
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/**
 * `cors-doctor watch`: the proxy runs until Ctrl-C (SIGINT) or SIGTERM, then stops cleanly with exit 0. A port
 * in use or a bad option is one line and exit 2. With `--format html` the lines go to stderr and the
 * entries kept are written to stdout as one page when it stops (the page `report.html` serves).
 */
export async function runWatch(options: WatchCommandOptions, style: Style): Promise<number> {
  const format = options.format ?? 'text';
  if (!(WATCH_FORMATS as readonly string[]).includes(format))
    throw new BadInputError(
      `--format of watch is ${WATCH_FORMATS.join(' or ')}, not ${JSON.stringify(format)}`,
    );
  const target = parseTarget(options.target);
  const port = parseInteger(options.port, '--port', 0, 65535);
  const maxExchanges = parseInteger(options.maxExchanges, '--max-exchanges', 1, 1_000_000);
  const host = options.host.replace(/^\[|\]$/g, '');
  let enrich: ((entry: WatchEntry, judged: JudgedRecord) => Promise<WatchEntry>) | undefined;
  if (options.project !== undefined) {
    // The Python parser loads only with --project.
    const { readProject } = await import('../../project/read-project.js');
    const { sourceJoiner } = await import('../../watch/source.js');
    try {
      enrich = sourceJoiner(await readProject(options.project), target);
    } catch (error) {
      throw new BadInputError(`--project: ${(error as Error).message}`);
    }
  }
  const version = packageVersion();
  const lines = format === 'html' ? process.stderr : process.stdout;
  const write = (line: string) => lines.write(`${line}\n`);
  const watch = await startWatch({
    version,
    target,
    port,
    host,
    maxExchanges,
    showSecrets: options.showSecrets === true,
    ...(enrich && { enrich }),
    onEntry: (entry) => write(entryLine(entry, style)),
    onUpgrade: (method, path, status) => write(upgradeLine(method, path, status, style)),
  });
  const note = (text: string) => process.stderr.write(`${style.dim(text)}\n`);
  note(`cors-doctor watch: ${watch.url} -> ${target.href.replace(/\/$/, '')}`);
  note(`  point the frontend's API base URL at ${watch.url}; live page: ${watch.url}${LIVE_PAGES.live}`);
  note(`  the entries as one HTML page: ${watch.url}${LIVE_PAGES.report}`);
  if (!LOOPBACK.test(host))
    note(`  listening on ${host}, not loopback only: other machines can reach ${target.origin} through it`);
  note('  Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const kept = watch.book.list();
  await watch.close();
  if (format === 'html') process.stdout.write(watchSnapshotHtml(kept, target.href, version));
  note(`cors-doctor watch: stopped (${watch.book.size} entries kept)`);
  return EXIT.ok;
}
