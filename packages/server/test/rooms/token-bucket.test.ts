import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, TokenBucket } from '../../src/core/rooms/token-bucket.js';

describe('TokenBucket', () => {
  it('starts full, refuses when empty, and refills at its rate', () => {
    const b = new TokenBucket(5, 5, 0);
    for (let i = 0; i < 5; i++) expect(b.tryTake(0)).toBe(true);
    expect(b.tryTake(0)).toBe(false);
    expect(b.tryTake(199)).toBe(false); // 0.995 tokens
    expect(b.tryTake(200)).toBe(true); // 1 token after 200 ms at 5/s
    expect(b.tryTake(200)).toBe(false);
    expect(b.available(1200)).toBe(5);
  });

  it('never holds more than its capacity, however long it was idle', () => {
    const b = new TokenBucket(10, 3, 0);
    expect(b.available(60_000)).toBe(3);
    expect(b.isFull(60_000)).toBe(true);
    expect(b.takeUpTo(60_000, 10)).toBe(3);
    expect(b.takeUpTo(60_000, 10)).toBe(0);
    expect(b.isFull(60_000)).toBe(false);
  });

  it('sustains exactly its rate over a long run', () => {
    const b = new TokenBucket(5, 5, 0);
    let granted = 0;
    for (let t = 0; t <= 10_000; t += 10) while (b.tryTake(t)) granted++;
    expect(granted).toBe(5 + 5 * 10); // the initial burst plus 10 s at 5/s
  });

  it('gains nothing from a clock that steps backwards', () => {
    const b = new TokenBucket(1, 1, 10_000);
    expect(b.tryTake(10_000)).toBe(true);
    expect(b.tryTake(5_000)).toBe(false);
    expect(b.tryTake(10_999)).toBe(false);
    expect(b.tryTake(11_000)).toBe(true);
  });
});

describe('KeyedRateLimiter', () => {
  it('limits each key on its own', () => {
    const l = new KeyedRateLimiter<number>(5, 2);
    expect([l.tryTake(1, 0), l.tryTake(1, 0), l.tryTake(1, 0)]).toEqual([true, true, false]);
    expect([l.tryTake(2, 0), l.tryTake(2, 0)]).toEqual([true, true]);
  });

  it('prunes only buckets that have refilled, so limits survive pruning', () => {
    const l = new KeyedRateLimiter<number>(5, 5);
    for (let i = 0; i < 5; i++) l.tryTake(1, 0);
    l.tryTake(2, 0);
    l.prune(100); // user 1 has 0.5 tokens, user 2 has 4.5: both kept
    expect(l.size).toBe(2);
    expect(l.tryTake(1, 100)).toBe(false);
    l.prune(1000); // both full again
    expect(l.size).toBe(0);
    expect(l.tryTake(1, 1000)).toBe(true);
  });
});
