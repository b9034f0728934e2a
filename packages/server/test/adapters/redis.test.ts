/**
 * Redis adapters against a real redis-server started by the test harness:
 * the shared port contracts, the membership contract (with its memory twin),
 * and Redis-specific behaviour (Lua compares, TTL renewal, restart survival).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedisAdapters, type RedisAdapterOptions, type RedisAdapters } from '../../src/adapters/redis/index.js';
import { MemoryMembership, MemoryMembershipHub } from '../../src/adapters/memory/memory-membership.js';
import {
  describeBusContract, describeNodeLeaseStoreContract, describePresenceContract, describeRateLimiterContract, describeRouteRegistryContract, sleep,
} from '../contracts/index.js';
import { describeMembershipContract } from '../contracts/membership.contract.js';
import { describeOutboxContract } from '../contracts/outbox.contract.js';
import { clusterOutboxFixture } from '../support/outbox-fixtures.js';
import { requireServices, startRedis, type RedisService } from '../support/services.js';
import { waitFor } from '../support/wait-for.js';

requireServices('redis');

describeMembershipContract('memory', async () => {
  const hub = new MemoryMembershipHub();
  const created: MemoryMembership[] = [];
  return {
    async create(nodeId, ttlMs) {
      const m = new MemoryMembership(hub, nodeId, { ttlMs });
      created.push(m);
      return m;
    },
    async close() {
      await Promise.all(created.map((m) => m.close()));
    },
  };
});

describe('redis adapters', () => {
  let redis: RedisService;
  let prefixes = 0;
  const opened: RedisAdapters[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(opened.splice(0).map((a) => a.close()));
    await redis?.stop();
  });

  /** A fresh key space per call: tests and contract cases do not see each other's keys. */
  const freshPrefix = (): string => `t${++prefixes}:`;
  const open = async (nodeId: string, options: Partial<RedisAdapterOptions> = {}, server: RedisService = redis): Promise<RedisAdapters> => {
    const adapters = await openRedisAdapters({ url: server.url, nodeId, keyPrefix: freshPrefix(), ...options });
    opened.push(adapters);
    return adapters;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((a) => a.close()));
  });

  /** A contract fixture: adapters on a fresh key prefix, plus peers (another process's handle) on the same prefix. */
  const fixture = <E extends object>(options: Partial<RedisAdapterOptions>, extra: E) => async () => {
    const keyPrefix = freshPrefix();
    const connect = async () => ({ ...(await openRedisAdapters({ url: redis.url, nodeId: `node-${prefixes}`, keyPrefix, ...options })), ...extra });
    return { ...(await connect()), openPeer: connect };
  };
  describeBusContract('redis', fixture({}, {}));
  describePresenceContract('redis', fixture({ presenceTtlMs: 30_000 }, { presenceTtlMs: 30_000 }));
  describeRouteRegistryContract('redis', fixture({ routeTtlMs: 1_000 }, { routeExpiry: { ttlMs: 1_000, elapse: (ms: number) => sleep(ms) } }));
  describeNodeLeaseStoreContract('redis', fixture({}, {}));
  describeOutboxContract('ClusterOutbox over the redis bus and routes', () => {
    const keyPrefix = freshPrefix();
    return clusterOutboxFixture((nodeId) => openRedisAdapters({ url: redis.url, nodeId, keyPrefix }));
  });
  describeRateLimiterContract('redis', fixture({}, {}));

  describeMembershipContract('redis', async () => {
    const keyPrefix = freshPrefix();
    const nodes: RedisAdapters[] = [];
    return {
      async create(nodeId, ttlMs) {
        const adapters = await openRedisAdapters({ url: redis.url, nodeId, keyPrefix, membershipTtlMs: ttlMs });
        nodes.push(adapters);
        return adapters.membership;
      },
      async close() {
        await Promise.all(nodes.map((n) => n.close()));
      },
    };
  });

  describe('bus', () => {
    it('delivers binary payloads across nodes, in publish order per publisher', async () => {
      const prefix = freshPrefix();
      const a = await open('a', { keyPrefix: prefix });
      const b = await open('b', { keyPrefix: prefix });
      const got: number[] = [];
      const raw: Uint8Array[] = [];
      await b.bus.subscribe('node:b', (payload) => {
        raw.push(payload);
        got.push(new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0));
      });
      const n = 2_000;
      await Promise.all(Array.from({ length: n }, (_, i) => {
        const payload = new Uint8Array(6);
        new DataView(payload.buffer).setUint32(0, i);
        payload[4] = 0; // a NUL and a non-UTF-8 byte survive the trip
        payload[5] = 0xff;
        return a.bus.publish('node:b', payload);
      }));
      await waitFor('all messages', () => got.length === n);
      expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(raw[0]).toBeInstanceOf(Uint8Array);
      expect([...raw[0]!.slice(4)]).toEqual([0, 0xff]);
    });

    it('fans a topic out to every subscriber and never calls a handler after unsubscribe', async () => {
      const prefix = freshPrefix();
      const a = await open('a', { keyPrefix: prefix });
      const b = await open('b', { keyPrefix: prefix });
      const seenA: string[] = [];
      const seenB: string[] = [];
      const unsubA = await a.bus.subscribe('broadcast', (p) => seenA.push(Buffer.from(p).toString()));
      await b.bus.subscribe('broadcast', (p) => seenB.push(Buffer.from(p).toString()));
      await a.bus.publish('broadcast', Buffer.from('one'));
      await waitFor('both got one', () => seenA.length === 1 && seenB.length === 1);
      // Messages already in flight when unsubscribe is called must not reach the handler.
      const inFlight = Array.from({ length: 200 }, (_, i) => b.bus.publish('broadcast', Buffer.from(`x${i}`)));
      await unsubA();
      const countAtUnsubscribe = seenA.length;
      await Promise.all(inFlight);
      await b.bus.publish('broadcast', Buffer.from('two'));
      await waitFor('b got two', () => seenB.at(-1) === 'two');
      expect(seenA.length).toBe(countAtUnsubscribe);
      expect(seenA).not.toContain('two');
    });

    it('keeps topics of different key prefixes apart', async () => {
      const a = await open('a');
      const b = await open('a');
      const seen: Uint8Array[] = [];
      await b.bus.subscribe('broadcast', (p) => seen.push(p));
      await a.bus.publish('broadcast', new Uint8Array([1]));
      await b.bus.publish('broadcast', new Uint8Array([2]));
      await waitFor('own message', () => seen.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen.map((p) => [...p])).toEqual([[2]]);
    });
  });

  describe('presence', () => {
    it('ignores offline from a node that no longer holds the device (Lua compare)', async () => {
      const { presence } = await open('a');
      await presence.online(1, 'phone', 'ios', 'node-a', 1_000);
      await presence.online(1, 'phone', 'ios', 'node-b', 2_000); // moved to node-b
      await presence.offline(1, 'phone', 'node-a', 3_000);
      await presence.refresh(1, 'phone', 'node-a', 3_000); // the old node cannot extend it either
      const [user] = await presence.query([1], 3_000);
      expect(user).toMatchObject({ userId: 1, online: true, lastSeen: 2_000 });
      expect(user!.devices).toEqual([{ deviceId: 'phone', platform: 'ios', online: true, lastSeen: 2_000, nodeId: 'node-b' }]);
      await presence.offline(1, 'phone', 'node-b', 4_000);
      expect((await presence.query([1], 4_000))[0]).toMatchObject({ online: false, lastSeen: 4_000 });
    });

    it('expires a device that is not refreshed within the ttl, and refresh extends it', async () => {
      const { presence } = await open('a', { presenceTtlMs: 1_000 });
      await presence.online(7, 'web-1', 'web', 'node-a', 10_000);
      await presence.online(7, 'desk', 'desktop', 'node-a', 10_000);
      await presence.refresh(7, 'desk', 'node-a', 10_800);
      const [user] = await presence.query([7], 11_500);
      expect(user!.online).toBe(true);
      expect(user!.lastSeen).toBe(10_800);
      expect(user!.devices.map((d) => [d.deviceId, d.online, d.lastSeen])).toEqual([['desk', true, 10_800], ['web-1', false, 10_000]]);
      expect((await presence.query([7], 11_800))[0]!.online).toBe(false);
      expect(await presence.query([8], 0)).toEqual([{ userId: 8, online: false, lastSeen: 0, devices: [] }]);
    });
  });

  describe('routes', () => {
    it('binds, replaces, compare-and-deletes on unbind, and looks up many users', async () => {
      const { routes } = await open('a');
      await routes.bind({ userId: 1, deviceId: 'd1', nodeId: 'n1' });
      await routes.bind({ userId: 1, deviceId: 'd2', nodeId: 'n1' });
      await routes.bind({ userId: 2, deviceId: 'd1', nodeId: 'n2' });
      await routes.bind({ userId: 1, deviceId: 'd1', nodeId: 'n3' }); // replaces n1
      await routes.unbind(1, 'd1', 'n1'); // stale node: no effect
      const found = await routes.lookup([1, 2, 3, 1]);
      expect(found.sort((x, y) => x.userId - y.userId || x.deviceId.localeCompare(y.deviceId))).toEqual([
        { userId: 1, deviceId: 'd1', nodeId: 'n3' },
        { userId: 1, deviceId: 'd2', nodeId: 'n1' },
        { userId: 2, deviceId: 'd1', nodeId: 'n2' },
      ]);
      await routes.unbind(1, 'd1', 'n3');
      expect(await routes.lookup([1])).toEqual([{ userId: 1, deviceId: 'd2', nodeId: 'n1' }]);
    });

    it('lets a route lapse unless it is bound again within the ttl', async () => {
      const prefix = freshPrefix();
      const crashed = await openRedisAdapters({ url: redis.url, nodeId: 'crashed', keyPrefix: prefix, routeTtlMs: 300 });
      const alive = await open('alive', { keyPrefix: prefix, routeTtlMs: 300 });
      await crashed.routes.bind({ userId: 5, deviceId: 'd', nodeId: 'crashed' });
      await alive.routes.bind({ userId: 6, deviceId: 'd', nodeId: 'alive' });
      for (let i = 0; i < 4; i++) { // 4 x 150 ms > 2 ttl: only re-binding keeps a route
        await new Promise((resolve) => setTimeout(resolve, 150));
        await alive.routes.bind({ userId: 6, deviceId: 'd', nodeId: 'alive' });
      }
      expect(await alive.routes.lookup([5, 6])).toEqual([{ userId: 6, deviceId: 'd', nodeId: 'alive' }]);
      await crashed.close();
    });
  });

  describe('node leases', () => {
    it('hands out distinct numbers, lets an expired one be taken over, and fences the old holder', async () => {
      const { leases } = await open('a');
      expect(await leases.acquire('h1', 2, 1_000, 0)).toBe(0);
      expect(await leases.acquire('h1', 2, 1_000, 10)).toBe(0); // retried acquire keeps its number
      expect(await leases.acquire('h2', 2, 1_000, 10)).toBe(1);
      expect(await leases.acquire('h3', 2, 1_000, 10)).toBeNull();
      expect(await leases.renew('h2', 1, 1_000, 500)).toBe(true);
      expect(await leases.acquire('h3', 2, 1_000, 1_200)).toBe(0); // h1 expired at 1000
      expect(await leases.renew('h1', 0, 1_000, 1_300)).toBe(false);
      await leases.release('h1', 0); // not h1's any more: no effect
      expect(await leases.acquire('h4', 2, 1_000, 1_300)).toBeNull();
      await leases.release('h3', 0);
      expect(await leases.acquire('h4', 2, 1_000, 1_300)).toBe(0);
    });

    it('gives each of many concurrent acquirers a different number', async () => {
      const prefix = freshPrefix();
      const nodes = await Promise.all(['a', 'b', 'c'].map((id) => open(id, { keyPrefix: prefix })));
      const numbers = await Promise.all(Array.from({ length: 30 }, (_, i) => nodes[i % 3]!.leases.acquire(`h${i}`, 32, 10_000, 0)));
      expect(new Set(numbers).size).toBe(30);
      expect(numbers.every((n) => n !== null && n >= 0 && n < 32)).toBe(true);
    });
  });

  describe('redis restart', () => {
    let own: RedisService;
    beforeAll(async () => {
      own = await startRedis();
    });
    afterAll(async () => {
      await own?.stop();
    });

    it('restores subscriptions, presence, routes, leases and membership after Redis restarts empty', async () => {
      const options = { keyPrefix: 'restart:', routeTtlMs: 3_000, membershipTtlMs: 3_000 };
      const a = await open('node-a', options, own);
      const b = await open('node-b', options, own);
      await a.membership.join();
      await b.membership.join();
      const got: string[] = [];
      await b.bus.subscribe('node:node-b', (p) => got.push(Buffer.from(p).toString()));
      await a.bus.publish('node:node-b', Buffer.from('before'));
      await waitFor('message before restart', () => got.includes('before'));
      const now = Date.now();
      await a.presence.online(42, 'phone', 'android', 'node-a', now);
      await a.routes.bind({ userId: 42, deviceId: 'phone', nodeId: 'node-a' });
      expect(await a.leases.acquire('holder-a', 1, 60_000, now)).toBe(0);

      await own.restart(300);

      // Node b's subscription is restored: a message published now arrives.
      await waitFor('bus works after restart', async () => {
        await a.bus.publish('node:node-b', Buffer.from('after'));
        return got.includes('after');
      }, 15_000, 200);
      // Node a wrote back what it holds; nobody called online/bind again.
      await waitFor('presence restored', async () => (await b.presence.query([42], Date.now()))[0]!.online, 10_000, 100);
      await waitFor('route restored', async () => (await b.routes.lookup([42])).length === 1, 10_000, 100);
      await waitFor('membership restored', async () => (await b.membership.members()).join() === 'node-a,node-b', 10_000, 100);
      // The live lease was written back: nobody else gets node number 0, its holder still renews it.
      expect(await b.leases.acquire('holder-b', 1, 60_000, Date.now())).toBeNull();
      expect(await a.leases.renew('holder-a', 0, 60_000, Date.now())).toBe(true);
      // And new writes work.
      await b.presence.online(43, 'web', 'web', 'node-b', Date.now());
      expect((await a.presence.query([43], Date.now()))[0]!.online).toBe(true);
      expect(await b.leases.acquire('holder-b', 2, 1_000, Date.now())).toBe(1);
    });
  });
});
