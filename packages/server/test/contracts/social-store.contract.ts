import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { UserId } from '../../src/core/model.js';
import type { IdentityStore } from '../../src/core/ports/index.js';
import type { ConversationSettingsRecord, FriendRequestRecord, ProfileRecord, SocialStore } from '../../src/core/ports/social-store.js';
import { createUsers, uniqueName, useFixture, type FixtureFactory } from './contract-support.js';

export interface SocialStorePorts {
  readonly identity: IdentityStore;
  readonly social: SocialStore;
}

function request(fromId: UserId, toId: UserId, overrides: Partial<FriendRequestRecord> = {}): FriendRequestRecord {
  return { id: randomUUID(), fromId, toId, note: 'hi', status: 'pending', createdAt: 1000, expiresAt: 9000, updatedAt: 1000, ...overrides };
}

function profile(userId: UserId, displayName: string): ProfileRecord {
  return {
    userId, displayName, avatarUrl: 'https://x.test/a.png', bio: '简介', updatedAt: 5,
    privacy: { messageFrom: 'friends', groupInviteFrom: 'nobody', presenceTo: 'anyone', friendRequestFrom: 'anyone' },
  };
}

/** The SocialStore contract (see core/ports/social-store.ts). */
export function describeSocialStoreContract(name: string, makeStores: FixtureFactory<SocialStorePorts>): void {
  describe(`SocialStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);
    const users = (n: number) => createUsers(ctx.stores().identity, n);

    it('stores and replaces profiles with their privacy settings', async () => {
      const { social } = ctx.stores();
      const [a, b] = (await users(2)) as [UserId, UserId];
      expect(await social.getProfiles([a])).toEqual([]);
      await social.commit({ profiles: [profile(a, '小明')], changes: [], at: 5 });
      expect(await social.getProfiles([a, b, a])).toEqual([profile(a, '小明')]);
      await social.commit({ profiles: [{ ...profile(a, 'Ming'), privacy: { ...profile(a, '').privacy, presenceTo: 'nobody' } }], changes: [], at: 6 });
      const [p] = await social.getProfiles([a]);
      expect(p).toMatchObject({ displayName: 'Ming', privacy: { presenceTo: 'nobody', messageFrom: 'friends' } });
    });

    it('patches only the named relation fields and returns the resulting rows', async () => {
      const { social } = ctx.stores();
      const [a, b, c] = (await users(3)) as [UserId, UserId, UserId];
      const first = await social.commit({ relations: [{ ownerId: a, peerId: b, following: true }], changes: [], at: 10 });
      expect(first!.relations).toEqual([{ ownerId: a, peerId: b, friend: false, following: true, blocked: false, remark: '', updatedAt: 10 }]);
      const second = await social.commit({ relations: [{ ownerId: a, peerId: b, remark: '老王' }, { ownerId: a, peerId: c, blocked: true }], changes: [], at: 11 });
      expect(second!.relations).toMatchObject([{ peerId: b, following: true, remark: '老王' }, { peerId: c, blocked: true, following: false }]);
      expect(await social.getRelations(a, [b, c, a])).toHaveLength(2);
      expect(await social.getRelations(b, [a])).toEqual([]);
      expect((await social.listRelations(a, 10)).map((r) => r.peerId)).toEqual([b, c]);
      expect((await social.listInbound(b, 10)).map((r) => r.ownerId)).toEqual([a]);
      // A blocked-only row is not inbound (no follow, no friendship).
      expect(await social.listInbound(c, 10)).toEqual([]);
    });

    it('keeps concurrent patches of different fields of one row (through two handles)', async () => {
      const { social } = ctx.stores();
      const other = (await ctx.peer())?.social ?? social;
      const [a, b] = (await users(2)) as [UserId, UserId];
      await Promise.all([
        social.commit({ relations: [{ ownerId: a, peerId: b, friend: true }], changes: [], at: 1 }),
        other.commit({ relations: [{ ownerId: a, peerId: b, following: true }], changes: [], at: 1 }),
        social.commit({ relations: [{ ownerId: a, peerId: b, remark: 'r' }], changes: [], at: 1 }),
      ]);
      expect(await social.getRelations(a, [b])).toMatchObject([{ friend: true, following: true, remark: 'r' }]);
    });

    it('inserts one pending request per pair: of concurrent inserts exactly one wins', async () => {
      const { social } = ctx.stores();
      const other = (await ctx.peer())?.social ?? social;
      const [a, b] = (await users(2)) as [UserId, UserId];
      const attempts = Array.from({ length: 8 }, (_v, i) => request(a, b, { note: `n${i}` }));
      const results = await Promise.all(attempts.map((r, i) => (i % 2 ? other : social).commit({
        request: { record: r, expect: 'absent' }, changes: [{ userId: b, kind: 'request', key: r.id }], at: 1,
      })));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      const winner = attempts[results.findIndex((r) => r !== null)]!;
      expect(await social.findPendingRequest(a, b)).toEqual(winner);
      expect(await social.findPendingRequest(b, a)).toBeNull();
      // The losers wrote nothing, not even their feed entries.
      expect((await social.readChanges(b, 0, 100)).map((c) => c.key)).toEqual([winner.id]);
      // The reverse direction is a different pair.
      expect(await social.commit({ request: { record: request(b, a), expect: 'absent' }, changes: [], at: 1 })).not.toBeNull();
    });

    it('moves a request out of pending exactly once (compare-and-swap), atomically with relations and feed', async () => {
      const { social } = ctx.stores();
      const other = (await ctx.peer())?.social ?? social;
      const [a, b] = (await users(2)) as [UserId, UserId];
      const r = request(a, b);
      await social.commit({ request: { record: r, expect: 'absent' }, changes: [], at: 1 });
      const accept = social.commit({
        request: { record: { ...r, status: 'accepted', updatedAt: 2 }, expect: 'pending' },
        relations: [{ ownerId: a, peerId: b, friend: true }, { ownerId: b, peerId: a, friend: true }],
        changes: [{ userId: a, kind: 'relation', key: String(b) }, { userId: b, kind: 'relation', key: String(a) }],
        at: 2,
      });
      const cancel = other.commit({
        request: { record: { ...r, status: 'cancelled', updatedAt: 2 }, expect: 'pending' },
        changes: [{ userId: a, kind: 'request', key: r.id }],
        at: 2,
      });
      const [acc, can] = await Promise.all([accept, cancel]);
      expect([acc, can].filter((x) => x !== null)).toHaveLength(1);
      const final = await social.getRequest(r.id);
      if (acc) {
        expect(final!.status).toBe('accepted');
        expect(await social.getRelations(a, [b])).toMatchObject([{ friend: true }]);
      } else {
        expect(final!.status).toBe('cancelled');
        expect(await social.getRelations(a, [b])).toEqual([]);
      }
      expect(await social.findPendingRequest(a, b)).toBeNull();
      // A closed request can be followed by a new pending one for the same pair.
      expect(await social.commit({ request: { record: request(a, b), expect: 'absent' }, changes: [], at: 3 })).not.toBeNull();
      expect(await social.commit({ request: { record: { ...r, status: 'declined' }, expect: 'pending' }, changes: [], at: 3 })).toBeNull();
    });

    it('lists pending requests from and to a user, newest first', async () => {
      const { social } = ctx.stores();
      const [a, b, c, d] = (await users(4)) as [UserId, UserId, UserId, UserId];
      const r1 = request(b, a, { createdAt: 1 });
      const r2 = request(a, c, { createdAt: 2 });
      const r3 = request(d, a, { createdAt: 3, status: 'pending' });
      for (const r of [r1, r2, r3]) await social.commit({ request: { record: r, expect: 'absent' }, changes: [], at: 1 });
      await social.commit({ request: { record: { ...r3, status: 'declined' }, expect: 'pending' }, changes: [], at: 4 });
      expect((await social.listPendingRequests(a, 10)).map((r) => r.id)).toEqual([r2.id, r1.id]);
      expect((await social.listPendingRequests(a, 1)).map((r) => r.id)).toEqual([r2.id]);
      expect(await social.getRequest(uniqueName('missing'))).toBeNull();
    });

    it('upserts conversation settings rows in the commit that announces them on the feed', async () => {
      const { social } = ctx.stores();
      const [a, b] = (await users(2)) as [UserId, UserId];
      const row = (conversationId: number, over: Partial<ConversationSettingsRecord> = {}): ConversationSettingsRecord => ({
        userId: a, conversationId, pinnedAt: 0, muted: false, mutedCountsInBadge: false, archived: false, markedUnread: false,
        draft: '', draftAt: 0, updatedAt: 10, ...over,
      });
      expect(await social.getConversationSettings(a, [7])).toEqual([]);
      const c1 = await social.commit({ conversationSettings: [row(7, { muted: true, draft: '草稿 draft', draftAt: 1_700_000_000_123 })], changes: [{ userId: a, kind: 'conversation', key: '7' }], at: 10 });
      expect(c1!.seqs).toEqual([1]);
      await social.commit({ conversationSettings: [row(3, { pinnedAt: 1_700_000_000_000, archived: true, markedUnread: true, mutedCountsInBadge: true })], changes: [{ userId: a, kind: 'conversation', key: '3' }], at: 11 });
      await social.commit({ conversationSettings: [row(7, { muted: false, draft: '', draftAt: 5, updatedAt: 12 })], changes: [{ userId: a, kind: 'conversation', key: '7' }], at: 12 });
      expect(await social.getConversationSettings(a, [7, 3, 99, 7])).toEqual(expect.arrayContaining([row(7, { draftAt: 5, updatedAt: 12 }),
        row(3, { pinnedAt: 1_700_000_000_000, archived: true, markedUnread: true, mutedCountsInBadge: true })]));
      expect((await social.getConversationSettings(a, [7, 3, 99, 7])).length).toBe(2);
      expect((await social.listConversationSettings(a, 10)).map((r) => r.conversationId)).toEqual([3, 7]);
      expect((await social.listConversationSettings(a, 1)).map((r) => r.conversationId)).toEqual([3]);
      expect(await social.listConversationSettings(b, 10)).toEqual([]);
      expect((await social.readChanges(a, 0, 10)).map((c) => [c.kind, c.key])).toEqual([['conversation', '7'], ['conversation', '3'], ['conversation', '7']]);
    });

    it('keeps each user\'s delete-for-me set, idempotently', async () => {
      const { social } = ctx.stores();
      const [a, b] = (await users(2)) as [UserId, UserId];
      expect(await social.hiddenAmong(a, 5, [1, 2, 3])).toEqual([]);
      await social.commit({ hiddenMessages: { userId: a, conversationId: 5, seqs: [2, 7] }, changes: [{ userId: a, kind: 'hidden', key: '5:2,7' }], at: 1 });
      await social.commit({ hiddenMessages: { userId: a, conversationId: 5, seqs: [7, 9] }, changes: [], at: 2 });
      expect(await social.hiddenAmong(a, 5, [9, 1, 2, 3, 7, 8])).toEqual([2, 7, 9]);
      expect(await social.hiddenAmong(a, 6, [2, 7])).toEqual([]);
      expect(await social.hiddenAmong(b, 5, [2, 7])).toEqual([]);
      expect(await social.hiddenAmong(a, 5, [])).toEqual([]);
      expect((await social.readChanges(a, 0, 10)).map((c) => [c.kind, c.key])).toEqual([['hidden', '5:2,7']]);
    });

    it('numbers each user\'s feed 1, 2, 3, ... without holes across concurrent commits on two handles', async () => {
      const { social } = ctx.stores();
      const other = (await ctx.peer())?.social ?? social;
      const [a, b] = (await users(2)) as [UserId, UserId];
      const commits = await Promise.all(Array.from({ length: 20 }, (_v, i) => (i % 2 ? other : social).commit({
        changes: [{ userId: a, kind: 'relation', key: String(b) }, { userId: b, kind: 'profile', key: '' }], at: 100 + i,
      })));
      const seqsA = commits.map((c) => c!.seqs[0]!).sort((x, y) => x - y);
      expect(seqsA).toEqual(Array.from({ length: 20 }, (_v, i) => i + 1));
      const feed = await social.readChanges(a, 0, 100);
      expect(feed.map((c) => c.seq)).toEqual(seqsA);
      expect(feed[0]).toMatchObject({ userId: a, kind: 'relation', key: String(b) });
      expect((await social.readChanges(a, 15, 3)).map((c) => c.seq)).toEqual([16, 17, 18]);
      expect(await social.readChanges(a, 20, 10)).toEqual([]);
      expect((await social.readChanges(b, 0, 100)).map((c) => c.seq)).toEqual(seqsA);
    });
  });
}
