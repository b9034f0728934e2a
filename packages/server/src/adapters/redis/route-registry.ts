import type { Redis } from 'ioredis';
import type { UserId } from '../../core/model.js';
import type { Route, RouteRegistry } from '../../core/ports/route-registry.js';
import { LUA_NOW_MS, LuaScript } from './lua-script.js';

export interface RedisRouteRegistryOptions {
  readonly keyPrefix: string;
  /** A route not bound again for this long disappears (its node stopped renewing: crashed). */
  readonly ttlMs: number;
}

// Field value: "<expiresAtMs>|<nodeId>", expiry on the Redis clock (one clock for all nodes).

// KEYS[1] user hash; ARGV: deviceId, nodeId, ttlMs. Replaces any earlier route of the device.
const BIND = new LuaScript(`${LUA_NOW_MS}
redis.call('HSET', KEYS[1], ARGV[1], (nowMs + tonumber(ARGV[3])) .. '|' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);

// Restore after Redis lost data: writes the route with its remaining ttl (ARGV[3]) only where
// there is none, so it never takes a device back from a node it moved to. 0 if it did not write.
const RESTORE = new LuaScript(`${LUA_NOW_MS}
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local sep = string.find(raw, '|', 1, true)
  if string.sub(raw, sep + 1) == ARGV[2] or tonumber(string.sub(raw, 1, sep - 1)) > nowMs then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], (nowMs + tonumber(ARGV[3])) .. '|' .. ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
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
 * Device -> node routes in Redis: one hash per user, a field per device,
 * each field with its own expiry on the Redis clock. As the port has no
 * renew call, a node renews a route by binding it again; a route not bound
 * again within `ttlMs` disappears.
 *
 * The registry remembers what this process bound (and until when), so
 * after a reconnect `restore()` writes back the still-live routes a Redis
 * restart (no persistence) lost, with their remaining ttl.
 *
 * LOOKUP touches several users' keys in one script: fine on one Redis
 * server; a Redis Cluster would need the keys in one slot.
 */
export class RedisRouteRegistry implements RouteRegistry {
  /** What this process bound, with the local time it lapses. */
  private readonly bound = new Map<string, { route: Route; expiresAt: number }>();
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(private readonly client: Redis, private readonly options: RedisRouteRegistryOptions) {
    this.pruneTimer = setInterval(() => this.prune(Date.now()), Math.max(1_000, options.ttlMs));
    this.pruneTimer.unref();
  }

  private key(userId: UserId): string {
    return `${this.options.keyPrefix}routes:${userId}`;
  }

  async bind(route: Route): Promise<void> {
    const copy = { userId: route.userId, deviceId: route.deviceId, nodeId: route.nodeId };
    this.bound.set(boundKey(copy.userId, copy.deviceId), { route: copy, expiresAt: Date.now() + this.options.ttlMs });
    await BIND.run(this.client, [this.key(copy.userId)], [copy.deviceId, copy.nodeId, this.options.ttlMs]);
  }

  async unbind(userId: UserId, deviceId: string, nodeId: string): Promise<void> {
    const id = boundKey(userId, deviceId);
    if (this.bound.get(id)?.route.nodeId === nodeId) this.bound.delete(id);
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

  /** Write back the routes this process bound that have not lapsed yet and are missing in Redis. */
  async restore(): Promise<void> {
    const now = Date.now();
    this.prune(now);
    const entries = [...this.bound.values()];
    for (let start = 0; start < entries.length; start += 500) {
      await Promise.all(entries.slice(start, start + 500).map(({ route, expiresAt }) =>
        RESTORE.run(this.client, [this.key(route.userId)], [route.deviceId, route.nodeId, Math.max(1, expiresAt - now)])));
    }
  }

  private prune(now: number): void {
    for (const [id, entry] of this.bound) if (entry.expiresAt <= now) this.bound.delete(id);
  }

  /** Forget local state. Routes in Redis stay until they lapse (as after a crash) unless unbound first. */
  close(): void {
    clearInterval(this.pruneTimer);
    this.bound.clear();
  }
}

function boundKey(userId: UserId, deviceId: string): string {
  return `${userId}\u0000${deviceId}`;
}
