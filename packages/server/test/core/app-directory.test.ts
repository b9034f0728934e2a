import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Errors } from '@xinbox/protocol';
import { MemoryAppStore } from '../../src/adapters/memory/index.js';
import { AppDirectory } from '../../src/core/apps/app-directory.js';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

function directory(now = { t: 1_000 }) {
  const store = new MemoryAppStore();
  const dir = new AppDirectory(store, { secrets: ['config-secret-aaaaaaaa'], webhook: null, push: {} }, { clock: () => now.t, cacheMs: 100 });
  return { store, dir, now };
}

describe('AppDirectory', () => {
  it('serves the built-in default app from the config and refuses to change it', async () => {
    const { dir } = directory();
    const d = await dir.require('default');
    expect(d.secretDigests).toEqual([hex('config-secret-aaaaaaaa')]);
    expect((await dir.bySecret('config-secret-aaaaaaaa'))?.id).toBe('default');
    await expect(dir.create('default', 'x')).rejects.toMatchObject({ code: Errors.APP_ID_TAKEN.code });
    await expect(dir.rotateSecret('default')).rejects.toMatchObject({ code: Errors.APP_DEFAULT_IMMUTABLE.code });
    await expect(dir.delete('default')).rejects.toMatchObject({ code: Errors.APP_DEFAULT_IMMUTABLE.code });
  });

  it('creates an app whose secret is shown once, stored as a digest, and identifies the app', async () => {
    const { dir, store } = directory();
    const { app, secret, digest } = await dir.create('shop-a', 'Shop A');
    expect(app).toMatchObject({ id: 'shop-a', name: 'Shop A', version: 1, secretDigests: [digest] });
    expect(JSON.stringify(await store.get('shop-a'))).not.toContain(secret);
    expect((await dir.bySecret(secret))?.id).toBe('shop-a');
    expect(await dir.bySecret('wrong')).toBeNull();
    expect((await dir.list()).map((a) => a.id)).toEqual(['default', 'shop-a']);
  });

  it('validates ids and refuses a taken one', async () => {
    const { dir } = directory();
    for (const bad of ['ab', 'Upper', '-lead', 'a'.repeat(33), 'sp ace']) await expect(dir.create(bad, '')).rejects.toMatchObject({ code: Errors.APP_ID_INVALID.code });
    await dir.create('app-1', '');
    await expect(dir.create('app-1', '')).rejects.toMatchObject({ code: Errors.APP_ID_TAKEN.code });
    await expect(dir.require('nope')).rejects.toMatchObject({ code: Errors.APP_NOT_FOUND.code });
  });

  it('rotates: the new and old secret both work until the old one is retired; the last one cannot be', async () => {
    const { dir } = directory();
    const first = await dir.create('app-1', '');
    const second = await dir.rotateSecret('app-1');
    expect(second.app.version).toBe(2);
    expect((await dir.bySecret(first.secret))?.id).toBe('app-1');
    expect((await dir.bySecret(second.secret))?.id).toBe('app-1');
    await dir.retireSecret('app-1', first.digest);
    expect(await dir.bySecret(first.secret)).toBeNull();
    await expect(dir.retireSecret('app-1', second.digest)).rejects.toMatchObject({ code: Errors.APP_SECRET_LAST.code });
  });

  it('caches lookups for cacheMs, and its own changes show at once', async () => {
    const { dir, store, now } = directory();
    await dir.create('app-1', 'one');
    expect((await dir.require('app-1')).name).toBe('one');
    await store.update('app-1', { name: 'changed elsewhere' }); // another node's change
    expect((await dir.require('app-1')).name).toBe('one');
    now.t += 101;
    expect((await dir.require('app-1')).name).toBe('changed elsewhere');
    await dir.update('app-1', { name: 'mine' });
    expect((await dir.require('app-1')).name).toBe('mine');
  });
});
