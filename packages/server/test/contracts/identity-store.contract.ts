import { describe, expect, it } from 'vitest';
import type { SessionRecord, UserId } from '../../src/core/model.js';
import type { IdentityStore } from '../../src/core/ports/index.js';
import { byNumber, uniqueName, useFixture, type FixtureFactory } from './contract-support.js';

export interface IdentityPorts {
  readonly identity: IdentityStore;
}

function newSession(userId: UserId, deviceId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: uniqueName('session'),
    userId,
    deviceId,
    platform: 'ios',
    refreshHash: uniqueName('hash'),
    refreshExpiresAt: Date.now() + 86_400_000,
    createdAt: Date.now(),
    revoked: false,
    ...overrides,
  };
}

/** The IdentityStore contract (see core/ports/identity-store.ts). */
export function describeIdentityStoreContract(name: string, makeStores: FixtureFactory<IdentityPorts>): void {
  describe(`IdentityStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    async function newUser(): Promise<UserId> {
      const user = await ctx.stores().identity.createUser(uniqueName('user'), 'hash', Date.now());
      return user!.id;
    }

    it('creates a user and finds it by name and by id', async () => {
      const { identity } = ctx.stores();
      const username = uniqueName('alice');
      const user = await identity.createUser(username, 'pw-hash', 1234);
      expect(user).toEqual({ id: expect.any(Number), username, passwordHash: 'pw-hash', createdAt: 1234, appId: 'default' });
      expect(user!.id).toBeGreaterThan(0);
      expect(Number.isSafeInteger(user!.id)).toBe(true);
      expect(await identity.findUserByName(username)).toEqual(user);
      expect(await identity.getUsers([user!.id])).toEqual([user]);
    });

    it('finds users by username prefix, in username order, bounded; only that prefix', async () => {
      const { identity } = ctx.stores();
      const stem = uniqueName('pfx').toLowerCase();
      for (const tail of ['c', 'a', 'b_x', 'b']) await identity.createUser(`${stem}${tail}`, 'h', 1);
      await identity.createUser(`${stem.slice(0, -1)}~`, 'h', 1);
      expect((await identity.searchUsers(stem, 10)).map((u) => u.username)).toEqual([`${stem}a`, `${stem}b`, `${stem}b_x`, `${stem}c`]);
      expect((await identity.searchUsers(`${stem}b`, 10)).map((u) => u.username)).toEqual([`${stem}b`, `${stem}b_x`]);
      expect(await identity.searchUsers(`${stem}b`, 1)).toHaveLength(1);
      expect(await identity.searchUsers(`${stem}z`, 10)).toEqual([]);
    });

    it('searches one app\'s users by prefix when given the app, every app\'s without', async () => {
      const { identity } = ctx.stores();
      const stem = uniqueName('apx').toLowerCase();
      const appB = uniqueName('appb').toLowerCase();
      await identity.createUser(`${stem}a`, 'h', 1);
      await identity.createUser(`${stem}a`, 'h', 1, undefined, appB);
      await identity.createUser(`${stem}b`, 'h', 1, undefined, appB);
      expect((await identity.searchUsers(stem, 10, appB)).map((u) => [u.username, u.appId])).toEqual([[`${stem}a`, appB], [`${stem}b`, appB]]);
      expect((await identity.searchUsers(stem, 10, 'default')).map((u) => [u.username, u.appId])).toEqual([[`${stem}a`, 'default']]);
      expect(await identity.searchUsers(stem, 10)).toHaveLength(3);
    });

    it('scopes usernames to an app: the same name in two apps is two users, each found only in its app', async () => {
      const { identity } = ctx.stores();
      const username = uniqueName('same');
      const appA = uniqueName('app').toLowerCase();
      const inDefault = await identity.createUser(username, 'h1', 10);
      const inA = await identity.createUser(username, 'h2', 11, undefined, appA);
      expect(inA).toEqual({ id: expect.any(Number), username, passwordHash: 'h2', createdAt: 11, appId: appA });
      expect(inA!.id).not.toBe(inDefault!.id);
      expect(await identity.findUserByName(username)).toEqual(inDefault);
      expect(await identity.findUserByName(username, 'default')).toEqual(inDefault);
      expect(await identity.findUserByName(username, appA)).toEqual(inA);
      expect(await identity.findUserByName(username, uniqueName('other').toLowerCase())).toBeNull();
      expect(await identity.createUser(username, 'h3', 12, undefined, appA)).toBeNull();
      expect(await identity.appOf(inA!.id)).toBe(appA);
      expect(await identity.appOf(inDefault!.id)).toBe('default');
      expect(await identity.appOf(2 ** 40 + 12345)).toBeNull();
      const withId = await identity.createUser(uniqueName('idd'), 'h', 13, 2 ** 40 + Math.floor(Math.random() * 2 ** 30), appA);
      expect(withId?.appId).toBe(appA);
      expect(await identity.listUserIds(0, 10, appA)).toEqual([inA!.id, withId!.id].sort(byNumber));
      await identity.setPasswordHash(inA!.id, 'h4');
      expect((await identity.findUserByName(username, appA))?.passwordHash).toBe('h4');
      expect((await identity.findUserByName(username))?.passwordHash).toBe('h1');
    });

    it('replaces a password hash (and nothing else)', async () => {
      const { identity } = ctx.stores();
      const u = (await identity.createUser(uniqueName('reset'), 'old-hash', 5))!;
      expect(await identity.setPasswordHash(u.id, 'new-hash')).toBe(true);
      expect(await identity.findUserByName(u.username)).toEqual({ ...u, passwordHash: 'new-hash' });
      expect((await identity.getUsers([u.id]))[0]!.passwordHash).toBe('new-hash');
      expect(await identity.setPasswordHash(987_654_321_123, 'x')).toBe(false);
    });

    it('rejects a taken username with null and keeps the first user; names are case-sensitive', async () => {
      const { identity } = ctx.stores();
      const username = uniqueName('bob');
      const first = await identity.createUser(username, 'first', 1);
      expect(await identity.createUser(username, 'second', 2)).toBeNull();
      expect(await identity.findUserByName(username)).toEqual(first);
      const upper = await identity.createUser(username.toUpperCase(), 'upper', 3);
      expect(upper).not.toBeNull();
      expect(upper!.id).not.toBe(first!.id);
    });

    it('creates a user with a caller-chosen (random public) id, refusing a taken id or name', async () => {
      const { identity } = ctx.stores();
      const id = 2 ** 32 + Math.floor(Math.random() * 2 ** 40);
      const name = uniqueName('chosen');
      const user = await identity.createUser(name, 'h', 1, id);
      expect(user).toMatchObject({ id, username: name });
      expect(await identity.createUser(uniqueName('other'), 'h', 1, id)).toBeNull();
      expect(await identity.createUser(name, 'h', 1, id + 1)).toBeNull();
      expect((await identity.getUsers([id]))[0]?.username).toBe(name);
      // Large ids do not disturb the store's own allocation.
      const next = await identity.createUser(uniqueName('auto'), 'h', 1);
      expect(next!.id).not.toBe(id);
    });

    it('lets exactly one of many concurrent createUser calls with one name succeed', async () => {
      const { identity } = ctx.stores();
      const peer = await ctx.peer();
      const username = uniqueName('race');
      const attempts = Array.from({ length: 20 }, (_, i) =>
        (peer && i % 2 === 1 ? peer.identity : identity).createUser(username, `hash-${i}`, i));
      const results = await Promise.all(attempts);
      const winners = results.filter((user) => user !== null);
      expect(winners).toHaveLength(1);
      expect(await identity.findUserByName(username)).toEqual(winners[0]);
    });

    it('hands out positive ids that are never reused', async () => {
      const { identity } = ctx.stores();
      const peer = await ctx.peer();
      const users = await Promise.all(Array.from({ length: 30 }, (_, i) =>
        (peer && i % 3 === 0 ? peer.identity : identity).createUser(uniqueName('many'), 'h', i)));
      const ids = users.map((user) => user!.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toBeGreaterThan(0);
    });

    it('returns null or nothing for unknown users', async () => {
      const { identity } = ctx.stores();
      expect(await identity.findUserByName(uniqueName('nobody'))).toBeNull();
      const a = await newUser();
      const b = await newUser();
      const found = await identity.getUsers([b, 2 ** 52, a]);
      expect(found.map((u) => u.id).sort(byNumber)).toEqual([a, b].sort(byNumber));
      expect(await identity.getUsers([])).toEqual([]);
    });

    it('walks every user id in ascending pages', async () => {
      const { identity } = ctx.stores();
      const ids = [await newUser(), await newUser(), await newUser()].sort(byNumber);
      const seen: number[] = [];
      let after = ids[0]! - 1;
      for (;;) {
        const page = await identity.listUserIds(after, 2);
        expect(page.length).toBeLessThanOrEqual(2);
        if (page.length === 0) break;
        expect([...page].sort(byNumber)).toEqual(page);
        expect(page[0]!).toBeGreaterThan(after);
        seen.push(...page);
        after = page[page.length - 1]!;
      }
      for (const id of ids) expect(seen).toContain(id);
    });

    it('upserts, lists and touches devices per user', async () => {
      const { identity } = ctx.stores();
      const user = await newUser();
      const other = await newUser();
      expect(await identity.listDevices(user)).toEqual([]);
      await identity.upsertDevice(user, 'phone', 'ios', 100);
      await identity.upsertDevice(user, 'laptop', 'desktop', 110);
      await identity.upsertDevice(other, 'phone', 'android', 120);
      await identity.upsertDevice(user, 'phone', 'android', 130);
      await identity.touchDevice(user, 'laptop', 140);
      await identity.touchDevice(user, 'unknown-device', 150);
      const devices = (await identity.listDevices(user)).sort((x, y) => x.deviceId.localeCompare(y.deviceId));
      expect(devices).toEqual([
        { userId: user, deviceId: 'laptop', platform: 'desktop', lastSeen: 140 },
        { userId: user, deviceId: 'phone', platform: 'android', lastSeen: 130 },
      ]);
      expect(await identity.listDevices(other)).toEqual([{ userId: other, deviceId: 'phone', platform: 'android', lastSeen: 120 }]);
    });

    it('stores sessions and returns them unchanged', async () => {
      const { identity } = ctx.stores();
      const session = newSession(await newUser(), 'phone', { platform: 'web', refreshExpiresAt: 999, createdAt: 5 });
      await identity.createSession(session);
      expect(await identity.getSession(session.id)).toEqual(session);
      expect(await identity.getSession(uniqueName('missing'))).toBeNull();
    });

    it('rotates the refresh hash only when the presented hash is current', async () => {
      const { identity } = ctx.stores();
      const session = newSession(await newUser(), 'phone');
      await identity.createSession(session);
      expect(await identity.rotateRefresh(session.id, 'wrong', 'next', 1)).toBe(false);
      expect(await identity.getSession(session.id)).toEqual(session);

      expect(await identity.rotateRefresh(session.id, session.refreshHash, 'next-hash', 777)).toBe(true);
      expect(await identity.getSession(session.id)).toEqual({ ...session, refreshHash: 'next-hash', refreshExpiresAt: 777 });
      // The old hash is spent.
      expect(await identity.rotateRefresh(session.id, session.refreshHash, 'again', 778)).toBe(false);
      expect(await identity.rotateRefresh(uniqueName('missing'), 'x', 'y', 1)).toBe(false);
    });

    it('lets exactly one of many concurrent rotations with the same hash succeed', async () => {
      const { identity } = ctx.stores();
      const peer = await ctx.peer();
      const session = newSession(await newUser(), 'phone');
      await identity.createSession(session);
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) =>
        (peer && i % 2 === 0 ? peer.identity : identity).rotateRefresh(session.id, session.refreshHash, `new-${i}`, 1000 + i)));
      const winners = results.flatMap((ok, i) => (ok ? [i] : []));
      expect(winners).toHaveLength(1);
      const stored = await identity.getSession(session.id);
      expect(stored!.refreshHash).toBe(`new-${winners[0]}`);
      expect(stored!.refreshExpiresAt).toBe(1000 + winners[0]!);
    });

    it('never makes a revoked session live again', async () => {
      const { identity } = ctx.stores();
      const user = await newUser();
      const session = newSession(user, 'phone');
      await identity.createSession(session);
      await identity.revokeSession(session.id);
      expect(await identity.getSession(session.id)).toEqual({ ...session, revoked: true });
      expect(await identity.rotateRefresh(session.id, session.refreshHash, 'after-revoke', 1)).toBe(false);
      await identity.revokeSession(session.id);
      expect(await identity.revokeDeviceSessions(user, 'phone', uniqueName('keep'))).toEqual([]);
      expect(await identity.getSession(session.id)).toEqual({ ...session, revoked: true });

      const bornRevoked = newSession(user, 'tablet', { revoked: true });
      await identity.createSession(bornRevoked);
      expect(await identity.rotateRefresh(bornRevoked.id, bornRevoked.refreshHash, 'x', 1)).toBe(false);
    });

    it('revokes the live sessions of one device except the kept one', async () => {
      const { identity } = ctx.stores();
      const user = await newUser();
      const other = await newUser();
      const kept = newSession(user, 'phone');
      const old1 = newSession(user, 'phone');
      const old2 = newSession(user, 'phone');
      const alreadyRevoked = newSession(user, 'phone', { revoked: true });
      const otherDevice = newSession(user, 'laptop');
      const otherUser = newSession(other, 'phone');
      for (const s of [kept, old1, old2, alreadyRevoked, otherDevice, otherUser]) await identity.createSession(s);

      const revoked = await identity.revokeDeviceSessions(user, 'phone', kept.id);
      expect([...revoked].sort()).toEqual([old1.id, old2.id].sort());
      expect((await identity.getSession(old1.id))!.revoked).toBe(true);
      expect((await identity.getSession(old2.id))!.revoked).toBe(true);
      expect((await identity.getSession(kept.id))!.revoked).toBe(false);
      expect((await identity.getSession(otherDevice.id))!.revoked).toBe(false);
      expect((await identity.getSession(otherUser.id))!.revoked).toBe(false);
      expect(await identity.revokeDeviceSessions(user, 'phone', kept.id)).toEqual([]);
    });
  });
}
