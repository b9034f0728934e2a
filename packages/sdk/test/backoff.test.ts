import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/backoff.js';

describe('Backoff (exponential, full jitter)', () => {
  it('draws each delay from [0, min(max, base * 2^n)]', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 5000 });
    for (let n = 0; n < 40; n++) {
      const ceiling = Math.min(5000, 100 * 2 ** n);
      expect(b.ceiling()).toBe(ceiling);
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(ceiling);
      expect(Number.isInteger(d)).toBe(true);
    }
    expect(b.attempts).toBe(40);
  });

  it('reaches both ends of the window with extreme randoms', () => {
    const low = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    const high = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999999 });
    expect([low.next(), low.next(), low.next()]).toEqual([0, 0, 0]);
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([100, 200, 400, 800, 1000]);
  });

  it('spreads delays over the window (jitter, not a fixed schedule)', () => {
    const delays = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const b = new Backoff({ baseMs: 1000, maxMs: 1000 });
      delays.add(b.next());
    }
    expect(delays.size).toBeGreaterThan(50);
    const avg = [...delays].reduce((a, b) => a + b, 0) / delays.size;
    expect(avg).toBeGreaterThan(250);
    expect(avg).toBeLessThan(750);
  });

  it('reset starts over from the base window', () => {
    const b = new Backoff({ baseMs: 10, maxMs: 10_000, random: () => 0.999999 });
    for (let i = 0; i < 10; i++) b.next();
    expect(b.ceiling()).toBe(10_000);
    b.reset();
    expect(b.ceiling()).toBe(10);
    expect(b.next()).toBe(10);
  });

  it('never overflows after very many attempts', () => {
    const b = new Backoff({ baseMs: 1, maxMs: 60_000 });
    let worst = 0;
    for (let i = 0; i < 5000; i++) worst = Math.max(worst, b.next());
    expect(worst).toBeLessThanOrEqual(60_000);
    expect(Number.isFinite(b.ceiling())).toBe(true);
  });

  it('rejects nonsensical bounds', () => {
    expect(() => new Backoff({ baseMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 100, maxMs: 10 })).toThrow(RangeError);
  });
});
