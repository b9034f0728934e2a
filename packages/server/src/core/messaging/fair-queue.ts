/** One user's waiting items; kept (empty) for a while after it drains, so a returning user costs no Map insert. */
interface UserQueue<T> {
  readonly items: T[];
  /** In the round-robin order (has items). */
  active: boolean;
}

/** Empty user queues kept for reuse beyond the active ones; past this they are dropped. */
const IDLE_KEPT = 4096;

/**
 * Per-user FIFO queues served round-robin: a batch takes one item from each
 * user in turn, so a user with a thousand sends waiting delays another user's
 * single send by at most one item per batch turn, and each user's own order
 * is kept. Each user's queue is bounded; the total is bounded by the caller.
 *
 * The round-robin order is an explicit FIFO of user queues (a user served goes
 * to the back; a user whose first item arrives joins at the back). A drained
 * user's queue stays in the Map, empty, until more than IDLE_KEPT are idle:
 * under load nearly every user has one send waiting, and deleting and
 * re-inserting the key per send rebuilt the Map's table over and over and
 * walked a Map iterator per item taken (docs/benchmarks.md, "The event loop's
 * own JavaScript per message, second pass").
 */
export class FairQueue<T> {
  private readonly queues = new Map<number, UserQueue<T>>();
  /** Active user queues in round-robin order, from `head`. */
  private order: UserQueue<T>[] = [];
  private head = 0;
  private total = 0;

  constructor(private readonly perKeyCap: number) {}

  get size(): number {
    return this.total;
  }

  /** Users with something queued. */
  get keys(): number {
    return this.order.length - this.head;
  }

  sizeOf(key: number): number {
    return this.queues.get(key)?.items.length ?? 0;
  }

  /** False when that user's queue is full. */
  push(key: number, item: T): boolean {
    let q = this.queues.get(key);
    if (q === undefined) {
      if (this.queues.size >= this.keys + IDLE_KEPT) this.dropIdle();
      q = { items: [], active: false };
      this.queues.set(key, q);
    } else if (q.items.length >= this.perKeyCap) {
      return false;
    }
    q.items.push(item);
    if (!q.active) {
      q.active = true;
      this.order.push(q);
    }
    this.total++;
    return true;
  }

  /** Up to n items, one per user in turn. */
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.total > 0) {
      const q = this.order[this.head]!;
      this.order[this.head++] = undefined as unknown as UserQueue<T>;
      out.push(q.items.shift()!);
      this.total--;
      if (q.items.length > 0) this.order.push(q);
      else q.active = false;
    }
    if (this.head === this.order.length) {
      this.order.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** Forget every drained user queue (they are made anew on the next send). */
  private dropIdle(): void {
    for (const [key, q] of this.queues) if (!q.active) this.queues.delete(key);
  }
}
