import { describe, expect, it } from 'vitest';
import type { UserId, UserPresence } from '../../src/core/model.js';
import type { Presence } from '../../src/core/ports/index.js';
import { uniqueName, uniqueUserId, useFixture, type FixtureFactory } from './contract-support.js';

export interface PresencePorts {
  readonly presence: Presence;
}

export interface PresenceSettings {
  /** The TTL the adapter was configured with. */
  readonly presenceTtlMs: number;
}

/**
 * The Presence contract (see core/ports/presence.ts). Time is virtual: every
 * call passes `now`, and expiry must be judged against it. Users that were
 * never online may be absent from query results or reported offline.
 */
export function describePresenceContract(name: string, makeStores: FixtureFactory<PresencePorts, PresenceSettings>): void {
  describe(`Presence contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    async function query(store: Presence, userId: UserId, now: number): Promise<UserPresence> {
      const found = (await store.query([userId], now)).find((p) => p.userId === userId);
      return found ?? { userId, online: false, lastSeen: 0, devices: [] };
    }

    it('reports a device online on its node until it goes offline there', async () => {
      const { presence } = ctx.stores();
      const user = uniqueUserId();
      const node = uniqueName('node');
      const t0 = Date.now();
      await presence.online(user, 'phone', 'ios', node, t0);
      const online = await query(presence, user, t0 + 10);
      expect(online.online).toBe(true);
      expect(online.lastSeen).toBe(t0);
      expect(online.devices).toEqual([{ deviceId: 'phone', platform: 'ios', online: true, lastSeen: t0, nodeId: node }]);

      await presence.offline(user, 'phone', node, t0 + 500);
      const offline = await query(presence, user, t0 + 600);
      expect(offline.online).toBe(false);
      expect(offline.lastSeen).toBeGreaterThanOrEqual(t0);
      expect(offline.lastSeen).toBeLessThanOrEqual(t0 + 500);
      for (const device of offline.devices) expect(device.online).toBe(false);
    });

    it('reports users that were never online as offline', async () => {
      const { presence } = ctx.stores();
      const user = uniqueUserId();
      expect(await query(presence, user, Date.now())).toMatchObject({ userId: user, online: false });
    });

    it('expires a device that is not refreshed within the TTL', async () => {
      const { presence, presenceTtlMs: ttl } = ctx.stores();
      const user = uniqueUserId();
      const node = uniqueName('node');
      const t0 = Date.now();
      await presence.online(user, 'phone', 'android', node, t0);
      expect((await query(presence, user, t0 + ttl - 1)).online).toBe(true);
      const expired = await query(presence, user, t0 + ttl + 1);
      expect(expired.online).toBe(false);
      for (const device of expired.devices) expect(device.online).toBe(false);
    });

    it('keeps a refreshed device online past its first TTL', async () => {
      const { presence, presenceTtlMs: ttl } = ctx.stores();
      const user = uniqueUserId();
      const node = uniqueName('node');
      const t0 = Date.now();
      await presence.online(user, 'phone', 'web', node, t0);
      await presence.refresh(user, 'phone', node, t0 + ttl / 2);
      const refreshed = await query(presence, user, t0 + ttl + 1);
      expect(refreshed.online).toBe(true);
      expect(refreshed.lastSeen).toBeGreaterThanOrEqual(t0 + ttl / 2 - 1);
      expect((await query(presence, user, t0 + ttl / 2 + ttl + 1)).online).toBe(false);
    });

    it('ignores offline from a node that no longer holds the device', async () => {
      const { presence } = ctx.stores();
      const peer = await ctx.peer();
      const user = uniqueUserId();
      const oldNode = uniqueName('node');
      const newNode = uniqueName('node');
      const t0 = Date.now();
      await presence.online(user, 'phone', 'ios', oldNode, t0);
      await (peer?.presence ?? presence).online(user, 'phone', 'ios', newNode, t0 + 10);
      await presence.offline(user, 'phone', oldNode, t0 + 20);
      const moved = await query(presence, user, t0 + 30);
      expect(moved.online).toBe(true);
      expect(moved.devices).toEqual([expect.objectContaining({ deviceId: 'phone', online: true, nodeId: newNode })]);

      // A refresh from the old node must not keep it alive either: only the holder refreshes.
      await (peer?.presence ?? presence).offline(user, 'phone', newNode, t0 + 40);
      await presence.refresh(user, 'phone', oldNode, t0 + 50);
      expect((await query(presence, user, t0 + 60)).online).toBe(false);
    });

    it('is online while any device is, with lastSeen the newest of its devices', async () => {
      const { presence, presenceTtlMs: ttl } = ctx.stores();
      const user = uniqueUserId();
      const other = uniqueUserId();
      const nodeA = uniqueName('node');
      const nodeB = uniqueName('node');
      const t0 = Date.now();
      await presence.online(user, 'phone', 'ios', nodeA, t0);
      await presence.online(user, 'laptop', 'desktop', nodeB, t0 + 100);
      await presence.online(other, 'tablet', 'android', nodeA, t0 + 5);
      await presence.offline(user, 'phone', nodeA, t0 + 200);

      const both = await presence.query([user, other], t0 + 300);
      const mine = both.find((p) => p.userId === user)!;
      expect(mine.online).toBe(true);
      expect(mine.lastSeen).toBeGreaterThanOrEqual(t0 + 100);
      const devices = [...mine.devices].sort((x, y) => x.deviceId.localeCompare(y.deviceId));
      expect(devices.map((d) => [d.deviceId, d.online])).toEqual([['laptop', true], ['phone', false]]);
      expect(devices[0]).toMatchObject({ platform: 'desktop', nodeId: nodeB });
      expect(both.find((p) => p.userId === other)).toMatchObject({ online: true, lastSeen: t0 + 5 });

      await presence.offline(user, 'laptop', nodeB, t0 + 400);
      const gone = await query(presence, user, t0 + 500);
      expect(gone.online).toBe(false);
      expect(gone.lastSeen).toBeGreaterThanOrEqual(t0 + 100);
      expect(gone.lastSeen).toBeLessThanOrEqual(t0 + 400);
      expect((await query(presence, other, t0 + 5 + ttl + 1)).online).toBe(false);
    });
  });
}
