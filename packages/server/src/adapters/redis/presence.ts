import type { Redis } from 'ioredis';
import type { DevicePresence, Platform, UserId, UserPresence } from '../../core/model.js';
import type { Presence } from '../../core/ports/presence.js';
import { LuaScript } from './lua-script.js';

export interface RedisPresenceOptions {
  readonly keyPrefix: string;
  /** A device not refreshed for this long counts as offline (its node crashed). */
  readonly ttlMs: number;
  /** How long a user's device entries (and so lastSeen) are kept after the last write. */
  readonly retentionMs: number;
}

/**
 * Device entry, one field of the user's hash (JSON):
 * p platform, n node, o 1 online / 0 offline, s lastSeen, e online-until.
 * Expiry is decided against the caller's `now` (the port passes one), so
 * `online` and TTL agree with the other adapters; the hash itself expires
 * after `retentionMs` of silence to bound memory.
 */
interface StoredDevice {
  readonly p: Platform;
  readonly n: string;
  readonly o: 0 | 1;
  readonly s: number;
  readonly e: number;
}

// ARGV: deviceId, platform, nodeId, now, ttlMs, retentionMs
const ONLINE = new LuaScript(`
local entry = cjson.encode({p = ARGV[2], n = ARGV[3], o = 1, s = tonumber(ARGV[4]), e = tonumber(ARGV[4]) + tonumber(ARGV[5])})
redis.call('HSET', KEYS[1], ARGV[1], entry)
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1`);

// ARGV: deviceId, nodeId, now, ttlMs, retentionMs, platform ('' = do not recreate a missing entry)
// Only the node holding the device may refresh it; an explicit offline is final.
const REFRESH = new LuaScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local now = tonumber(ARGV[3])
if not raw then
  if ARGV[6] == '' then return 0 end
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({p = ARGV[6], n = ARGV[2], o = 1, s = now, e = now + tonumber(ARGV[4])}))
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
local d = cjson.decode(raw)
if d.n ~= ARGV[2] or d.o ~= 1 then return 0 end
d.s = math.max(d.s, now)
d.e = math.max(d.e, now + tonumber(ARGV[4]))
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(d))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`);

// ARGV: deviceId, nodeId, now, retentionMs. Ignored unless the device is still online on nodeId.
const OFFLINE = new LuaScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local d = cjson.decode(raw)
if d.n ~= ARGV[2] or d.o ~= 1 then return 0 end
d.o = 0
d.s = math.max(d.s, tonumber(ARGV[3]))
d.e = 0
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(d))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`);

interface OwnedDevice {
  readonly userId: UserId;
  readonly deviceId: string;
  readonly platform: Platform;
  readonly nodeId: string;
}

/**
 * Presence in Redis: one hash per user, one field per device. The
 * online/refresh/offline compares run in Lua so a node that lost a device
 * to another node cannot overwrite or clear it.
 *
 * The adapter remembers the devices it marked online; after Redis comes
 * back empty (restart without persistence) `reassert()` writes them again,
 * and `refresh` recreates a missing entry of a device it holds.
 */
export class RedisPresence implements Presence {
  private readonly owned = new Map<string, OwnedDevice>();

  constructor(private readonly client: Redis, private readonly options: RedisPresenceOptions) {}

  private key(userId: UserId): string {
    return `${this.options.keyPrefix}presence:${userId}`;
  }

  async online(userId: UserId, deviceId: string, platform: Platform, nodeId: string, now: number): Promise<void> {
    this.owned.set(ownedKey(userId, deviceId, nodeId), { userId, deviceId, platform, nodeId });
    await ONLINE.run(this.client, [this.key(userId)], [deviceId, platform, nodeId, now, this.options.ttlMs, this.options.retentionMs]);
  }

  async refresh(userId: UserId, deviceId: string, nodeId: string, now: number): Promise<void> {
    const id = ownedKey(userId, deviceId, nodeId);
    const owned = this.owned.get(id);
    const refreshed = await REFRESH.run(this.client, [this.key(userId)], [
      deviceId, nodeId, now, this.options.ttlMs, this.options.retentionMs, owned?.platform ?? '',
    ]);
    // The device went to another node or offline: stop re-asserting it.
    if (Number(refreshed) === 0) this.owned.delete(id);
  }

  async offline(userId: UserId, deviceId: string, nodeId: string, now: number): Promise<void> {
    this.owned.delete(ownedKey(userId, deviceId, nodeId));
    await OFFLINE.run(this.client, [this.key(userId)], [deviceId, nodeId, now, this.options.retentionMs]);
  }

  async query(userIds: readonly UserId[], now: number): Promise<UserPresence[]> {
    if (userIds.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const userId of userIds) pipeline.hgetall(this.key(userId));
    const replies = (await pipeline.exec()) ?? [];
    return userIds.map((userId, i) => {
      const [error, fields] = replies[i] ?? [new Error('missing reply'), null];
      if (error) throw error;
      const devices: DevicePresence[] = Object.entries((fields ?? {}) as Record<string, string>)
        .map(([deviceId, raw]) => {
          const d = JSON.parse(raw) as StoredDevice;
          return { deviceId, platform: d.p, online: d.o === 1 && d.e > now, lastSeen: d.s, nodeId: d.n };
        })
        .sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
      return {
        userId,
        online: devices.some((d) => d.online),
        lastSeen: devices.reduce((max, d) => Math.max(max, d.lastSeen), 0),
        devices,
      };
    });
  }

  /** Write again every device this adapter holds (after Redis lost its data). */
  async reassert(now: number): Promise<void> {
    await Promise.all([...this.owned.values()].map((d) => this.refresh(d.userId, d.deviceId, d.nodeId, now)));
  }
}

function ownedKey(userId: UserId, deviceId: string, nodeId: string): string {
  return `${userId}\u0000${deviceId}\u0000${nodeId}`;
}
