import type { SendAckInfo } from './send-types.js';

/** Recent (sender, client message id) -> ack, so a resend is answered without a store read. Bounded LRU. */
export class DedupeCache {
  private readonly map = new Map<string, SendAckInfo>();

  constructor(private readonly capacity = 200_000) {}

  static key(senderId: number, clientMsgId: string): string {
    return `${senderId}:${clientMsgId}`;
  }

  get(key: string): SendAckInfo | undefined {
    return this.map.get(key);
  }

  set(key: string, ack: SendAckInfo): void {
    if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, ack);
  }
}
