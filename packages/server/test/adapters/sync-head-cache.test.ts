import { describe, expect, it } from 'vitest';
import { SyncHeadCache } from '../../src/adapters/sqlite/sync-head-cache.js';

/** The append path's sync-seq allocator: a rolled-back batch must consume no sync seqs. */
describe('SyncHeadCache', () => {
  const stored = new Map<number, number>([[1, 10], [2, 20]]);
  const open = () => {
    const loads: number[] = [];
    const cache = new SyncHeadCache((user) => {
      loads.push(user);
      return stored.get(user) ?? 0;
    });
    return { cache, loads };
  };

  it('hands out consecutive seqs from the stored head and keeps them after a commit', () => {
    const { cache, loads } = open();
    cache.begin();
    expect([cache.next(1), cache.next(1), cache.next(2), cache.next(3)]).toEqual([11, 12, 21, 1]);
    cache.commit();
    cache.begin();
    expect([cache.next(1), cache.next(3)]).toEqual([13, 2]);
    cache.commit();
    expect(loads).toEqual([1, 2, 3]);
  });

  it('puts back every head a rolled-back batch moved, and forgets heads it loaded', () => {
    const { cache, loads } = open();
    cache.begin();
    cache.next(1);
    cache.commit();
    cache.begin();
    expect([cache.next(1), cache.next(1), cache.next(2)]).toEqual([12, 13, 21]);
    cache.rollback();
    cache.begin();
    expect([cache.next(1), cache.next(2)]).toEqual([12, 21]);
    cache.commit();
    expect(loads).toEqual([1, 2, 2]); // user 2 was loaded by the failed batch and forgotten, so loaded again
  });

  it('rolls back only the failed batch, after several committed ones', () => {
    const { cache } = open();
    for (let i = 0; i < 3; i++) {
      cache.begin();
      cache.next(1);
      cache.commit();
    }
    cache.begin();
    cache.next(1);
    cache.rollback();
    cache.begin();
    expect(cache.next(1)).toBe(14);
  });

  it('after a clear inside a batch, reloads and a rollback leaves nothing stale', () => {
    const { cache, loads } = open();
    cache.begin();
    cache.next(1);
    cache.commit();
    cache.begin();
    cache.next(1);
    cache.clear();
    expect(cache.next(1)).toBe(11);
    cache.rollback();
    cache.begin();
    expect(cache.next(1)).toBe(11);
    expect(loads).toEqual([1, 1, 1]);
  });
});
