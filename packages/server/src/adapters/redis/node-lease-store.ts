import type { Redis } from 'ioredis';
import type { NodeLeaseStore } from '../../core/ports/node-lease-store.js';
import { LuaScript } from './lua-script.js';

// One hash of leases: field = node number, value = "<expiresAt>|<holder>".
// Expiry is judged against the caller's `now`, as the port defines it.

// ARGV: holder, max, ttlMs, now. The holder's own live lease is renewed and
// returned; otherwise the lowest free or expired number is taken. -1: none free.
const ACQUIRE = new LuaScript(`
local holder, max, ttl, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local leases = redis.call('HGETALL', KEYS[1])
local taken = {}
for i = 1, #leases, 2 do
  local raw = leases[i + 1]
  local sep = string.find(raw, '|', 1, true)
  local expires = tonumber(string.sub(raw, 1, sep - 1))
  local owner = string.sub(raw, sep + 1)
  local number = tonumber(leases[i])
  if expires > now then
    if owner == holder and number < max then
      redis.call('HSET', KEYS[1], leases[i], (now + ttl) .. '|' .. holder)
      return number
    end
    taken[number] = true
  end
end
for n = 0, max - 1 do
  if not taken[n] then
    redis.call('HSET', KEYS[1], tostring(n), (now + ttl) .. '|' .. holder)
    return n
  end
end
return -1`);

// ARGV: holder, number, ttlMs, now. 1 if renewed; 0 if the lease is gone or
// another holder has it. A just-expired lease that nobody took is renewed:
// no one else issued ids with the number.
const RENEW = new LuaScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[2])
if not raw then return 0 end
local sep = string.find(raw, '|', 1, true)
if string.sub(raw, sep + 1) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], (tonumber(ARGV[4]) + tonumber(ARGV[3])) .. '|' .. ARGV[1])
return 1`);

// ARGV: holder, number. Deletes only the holder's own lease.
const RELEASE = new LuaScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[2])
if not raw then return 0 end
local sep = string.find(raw, '|', 1, true)
if string.sub(raw, sep + 1) ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[2])
return 1`);

// ARGV: holder, number, expiresAt. Writes the lease back only where there is none (after Redis lost it).
const RESTORE = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3] .. '|' .. ARGV[1])
return 1`);

/**
 * Snowflake node-number leases in Redis (compare-and-set in Lua).
 *
 * Redis here runs without persistence: a restart forgets every lease. The
 * store remembers the leases taken through it and `restore()` (called after
 * each reconnect) writes them back where nobody took the number meanwhile,
 * so the window in which another node can take a live node's number is the
 * reconnect delay, not a whole renew interval. It is still a window: the
 * PostgreSQL lease store has none and is the safer choice where PostgreSQL
 * is available.
 */
export class RedisNodeLeaseStore implements NodeLeaseStore {
  private readonly key: string;
  /** Leases taken through this store: `${holder}\0${number}` -> expiry (caller's clock). */
  private readonly held = new Map<string, { holder: string; nodeNumber: number; expiresAt: number }>();

  constructor(private readonly client: Redis, keyPrefix: string) {
    this.key = `${keyPrefix}node-leases`;
  }

  async acquire(holder: string, max: number, ttlMs: number, now: number): Promise<number | null> {
    const n = Number(await ACQUIRE.run(this.client, [this.key], [holder, max, ttlMs, now]));
    if (n < 0) return null;
    this.held.set(`${holder}\u0000${n}`, { holder, nodeNumber: n, expiresAt: now + ttlMs });
    return n;
  }

  async renew(holder: string, nodeNumber: number, ttlMs: number, now: number): Promise<boolean> {
    const renewed = Number(await RENEW.run(this.client, [this.key], [holder, nodeNumber, ttlMs, now])) === 1;
    const id = `${holder}\u0000${nodeNumber}`;
    if (renewed) this.held.set(id, { holder, nodeNumber, expiresAt: now + ttlMs });
    else this.held.delete(id);
    return renewed;
  }

  async release(holder: string, nodeNumber: number): Promise<void> {
    this.held.delete(`${holder}\u0000${nodeNumber}`);
    await RELEASE.run(this.client, [this.key], [holder, nodeNumber]);
  }

  /** Write back the unexpired leases this store holds that Redis no longer has. */
  async restore(now: number): Promise<void> {
    await Promise.all([...this.held].map(async ([id, lease]) => {
      if (lease.expiresAt <= now) {
        this.held.delete(id);
        return;
      }
      await RESTORE.run(this.client, [this.key], [lease.holder, lease.nodeNumber, lease.expiresAt]);
    }));
  }
}
