import type { Redis } from 'ioredis';
import type { RateBucket, RateDecision, RateLimiter } from '../../core/ports/rate-limiter.js';
import { LuaScript } from './lua-script.js';

/**
 * Token buckets over every bucket of one request in ONE atomic script: all are
 * charged or none. A bucket is a hash {t: tokens, at: ms}, expiring once it
 * would be full again. ARGV: now, cost, then perSec and burst per key.
 */
const TAKE = new LuaScript(`
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local wait = 0
local tokens = {}
for i = 1, #KEYS do
  local perSec = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local b = redis.call('HMGET', KEYS[i], 't', 'at')
  local t = tonumber(b[1])
  local at = tonumber(b[2])
  if t == nil then
    t = burst
    at = now
  elseif now > at then
    t = math.min(burst, t + (now - at) * perSec / 1000)
    at = now
  end
  tokens[i] = { t, at }
  if t < cost then
    local w = math.ceil((cost - t) * 1000 / perSec)
    if w > wait then wait = w end
  end
end
for i = 1, #KEYS do
  local perSec = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local t = tokens[i][1]
  if wait == 0 then t = t - cost end
  redis.call('HSET', KEYS[i], 't', tostring(t), 'at', tostring(tokens[i][2]))
  redis.call('PEXPIRE', KEYS[i], math.ceil((burst - t) * 1000 / perSec) + 1000)
end
return wait
`);

/** Record a failure: count + 1, wait = base * 2^(count-1) capped; forgotten maxMs after the last. ARGV: now, base, max. */
const FAIL = new LuaScript(`
local now = tonumber(ARGV[1])
local base = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local count = redis.call('HINCRBY', KEYS[1], 'n', 1)
local wait = base * math.pow(2, math.min(count - 1, 40))
if wait > max then wait = max end
redis.call('HSET', KEYS[1], 'until', tostring(now + wait))
redis.call('PEXPIRE', KEYS[1], max)
return wait
`);

/** Shared token buckets and failure backoff for a cluster. */
export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly client: Redis, private readonly keyPrefix: string) {}

  async take(buckets: readonly RateBucket[], now: number, cost = 1): Promise<RateDecision> {
    if (buckets.length === 0) return { allowed: true, retryAfterMs: 0 };
    const keys = buckets.map((b) => `${this.keyPrefix}rl:${b.key}`);
    const args: Array<string | number> = [now, cost];
    for (const b of buckets) args.push(b.rule.perSec, b.rule.burst);
    const wait = Number(await TAKE.run(this.client, keys, args));
    return { allowed: wait === 0, retryAfterMs: wait };
  }

  async fail(key: string, baseMs: number, maxMs: number, now: number): Promise<number> {
    return Number(await FAIL.run(this.client, [`${this.keyPrefix}rf:${key}`], [now, baseMs, maxMs]));
  }

  async blockedFor(key: string, now: number): Promise<number> {
    const until = await this.client.hget(`${this.keyPrefix}rf:${key}`, 'until');
    return until ? Math.max(0, Number(until) - now) : 0;
  }

  async succeed(key: string): Promise<void> {
    await this.client.del(`${this.keyPrefix}rf:${key}`);
  }
}
