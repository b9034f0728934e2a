import type { Redis } from 'ioredis';

export type ChannelHandler = (payload: Buffer) => void;

interface ChannelEntry {
  readonly handlers: Set<ChannelHandler>;
  /** Settles when the server confirmed SUBSCRIBE. */
  confirmed: Promise<void>;
}

/**
 * One pub/sub connection shared by every subscriber of a process: handlers
 * per channel, SUBSCRIBE on the first handler and UNSUBSCRIBE after the last.
 * ioredis re-subscribes the channels after a reconnect (autoResubscribe).
 */
export class RedisSubscriber {
  private readonly channels = new Map<string, ChannelEntry>();
  private closed = false;

  constructor(
    private readonly connection: Redis,
    private readonly onHandlerError: (error: unknown, channel: string) => void = (error, channel) =>
      console.error(`[redis] handler of channel ${channel} failed:`, error),
  ) {
    connection.on('messageBuffer', (channel: Buffer, payload: Buffer) => {
      const set = this.channels.get(channel.toString('utf8'))?.handlers;
      if (!set) return;
      // Copy: a handler may unsubscribe (itself or another) while we iterate.
      for (const handler of [...set]) {
        if (!set.has(handler)) continue;
        try {
          handler(payload);
        } catch (e) {
          // One failing handler must not starve the others, nor kill the connection's event loop.
          this.onHandlerError(e, channel.toString('utf8'));
        }
      }
    });
  }

  /**
   * Resolves once the server confirmed the subscription: a message published
   * after that arrives. The returned function removes the handler; the
   * handler is never called after it is called.
   */
  async subscribe(channel: string, handler: ChannelHandler): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('subscriber is closed');
    let entry = this.channels.get(channel);
    if (!entry) {
      const created: ChannelEntry = { handlers: new Set(), confirmed: Promise.resolve() };
      created.confirmed = this.connection.subscribe(channel).then(() => {}, (e: unknown) => {
        if (this.channels.get(channel) === created) this.channels.delete(channel);
        throw e;
      });
      this.channels.set(channel, created);
      entry = created;
    }
    entry.handlers.add(handler);
    try {
      await entry.confirmed;
    } catch (e) {
      entry.handlers.delete(handler);
      throw e;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      entry.handlers.delete(handler);
      if (entry.handlers.size > 0 || this.channels.get(channel) !== entry) return;
      this.channels.delete(channel);
      if (!this.closed) await this.connection.unsubscribe(channel).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    this.connection.disconnect();
  }
}
