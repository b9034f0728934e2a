import type { UserId } from '../model.js';
import type { SendAckInfo } from './send-types.js';

/** The index starts this small (tests make many pipelines) and doubles up to twice the capacity. */
const MIN_INDEX = 1024;

/**
 * Recent (sender, client message id) -> ack, so a resend is answered without a
 * store read; the store's unique index stays the durable check. Bounded: at
 * most `capacity` acks, the oldest remembered leaving first (FIFO; a lookup
 * does not move an entry, replacing an ack keeps its place).
 *
 * The acks live in a ring (slot = arrival order, for eviction); the lookup is
 * an open-addressing hash index over ring slots in two Int32Arrays (linear
 * probing, kept at most half full, deletion by backward shift, no tombstones).
 * Why not Maps: nearly every send misses, and a miss in a Map of client-id
 * strings (first one Map of 200,000 `${sender}:${clientMsgId}` strings, then a
 * Map per sender) walked bucket chains whose entries and key strings sit all
 * over the old space: under W1 the probe in `submit` and the insert in
 * `remember` were ≈ 3 % of the event loop (docs/benchmarks.md, "The event
 * loop's own JavaScript per message, second pass"). Here a miss reads the
 * string once to hash it and then, nearly always, one or two adjacent index
 * words; the ring and the acks are touched only when the stored 30-bit hash
 * matches.
 */
export class DedupeCache {
  private readonly ringSenders: UserId[] = [];
  private readonly ringAcks: SendAckInfo[] = [];
  /** Each slot's hash, so evicting it needs no second hash of its string. */
  private readonly ringHashes: number[] = [];
  /** Next ring slot to write (and, once the ring is full, the oldest entry). */
  private head = 0;
  private count = 0;
  /** Index position -> ring slot + 1 (0 = empty). */
  private slots: Int32Array;
  /** Index position -> that entry's hash (compared before the ring is read). */
  private hashes: Int32Array;
  private mask: number;
  private readonly maxIndex: number;

  constructor(readonly capacity = 200_000) {
    if (!(capacity >= 1)) throw new RangeError('DedupeCache capacity must be at least 1');
    let max = MIN_INDEX;
    while (max < capacity * 2) max *= 2;
    this.maxIndex = max;
    this.slots = new Int32Array(MIN_INDEX);
    this.hashes = new Int32Array(MIN_INDEX);
    this.mask = MIN_INDEX - 1;
  }

  get size(): number {
    return this.count;
  }

  get(senderId: UserId, clientMsgId: string): SendAckInfo | undefined {
    const h = keyHash(senderId, clientMsgId);
    const slot = this.find(h, senderId, clientMsgId);
    return slot < 0 ? undefined : this.ringAcks[slot];
  }

  /** Remember `ack` (its clientMsgId is the key's) for `senderId`; evicts the oldest when full. */
  set(senderId: UserId, ack: SendAckInfo): void {
    const clientMsgId = ack.clientMsgId;
    const h = keyHash(senderId, clientMsgId);
    const found = this.find(h, senderId, clientMsgId);
    if (found >= 0) {
      this.ringAcks[found] = ack;
      return;
    }
    const slot = this.head;
    if (this.count === this.capacity) this.unindex(slot);
    else this.count++;
    this.ringSenders[slot] = senderId;
    this.ringAcks[slot] = ack;
    this.ringHashes[slot] = h;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.count * 2 > this.slots.length && this.slots.length < this.maxIndex) this.grow();
    else this.index(h, slot);
  }

  /** Senders (oldest first) and client ids of the remembered acks in eviction order (tests, diagnostics). */
  *entries(): IterableIterator<[UserId, string]> {
    const start = this.count < this.capacity ? 0 : this.head;
    for (let i = 0; i < this.count; i++) {
      const slot = (start + i) % this.capacity;
      yield [this.ringSenders[slot]!, this.ringAcks[slot]!.clientMsgId];
    }
  }

  /** The ring slot holding (senderId, clientMsgId), or -1. */
  private find(h: number, senderId: UserId, clientMsgId: string): number {
    const slots = this.slots;
    const hashes = this.hashes;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === 0) return -1;
      if (hashes[i] === h && this.ringSenders[s - 1] === senderId && this.ringAcks[s - 1]!.clientMsgId === clientMsgId) return s - 1;
    }
  }

  private index(h: number, slot: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = slot + 1;
    this.hashes[i] = h;
  }

  /** Remove ring slot `slot` from the index, shifting later entries of its probe run back (linear probing). */
  private unindex(slot: number): void {
    const slots = this.slots;
    const hashes = this.hashes;
    const mask = this.mask;
    let i = this.ringHashes[slot]! & mask;
    while (slots[i] !== slot + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const home = hashes[j]! & mask;
      // The entry at j may move to the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (stays) continue;
      slots[i] = slots[j]!;
      hashes[i] = hashes[j]!;
      i = j;
    }
    slots[i] = 0;
    hashes[i] = 0;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    for (let slot = 0; slot < this.count; slot++) this.index(this.ringHashes[slot]!, slot);
  }
}

/**
 * 30 bits (a small integer in V8) of FNV-1a over the client id's UTF-16 code
 * units, mixed with the sender. Not adversary-proof, nor need it be: the index
 * stays at most half full and a probe run is bounded by the capacity.
 */
function keyHash(senderId: UserId, clientMsgId: string): number {
  let h = 0x811c9dc5 ^ Math.imul(senderId | 0, 0x9e3779b1) ^ ((senderId / 0x100000000) | 0);
  for (let i = 0; i < clientMsgId.length; i++) h = Math.imul(h ^ clientMsgId.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 13;
  return h & 0x3fffffff;
}
