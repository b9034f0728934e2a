import type { Logger } from '../../logger.js';
import type { EventLogStore, NewUserEvent } from '../../core/ports/event-log.js';

export interface EventRecorderOptions {
  /** Events older than this are deleted (eventLogRetentionDays). */
  readonly retentionMs: number;
  /** Events waiting for the store; beyond it new ones are dropped (counted), never queued without bound. */
  readonly maxBuffered?: number;
  readonly flushMs?: number;
  readonly pruneEveryMs?: number;
  readonly clock?: () => number;
}

const PRUNE_BATCH = 5_000;

/**
 * Writes the user event log (login, logout, connect, disconnect) off the
 * request path: events are buffered and appended in batches, one append at
 * a time (the SQLite store runs on the storage thread, so the event loop
 * serving sockets never waits on disk); a timer deletes what is older than
 * the retention period, a bounded batch at a time.
 */
export class EventRecorder {
  readonly counters = { recorded: 0, dropped: 0, failed: 0, pruned: 0 };
  private buffer: NewUserEvent[] = [];
  private flushing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly pruneTimer: NodeJS.Timeout;
  private readonly clock: () => number;

  constructor(private readonly store: EventLogStore, private readonly nodeId: string, private readonly opts: EventRecorderOptions, private readonly log: Logger) {
    this.clock = opts.clock ?? Date.now;
    this.pruneTimer = setInterval(() => void this.prune(), opts.pruneEveryMs ?? 10 * 60_000);
    this.pruneTimer.unref();
  }

  record(e: Omit<NewUserEvent, 'nodeId' | 'at'>): void {
    if (this.buffer.length >= (this.opts.maxBuffered ?? 10_000)) {
      this.counters.dropped++;
      return;
    }
    this.buffer.push({ ...e, nodeId: this.nodeId, at: this.clock() });
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, this.opts.flushMs ?? 200);
  }

  /** Appends everything buffered (waits for an append in progress first). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.store.append(batch).then(
      () => void (this.counters.recorded += batch.length),
      (e: unknown) => {
        this.counters.failed += batch.length;
        this.log.warn('event log append failed', e);
      },
    ).finally(() => (this.flushing = null));
    await this.flushing;
  }

  async prune(): Promise<void> {
    const before = this.clock() - this.opts.retentionMs;
    try {
      for (;;) {
        const n = await this.store.prune(before, PRUNE_BATCH);
        this.counters.pruned += n;
        if (n < PRUNE_BATCH) return;
      }
    } catch (e) {
      this.log.warn('event log prune failed', e);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.flush();
  }
}
