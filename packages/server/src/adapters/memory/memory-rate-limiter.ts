import type { RateBucket, RateDecision, RateLimiter } from '../../core/ports/rate-limiter.js';

interface Bucket {
  tokens: number;
  at: number;
}

interface Failures {
  count: number;
  until: number;
  forgetAt: number;
}

/** Most buckets kept; beyond it the oldest are dropped (a dropped bucket is full again: limits loosen, never tighten). */
const MAX_KEYS = 200_000;

/** Token buckets and failure backoff in this process (one node: sqlite / memory storage). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly failures = new Map<string, Failures>();

  take(list: readonly RateBucket[], now: number, cost = 1): Promise<RateDecision> {
    let wait = 0;
    const states: Bucket[] = [];
    for (const { key, rule } of list) {
      const b = this.refill(key, rule.perSec, rule.burst, now);
      states.push(b);
      if (b.tokens < cost) wait = Math.max(wait, Math.ceil(((cost - b.tokens) * 1000) / rule.perSec));
    }
    if (wait > 0) return Promise.resolve({ allowed: false, retryAfterMs: wait });
    for (const b of states) b.tokens -= cost;
    return Promise.resolve({ allowed: true, retryAfterMs: 0 });
  }

  fail(key: string, baseMs: number, maxMs: number, now: number): Promise<number> {
    const f = this.failures.get(key);
    const count = f && f.forgetAt > now ? f.count + 1 : 1;
    const wait = Math.min(maxMs, baseMs * 2 ** Math.min(count - 1, 40));
    this.bounded(this.failures);
    this.failures.delete(key);
    this.failures.set(key, { count, until: now + wait, forgetAt: now + maxMs });
    return Promise.resolve(wait);
  }

  blockedFor(key: string, now: number): Promise<number> {
    const f = this.failures.get(key);
    return Promise.resolve(f ? Math.max(0, f.until - now) : 0);
  }

  succeed(key: string): Promise<void> {
    this.failures.delete(key);
    return Promise.resolve();
  }

  private refill(key: string, perSec: number, burst: number, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      this.bounded(this.buckets);
      b = { tokens: burst, at: now };
      this.buckets.set(key, b);
      return b;
    }
    if (now > b.at) {
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) * perSec) / 1000);
      b.at = now;
    }
    return b;
  }

  private bounded(map: Map<string, unknown>): void {
    if (map.size < MAX_KEYS) return;
    // Insertion order: drop the oldest tenth at once so this stays rare.
    let n = MAX_KEYS / 10;
    for (const k of map.keys()) {
      map.delete(k);
      if (--n <= 0) break;
    }
  }
}
