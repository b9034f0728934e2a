import type { Logger } from '../../logger.js';
import type { WebhookBatch, WebhookOutbox } from '../../core/ports/webhook-outbox.js';
import { batchBody, type WebhookPoster } from './webhook-poster.js';

export interface WebhookDispatcherOptions {
  /** Lease holder prefix: the node id. */
  readonly nodeId: string;
  /** Lanes delivered at once by this node (each its own worker). */
  readonly concurrency: number;
  readonly batchSize: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How long a request may take; the lane lease is longer than this. */
  readonly timeoutMs: number;
  /** How often an idle worker looks for due lanes (appends on this node wake it at once). */
  readonly pollMs?: number;
  readonly clock?: () => number;
}

export interface WebhookDeliveryStats {
  readonly delivered: number;
  readonly batches: number;
  readonly failedAttempts: number;
  readonly lastError: string;
}

/**
 * Delivers the outbox: each worker claims a due lane (a lease, so one node
 * at a time delivers it), POSTs its head events as one signed batch, and
 * on a 2xx removes them; on failure the lane waits with exponential backoff
 * (base * 2^attempts, capped, with jitter) and is retried, forever: events
 * leave only when delivered. A lane is one batch at a time, so events of one
 * order key arrive in order.
 */
export class WebhookDispatcher {
  private stopped = true;
  private workers: Promise<void>[] = [];
  private wakers: Array<() => void> = [];
  private readonly abort = new AbortController();
  private readonly clock: () => number;
  private readonly counters = { delivered: 0, batches: 0, failedAttempts: 0, lastError: '' };

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly poster: WebhookPoster,
    private readonly log: Logger,
    private readonly opts: WebhookDispatcherOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (let i = 0; i < this.opts.concurrency; i++) this.workers.push(this.work(`${this.opts.nodeId}#${i}`));
  }

  /** New events were appended: idle workers look now instead of at their next poll. */
  poke(): void {
    const wake = this.wakers;
    this.wakers = [];
    for (const w of wake) w();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    this.poke();
    await Promise.all(this.workers);
    this.workers = [];
  }

  stats(): WebhookDeliveryStats {
    return { ...this.counters };
  }

  /** Delay before the next attempt after `attempts` failures. */
  backoffMs(attempts: number): number {
    const raw = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** Math.min(attempts, 30));
    return Math.round(raw * (0.8 + Math.random() * 0.4));
  }

  private async work(holder: string): Promise<void> {
    const leaseMs = this.opts.timeoutMs + 30_000;
    while (!this.stopped) {
      let batch: WebhookBatch | null;
      try {
        batch = await this.outbox.claim(holder, this.clock(), leaseMs, this.opts.batchSize);
      } catch (e) {
        this.log.warn('webhook outbox claim failed', e);
        batch = null;
      }
      if (!batch) {
        await this.idle();
        continue;
      }
      await this.deliver(batch, holder);
    }
  }

  private async deliver(batch: WebhookBatch, holder: string): Promise<void> {
    const result = await this.poster.post(batchBody(batch.events.map((e) => e.json)), this.abort.signal);
    try {
      if (result.ok) {
        await this.outbox.complete(batch, holder, this.clock());
        this.counters.delivered += batch.events.length;
        this.counters.batches++;
        return;
      }
      // Stopping: hand the lane back at once so a restart need not wait for the lease.
      const error = this.stopped ? 'node stopping' : result.error;
      const next = this.stopped ? this.clock() : this.clock() + this.backoffMs(batch.attempts);
      if (!this.stopped) {
        this.counters.failedAttempts++;
        this.counters.lastError = error;
        if (batch.attempts === 0) this.log.warn(`webhook delivery failed (${error}); retrying with backoff`);
      }
      await this.outbox.retryLater(batch, holder, next, error, this.clock());
    } catch (e) {
      // The lease runs out and the lane is delivered again later (at least once).
      this.log.warn('webhook outbox update failed', e);
    }
  }

  private idle(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.opts.pollMs ?? 250);
      this.wakers.push(done);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
