/**
 * Shared request budgets: token buckets and failure backoff, keyed by strings
 * such as "send:u:42" or "login:ip:10.0.0.7". In a cluster every gateway
 * consults the same buckets (Redis), so a limit is per user or per IP, not per
 * gateway.
 *
 * Contract:
 * - `take` is atomic over all its buckets: either every bucket has `cost`
 *   tokens and every one is charged, or none is charged and the answer says
 *   how long until all of them would have enough (`retryAfterMs` > 0).
 * - A bucket starts full (`burst` tokens) and refills at `perSec` tokens per
 *   second up to `burst`. Time is the `now` passed in (ms); a `now` older than
 *   the bucket's last update refills nothing.
 * - `fail` records one failure under a key and returns how long further
 *   attempts must wait: `baseMs × 2^(failures − 1)`, capped at `maxMs`.
 *   `blockedFor` reports the remaining wait (0 when none); `succeed` clears
 *   the key. Failures are forgotten `maxMs` after the last one.
 */
export interface RateRule {
  readonly perSec: number;
  readonly burst: number;
}

export interface RateBucket {
  readonly key: string;
  readonly rule: RateRule;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** 0 when allowed; otherwise ms until the request would be allowed. */
  readonly retryAfterMs: number;
}

export interface RateLimiter {
  take(buckets: readonly RateBucket[], now: number, cost?: number): Promise<RateDecision>;
  fail(key: string, baseMs: number, maxMs: number, now: number): Promise<number>;
  blockedFor(key: string, now: number): Promise<number>;
  succeed(key: string): Promise<void>;
}
