import { describe, expect, it } from 'vitest';
import { LruSet } from '../src/lru.js';

describe('LruSet', () => {
  it('reports new and repeated keys', () => {
    const s = new LruSet<string>(10);
    expect(s.add('a')).toBe(true);
    expect(s.add('a')).toBe(false);
    expect(s.has('a')).toBe(true);
    expect(s.has('b')).toBe(false);
  });

  it('evicts the least recently added key beyond capacity', () => {
    const s = new LruSet<number>(3);
    s.add(1);
    s.add(2);
    s.add(3);
    s.add(4);
    expect(s.size).toBe(3);
    expect(s.has(1)).toBe(false);
    expect([2, 3, 4].every((k) => s.has(k))).toBe(true);
  });

  it('re-adding a key makes it the most recent', () => {
    const s = new LruSet<number>(3);
    s.add(1);
    s.add(2);
    s.add(3);
    s.add(1); // refresh
    s.add(4); // evicts 2, not 1
    expect(s.has(1)).toBe(true);
    expect(s.has(2)).toBe(false);
  });

  it('stays bounded under a long stream', () => {
    const s = new LruSet<number>(100);
    for (let i = 0; i < 10_000; i++) s.add(i);
    expect(s.size).toBe(100);
    expect(s.has(9_999)).toBe(true);
    expect(s.has(9_899)).toBe(false);
    expect(s.has(9_900)).toBe(true);
  });

  it('rejects a zero capacity', () => {
    expect(() => new LruSet(0)).toThrow(RangeError);
  });
});
