/**
 * Per-IP limits of the HTTP identity endpoints (register, login/refresh):
 * per minute, bursting one minute's worth. Per app (ADR 0013 (8)): an app's
 * `limitRegisterPerIpPerMin` / `limitLoginPerIpPerMin` override the config's,
 * and its buckets carry its id, so one address signing up to two apps has a
 * budget in each. The default app keeps the keys it had before apps.
 */
import type { AppLimitResolver } from '../core/apps/app-limits.js';
import { DEFAULT_APP_ID, type AppId } from '../core/ports/app-store.js';
import type { RateLimiter } from '../core/ports/rate-limiter.js';

/** Resolves to 0 when the request may go on, else the ms to wait. */
export type HttpRateLimit = (kind: 'register' | 'login', ip: string, appId?: AppId) => Promise<number>;

export function httpRateLimitOf(limiter: RateLimiter, limits: Pick<AppLimitResolver, 'forApp' | 'knows'>, clock: () => number = Date.now): HttpRateLimit {
  return async (kind, ip, named = DEFAULT_APP_ID) => {
    if (!ip) return 0;
    // A name that is no app is counted as `default`: made-up app ids must not mint fresh buckets.
    const appId = await limits.knows(named) ? named : DEFAULT_APP_ID;
    const { values } = await limits.forApp(appId);
    const perMin = kind === 'register' ? values.limitRegisterPerIpPerMin : values.limitLoginPerIpPerMin;
    if (perMin <= 0) return 0;
    const key = appId === DEFAULT_APP_ID ? `${kind}:ip:${ip}` : `${kind}:ip:${appId}:${ip}`;
    return (await limiter.take([{ key, rule: { perSec: perMin / 60, burst: perMin } }], clock())).retryAfterMs;
  };
}
