import type { UserId } from '../model.js';

/**
 * Fingerprints of recently acknowledged sends, by (sender, client message id):
 * a filter in front of the store's unique (sender, clientMsgId) index. A miss
 * is exact (a send never seen here is new to this filter, and the store's
 * index still catches an older duplicate at commit); a hit only says "maybe"
 * (two sends share a 64-bit fingerprint once in ~10^19), so the caller
 * confirms it with one store read. Resends are rare, so nearly every send
 * costs one hash and one probe here, and nothing else.
 *
 * Why not a Map of acks: every remembered ack was a long-lived heap object
 * (the ack, its client id string, map entries): V8 copied each one twice
 * while it survived young-generation collections, then promoted it, and
 * later had to mark and sweep it; at W1 rates that was the event loop's
 * largest source of surviving allocation (docs/benchmarks.md, "Remembered
 * acks without heap objects"). Here the entries live in two typed arrays
 * that the collector never looks into.
 *
 * Bounded: two generations of `ceil(capacity / 2)` fingerprints each; when
 * the current one is full it becomes the previous one and the old previous
 * one is cleared. So the `ceil(capacity / 2)` sends added most recently are
 * always remembered, and never more than `capacity + 1`.
 * Each generation is an open-addressing table (linear probing, load ≤ 1/2)
 * of [hi, lo] 32-bit pairs; [0, 0] marks an empty slot.
 */
export class RecentSends {
  private readonly perGeneration: number;
  private readonly mask: number;
  private current: Uint32Array;
  private previous: Uint32Array;
  private currentCount = 0;
  private previousCount = 0;
  /** Fingerprint of the last hashed key (set by hash()): no array allocated per lookup. */
  private hi = 0;
  private lo = 0;

  constructor(readonly capacity = 200_000) {
    if (!(capacity >= 1)) throw new RangeError('RecentSends capacity must be at least 1');
    this.perGeneration = Math.ceil(capacity / 2);
    let slots = 4;
    while (slots < this.perGeneration * 2) slots *= 2;
    this.mask = slots - 1;
    this.current = new Uint32Array(slots * 2);
    this.previous = new Uint32Array(slots * 2);
  }

  /** Sends remembered now. */
  get size(): number {
    return this.currentCount + this.previousCount;
  }

  /** False: this filter has not seen (sender, clientMsgId) among its recent sends. True: it may have; confirm with the store. */
  mayHave(senderId: UserId, clientMsgId: string): boolean {
    this.hash(senderId, clientMsgId);
    return this.find(this.current) || (this.previousCount > 0 && this.find(this.previous));
  }

  /** Remember a committed send. One already remembered keeps its place (FIFO by first add, like a resend's ack). */
  add(senderId: UserId, clientMsgId: string): void {
    if (this.mayHave(senderId, clientMsgId)) return;
    if (this.currentCount === this.perGeneration) {
      const cleared = this.previous;
      cleared.fill(0);
      this.previous = this.current;
      this.previousCount = this.currentCount;
      this.current = cleared;
      this.currentCount = 0;
    }
    const table = this.current;
    let slot = this.lo & this.mask;
    while (table[slot * 2] !== 0 || table[slot * 2 + 1] !== 0) slot = (slot + 1) & this.mask;
    table[slot * 2] = this.hi;
    table[slot * 2 + 1] = this.lo;
    this.currentCount++;
  }

  private find(table: Uint32Array): boolean {
    const hi = this.hi;
    const lo = this.lo;
    let slot = lo & this.mask;
    for (;;) {
      const h = table[slot * 2]!;
      const l = table[slot * 2 + 1]!;
      if (h === hi && l === lo) return true;
      if (h === 0 && l === 0) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Two independent 32-bit hashes of (sender, every UTF-16 unit of the id), each finished with murmur3's fmix32. */
  private hash(senderId: UserId, clientMsgId: string): void {
    const sender = senderId as number;
    const senderHigh = Math.floor(sender / 0x1_0000_0000);
    let a = Math.imul(0x811c9dc5 ^ sender, 0x01000193) ^ senderHigh;
    let b = Math.imul(0x9e3779b9 ^ sender, 0x85ebca6b) ^ Math.imul(senderHigh, 0xc2b2ae35);
    for (let i = 0; i < clientMsgId.length; i++) {
      const c = clientMsgId.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul((b ^ c) + 0x27d4eb2f, 0x165667b1);
      b ^= b >>> 15;
    }
    a ^= clientMsgId.length;
    b ^= Math.imul(clientMsgId.length, 0x9e3779b1);
    a = fmix32(a);
    b = fmix32(b);
    // [0, 0] is the empty slot.
    if (a === 0 && b === 0) b = 1;
    this.hi = a >>> 0;
    this.lo = b >>> 0;
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
