import type { Bus } from '../../core/ports/bus.js';

type Handler = (payload: Uint8Array) => void;

interface Subscription {
  readonly handler: Handler;
  active: boolean;
}

export interface MemoryBusOptions {
  /** Called when a handler throws; default logs to stderr. A throwing handler never stops delivery to others. */
  readonly onHandlerError?: (error: unknown, topic: string) => void;
}

/**
 * In-process Bus. Delivery is asynchronous (one microtask per message and
 * subscriber, queued in publish order, so per-publisher order holds) and the
 * payload is copied at publish time, as a network bus would. A subscription
 * is deactivated synchronously by unsubscribe, so a queued delivery that
 * runs later is dropped.
 */
export class MemoryBus implements Bus {
  private readonly topics = new Map<string, Set<Subscription>>();
  private readonly onHandlerError: (error: unknown, topic: string) => void;
  private closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.onHandlerError = options.onHandlerError ?? ((error, topic) => console.error(`bus handler for ${topic} failed`, error));
  }

  async publish(topic: string, payload: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const subscriptions = this.topics.get(topic);
    if (!subscriptions || subscriptions.size === 0) return;
    const copy = payload.slice();
    for (const subscription of subscriptions) {
      queueMicrotask(() => {
        if (!subscription.active) return;
        try {
          subscription.handler(copy);
        } catch (error) {
          this.onHandlerError(error, topic);
        }
      });
    }
  }

  async subscribe(topic: string, handler: Handler): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('bus is closed');
    const subscription: Subscription = { handler, active: true };
    let subscriptions = this.topics.get(topic);
    if (!subscriptions) {
      subscriptions = new Set();
      this.topics.set(topic, subscriptions);
    }
    subscriptions.add(subscription);
    return async () => {
      subscription.active = false;
      const current = this.topics.get(topic);
      if (!current) return;
      current.delete(subscription);
      if (current.size === 0) this.topics.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const subscriptions of this.topics.values()) for (const s of subscriptions) s.active = false;
    this.topics.clear();
  }
}
