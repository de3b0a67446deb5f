/**
 * The exchanges `watch` has seen, as entries: a preflight and the request that follows it (same origin, URL
 * and method, within `PAIR_WINDOW_MS`) are one entry. Keeps the last `max` entries (a ring), each as it is
 * shown (masked unless secrets are shown), and tells listeners of every new or changed entry.
 */
import type { Exchange, NetworkFailure } from '../core/exchange.js';
import { getHeader } from '../model/header-list.js';
import {
  buildEntry,
  type EntryRecord,
  type Expectation,
  isExpected,
  type JudgedRecord,
  judgeEntry,
  PAIR_WINDOW_S,
  type WatchEntry,
} from './entry.js';
import { browserOfUserAgent, crossOriginOf, isPreflight } from './page-of.js';

/** How long a preflight that passed waits for its request. */
export const PAIR_WINDOW_MS = PAIR_WINDOW_S * 1000;

export interface BookOptions {
  /** The most entries kept. */
  max: number;
  /** The entry as shown (masking). */
  present: (entry: WatchEntry) => WatchEntry;
  /** Adds what the source says (`--project`): resolves with the entry to show. */
  enrich?: (entry: WatchEntry, judged: JudgedRecord) => Promise<WatchEntry>;
  pairWindowMs?: number;
}

export type BookEvent = { type: 'entry'; entry: WatchEntry; final: boolean } | { type: 'drop'; id: number };

interface Pending {
  record: EntryRecord;
  expected: Extract<Expectation, { done: false }>;
  userAgent: string | null;
  timer: NodeJS.Timeout;
}

export class ExchangeBook {
  private readonly entries = new Map<number, WatchEntry>();
  private readonly pending: Pending[] = [];
  private readonly listeners = new Set<(event: BookEvent) => void>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: BookOptions) {}

  /** The entries kept, oldest first. */
  list(): WatchEntry[] {
    return [...this.entries.values()].sort((a, b) => a.id - b.id);
  }

  get size(): number {
    return this.entries.size;
  }

  subscribe(listener: (event: BookEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A number for the next request, in the order requests arrive. */
  reserveId(): number {
    return this.nextId++;
  }

  /**
   * Records an exchange once its answer's headers are in (or the target failed): a request the browser was
   * expected to send next (the request after its preflight, the next hop of a redirect) joins its entry;
   * anything else starts an entry of its own.
   */
  record(id: number, time: string, exchange: Exchange, targetError?: NetworkFailure): void {
    if (this.closed) return;
    const { headers, method, url } = exchange.request;
    const userAgent = getHeader(headers, 'User-Agent');
    const preflight = isPreflight(method, headers);
    const kind = preflight ? 'preflight' : 'actual';
    const asked = preflight ? (getHeader(headers, 'Access-Control-Request-Method') ?? '') : method;
    const index = this.pending.findIndex(
      (p) => p.expected.kind === kind && p.userAgent === userAgent && isExpected(p.expected, exchange, asked),
    );
    if (index >= 0) {
      const waiting = this.pending.splice(index, 1)[0] as Pending;
      clearTimeout(waiting.timer);
      const record: EntryRecord = {
        ...waiting.record,
        exchanges: [...waiting.record.exchanges, { ...exchange, kind, hop: waiting.expected.hop }],
      };
      if (targetError) record.targetError = targetError;
      this.advance(record, userAgent);
      return;
    }
    const browser = browserOfUserAgent(userAgent);
    const cross = preflight ? { cross: true } : crossOriginOf(headers, new URL(url).origin);
    const record: EntryRecord = {
      id,
      time,
      browser,
      crossOrigin: cross.cross,
      exchanges: [{ ...exchange, kind }],
    };
    if (cross.why) record.why = cross.why;
    if (targetError) record.targetError = targetError;
    if (!cross.cross) {
      this.publish(buildEntry(record), true);
      return;
    }
    this.advance(record, userAgent);
  }

  /** Judges a record: final when the browser sends nothing more, else pending until it does (or the window ends). */
  private advance(record: EntryRecord, userAgent: string | null): void {
    const { entry, judged } = judgeEntry(record);
    const expected = judged.expected;
    if (expected.done) {
      this.finishJudged(entry, judged);
      return;
    }
    const pending: Pending = {
      record,
      expected,
      userAgent,
      timer: setTimeout(() => {
        const at = this.pending.indexOf(pending);
        if (at < 0) return;
        this.pending.splice(at, 1);
        const expired = { ...record, expired: true };
        const { entry: last, judged: lastJudged } = judgeEntry(expired);
        this.finishJudged(last, lastJudged);
      }, this.options.pairWindowMs ?? PAIR_WINDOW_MS),
    };
    pending.timer.unref();
    this.pending.push(pending);
    this.publish(entry, false);
  }

  private finishJudged(entry: WatchEntry, judged: JudgedRecord): void {
    const enrich = this.options.enrich;
    if (!enrich) {
      this.publish(entry, true);
      return;
    }
    enrich(entry, judged).then(
      (enriched) => this.publish(enriched, true),
      (error: unknown) => {
        entry.notes.push(`The source could not be joined: ${(error as Error).message}`);
        this.publish(entry, true);
      },
    );
  }

  private publish(raw: WatchEntry, final: boolean): void {
    if (this.closed) return;
    const entry = this.options.present(raw);
    const known = this.entries.has(entry.id);
    // An entry updated after it left the ring stays out of it.
    if (!known && entry.id < this.oldestKept()) return;
    this.entries.set(entry.id, entry);
    for (const listener of this.listeners) listener({ type: 'entry', entry, final });
    if (!known) this.trim();
  }

  private oldestKept(): number {
    if (this.entries.size < this.options.max) return 0;
    return this.entries.keys().next().value ?? 0;
  }

  private trim(): void {
    // Entries are kept in insertion order; ids arrive nearly in order, so the first is the oldest.
    while (this.entries.size > this.options.max) {
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
      for (const listener of this.listeners) listener({ type: 'drop', id: oldest });
    }
  }

  /** Stops the pairing timers; later records are ignored. */
  close(): void {
    this.closed = true;
    for (const p of this.pending.splice(0)) clearTimeout(p.timer);
    this.listeners.clear();
  }
}
