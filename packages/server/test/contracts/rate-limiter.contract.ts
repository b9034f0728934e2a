import { describe, expect, it } from 'vitest';
import type { RateLimiter, RateRule } from '../../src/core/ports/rate-limiter.js';
import { uniqueName, useFixture, type FixtureFactory } from './contract-support.js';

export interface RateLimiterPorts {
  readonly limiter: RateLimiter;
}

/** The RateLimiter contract (core/ports/rate-limiter.ts). Time is virtual: every call passes `now`. */
export function describeRateLimiterContract(name: string, makeStores: FixtureFactory<RateLimiterPorts>): void {
  describe(`RateLimiter contract: ${name}`, () => {
    const ctx = useFixture(makeStores);
    const rule: RateRule = { perSec: 10, burst: 3 };

    it('allows a full burst, then refuses with the time until the next token', async () => {
      const { limiter } = ctx.stores();
      const key = uniqueName('k');
      const t0 = 1_000_000;
      for (let i = 0; i < 3; i++) expect((await limiter.take([{ key, rule }], t0)).allowed).toBe(true);
      const refused = await limiter.take([{ key, rule }], t0);
      expect(refused).toEqual({ allowed: false, retryAfterMs: 100 });
      // Half a token later: still refused, 50 ms to go.
      expect(await limiter.take([{ key, rule }], t0 + 50)).toEqual({ allowed: false, retryAfterMs: 50 });
      expect((await limiter.take([{ key, rule }], t0 + 100)).allowed).toBe(true);
    });

    it('refills at the rate up to the burst, never beyond', async () => {
      const { limiter } = ctx.stores();
      const key = uniqueName('k');
      const t0 = 2_000_000;
      for (let i = 0; i < 3; i++) await limiter.take([{ key, rule }], t0);
      // An hour later the bucket holds `burst` tokens, not 36,000.
      let allowed = 0;
      for (let i = 0; i < 10; i++) if ((await limiter.take([{ key, rule }], t0 + 3_600_000)).allowed) allowed++;
      expect(allowed).toBe(3);
    });

    it('charges every bucket of a request or none (user and IP together)', async () => {
      const { limiter } = ctx.stores();
      const user = uniqueName('user');
      const ip = uniqueName('ip');
      const t0 = 3_000_000;
      const tight: RateRule = { perSec: 1, burst: 1 };
      expect((await limiter.take([{ key: user, rule }, { key: ip, rule: tight }], t0)).allowed).toBe(true);
      // The IP bucket is empty: refused, and the user bucket keeps its tokens.
      const refused = await limiter.take([{ key: user, rule }, { key: ip, rule: tight }], t0);
      expect(refused).toEqual({ allowed: false, retryAfterMs: 1000 });
      expect((await limiter.take([{ key: user, rule }], t0)).allowed).toBe(true);
      expect((await limiter.take([{ key: user, rule }], t0)).allowed).toBe(true);
      expect((await limiter.take([{ key: user, rule }], t0)).allowed).toBe(false);
    });

    it('keeps keys apart', async () => {
      const { limiter } = ctx.stores();
      const a = uniqueName('a');
      const b = uniqueName('b');
      const one: RateRule = { perSec: 1, burst: 1 };
      expect((await limiter.take([{ key: a, rule: one }], 5_000)).allowed).toBe(true);
      expect((await limiter.take([{ key: a, rule: one }], 5_000)).allowed).toBe(false);
      expect((await limiter.take([{ key: b, rule: one }], 5_000)).allowed).toBe(true);
    });

    it('backs off exponentially after failures, capped, and clears on success', async () => {
      const { limiter } = ctx.stores();
      const key = uniqueName('acct');
      const t0 = 4_000_000;
      expect(await limiter.blockedFor(key, t0)).toBe(0);
      expect(await limiter.fail(key, 100, 1_000, t0)).toBe(100);
      expect(await limiter.blockedFor(key, t0 + 40)).toBe(60);
      expect(await limiter.fail(key, 100, 1_000, t0 + 100)).toBe(200);
      expect(await limiter.fail(key, 100, 1_000, t0 + 300)).toBe(400);
      expect(await limiter.fail(key, 100, 1_000, t0 + 700)).toBe(800);
      expect(await limiter.fail(key, 100, 1_000, t0 + 1_500)).toBe(1_000);
      expect(await limiter.blockedFor(key, t0 + 1_500)).toBe(1_000);
      await limiter.succeed(key);
      expect(await limiter.blockedFor(key, t0 + 1_500)).toBe(0);
      expect(await limiter.fail(key, 100, 1_000, t0 + 1_600)).toBe(100);
    });

    it('is shared by every handle on the same storage', async () => {
      const peer = await ctx.peer();
      if (!peer) return;
      const { limiter } = ctx.stores();
      const key = uniqueName('shared');
      const one: RateRule = { perSec: 1, burst: 2 };
      const results = await Promise.all([limiter, peer.limiter, limiter, peer.limiter].map((l) => l.take([{ key, rule: one }], 6_000)));
      expect(results.filter((r) => r.allowed)).toHaveLength(2);
      expect(await peer.limiter.fail(key, 50, 500, 6_000)).toBe(50);
      expect(await limiter.fail(key, 50, 500, 6_000)).toBe(100);
    });
  });
}
