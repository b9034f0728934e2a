/**
 * Classic token bucket: holds at most `capacity` tokens, refills at
 * `ratePerSec`, and a request takes one token or is refused. Time comes in as
 * an argument (ms), so the bucket is pure and testable.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly ratePerSec: number, readonly capacity: number, now: number) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Whole tokens available at `now`. */
  available(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }

  tryTake(now: number, n = 1): boolean {
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Take up to n tokens (never below zero); returns how many were taken. */
  takeUpTo(now: number, n: number): number {
    this.refill(now);
    const taken = Math.max(0, Math.min(n, Math.floor(this.tokens)));
    this.tokens -= taken;
    return taken;
  }

  /** True when the bucket is back at capacity: it is then no different from a new one. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    // A clock that steps backwards adds nothing instead of removing tokens.
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.ratePerSec) / 1000);
      this.last = now;
    }
  }
}

/**
 * One token bucket per key (per user), created on first use. Full buckets
 * carry no information, so `prune` drops them and memory stays proportional
 * to the keys that were active within the last capacity/rate seconds.
 */
export class KeyedRateLimiter<K> {
  private readonly buckets = new Map<K, TokenBucket>();

  constructor(private readonly ratePerSec: number, private readonly capacity: number) {}

  tryTake(key: K, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new TokenBucket(this.ratePerSec, this.capacity, now)));
    return b.tryTake(now);
  }

  prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.isFull(now)) this.buckets.delete(k);
  }

  get size(): number {
    return this.buckets.size;
  }
}
