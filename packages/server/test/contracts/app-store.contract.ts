import { describe, expect, it } from 'vitest';
import { Errors } from '@xinbox/protocol';
import type { AppRecord, AppStore } from '../../src/core/ports/app-store.js';
import { uniqueName, useFixture, type FixtureFactory } from './contract-support.js';

export interface AppStorePorts {
  readonly apps: AppStore;
}

/** An app id unique to this run (the pattern allows 3-32 of [a-z0-9-]). */
const appId = (): string => uniqueName('a').toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(-32).replace(/^-+/, 'x');
const digest = (): string => Buffer.from(uniqueName('d')).toString('hex').padEnd(64, '0').slice(-64);

function newApp(extra: Partial<Omit<AppRecord, 'version'>> = {}): Omit<AppRecord, 'version'> {
  return { id: appId(), name: 'Shop', createdAt: 1_000, secretDigests: [digest()], webhook: null, push: {}, limits: {}, ...extra };
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: unknown }) => e.code);

/** The AppStore contract (core/ports/app-store.ts), for every adapter. */
export function describeAppStoreContract(name: string, makeStores: FixtureFactory<AppStorePorts>): void {
  describe(`AppStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    it('creates an app at version 1, reads it back whole, lists apps by id', async () => {
      const { apps } = ctx.stores();
      const webhook = { url: 'https://hooks.example/a', signingSecrets: ['0123456789abcdef0'], events: 'message.*' };
      const a = newApp({ webhook, push: { apnsTeamId: 'TEAM', apnsKeyFile: '/keys/a.p8' }, limits: { limitSendPerUser: 5 } });
      const b = newApp();
      const created = await apps.create(a);
      expect(created).toEqual({ ...a, version: 1 });
      await apps.create(b);
      expect(await apps.get(a.id)).toEqual({ ...a, version: 1 });
      expect(await apps.get(appId())).toBeNull();
      const listed = (await apps.list()).filter((x) => x.id === a.id || x.id === b.id);
      expect(listed.map((x) => x.id)).toEqual([a.id, b.id].sort());
    });

    it('refuses a taken id with APP_ID_TAKEN and changes nothing', async () => {
      const { apps } = ctx.stores();
      const a = newApp();
      await apps.create(a);
      expect(await codeOf(apps.create({ ...a, name: 'Other', secretDigests: [digest()] }))).toBe(Errors.APP_ID_TAKEN.code);
      expect(await apps.get(a.id)).toEqual({ ...a, version: 1 });
    });

    it('finds an app by a secret digest; a digest belongs to one app only', async () => {
      const { apps } = ctx.stores();
      const a = newApp();
      const b = newApp();
      await apps.create(a);
      await apps.create(b);
      expect((await apps.findBySecretDigest(a.secretDigests[0]!))?.id).toBe(a.id);
      expect(await apps.findBySecretDigest(digest())).toBeNull();
      expect(await codeOf(apps.addSecret(b.id, a.secretDigests[0]!))).toBe(Errors.APP_SECRET_INVALID.code);
      expect((await apps.get(b.id))?.version).toBe(1);
    });

    it('adds and removes secrets in order, bumping the version once per change', async () => {
      const { apps } = ctx.stores();
      const a = newApp();
      await apps.create(a);
      const second = digest();
      const added = await apps.addSecret(a.id, second);
      expect(added.secretDigests).toEqual([a.secretDigests[0], second]);
      expect(added.version).toBe(2);
      expect((await apps.findBySecretDigest(second))?.id).toBe(a.id);
      const removed = await apps.removeSecret(a.id, a.secretDigests[0]!);
      expect(removed.secretDigests).toEqual([second]);
      expect(removed.version).toBe(3);
      expect(await apps.findBySecretDigest(a.secretDigests[0]!)).toBeNull();
      // Not held: a no-op that still answers the record.
      expect((await apps.removeSecret(a.id, digest())).version).toBe(3);
      expect(await codeOf(apps.removeSecret(a.id, second))).toBe(Errors.APP_SECRET_LAST.code);
      expect((await apps.get(a.id))?.secretDigests).toEqual([second]);
    });

    it('updates name, webhook, push and limits atomically; unknown ids are APP_NOT_FOUND', async () => {
      const { apps } = ctx.stores();
      const a = newApp({ webhook: { url: 'https://hooks.example/x', signingSecrets: ['0123456789abcdef0'], events: '*' } });
      await apps.create(a);
      const renamed = await apps.update(a.id, { name: 'Renamed' });
      expect(renamed).toEqual({ ...a, name: 'Renamed', version: 2 });
      const changed = await apps.update(a.id, { webhook: null, push: { fcmServiceAccountFile: '/keys/fcm.json' }, limits: { limitLoginPerIpPerMin: 7 } });
      expect(changed).toEqual({ ...a, name: 'Renamed', webhook: null, push: { fcmServiceAccountFile: '/keys/fcm.json' }, limits: { limitLoginPerIpPerMin: 7 }, version: 3 });
      expect(await apps.get(a.id)).toEqual(changed);
      const missing = appId();
      for (const call of [() => apps.update(missing, { name: 'x' }), () => apps.addSecret(missing, digest()), () => apps.removeSecret(missing, digest())]) {
        expect(await codeOf(call())).toBe(Errors.APP_NOT_FOUND.code);
      }
    });

    it('deletes an app and its secrets', async () => {
      const { apps } = ctx.stores();
      const a = newApp();
      await apps.create(a);
      expect(await apps.delete(a.id)).toBe(true);
      expect(await apps.delete(a.id)).toBe(false);
      expect(await apps.get(a.id)).toBeNull();
      expect(await apps.findBySecretDigest(a.secretDigests[0]!)).toBeNull();
      // The id and the digest are free again.
      expect((await apps.create(a)).version).toBe(1);
    });

    it('applies concurrent secret additions from two handles one after the other', async () => {
      const { apps } = ctx.stores();
      const peer = (await ctx.peer()) ?? ctx.stores();
      const a = newApp();
      await apps.create(a);
      const extra = Array.from({ length: 6 }, () => digest());
      await Promise.all(extra.map((d, i) => (i % 2 ? peer.apps : apps).addSecret(a.id, d)));
      const after = await apps.get(a.id);
      expect(new Set(after!.secretDigests)).toEqual(new Set([...a.secretDigests, ...extra]));
      expect(after!.version).toBe(1 + extra.length);
    });
  });
}
