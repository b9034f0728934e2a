/**
 * Per-app limits (ADR 0013 (8)): the gateway's per-user rules and the
 * identity endpoints' per-IP rules are `app.limits.x ?? config.x`, with the
 * app id in the bucket keys; the default app keeps the config's values and
 * its pre-app keys; while no app overrides anything, nothing is looked up.
 * Real RequestLimits over the real single-node rate limiter.
 */
import { describe, expect, it } from 'vitest';
import { Errors } from '@xinbox/protocol';
import { MemoryAppStore } from '../../src/adapters/memory/memory-app-store.js';
import { MemoryRateLimiter } from '../../src/adapters/memory/memory-rate-limiter.js';
import { httpRateLimitOf } from '../../src/api/http-rate-limit.js';
import { buildConfig } from '../../src/config.js';
import { AppLimitResolver } from '../../src/core/apps/app-limits.js';
import { DEFAULT_APP_ID } from '../../src/core/ports/app-store.js';
import { RequestLimits } from '../../src/gateway/request-limits.js';
import { createLogger } from '../../src/logger.js';
import { createAppDirectory } from '../../src/platform/apps/create-app-directory.js';

const config = buildConfig({ rateLimits: true, limitBurstSeconds: 1, limitSendPerUser: 5, limitReadPerUser: 3, limitLoginPerIpPerMin: 2, limitSendPerIp: 0, logLevel: 'silent' });
// Users 1xx are in `default`, 2xx in `tight`, 3xx in `loose`.
const appOf = async (u: number) => (u >= 300 ? 'loose' : u >= 200 ? 'tight' : DEFAULT_APP_ID);

async function setup() {
  const apps = createAppDirectory(config, new MemoryAppStore(), { cacheMs: 0 });
  await apps.create('tight', 'Tight');
  await apps.create('loose', 'Loose');
  let lookups = 0;
  const resolver = new AppLimitResolver(apps, async (u) => {
    lookups++;
    return appOf(u);
  }, config, createLogger('silent'), 60_000);
  await resolver.start();
  const limiter = new MemoryRateLimiter();
  const now = { t: 1_000_000 };
  const rules = {
    send: { user: { perSec: 5, burst: 5 }, ip: null }, read: { user: { perSec: 3, burst: 3 }, ip: null }, create: { user: null, ip: null },
  };
  const limits = new RequestLimits(limiter, rules, () => now.t, { forUser: (u) => resolver.forUser(u), burstSeconds: config.limitBurstSeconds });
  /** How many of `n` sends at one instant pass. */
  const sends = async (userId: number, n: number, cls: 'send' | 'read' = 'send') => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      ok += await limits.check(cls, userId, '10.0.0.1').then(() => 1, (e: { code: number }) => {
        expect(e.code).toBe(Errors.RATE_LIMITED.code);
        return 0;
      });
    }
    return ok;
  };
  return { apps, resolver, limiter, limits, now, sends, lookups: () => lookups };
}

describe('per-app limits', () => {
  it('looks nothing up while no app overrides a limit', async () => {
    const { resolver, sends, lookups } = await setup();
    expect(resolver.forUser(201)).not.toBeInstanceOf(Promise);
    expect(await sends(201, 8)).toBe(5); // the config's 5/s
    expect(lookups()).toBe(0);
    resolver.stop();
  });

  it('applies each app\'s overrides to its users, the config\'s to the rest, and follows changes', async () => {
    const { apps, resolver, sends, now } = await setup();
    await apps.update('tight', { limits: { limitSendPerUser: 2 } });
    await apps.update('loose', { limits: { limitSendPerUser: 0, limitReadPerUser: 10 } });
    await resolver.refresh();
    expect(await sends(101, 8)).toBe(5); // default: the config's
    expect(await sends(201, 8)).toBe(2); // tight
    expect(await sends(301, 50)).toBe(50); // loose: 0 = unlimited
    expect(await sends(202, 5, 'read')).toBe(3); // tight does not override reads: the config's
    expect(await sends(302, 12, 'read')).toBe(10);

    // A changed override applies to the next request (new record version).
    now.t += 10_000;
    await apps.update('tight', { limits: { limitSendPerUser: 4 } });
    expect(await sends(201, 8)).toBe(4);
    resolver.stop();
  });

  it('keys per-IP identity limits by app: one address has a budget in each app', async () => {
    const { apps, resolver, limiter } = await setup();
    await apps.update('tight', { limits: { limitLoginPerIpPerMin: 1 } });
    await resolver.refresh();
    const clock = { t: 5_000_000 };
    const limit = httpRateLimitOf(limiter, resolver, () => clock.t);
    const tries = async (appId: string | undefined, n: number) => {
      const waits: number[] = [];
      for (let i = 0; i < n; i++) waits.push(await limit('login', '192.0.2.7', appId));
      return waits.filter((w) => w === 0).length;
    };
    expect(await tries(undefined, 4)).toBe(2); // default: the config's 2/min
    expect(await tries('tight', 3)).toBe(1); // its own bucket, its own limit
    expect(await tries('loose', 4)).toBe(2); // no override: the config's, in loose's own bucket
    expect(await limit('login', '192.0.2.7', 'tight')).toBeGreaterThan(50_000); // about a minute for the next token
    // A made-up app id is counted in default's bucket (already spent), not a fresh one.
    expect(await limit('login', '192.0.2.7', 'no-such-app')).toBeGreaterThan(0);
    resolver.stop();
  });
});
