import type { RoomId } from '../ports/room-store.js';
import type { OutboundRoomMessage } from './room-broadcaster.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Keeps every reliable message (seq > 0) and the NEWEST `allowance` ordinary
 * ones, in their original order; the older ordinary messages are dropped.
 * Newest-first because in a flooded live room the latest danmaku is the one
 * still worth showing. Pure.
 */
export function thinNewest(items: readonly OutboundRoomMessage[], allowance: number): { kept: OutboundRoomMessage[]; dropped: number } {
  let ordinary = 0;
  for (const m of items) if (m.seq === 0) ordinary++;
  const dropped = Math.max(0, ordinary - Math.max(0, Math.floor(allowance)));
  if (dropped === 0) return { kept: [...items], dropped: 0 };
  const kept: OutboundRoomMessage[] = [];
  let skip = dropped;
  for (const m of items) {
    if (m.seq === 0 && skip > 0) {
      skip--;
      continue;
    }
    kept.push(m);
  }
  return { kept, dropped };
}

interface PendingRoom {
  items: OutboundRoomMessage[];
  ordinary: number;
}

export interface TickBatch {
  readonly roomId: RoomId;
  readonly messages: OutboundRoomMessage[];
  /** Ordinary messages dropped from this room in this tick. */
  readonly dropped: number;
}

/**
 * Per-room collection of one tick's messages and the per-room rate cap.
 *
 * Each room has a token bucket refilled at `ordinaryPerSec` and holding two
 * ticks' worth (so one late timer does not lower the rate). At each drain a
 * room may deliver as many ordinary messages as it has tokens; when more
 * arrived, thinNewest keeps the newest. Since a tick can never deliver more
 * than the bucket holds, ordinary messages beyond that are dropped as they
 * arrive (oldest first), which keeps memory bounded under a flood.
 */
export class RoomTickBuffer {
  private pending = new Map<RoomId, PendingRoom>();
  private readonly buckets = new Map<RoomId, TokenBucket>();
  private readonly capacity: number;
  private droppedOnArrival = new Map<RoomId, number>();

  constructor(private readonly ordinaryPerSec: number, tickMs: number) {
    this.capacity = Math.max(1, Math.ceil((ordinaryPerSec * tickMs * 2) / 1000));
  }

  get isEmpty(): boolean {
    return this.pending.size === 0;
  }

  add(roomId: RoomId, message: OutboundRoomMessage): void {
    let p = this.pending.get(roomId);
    if (!p) this.pending.set(roomId, (p = { items: [], ordinary: 0 }));
    p.items.push(message);
    if (message.seq !== 0) return;
    p.ordinary++;
    if (p.ordinary > this.capacity * 2) {
      // Compact: only the newest `capacity` ordinary messages can ever leave this tick.
      const { kept, dropped } = thinNewest(p.items, this.capacity);
      p.items = kept;
      p.ordinary -= dropped;
      this.droppedOnArrival.set(roomId, (this.droppedOnArrival.get(roomId) ?? 0) + dropped);
    }
  }

  /** Take every room's batch for this tick, thinned to its rate cap. */
  drain(now: number): TickBatch[] {
    const out: TickBatch[] = [];
    for (const [roomId, p] of this.pending) {
      let bucket = this.buckets.get(roomId);
      if (!bucket) this.buckets.set(roomId, (bucket = new TokenBucket(this.ordinaryPerSec, this.capacity, now)));
      const allowance = bucket.takeUpTo(now, p.ordinary);
      const { kept, dropped } = thinNewest(p.items, allowance);
      const early = this.droppedOnArrival.get(roomId) ?? 0;
      out.push({ roomId, messages: kept, dropped: dropped + early });
    }
    const drained = this.pending;
    this.pending = new Map();
    this.droppedOnArrival = new Map();
    // A full bucket of an idle room is the same as a new one.
    for (const [roomId, b] of this.buckets) if (!drained.has(roomId) && b.isFull(now)) this.buckets.delete(roomId);
    return out;
  }

  /** Forget a room (closed): its pending messages are discarded uncounted. */
  discard(roomId: RoomId): void {
    this.pending.delete(roomId);
    this.buckets.delete(roomId);
    this.droppedOnArrival.delete(roomId);
  }
}
