/**
 * Per-user FIFO queues served round-robin: a batch takes one item from each
 * user in turn, so a user with a thousand sends waiting delays another user's
 * single send by at most one item per batch turn, and each user's own order
 * is kept. Each user's queue is bounded; the total is bounded by the caller.
 */
export class FairQueue<T> {
  /** Map order is the round-robin order: a user served goes to the back. */
  private readonly queues = new Map<number, T[]>();
  private total = 0;

  constructor(private readonly perKeyCap: number) {}

  get size(): number {
    return this.total;
  }

  /** Users with something queued. */
  get keys(): number {
    return this.queues.size;
  }

  sizeOf(key: number): number {
    return this.queues.get(key)?.length ?? 0;
  }

  /** False when that user's queue is full. */
  push(key: number, item: T): boolean {
    const q = this.queues.get(key);
    if (!q) {
      this.queues.set(key, [item]);
    } else {
      if (q.length >= this.perKeyCap) return false;
      q.push(item);
    }
    this.total++;
    return true;
  }

  /** Up to n items, one per user in turn. */
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.total > 0) {
      const [key, q] = this.queues.entries().next().value as [number, T[]];
      out.push(q.shift()!);
      this.total--;
      this.queues.delete(key);
      if (q.length > 0) this.queues.set(key, q);
    }
    return out;
  }
}
