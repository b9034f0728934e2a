import type { Redis } from 'ioredis';
import type { UserId } from '../../core/model.js';
import type { Route, RouteRegistry } from '../../core/ports/route-registry.js';
import { LUA_NOW_MS, LuaScript } from './lua-script.js';

export interface RedisRouteRegistryOptions {
  readonly keyPrefix: string;
  /** A route not renewed for this long disappears (its node crashed). */
  readonly ttlMs: number;
  /** How often this process renews the routes it bound; default ttlMs / 3. */
  readonly renewEveryMs?: number;
}

// Field value: "<expiresAtMs>|<nodeId>", expiry on the Redis clock (one clock for all nodes).

// KEYS[1] user hash; ARGV: deviceId, nodeId, ttlMs. Replaces any earlier route of the device.
const BIND = new LuaScript(`${LUA_NOW_MS}
redis.call('HSET', KEYS[1], ARGV[1], (nowMs + tonumber(ARGV[3])) .. '|' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);

// Renewal: like BIND, but never takes a live route away from another node. Returns 0 if it did not write.
const RENEW = new LuaScript(`${LUA_NOW_MS}
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local sep = string.find(raw, '|', 1, true)
  if string.sub(raw, sep + 1) ~= ARGV[2] and tonumber(string.sub(raw, 1, sep - 1)) > nowMs then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], (nowMs + tonumber(ARGV[3])) .. '|' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);

// Compare-and-delete: removes the route only if it still points at nodeId.
const UNBIND = new LuaScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local sep = string.find(raw, '|', 1, true)
if string.sub(raw, sep + 1) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1`);

// KEYS: user hashes. Returns flat {keyIndex, deviceId, nodeId, ...} of live routes; drops expired fields.
const LOOKUP = new LuaScript(`${LUA_NOW_MS}
local out = {}
for i, key in ipairs(KEYS) do
  local fields = redis.call('HGETALL', key)
  for j = 1, #fields, 2 do
    local raw = fields[j + 1]
    local sep = string.find(raw, '|', 1, true)
    if tonumber(string.sub(raw, 1, sep - 1)) > nowMs then
      out[#out + 1] = i
      out[#out + 1] = fields[j]
      out[#out + 1] = string.sub(raw, sep + 1)
    else
      redis.call('HDEL', key, fields[j])
    end
  end
end
return out`);

/**
 * Device -> node routes in Redis: one hash per user, a field per device.
 * The port has no renew call, so the adapter renews the routes this process
 * bound every `renewEveryMs` (and right after a reconnect); when the process
 * dies its routes lapse after `ttlMs`.
 *
 * LOOKUP touches several users' keys in one script: fine on one Redis
 * server, a Redis Cluster would need the keys in one slot.
 */
export class RedisRouteRegistry implements RouteRegistry {
  private readonly bound = new Map<string, Route>();
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> | null = null;

  constructor(private readonly client: Redis, private readonly options: RedisRouteRegistryOptions) {
    this.timer = setInterval(() => void this.renewAll(), options.renewEveryMs ?? Math.max(50, Math.floor(options.ttlMs / 3)));
    this.timer.unref();
  }

  private key(userId: UserId): string {
    return `${this.options.keyPrefix}routes:${userId}`;
  }

  async bind(route: Route): Promise<void> {
    const copy = { userId: route.userId, deviceId: route.deviceId, nodeId: route.nodeId };
    this.bound.set(boundKey(copy.userId, copy.deviceId), copy);
    await BIND.run(this.client, [this.key(copy.userId)], [copy.deviceId, copy.nodeId, this.options.ttlMs]);
  }

  async unbind(userId: UserId, deviceId: string, nodeId: string): Promise<void> {
    const id = boundKey(userId, deviceId);
    if (this.bound.get(id)?.nodeId === nodeId) this.bound.delete(id);
    await UNBIND.run(this.client, [this.key(userId)], [deviceId, nodeId]);
  }

  async lookup(userIds: readonly UserId[]): Promise<Route[]> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return [];
    const flat = (await LOOKUP.run(this.client, unique.map((u) => this.key(u)), [])) as Array<number | string>;
    const routes: Route[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      routes.push({ userId: unique[Number(flat[i]) - 1]!, deviceId: String(flat[i + 1]), nodeId: String(flat[i + 2]) });
    }
    return routes;
  }

  /** Renew every route this process bound; routes taken over by another node are forgotten. */
  renewAll(): Promise<void> {
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<void> {
    const routes = [...this.bound.values()];
    for (let start = 0; start < routes.length; start += 500) {
      const chunk = routes.slice(start, start + 500);
      const results = await Promise.allSettled(
        chunk.map((r) => RENEW.run(this.client, [this.key(r.userId)], [r.deviceId, r.nodeId, this.options.ttlMs])),
      );
      results.forEach((result, i) => {
        const route = chunk[i]!;
        const id = boundKey(route.userId, route.deviceId);
        if (result.status === 'fulfilled' && Number(result.value) === 0 && this.bound.get(id) === route) this.bound.delete(id);
      });
    }
  }

  /** Stop renewing. Routes stay until they expire (as after a crash) unless unbound first. */
  close(): void {
    clearInterval(this.timer);
    this.bound.clear();
  }
}

function boundKey(userId: UserId, deviceId: string): string {
  return `${userId}\u0000${deviceId}`;
}
