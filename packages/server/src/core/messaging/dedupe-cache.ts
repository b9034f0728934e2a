import type { UserId } from '../model.js';
import type { SendAckInfo } from './send-types.js';

/** A sender's remembered acks: the ack itself while it is the only one, a Map by clientMsgId once there were two. */
type SenderAcks = SendAckInfo | Map<string, SendAckInfo>;

/**
 * Recent (sender, client message id) -> ack, so a resend is answered without a
 * store read; the store's unique index stays the durable check. Bounded: at
 * most `capacity` acks, the oldest remembered leaving first (FIFO; a lookup
 * does not move an entry, replacing an ack keeps its place).
 *
 * Keyed by sender first, then by client id: nearly every send misses, and a
 * miss in one Map of 200,000 `${sender}:${clientMsgId}` strings cost a string
 * built per send plus cache misses on the big table and its key strings
 * (docs/benchmarks.md, "The event loop's own JavaScript"). Here the sender's
 * number finds a small per-sender table, and no key string is built.
 * The eviction order lives in a ring of (sender, clientMsgId) slots.
 */
export class DedupeCache {
  private readonly bySender = new Map<UserId, SenderAcks>();
  private readonly ringSenders: UserId[] = [];
  private readonly ringIds: string[] = [];
  /** Next ring slot to write (and, once the ring is full, the oldest entry). */
  private head = 0;
  private count = 0;

  constructor(readonly capacity = 200_000) {
    if (!(capacity >= 1)) throw new RangeError('DedupeCache capacity must be at least 1');
  }

  get size(): number {
    return this.count;
  }

  get(senderId: UserId, clientMsgId: string): SendAckInfo | undefined {
    const acks = this.bySender.get(senderId);
    if (acks === undefined) return undefined;
    if (acks instanceof Map) return acks.get(clientMsgId);
    return acks.clientMsgId === clientMsgId ? acks : undefined;
  }

  /** Remember `ack` (its clientMsgId is the key's) for `senderId`; evicts the oldest when full. */
  set(senderId: UserId, ack: SendAckInfo): void {
    const clientMsgId = ack.clientMsgId;
    const acks = this.bySender.get(senderId);
    if (acks === undefined) {
      this.bySender.set(senderId, ack);
    } else if (acks instanceof Map) {
      const before = acks.size;
      acks.set(clientMsgId, ack);
      if (acks.size === before) return;
    } else if (acks.clientMsgId === clientMsgId) {
      return void this.bySender.set(senderId, ack);
    } else {
      this.bySender.set(senderId, new Map([[acks.clientMsgId, acks], [clientMsgId, ack]]));
    }
    this.append(senderId, clientMsgId);
  }

  /** Senders (oldest first) and client ids of the remembered acks in eviction order (tests, diagnostics). */
  *entries(): IterableIterator<[UserId, string]> {
    const start = this.count < this.capacity ? 0 : this.head;
    for (let i = 0; i < this.count; i++) {
      const slot = (start + i) % this.capacity;
      yield [this.ringSenders[slot]!, this.ringIds[slot]!];
    }
  }

  /** Record a new entry in the ring; when full, the slot's previous (oldest) entry is forgotten first. */
  private append(senderId: UserId, clientMsgId: string): void {
    const slot = this.head;
    if (this.count === this.capacity) this.forget(this.ringSenders[slot]!, this.ringIds[slot]!);
    else this.count++;
    this.ringSenders[slot] = senderId;
    this.ringIds[slot] = clientMsgId;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  private forget(senderId: UserId, clientMsgId: string): void {
    const acks = this.bySender.get(senderId);
    if (acks === undefined) return;
    if (acks instanceof Map) {
      acks.delete(clientMsgId);
      if (acks.size === 0) this.bySender.delete(senderId);
    } else if (acks.clientMsgId === clientMsgId) {
      this.bySender.delete(senderId);
    }
  }
}
