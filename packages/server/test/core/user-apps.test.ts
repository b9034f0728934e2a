/**
 * UserApps (core/identity/user-apps.ts): the user → app lookup behind every
 * linking check (ADR 0013 §5), over the memory IdentityStore.
 */
import { describe, expect, it } from 'vitest';
import { Errors } from '@xinbox/protocol';
import { MemoryIdentityStore, MemoryTables } from '../../src/adapters/memory/index.js';
import { UserApps } from '../../src/core/identity/user-apps.js';

async function world() {
  const store = new MemoryIdentityStore(new MemoryTables());
  let reads = 0;
  const counted = { appOf: async (id: number) => (reads++, store.appOf(id)) };
  const a1 = (await store.createUser('ann', 'h', 1))!.id;
  const a2 = (await store.createUser('ben', 'h', 1))!.id;
  const b1 = (await store.createUser('ann', 'h', 1, undefined, 'shop-b'))!.id;
  return { store, counted, reads: () => reads, a1, a2, b1 };
}

describe('UserApps', () => {
  it('answers each user\'s app, asking the store once per user', async () => {
    const w = await world();
    const apps = new UserApps(w.counted);
    expect(await apps.appOf(w.a1)).toBe('default');
    expect(await apps.appOf(w.b1)).toBe('shop-b');
    expect(await apps.appOf(w.a1)).toBe('default');
    expect(w.reads()).toBe(2);
    expect(await apps.appOfUser(w.b1)).toBe('shop-b');
  });

  it('links users of one app only; an unknown user is like another app\'s (NOT_FOUND), and is not cached', async () => {
    const w = await world();
    const apps = new UserApps(w.counted);
    expect(await apps.sameApp(w.a1, w.a2)).toBe(true);
    expect(await apps.sameApp(w.a1, w.a2, w.b1)).toBe(false);
    expect(await apps.sameApp(w.a1, 999_999)).toBe(false);
    expect(await apps.sameApp(999_999, w.a1)).toBe(false);
    await expect(apps.requireSameApp(w.b1, w.a1)).rejects.toMatchObject({ code: Errors.NOT_FOUND.code });
    await expect(apps.requireSameApp(w.a1, w.a2)).resolves.toBeUndefined();
    const before = w.reads();
    await apps.appOf(999_999);
    await apps.appOf(999_999);
    expect(w.reads()).toBe(before + 2);
    // A user created later is then found.
    const late = (await w.store.createUser('late', 'h', 1, 999_999, 'shop-b'))!.id;
    expect(await apps.isIn(late, 'shop-b')).toBe(true);
    expect(await apps.appOfUser(123_456_789)).toBe('default');
  });

  it('keeps at most maxEntries users, dropping the oldest', async () => {
    const w = await world();
    const apps = new UserApps(w.counted, 2);
    await apps.appOf(w.a1);
    await apps.appOf(w.a2);
    await apps.appOf(w.b1);
    expect(apps.size).toBe(2);
    const before = w.reads();
    await apps.appOf(w.b1);
    await apps.appOf(w.a2);
    expect(w.reads()).toBe(before);
    await apps.appOf(w.a1);
    expect(w.reads()).toBe(before + 1);
  });
});
