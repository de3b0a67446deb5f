/**
 * The HAR gatherer: a HAR file saved by Chrome or Firefox DevTools, read as a stream, becomes the recorded
 * exchanges of each cross-origin fetch/XHR (preflight, request, redirects), with the page's fetch() they
 * answer, and as diagnostic exchanges the page's other preflights to the same server where `check` would
 * ask the server's CORS layer itself (same-server.ts). Nothing is sent; the analysis core judges them as it judges `check`'s.
 */
import { BadInputError } from '../../core/errors.js';
import type { BrowserName } from '../../model/types.js';
import { buildChains } from './chains.js';
import { credentialsTraceIn, type HarRecord, readEntry } from './entry.js';
import {
  isSkipped,
  type RecordedFetch,
  recordedFetch,
  recordingBrowser,
  type SkippedChain,
} from './requests.js';
import { withSameServerPreflights } from './same-server.js';
import { HarEntrySplitter, type HarLog, parseEntry, readSkeleton } from './stream.js';

export { chainEntries, type HarChain, type HarHop } from './chains.js';
export type { CredentialsReading, RecordedFetch, SkippedChain } from './requests.js';
export { NOT_IN_HAR } from './requests.js';
export type { HarLog } from './stream.js';
export type { HarReport, HarRequestInfo, HarRequestReport } from './types.js';
export { withAnswersNotKept } from './unkept.js';

/** What a HAR file holds for CORS. */
export interface HarContents {
  log: HarLog;
  /** Entries read. */
  entries: number;
  browser?: BrowserName;
  fetches: RecordedFetch[];
  skipped: SkippedChain[];
}

/** The entries kept: fetch/XHR, preflights, and pages (for the page's origin). */
const KEPT_ROLES = new Set(['fetch', 'preflight', 'document']);

/**
 * Reads a HAR from its bytes (`chunks`, as they arrive), keeping of each entry only what CORS needs.
 * Bad input (not JSON, not a HAR, a version other than 1.1 or 1.2, truncated) throws a BadInputError
 * with one line that names `name`.
 */
export async function readHar(chunks: AsyncIterable<Buffer>, name: string): Promise<HarContents> {
  const splitter = new HarEntrySplitter(name);
  const records: HarRecord[] = [];
  let entries = 0;
  let credentialsTrace = false;
  for await (const chunk of chunks) {
    for (const piece of splitter.push(chunk)) {
      entries++;
      const value = parseEntry(piece, name);
      const record = readEntry(value, piece.index);
      if (record && KEPT_ROLES.has(record.role)) records.push(record);
      if (!credentialsTrace && record?.role !== 'fetch') credentialsTrace = credentialsTraceIn(value);
    }
  }
  const log = readSkeleton(splitter.end(), name);
  return contentsOf(log, records, entries, credentialsTrace);
}

/** The same from a HAR already parsed (the library's entry point for a HAR in memory). */
export function harFromObject(har: unknown, name = 'the HAR'): HarContents {
  const entries = (har as { log?: { entries?: unknown } } | null)?.log?.entries;
  const log = readSkeleton(
    { ...(har as object), log: { ...((har as { log?: object }).log ?? {}), entries: [] } },
    name,
  );
  if (!Array.isArray(entries))
    throw new BadInputError(`${name} is not a HAR file: its "log" has no "entries"`);
  const records: HarRecord[] = [];
  let credentialsTrace = false;
  entries.forEach((value, index) => {
    const record = readEntry(value, index);
    if (record && KEPT_ROLES.has(record.role)) records.push(record);
    if (!credentialsTrace && record?.role !== 'fetch') credentialsTrace = credentialsTraceIn(value);
  });
  return contentsOf(log, records, entries.length, credentialsTrace);
}

function contentsOf(
  log: HarLog,
  records: HarRecord[],
  entries: number,
  credentialsTrace: boolean,
): HarContents {
  const browser = recordingBrowser(log);
  const documents = records.filter((r) => r.role === 'document');
  const fetches: RecordedFetch[] = [];
  const skipped: SkippedChain[] = [];
  for (const chain of buildChains(records)) {
    const read = recordedFetch(chain, { log, documents, ...(browser && { browser }), credentialsTrace });
    if (isSkipped(read)) skipped.push(read);
    else fetches.push(read);
  }
  return {
    log,
    entries,
    ...(browser && { browser }),
    fetches: withSameServerPreflights(fetches),
    skipped,
  };
}
