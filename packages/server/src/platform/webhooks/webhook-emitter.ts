import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.js';
import type { PlatformEvents } from '../../core/ports/platform-events.js';
import type { AppId } from '../../core/ports/app-store.js';
import type { NewWebhookEvent, WebhookOutbox } from '../../core/ports/webhook-outbox.js';
import { actorOf } from './app-webhooks.js';

/** Which events are kept, and for which app (AppWebhooks). */
export interface EventRouting {
  /** Sync and cheap: could any app want this type? Others are dropped at once. */
  wants(type: string): boolean;
  /** The app whose receiver gets the event (from its acting user), or null: nobody subscribes, drop it. */
  appFor(type: string, actor: string | null): Promise<AppId | null>;
}

type Buffered = NewWebhookEvent & { readonly actor: string | null };

export interface WebhookEmitterOptions {
  /** Events buffered while the outbox is slow or failing; past it new events are dropped and counted. */
  readonly maxBuffered: number;
  readonly clock?: () => number;
  /** Called after each append (the local dispatcher wakes up instead of waiting for its poll). */
  readonly appended?: () => void;
}

const APPEND_CHUNK = 1000;

/** An event as stored and delivered: a fresh id (the receiver's dedupe key) and the JSON the receiver gets, built once. */
export function newWebhookEvent(type: string, orderKey: string, time: number, data: Record<string, unknown>, appId?: AppId): NewWebhookEvent {
  const id = randomUUID();
  const json = JSON.stringify({ id, type, time, orderKey, data });
  return appId === undefined ? { id, type, orderKey, createdAt: time, json } : { id, type, orderKey, createdAt: time, json, appId };
}
const RETRY_MS = 500;

/**
 * The PlatformEvents sink behind webhooks: keeps subscribed events, builds
 * the JSON a receiver gets once, and appends them to the durable outbox in
 * batches, one append at a time (so positions follow emit order on every
 * adapter). `emit` never blocks and never throws. Each event's app is
 * resolved when its batch is appended (off the emit path); events of an app
 * without a webhook, or not subscribed by it, are dropped there.
 */
export class WebhookEmitter implements PlatformEvents {
  private buffer: Buffered[] = [];
  private flushing: Promise<void> | null = null;
  private readonly clock: () => number;
  private readonly counters = { emitted: 0, appended: 0, dropped: 0, appendFailures: 0, unsubscribed: 0 };

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly routing: EventRouting,
    private readonly log: Logger,
    private readonly opts: WebhookEmitterOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  emit(type: string, orderKey: string, data: Record<string, unknown>): void {
    if (!this.routing.wants(type)) return;
    if (this.buffer.length >= this.opts.maxBuffered) {
      if (this.counters.dropped++ === 0) this.log.error(`webhook buffer full (${this.opts.maxBuffered} events); dropping events until the outbox catches up`);
      return;
    }
    this.counters.emitted++;
    this.buffer.push({ ...newWebhookEvent(type, orderKey, this.clock(), data), actor: actorOf(orderKey, data) });
    if (!this.flushing) this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flush());
  }

  /** Appends everything buffered; resolves when the buffer is empty (used at stop). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length > 0) {
      this.flushing = this.flush();
      await this.flushing;
    }
  }

  stats(): { emitted: number; appended: number; dropped: number; appendFailures: number; unsubscribed: number; buffered: number } {
    return { ...this.counters, buffered: this.buffer.length };
  }

  /** The events of the chunk some app takes, in order, each with its app. */
  private async route(chunk: readonly Buffered[]): Promise<NewWebhookEvent[]> {
    const out: NewWebhookEvent[] = [];
    for (const { actor, ...e } of chunk) {
      const appId = await this.routing.appFor(e.type, actor);
      if (appId !== null) out.push({ ...e, appId });
    }
    return out;
  }

  private async flush(): Promise<void> {
    try {
      while (this.buffer.length > 0) {
        const chunk = this.buffer.splice(0, APPEND_CHUNK);
        let routed: NewWebhookEvent[];
        try {
          routed = await this.route(chunk);
          await this.outbox.append(routed);
        } catch (e) {
          // Keep the events (in order, ahead of newer ones) and try again: this is the only copy.
          this.buffer = chunk.concat(this.buffer);
          this.counters.appendFailures++;
          this.log.warn('webhook outbox append failed; retrying', e);
          await new Promise((r) => setTimeout(r, RETRY_MS));
          continue;
        }
        this.counters.appended += routed.length;
        this.counters.unsubscribed += chunk.length - routed.length;
        this.opts.appended?.();
      }
    } finally {
      this.flushing = null;
    }
  }
}
