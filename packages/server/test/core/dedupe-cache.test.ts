import { describe, expect, it } from 'vitest';
import { DedupeCache } from '../../src/core/messaging/dedupe-cache.js';
import type { SendAckInfo } from '../../src/core/messaging/send-types.js';
import type { UserId } from '../../src/core/model.js';

let nextId = 1;
const ack = (clientMsgId: string): SendAckInfo =>
  ({ messageId: String(nextId++), conversationId: 7, seq: nextId, serverTime: 1, clientMsgId, duplicate: false });
const u = (n: number) => n as UserId;

describe('DedupeCache', () => {
  it('answers by (sender, clientMsgId): the same client id of another sender is another entry', () => {
    const cache = new DedupeCache(10);
    const a1 = ack('m1');
    const b1 = ack('m1');
    cache.set(u(1), a1);
    expect(cache.get(u(1), 'm1')).toBe(a1);
    expect(cache.get(u(2), 'm1')).toBeUndefined();
    expect(cache.get(u(1), 'm2')).toBeUndefined();
    cache.set(u(2), b1);
    const a2 = ack('m2');
    cache.set(u(1), a2);
    expect(cache.get(u(1), 'm1')).toBe(a1);
    expect(cache.get(u(1), 'm2')).toBe(a2);
    expect(cache.get(u(2), 'm1')).toBe(b1);
    expect(cache.size).toBe(3);
  });

  it('never holds more than its capacity and forgets the oldest first, across senders', () => {
    const cache = new DedupeCache(4);
    const order: Array<[number, string]> = [[1, 'a'], [2, 'a'], [1, 'b'], [3, 'x'], [1, 'c'], [2, 'b'], [1, 'd']];
    for (const [sender, id] of order) {
      cache.set(u(sender), ack(id));
      expect(cache.size).toBeLessThanOrEqual(4);
    }
    expect([...cache.entries()]).toEqual([[3, 'x'], [1, 'c'], [2, 'b'], [1, 'd']]);
    expect(cache.get(u(1), 'a')).toBeUndefined();
    expect(cache.get(u(2), 'a')).toBeUndefined();
    expect(cache.get(u(1), 'b')).toBeUndefined();
    for (const [sender, id] of [[3, 'x'], [1, 'c'], [2, 'b'], [1, 'd']] as const) expect(cache.get(u(sender), id)?.clientMsgId).toBe(id);
  });

  it('keeps an entry\'s place when its ack is replaced, and a lookup does not move it (FIFO)', () => {
    const cache = new DedupeCache(3);
    cache.set(u(1), ack('a'));
    cache.set(u(1), ack('b'));
    cache.set(u(2), ack('c'));
    const replaced = { ...ack('a'), duplicate: true };
    cache.set(u(1), replaced);
    expect(cache.size).toBe(3);
    expect(cache.get(u(1), 'a')).toBe(replaced);
    cache.get(u(1), 'a');
    cache.set(u(3), ack('d'));
    // 'a' was remembered first: a replace or a hit does not make it younger.
    expect(cache.get(u(1), 'a')).toBeUndefined();
    expect([...cache.entries()]).toEqual([[1, 'b'], [2, 'c'], [3, 'd']]);
  });

  it('with capacity 1 keeps exactly the last ack', () => {
    const cache = new DedupeCache(1);
    for (let i = 0; i < 5; i++) cache.set(u(i % 2), ack(`m${i}`));
    expect(cache.size).toBe(1);
    expect([...cache.entries()]).toEqual([[0, 'm4']]);
    expect(cache.get(u(1), 'm3')).toBeUndefined();
    expect(cache.get(u(0), 'm4')?.clientMsgId).toBe('m4');
  });

  it('stays bounded and consistent over a long run of mixed senders (against a reference FIFO)', () => {
    const capacity = 50;
    const cache = new DedupeCache(capacity);
    const reference = new Map<string, SendAckInfo>();
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 5_000; i++) {
      const sender = rand(7);
      const id = `c${rand(40)}`;
      const key = `${sender}:${id}`;
      if (rand(3) === 0) {
        expect(cache.get(u(sender), id)).toBe(reference.get(key));
        continue;
      }
      const a = ack(id);
      if (reference.has(key)) reference.set(key, a);
      else {
        if (reference.size >= capacity) reference.delete(reference.keys().next().value!);
        reference.set(key, a);
      }
      cache.set(u(sender), a);
      expect(cache.size).toBe(reference.size);
    }
    expect([...cache.entries()].map(([s, id]) => `${s}:${id}`)).toEqual([...reference.keys()]);
    for (const [key, a] of reference) {
      const [s, id] = key.split(':');
      expect(cache.get(u(Number(s)), id!)).toBe(a);
    }
  });

  it('matches a reference FIFO map while its hash index grows, wraps and deletes by backward shift', () => {
    // Capacity 3,000: the index grows 1,024 -> 8,192 positions; 40,000 writes evict ~37,000 entries, each
    // deletion shifting the rest of its probe run, with resends (replaces) and lookups mixed in.
    const capacity = 3_000;
    const cache = new DedupeCache(capacity);
    const reference = new Map<string, SendAckInfo>();
    let evictions = 0;
    let seed = 987654;
    // xorshift32 (the other test's LCG loses precision past 2^53 and soon repeats).
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (let i = 0; i < 60_000; i++) {
      const sender = 1 + rand(300);
      const id = `client-${rand(400)}-${sender % 7}`;
      const key = `${sender}:${id}`;
      if (rand(3) === 0) {
        expect(cache.get(u(sender), id)).toBe(reference.get(key));
        continue;
      }
      const a = ack(id);
      if (!reference.has(key) && reference.size >= capacity) {
        reference.delete(reference.keys().next().value!);
        evictions++;
      }
      reference.set(key, a);
      cache.set(u(sender), a);
    }
    expect(cache.size).toBe(reference.size);
    expect([...cache.entries()].map(([s, id]) => `${s}:${id}`)).toEqual([...reference.keys()]);
    for (const [key, a] of reference) {
      const [s, id] = key.split(':');
      expect(cache.get(u(Number(s)), id!)).toBe(a);
    }
    // Everything evicted is really gone (not merely shadowed in the index).
    let misses = 0;
    for (let sender = 1; sender <= 300; sender++) {
      for (let c = 0; c < 400; c++) {
        const id = `client-${c}-${sender % 7}`;
        if (!reference.has(`${sender}:${id}`)) {
          expect(cache.get(u(sender), id)).toBeUndefined();
          misses++;
        }
      }
    }
    expect(misses).toBeGreaterThan(100_000);
    expect(evictions).toBeGreaterThan(20_000);
  });

  it('tells senders apart whose ids are large (beyond 32 bits) and client ids that are empty or long', () => {
    const cache = new DedupeCache(8);
    const big = u(2 ** 40 + 5);
    const other = u(5);
    const a = ack('');
    const b = ack('x'.repeat(200));
    cache.set(big, a);
    cache.set(other, b);
    expect(cache.get(big, '')).toBe(a);
    expect(cache.get(other, '')).toBeUndefined();
    expect(cache.get(other, 'x'.repeat(200))).toBe(b);
    expect(cache.get(big, 'x'.repeat(200))).toBeUndefined();
  });

  it('refuses a capacity below 1', () => {
    expect(() => new DedupeCache(0)).toThrow(RangeError);
  });
});
