import type { Logger } from '../../logger.js';
import type { SearchIndex } from '../ports/search-index.js';

export interface SearchBackfillOptions {
  /** Messages examined per step (one storage transaction). Default 500. */
  readonly batch?: number;
  /** Pause between steps, so sends and searches share the storage thread. Default 20 ms. */
  readonly pauseMs?: number;
  /** Pause after a failed step before trying again. Default 5 s. */
  readonly retryMs?: number;
  /** Log progress every this many steps. Default 200 (100,000 messages). */
  readonly logEvery?: number;
}

/**
 * Indexes messages stored before the search index existed, or after a
 * rebuild emptied it (SearchIndex.backfill), as a background job of the
 * logic role: small steps, newest messages first, each a storage
 * transaction of its own (on SQLite the storage thread runs it, never the
 * event loop that serves sockets), with a pause between them. The cursor is
 * persisted with each step, so a restart resumes, and steps from several
 * nodes serialise on it. Progress: `stats` (metrics
 * xinbox_search_backfill_*) and an info log every `logEvery` steps and at
 * the end.
 */
export class SearchBackfill {
  private readonly batch: number;
  private readonly pauseMs: number;
  private readonly retryMs: number;
  private readonly logEvery: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private steps = 0;
  readonly stats = { scanned: 0, indexed: 0, done: false, failures: 0 };

  constructor(
    private readonly index: SearchIndex,
    private readonly log: Logger,
    opts: SearchBackfillOptions = {},
  ) {
    this.batch = opts.batch ?? 500;
    this.pauseMs = opts.pauseMs ?? 20;
    this.retryMs = opts.retryMs ?? 5000;
    this.logEvery = opts.logEvery ?? 200;
  }

  start(): void {
    if (this.timer || this.running || this.stats.done) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops after the step in flight (its commit is kept; the next start resumes after it). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.step().finally(() => {
        this.running = null;
      });
    }, ms);
    this.timer.unref();
  }

  private async step(): Promise<void> {
    try {
      const step = await this.index.backfill(this.batch);
      this.steps++;
      this.stats.scanned += step.scanned;
      this.stats.indexed += step.indexed;
      if (step.done) {
        this.stats.done = true;
        if (this.stats.scanned > 0) this.log.info('search backfill complete', { scanned: this.stats.scanned, indexed: this.stats.indexed });
        return;
      }
      if (this.steps % this.logEvery === 0) this.log.info('search backfill progress', { scanned: this.stats.scanned, indexed: this.stats.indexed });
      this.schedule(this.pauseMs);
    } catch (e) {
      this.stats.failures++;
      this.log.warn('search backfill step failed; retrying', e);
      this.schedule(this.retryMs);
    }
  }
}
