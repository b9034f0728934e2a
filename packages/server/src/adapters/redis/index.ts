import type { Bus } from '../../core/ports/bus.js';
import { RedisBus } from './bus.js';
import { connectRedis, onReconnect } from './connection.js';
import { RedisNodeLeaseStore } from './node-lease-store.js';
import { RedisPresence } from './presence.js';
import { RedisRateLimiter } from './rate-limiter.js';
import { RedisMembership } from './redis-membership.js';
import { RedisRouteRegistry } from './route-registry.js';
import { RedisSubscriber } from './subscriber.js';

export { RedisBus } from './bus.js';
export { RedisNodeLeaseStore } from './node-lease-store.js';
export { RedisPresence } from './presence.js';
export { RedisMembership } from './redis-membership.js';
export { RedisRouteRegistry } from './route-registry.js';
export { RedisRateLimiter } from './rate-limiter.js';
export type { NodeMembership } from '../../core/ports/membership.js';

export interface RedisAdapterOptions {
  readonly url: string;
  /** This node's id: names its connections and its membership entry. */
  readonly nodeId: string;
  /** Prefix of every key and channel (several clusters, or tests, can share one Redis). Default 'xinbox:'. */
  readonly keyPrefix?: string;
  /** A device not refreshed for this long counts offline. Default 90 s. */
  readonly presenceTtlMs?: number;
  /** How long offline devices' lastSeen is kept. Default 30 days. */
  readonly presenceRetentionMs?: number;
  /** A route not bound again for this long lapses. Default 60 s. */
  readonly routeTtlMs?: number;
  /** A node not heartbeating for this long leaves the membership. Default 15 s. */
  readonly membershipTtlMs?: number;
}

export interface RedisAdapters {
  readonly presence: RedisPresence;
  readonly routes: RedisRouteRegistry;
  readonly bus: Bus;
  readonly leases: RedisNodeLeaseStore;
  readonly membership: RedisMembership;
  readonly limiter: RedisRateLimiter;
  /** Leaves the membership, stops timers, closes both connections. Routes and presence are left to expire. */
  close(): Promise<void>;
}

/**
 * Connects to Redis (one command connection, one subscriber connection) and
 * builds the Redis-backed adapters. Both connections reconnect forever;
 * ioredis restores the subscriptions, and after each reconnect this node
 * writes again what Redis may have lost in a restart (its node leases, its
 * membership entry, the routes and presence of the devices it holds).
 */
export async function openRedisAdapters(options: RedisAdapterOptions): Promise<RedisAdapters> {
  const keyPrefix = options.keyPrefix ?? 'xinbox:';
  const client = await connectRedis({ url: options.url, name: `xinbox-${options.nodeId}` });
  let subscriberConnection;
  try {
    subscriberConnection = await connectRedis({ url: options.url, name: `xinbox-${options.nodeId}-sub` });
  } catch (e) {
    client.disconnect();
    throw e;
  }
  const subscriber = new RedisSubscriber(subscriberConnection);
  const presence = new RedisPresence(client, {
    keyPrefix,
    ttlMs: options.presenceTtlMs ?? 90_000,
    retentionMs: options.presenceRetentionMs ?? 30 * 24 * 3600_000,
  });
  const routes = new RedisRouteRegistry(client, { keyPrefix, ttlMs: options.routeTtlMs ?? 60_000 });
  const bus = new RedisBus(client, subscriber, `${keyPrefix}bus:`);
  const leases = new RedisNodeLeaseStore(client, keyPrefix);
  const membership = new RedisMembership(client, subscriber, options.nodeId, { keyPrefix, ttlMs: options.membershipTtlMs ?? 15_000 });
  const limiter = new RedisRateLimiter(client, keyPrefix);

  const stopReconnectHook = onReconnect(client, () => {
    void Promise.allSettled([leases.restore(Date.now()), membership.heartbeat(), routes.restore(), presence.reassert(Date.now())]);
  });

  let closing: Promise<void> | null = null;
  return {
    presence, routes, bus, leases, membership, limiter,
    close() {
      closing ??= (async () => {
        stopReconnectHook();
        routes.close();
        await membership.close();
        await bus.close();
        await subscriber.close();
        await client.quit().catch(() => client.disconnect());
      })();
      return closing;
    },
  };
}
