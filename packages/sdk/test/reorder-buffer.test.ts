import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from '../src/reorder-buffer.js';

const m = (seq: number) => ({ seq });
const seqs = (items: { seq: number }[]) => items.map((i) => i.seq);

describe('ReorderBuffer', () => {
  it('delivers in-order items at once', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    r.setPosition('c', 0);
    expect(seqs(r.offer('c', m(1)).deliver)).toEqual([1]);
    expect(seqs(r.offer('c', m(2)).deliver)).toEqual([2]);
    expect(r.position('c')).toBe(2);
    expect(r.gap('c')).toBeUndefined();
  });

  it('holds items ahead of a gap and drains them when the gap closes', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    r.setPosition('c', 0);
    expect(r.offer('c', m(1)).deliver.length).toBe(1);
    expect(r.offer('c', m(4)).deliver).toEqual([]);
    expect(r.offer('c', m(3)).deliver).toEqual([]);
    expect(r.gap('c')).toEqual({ conversationId: 'c', fromSeq: 2, toSeq: 2 });
    expect(seqs(r.offer('c', m(2)).deliver)).toEqual([2, 3, 4]);
    expect(r.gap('c')).toBeUndefined();
    expect(r.heldCount('c')).toBe(0);
  });

  it('reports the whole missing span when there are several holes', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    r.setPosition('c', 3);
    r.offer('c', m(5));
    r.offer('c', m(8));
    // 4, 6 and 7 are missing; one pull from 4 to 7 covers them all.
    expect(r.gap('c')).toEqual({ conversationId: 'c', fromSeq: 4, toSeq: 7 });
    expect(seqs(r.offer('c', m(4)).deliver)).toEqual([4, 5]);
    expect(r.gap('c')).toEqual({ conversationId: 'c', fromSeq: 6, toSeq: 7 });
  });

  it('drops duplicates: delivered seqs and already held seqs', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    r.setPosition('c', 0);
    r.offer('c', m(1));
    expect(r.offer('c', m(1))).toEqual({ deliver: [], duplicate: true });
    r.offer('c', m(3));
    expect(r.offer('c', m(3))).toEqual({ deliver: [], duplicate: true });
    expect(seqs(r.offer('c', m(2)).deliver)).toEqual([2, 3]);
  });

  it('starts an unknown conversation at its first item', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    expect(seqs(r.offer('c', m(41)).deliver)).toEqual([41]);
    expect(r.position('c')).toBe(41);
    expect(r.offer('c', m(40)).duplicate).toBe(true);
  });

  it('keeps conversations independent', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    r.setPosition('a', 0);
    r.setPosition('b', 10);
    r.offer('a', m(2));
    expect(seqs(r.offer('b', m(11)).deliver)).toEqual([11]);
    expect(r.gaps()).toEqual([{ conversationId: 'a', fromSeq: 1, toSeq: 1 }]);
  });

  it('setPosition never moves back and discards held items it covers', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    r.setPosition('c', 5);
    r.setPosition('c', 2);
    expect(r.position('c')).toBe(5);
    r.offer('c', m(7));
    r.offer('c', m(9));
    // Everything through 7 is known elsewhere: 7 is dropped, 8 is still missing.
    expect(r.setPosition('c', 7)).toEqual([]);
    expect(r.gap('c')).toEqual({ conversationId: 'c', fromSeq: 8, toSeq: 8 });
    expect(seqs(r.setPosition('c', 8))).toEqual([9]);
  });

  it('release delivers held items across seqs that do not exist', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    r.setPosition('c', 0);
    r.offer('c', m(3));
    r.offer('c', m(5));
    r.offer('c', m(6));
    // A pull of 1..4 returned nothing for 1, 2, 4: release up to 4.
    expect(seqs(r.release('c', 4))).toEqual([3, 5, 6]);
    expect(r.position('c')).toBe(6);
    expect(r.gap('c')).toBeUndefined();
  });

  it('expect() turns a known last seq into a gap', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    r.setPosition('c', 10);
    r.expect('c', 14);
    expect(r.gap('c')).toEqual({ conversationId: 'c', fromSeq: 11, toSeq: 14 });
    r.expect('c', 12); // never shrinks
    expect(r.gap('c')?.toSeq).toBe(14);
  });

  it('bounds what it holds but still remembers the overflowed range as a gap', () => {
    const r = new ReorderBuffer<{ seq: number }>(2);
    r.setPosition('c', 0);
    r.offer('c', m(2));
    r.offer('c', m(3));
    r.offer('c', m(4)); // over the bound: not held
    expect(r.heldCount('c')).toBe(2);
    expect(r.gap('c')).toEqual({ conversationId: 'c', fromSeq: 1, toSeq: 4 });
    expect(seqs(r.offer('c', m(1)).deliver)).toEqual([1, 2, 3]);
    expect(r.gap('c')).toEqual({ conversationId: 'c', fromSeq: 4, toSeq: 4 });
  });

  it('passes unordered (seq 0) items straight through', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    expect(seqs(r.offer('room', m(0)).deliver)).toEqual([0]);
    expect(r.position('room')).toBeUndefined();
  });

  it('delivers every seq exactly once in order under random arrival', () => {
    for (let round = 0; round < 50; round++) {
      const r = new ReorderBuffer<{ seq: number }>();
      r.setPosition('c', 0);
      const n = 60;
      // Each seq arrives 1-3 times in a random order.
      const arrivals: number[] = [];
      for (let s = 1; s <= n; s++) for (let k = 0; k < 1 + (s % 3); k++) arrivals.push(s);
      for (let i = arrivals.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [arrivals[i], arrivals[j]] = [arrivals[j]!, arrivals[i]!];
      }
      const out: number[] = [];
      for (const s of arrivals) out.push(...seqs(r.offer('c', m(s)).deliver));
      expect(out).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  });

  it('exports positions for persistence', () => {
    const r = new ReorderBuffer<{ seq: number }>();
    r.setPosition('a', 3);
    r.offer('b', m(9));
    expect(r.positions()).toEqual({ a: 3, b: 9 });
  });
});
