import type { Redis } from 'ioredis';
import type { Bus } from '../../core/ports/bus.js';
import type { RedisSubscriber } from './subscriber.js';

/**
 * Bus over Redis pub/sub. Publishes go out on the shared command connection
 * (one connection: per-publisher order is kept); subscriptions share the
 * process's one subscriber connection. At most once: a message published
 * while a subscriber is disconnected is lost, as the port allows.
 */
export class RedisBus implements Bus {
  private readonly unsubscribes = new Set<() => Promise<void>>();
  private closed = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: RedisSubscriber,
    private readonly channelPrefix: string,
  ) {}

  async publish(topic: string, payload: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const buffer = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    await this.publisher.publish(this.channelPrefix + topic, buffer);
  }

  async subscribe(topic: string, handler: (payload: Uint8Array) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('bus is closed');
    const unsubscribe = await this.subscriber.subscribe(this.channelPrefix + topic, (payload) =>
      // A plain Uint8Array view (no copy): consumers compare and decode it like any other payload.
      handler(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)));
    const tracked = async (): Promise<void> => {
      this.unsubscribes.delete(tracked);
      await unsubscribe();
    };
    this.unsubscribes.add(tracked);
    return tracked;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.unsubscribes].map((unsubscribe) => unsubscribe()));
  }
}
