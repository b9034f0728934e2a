import { describe, expect, it } from 'vitest';
import { RecentSends } from '../../src/core/messaging/recent-sends.js';
import type { UserId } from '../../src/core/model.js';

const u = (n: number) => n as UserId;

/** A deterministic pseudo-random sequence (LCG), so a failure replays. */
function lcg(seed: number): (n: number) => number {
  return (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
}

describe('RecentSends', () => {
  it('says maybe for what it was told and no for anything else, keyed by (sender, clientMsgId)', () => {
    const recent = new RecentSends(10);
    expect(recent.mayHave(u(1), 'm1')).toBe(false);
    recent.add(u(1), 'm1');
    expect(recent.mayHave(u(1), 'm1')).toBe(true);
    expect(recent.mayHave(u(2), 'm1')).toBe(false);
    expect(recent.mayHave(u(1), 'm2')).toBe(false);
    expect(recent.mayHave(u(1), 'm1 ')).toBe(false);
    expect(recent.mayHave(u(1), '')).toBe(false);
    recent.add(u(1), 'm1');
    expect(recent.size).toBe(1);
  });

  it('tells apart ids that differ only in surrogates, length or a large sender number', () => {
    const recent = new RecentSends(100);
    const ids = ['', 'a', 'aa', '😀', '😁', '\u0000', '\u0000\u0000', 'x'.repeat(200), 'x'.repeat(201)];
    for (const id of ids) recent.add(u(7), id);
    recent.add(u(2 ** 40 + 7), 'big');
    for (const id of ids) expect(recent.mayHave(u(7), id)).toBe(true);
    for (const id of ['b', '😂', '\u0001', '\u0100', '\u0200\u0000', 'x'.repeat(199)]) expect(recent.mayHave(u(7), id)).toBe(false);
    expect(recent.mayHave(u(2 ** 40 + 7), 'big')).toBe(true);
    expect(recent.mayHave(u(7), 'big')).toBe(false);
    expect(recent.mayHave(u(2 ** 41 + 7), 'big')).toBe(false);
  });

  it('always remembers the most recent ceil(capacity / 2) sends and never more than capacity + 1 (against a reference log)', () => {
    for (const capacity of [1, 2, 3, 50, 257]) {
      const recent = new RecentSends(capacity);
      const rand = lcg(capacity);
      const log: string[] = [];
      const keep = Math.ceil(capacity / 2);
      for (let i = 0; i < 3_000; i++) {
        const sender = rand(7);
        // Repeats (a resend added again) as well as fresh ids.
        const id = rand(4) === 0 && log.length > 0 ? log[log.length - 1 - rand(Math.min(log.length, keep))]!.split(':')[1]! : `c${i}`;
        const key = `${sender}:${id}`;
        const known = recent.mayHave(u(sender), id);
        recent.add(u(sender), id);
        if (!known) log.push(key);
        expect(recent.size).toBeLessThanOrEqual(capacity + 1);
        for (const k of log.slice(-keep)) {
          const [s, c] = k.split(':');
          expect(recent.mayHave(u(Number(s)), c!)).toBe(true);
        }
      }
      // Forgets: the first sends are long gone.
      for (const k of log.slice(0, 10)) {
        const [s, c] = k.split(':');
        if (log.length > 2 * capacity + 10) expect(recent.mayHave(u(Number(s)), c!)).toBe(false);
      }
    }
  });

  it('has no false positives over 200,000 unseen keys at full capacity (64-bit fingerprints)', () => {
    const recent = new RecentSends(20_000);
    for (let i = 0; i < 40_000; i++) recent.add(u(i % 1000), `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    let hits = 0;
    for (let i = 40_000; i < 240_000; i++) if (recent.mayHave(u(i % 1000), `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)) hits++;
    expect(hits).toBe(0);
    for (let i = 30_000; i < 40_000; i++) expect(recent.mayHave(u(i % 1000), `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)).toBe(true);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new RecentSends(0)).toThrow(RangeError);
  });
});
