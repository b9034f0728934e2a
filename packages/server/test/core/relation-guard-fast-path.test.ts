import { Errors } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { MemorySocialStore } from '../../src/adapters/memory/index.js';
import type { UserId } from '../../src/core/model.js';
import type { PrivacyRecord, RelationPatch } from '../../src/core/ports/social-store.js';
import { pairKey, RelationGuard } from '../../src/core/social/relation-guard.js';
import { runCheck as run } from '../support/check-verdict.js';


const privacy = (messageFrom: PrivacyRecord['messageFrom']): PrivacyRecord =>
  ({ messageFrom, groupInviteFrom: 'anyone', presenceTo: 'anyone', friendRequestFrom: 'anyone' });

const cases: Array<{ name: string; relations: RelationPatch[]; messageFrom: PrivacyRecord['messageFrom']; expect: 'allowed' | 'refused' }> = [
  { name: 'strangers, messages from anyone', relations: [], messageFrom: 'anyone', expect: 'allowed' },
  { name: 'sender blocked the recipient', relations: [{ ownerId: 1, peerId: 2, blocked: true }], messageFrom: 'anyone', expect: 'refused' },
  { name: 'recipient blocked the sender', relations: [{ ownerId: 2, peerId: 1, blocked: true }], messageFrom: 'anyone', expect: 'refused' },
  { name: 'strangers, messages from friends only', relations: [], messageFrom: 'friends', expect: 'refused' },
  { name: 'friends, messages from friends only', relations: [{ ownerId: 1, peerId: 2, friend: true }, { ownerId: 2, peerId: 1, friend: true }], messageFrom: 'friends', expect: 'allowed' },
  { name: 'one-way friend row, messages from friends only', relations: [{ ownerId: 1, peerId: 2, friend: true }], messageFrom: 'friends', expect: 'refused' },
  { name: 'messages from nobody', relations: [], messageFrom: 'nobody', expect: 'refused' },
];

describe('RelationGuard.checkMessageNow (the send path\'s synchronous fast path)', () => {
  for (const c of cases) {
    it(`gives checkMessage's verdict, loaded and cached: ${c.name}`, async () => {
      const store = new MemorySocialStore();
      await store.commit({
        relations: c.relations,
        profiles: [{ userId: 2, displayName: 'b', avatarUrl: '', bio: '', updatedAt: 1, privacy: privacy(c.messageFrom) }],
        changes: [], at: 1,
      });
      const sender = 1 as UserId;
      const recipient = 2 as UserId;
      const slowGuard = new RelationGuard(store, { ttlMs: 60_000 });
      const expected = await run(() => slowGuard.checkMessage(sender, recipient));
      expect(expected.sync).toBe(false);
      expect(expected.outcome.ok ? 'allowed' : 'refused').toBe(c.expect);

      const guard = new RelationGuard(store, { ttlMs: 60_000 });
      const cold = await run(() => guard.checkMessageNow(sender, recipient));
      expect(cold).toEqual({ sync: false, outcome: expected.outcome });
      const cached = await run(() => guard.checkMessageNow(sender, recipient));
      expect(cached).toEqual({ sync: true, outcome: expected.outcome });
      // The promise-returning check answers the same from the cache.
      expect((await run(() => guard.checkMessage(sender, recipient))).outcome).toEqual(expected.outcome);
    });
  }

  it('loads again after an invalidation or the TTL, and then applies the new facts', async () => {
    let now = 1_000;
    const store = new MemorySocialStore();
    const guard = new RelationGuard(store, { ttlMs: 5_000, clock: () => now });
    const a = 1 as UserId;
    const b = 2 as UserId;
    expect(await run(() => guard.checkMessageNow(a, b))).toEqual({ sync: false, outcome: { ok: true } });
    expect(await run(() => guard.checkMessageNow(a, b))).toEqual({ sync: true, outcome: { ok: true } });

    await store.commit({ relations: [{ ownerId: b, peerId: a, blocked: true }], changes: [], at: 2 });
    guard.invalidate([b]);
    const blocked = await run(() => guard.checkMessageNow(a, b));
    expect(blocked.sync).toBe(false);
    expect(blocked.outcome).toMatchObject({ ok: false, code: Errors.BLOCKED.code });
    expect(await run(() => guard.checkMessageNow(a, b))).toEqual({ sync: true, outcome: blocked.outcome });

    await store.commit({ relations: [{ ownerId: b, peerId: a, blocked: false }], changes: [], at: 3 });
    now += 5_001;
    expect(await run(() => guard.checkMessageNow(a, b))).toEqual({ sync: false, outcome: { ok: true } });
  });

  it('keys every ordered pair apart, small ids as one number and ids from 2^21 up as a string', () => {
    const big = 2 ** 21;
    const ids = [0, 1, 2, 1023, big - 1, big, big + 1, 2 ** 40, Number.MAX_SAFE_INTEGER] as UserId[];
    const keys = new Set<number | string>();
    for (const a of ids) for (const b of ids) keys.add(pairKey(a, b));
    expect(keys.size).toBe(ids.length * ids.length);
    expect(typeof pairKey(big - 1 as UserId, 5 as UserId)).toBe('number');
    expect(pairKey(big as UserId, 5 as UserId)).toBe(`${big}:5`);
  });

  it('caches and refuses the same way for ids beyond the numeric key range', async () => {
    const store = new MemorySocialStore();
    const a = (2 ** 21 + 7) as UserId;
    const b = 3 as UserId;
    await store.commit({ relations: [{ ownerId: b, peerId: a, blocked: true }], changes: [], at: 1 });
    const guard = new RelationGuard(store, { ttlMs: 60_000 });
    const cold = await run(() => guard.checkMessageNow(a, b));
    expect(cold.sync).toBe(false);
    expect(cold.outcome).toMatchObject({ ok: false, code: Errors.BLOCKED.code });
    expect(await run(() => guard.checkMessageNow(a, b))).toEqual({ sync: true, outcome: cold.outcome });
    // The other direction is another pair, also blocked (either side's block counts).
    expect((await run(() => guard.checkMessageNow(b, a))).outcome).toEqual(cold.outcome);
  });
});
