import { describe, expect, it } from 'vitest';
import { BoundedLru } from '../../src/core/bounded-lru.js';

describe('BoundedLru', () => {
  it('never holds more than its capacity and evicts never-hit entries in insertion order', () => {
    const lru = new BoundedLru<number, string>(4);
    for (let i = 0; i < 10; i++) {
      lru.set(i, `v${i}`);
      expect(lru.size).toBeLessThanOrEqual(4);
    }
    expect([...lru.keys()]).toEqual([6, 7, 8, 9]);
    expect(lru.get(5)).toBeUndefined();
    expect(lru.get(9)).toBe('v9');
  });

  it('moves a hit entry to the young end only once it is in the older half', () => {
    const lru = new BoundedLru<string, number>(4);
    for (const k of ['a', 'b', 'c', 'd']) lru.set(k, 0);
    // 'd' was the last move: a hit leaves the order alone.
    lru.get('d');
    expect([...lru.keys()]).toEqual(['a', 'b', 'c', 'd']);
    // 'a' is three moves old (> capacity / 2): a hit makes it the youngest.
    lru.get('a');
    expect([...lru.keys()]).toEqual(['b', 'c', 'd', 'a']);
    lru.set('e', 0);
    expect([...lru.keys()]).toEqual(['c', 'd', 'a', 'e']);
  });

  it('never evicts an entry hit at least once every capacity / 4 moves', () => {
    const capacity = 16;
    const lru = new BoundedLru<string, number>(capacity);
    lru.set('hot', 1);
    for (let i = 0; i < 1000; i++) {
      lru.set(`cold${i}`, i);
      if (i % (capacity / 4) === 0) expect(lru.get('hot')).toBe(1);
      expect(lru.size).toBeLessThanOrEqual(capacity);
    }
    expect(lru.has('hot')).toBe(true);
  });

  it('replaces a value in place of a new entry, and peek does not count as a use', () => {
    const lru = new BoundedLru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('a', 3);
    expect(lru.size).toBe(2);
    expect([...lru.keys()]).toEqual(['b', 'a']);
    lru.set('c', 4);
    expect(lru.peek('b')).toBeUndefined();
    expect(lru.peek('a')).toBe(3);
    expect(lru.delete('a')).toBe(true);
    lru.clear();
    expect(lru.size).toBe(0);
  });

  it('rejects a capacity below one', () => {
    expect(() => new BoundedLru(0)).toThrow(RangeError);
  });
});
