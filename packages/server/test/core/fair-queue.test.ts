import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../src/core/messaging/fair-queue.js';

/** The previous implementation, kept as the reference model: one Map whose insertion order is the round-robin order. */
class ReferenceFairQueue<T> {
  private readonly queues = new Map<number, T[]>();
  private total = 0;
  constructor(private readonly perKeyCap: number) {}
  get size(): number {
    return this.total;
  }
  get keys(): number {
    return this.queues.size;
  }
  sizeOf(key: number): number {
    return this.queues.get(key)?.length ?? 0;
  }
  push(key: number, item: T): boolean {
    const q = this.queues.get(key);
    if (!q) this.queues.set(key, [item]);
    else {
      if (q.length >= this.perKeyCap) return false;
      q.push(item);
    }
    this.total++;
    return true;
  }
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

describe('FairQueue', () => {
  it('serves users round-robin, one item each per turn, keeping each user\'s order', () => {
    const q = new FairQueue<string>(10);
    for (const [k, v] of [[1, 'a1'], [1, 'a2'], [1, 'a3'], [2, 'b1'], [3, 'c1'], [3, 'c2']] as const) q.push(k, v);
    expect(q.keys).toBe(3);
    expect(q.take(4)).toEqual(['a1', 'b1', 'c1', 'a2']);
    q.push(2, 'b2');
    expect(q.take(10)).toEqual(['c2', 'a3', 'b2']);
    expect(q.size).toBe(0);
    expect(q.keys).toBe(0);
  });

  it('refuses beyond the per-user cap, also for a user whose queue drained and refilled', () => {
    const q = new FairQueue<number>(2);
    expect(q.push(1, 1)).toBe(true);
    expect(q.push(1, 2)).toBe(true);
    expect(q.push(1, 3)).toBe(false);
    expect(q.take(5)).toEqual([1, 2]);
    expect(q.sizeOf(1)).toBe(0);
    expect(q.push(1, 4)).toBe(true);
    expect(q.push(1, 5)).toBe(true);
    expect(q.push(1, 6)).toBe(false);
    expect(q.sizeOf(1)).toBe(2);
  });

  it('matches the reference model over a long random run (many users coming and going, partial takes)', () => {
    const q = new FairQueue<number>(5);
    const ref = new ReferenceFairQueue<number>(5);
    let maxKeys = 0;
    let seed = 4242;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let item = 0;
    for (let step = 0; step < 120_000; step++) {
      // Alternating phases: the queue fills up (thousands of users waiting), then drains.
      const pushChance = Math.floor(step / 10_000) % 2 === 0 ? 9 : 3;
      if (rand(10) < pushChance) {
        // 6,000 users, more than the idle queues kept: drained queues get dropped and made anew.
        const key = rand(6_000);
        expect(q.push(key, item)).toBe(ref.push(key, item));
        item++;
      } else {
        const n = 1 + rand(8);
        expect(q.take(n)).toEqual(ref.take(n));
      }
      expect(q.size).toBe(ref.size);
      expect(q.keys).toBe(ref.keys);
      maxKeys = Math.max(maxKeys, q.keys);
      if (step % 997 === 0) {
        const key = rand(6_000);
        expect(q.sizeOf(key)).toBe(ref.sizeOf(key));
      }
    }
    expect(q.take(1_000_000)).toEqual(ref.take(1_000_000));
    expect(maxKeys).toBeGreaterThan(3_000);
  });
});
