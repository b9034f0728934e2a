import type { Logger } from '../../logger.js';
import { DEFAULT_APP_ID, type AppId } from '../../core/ports/app-store.js';
import type { WebhookBatch, WebhookOutbox } from '../../core/ports/webhook-outbox.js';
import { batchBody, type WebhookPoster } from './webhook-poster.js';

/** The receivers of the apps: the poster of an app's webhook, or null when it has none (any more). */
export type ReceiverOf = (appId: AppId) => Promise<WebhookPoster | null>;

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
  /** False while no app has a webhook: workers then stay idle instead of asking the outbox. Default: always active. */
  readonly active?: () => boolean;
}

export interface WebhookDeliveryStats {
  readonly delivered: number;
  readonly batches: number;
  readonly failedAttempts: number;
  readonly lastError: string;
  /** Events whose app had lost its webhook (or was deleted) by delivery time: discarded. */
  readonly discarded: number;
}

/**
 * Delivers the outbox: each worker claims a due lane (a lease, so one node
 * at a time delivers it), POSTs its head events as one signed batch, and
 * on a 2xx removes them; on failure the lane waits with exponential backoff
 * (base * 2^attempts, capped, with jitter) and is retried, forever: events
 * leave only when delivered. A lane is one batch at a time, so events of one
 * order key arrive in order.
 *
 * Each app has lanes of its own (webhookLaneOf), but two apps whose ids fold
 * onto one lane set share it: a batch is the lane's leading run of one app's
 * events, posted to that app's receiver with its signing secrets (ADR 0013).
 */
export class WebhookDispatcher {
  private stopped = true;
  private workers: Promise<void>[] = [];
  private wakers: Array<() => void> = [];
  private readonly abort = new AbortController();
  private readonly clock: () => number;
  private readonly counters = { delivered: 0, batches: 0, failedAttempts: 0, lastError: '', discarded: 0 };

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly receiverOf: ReceiverOf,
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
      if (this.opts.active && !this.opts.active()) {
        await this.idle();
        continue;
      }
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

  private async deliver(claimed: WebhookBatch, holder: string): Promise<void> {
    const appId = claimed.events[0]?.appId ?? DEFAULT_APP_ID;
    let n = 1;
    while (n < claimed.events.length && (claimed.events[n]!.appId ?? DEFAULT_APP_ID) === appId) n++;
    const batch = n === claimed.events.length ? claimed : { ...claimed, events: claimed.events.slice(0, n) };
    let poster: WebhookPoster | null;
    try {
      poster = await this.receiverOf(appId);
    } catch (e) {
      // The app could not be read: try the lane again later, like a failed delivery.
      this.log.warn(`reading app ${appId} for webhook delivery failed`, e);
      await this.outbox.retryLater(batch, holder, this.clock() + this.backoffMs(batch.attempts), 'app settings unavailable', this.clock()).catch(() => undefined);
      return;
    }
    if (!poster) {
      // The app removed its webhook (or was deleted) after these were kept: nobody is there to take them.
      if (this.counters.discarded === 0) this.log.warn(`webhook events of app ${appId}, which has no webhook any more, discarded`);
      this.counters.discarded += batch.events.length;
      await this.outbox.complete(batch, holder, this.clock()).catch((e) => this.log.warn('webhook outbox update failed', e));
      return;
    }
    const result = await poster.post(batchBody(batch.events.map((e) => e.json)), this.abort.signal);
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
