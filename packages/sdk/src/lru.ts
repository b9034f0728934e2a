/**
 * A bounded set that forgets its least recently added or touched key first.
 * Used to drop duplicate pushes (retransmits, push/sync overlap) by message id.
 */
export class LruSet<K> {
  private readonly map = new Map<K, true>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`LRU capacity must be >= 1, got ${capacity}`);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Adds (or refreshes) a key; returns false when it was already present. */
  add(key: K): boolean {
    const existed = this.map.delete(key);
    this.map.set(key, true);
    if (this.map.size > this.capacity) {
      // Map iteration order is insertion order: the first key is the oldest.
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
    }
    return !existed;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

/** A bounded map that forgets its least recently set key first. */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`LRU capacity must be >= 1, got ${capacity}`);
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
}
