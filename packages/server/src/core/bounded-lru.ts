interface Slot<V> {
  value: V;
  /** Value of `moves` when this entry last went to the young end of the map. */
  movedAt: number;
}

/**
 * A bounded map that evicts the least recently used entry, approximately, for
 * the send path's caches (one or more hits per message).
 *
 * A plain Map-LRU deletes and re-inserts the key on every hit, which costs a
 * hash-table delete + insert (and grows the table's deleted slots until it
 * rehashes) per message. Here a hit moves the entry to the young end only
 * when more than half the capacity of moves has happened since its last
 * move; otherwise it is already in the young half and cannot be the next
 * victim. Guarantees: the map never holds more than `capacity` entries; an
 * entry that is hit at least once every `capacity / 4` moves is never
 * evicted; entries that are never hit leave in insertion order.
 */
export class BoundedLru<K, V> {
  private readonly map = new Map<K, Slot<V>>();
  private moves = 0;
  private readonly half: number;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('BoundedLru capacity must be at least 1');
    this.half = Math.floor(capacity / 2);
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, counting as a use (may move the entry to the young end). */
  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    if (this.moves - slot.movedAt > this.half) {
      this.map.delete(key);
      slot.movedAt = ++this.moves;
      this.map.set(key, slot);
    }
    return slot.value;
  }

  /** The value without counting as a use. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Insert or replace; the entry goes to the young end, evicting the oldest when full. */
  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old !== undefined) this.map.delete(key);
    else if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, { value, movedAt: ++this.moves });
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** Keys from the oldest (next to be evicted) to the youngest. */
  keys(): IterableIterator<K> {
    return this.map.keys();
  }
}
