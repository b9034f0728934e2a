import { describe, expect, it } from 'vitest';
import type { ConversationId, UserId } from '../../src/core/model.js';
import type { NewGroup } from '../../src/core/ports/index.js';
import {
  appendItem, byNumber, createUsers, makeMessage, plain, shuffled, useFixture,
  type ChatPorts, type FixtureFactory,
} from './contract-support.js';

export type ConversationStorePorts = ChatPorts;

function groupSpec(ownerId: UserId, memberIds: readonly UserId[], overrides: Partial<NewGroup> = {}): NewGroup {
  return {
    name: 'Team',
    avatarUrl: 'https://example.test/a.png',
    announcement: 'hello',
    ownerId,
    joinPolicy: 'approval',
    memberIds,
    large: false,
    ...overrides,
  };
}

/** The ConversationStore contract (see core/ports/conversation-store.ts). */
export function describeConversationStoreContract(name: string, makeStores: FixtureFactory<ConversationStorePorts>): void {
  describe(`ConversationStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    async function users(count: number): Promise<UserId[]> {
      return createUsers(ctx.stores().identity, count);
    }

    /** Appends messages with seqs 1..n (sender reads its own). */
    async function fill(conversationId: ConversationId, senderId: UserId, n: number, serverTime = Date.now()): Promise<void> {
      await ctx.stores().messages.append(Array.from({ length: n }, (_, i) =>
        appendItem(makeMessage(conversationId, i + 1, senderId, { serverTime }), [], true)));
    }

    it('creates a direct conversation once per unordered pair', async () => {
      const { conversations } = ctx.stores();
      const [a, b] = (await users(2)) as [UserId, UserId];
      const first = await conversations.getOrCreateDirect(a, b, 4242);
      expect(first.created).toBe(true);
      expect(first.conversation).toEqual({
        id: expect.any(Number), kind: 'direct', createdAt: 4242, lastSeq: 0, lastMessageId: null,
        updatedAt: expect.any(Number), memberCount: 2, large: false,
      });
      expect(first.conversation.id).toBeGreaterThan(0);
      const again = await conversations.getOrCreateDirect(b, a, 9999);
      expect(again).toEqual({ conversation: first.conversation, created: false });
      for (const userId of [a, b]) {
        expect(await conversations.getMember(first.conversation.id, userId)).toMatchObject({
          conversationId: first.conversation.id, userId, role: 'member', readSeq: 0,
        });
      }
      expect(await conversations.getConversation(first.conversation.id)).toEqual(first.conversation);
    });

    it('lets exactly one of many concurrent getOrCreateDirect calls create the pair', async () => {
      const { conversations } = ctx.stores();
      const peer = await ctx.peer();
      const [a, b] = (await users(2)) as [UserId, UserId];
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => {
        const store = peer && i % 2 ? peer.conversations : conversations;
        return i % 3 ? store.getOrCreateDirect(a, b, i) : store.getOrCreateDirect(b, a, i);
      }));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
      const id = results[0]!.conversation.id;
      expect((await conversations.getConversation(id))!.memberCount).toBe(2);
      expect((await conversations.memberIds(id)).sort(byNumber)).toEqual([a, b].sort(byNumber));
    });

    it('gives every conversation, direct or group, its own positive id', async () => {
      const { conversations } = ctx.stores();
      const [a, b, c] = (await users(3)) as [UserId, UserId, UserId];
      const ids = [
        (await conversations.getOrCreateDirect(a, b, 1)).conversation.id,
        (await conversations.getOrCreateDirect(a, c, 1)).conversation.id,
        (await conversations.getOrCreateDirect(b, c, 1)).conversation.id,
        (await conversations.createGroup(groupSpec(a, [b]), 1)).id,
        (await conversations.createGroup(groupSpec(a, [b]), 1)).id,
      ];
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toBeGreaterThan(0);
    });

    it('returns null for unknown conversations, members and groups', async () => {
      const { conversations } = ctx.stores();
      const [a, b, c] = (await users(3)) as [UserId, UserId, UserId];
      const { conversation } = await conversations.getOrCreateDirect(a, b, 1);
      const missing = 2 ** 52;
      expect(await conversations.getConversation(missing)).toBeNull();
      expect(await conversations.getMember(conversation.id, c)).toBeNull();
      expect(await conversations.getGroup(conversation.id)).toBeNull();
      expect(await conversations.getGroup(missing)).toBeNull();
      expect(await conversations.memberIds(missing)).toEqual([]);
    });

    it('names the direct peer and whether two users share a conversation', async () => {
      const { conversations } = ctx.stores();
      const [a, b, c, d] = (await users(4)) as [UserId, UserId, UserId, UserId];
      const { conversation } = await conversations.getOrCreateDirect(a, b, 1);
      expect(await conversations.directPeer(conversation.id, a)).toBe(b);
      expect(await conversations.directPeer(conversation.id, b)).toBe(a);
      expect(await conversations.directPeer(conversation.id, c)).toBeNull();
      const group = await conversations.createGroup(groupSpec(a, [c]), 1);
      expect(await conversations.directPeer(group.id, a)).toBeNull();

      expect(await conversations.shareConversation(a, b)).toBe(true);
      expect(await conversations.shareConversation(c, a)).toBe(true);
      expect(await conversations.shareConversation(b, c)).toBe(false);
      expect(await conversations.shareConversation(d, a)).toBe(false);
    });

    it('creates a group with its owner, deduplicated members and group record', async () => {
      const { conversations } = ctx.stores();
      const [owner, x, y] = (await users(3)) as [UserId, UserId, UserId];
      const created = await conversations.createGroup(groupSpec(owner, [x, y, x, owner], { large: true }), 777);
      expect(created).toEqual({
        id: expect.any(Number), kind: 'group', createdAt: 777, lastSeq: 0, lastMessageId: null,
        updatedAt: expect.any(Number), memberCount: 3, large: true,
      });
      expect(await conversations.getGroup(created.id)).toEqual({
        conversationId: created.id, name: 'Team', avatarUrl: 'https://example.test/a.png', announcement: 'hello',
        ownerId: owner, joinPolicy: 'approval', mutedAll: false, dissolved: false,
      });
      expect(await conversations.getMember(created.id, owner)).toEqual({
        conversationId: created.id, userId: owner, role: 'owner', readSeq: 0, firstSeq: 1, joinedAt: 777,
        mutedUntil: 0, doNotDisturb: false,
      });
      expect((await conversations.getMember(created.id, x))!.role).toBe('member');
      expect((await conversations.memberIds(created.id)).sort(byNumber)).toEqual([owner, x, y].sort(byNumber));
    });

    it('lists members by user id with paging', async () => {
      const { conversations } = ctx.stores();
      const all = await users(7);
      const [owner, ...rest] = all as [UserId, ...UserId[]];
      const group = await conversations.createGroup(groupSpec(owner, shuffled(rest)), 1);
      const sorted = [...all].sort(byNumber);
      const page1 = await conversations.listMembers(group.id, 0, 3);
      expect(page1.map((m) => m.userId)).toEqual(sorted.slice(0, 3));
      const page2 = await conversations.listMembers(group.id, page1[2]!.userId, 3);
      expect(page2.map((m) => m.userId)).toEqual(sorted.slice(3, 6));
      const page3 = await conversations.listMembers(group.id, page2[2]!.userId, 3);
      expect(page3.map((m) => m.userId)).toEqual(sorted.slice(6));
      expect(page3[0]).toMatchObject({ conversationId: group.id, firstSeq: 1 });
    });

    it('patches only the given group fields', async () => {
      const { conversations } = ctx.stores();
      const [owner, x] = (await users(2)) as [UserId, UserId];
      const group = await conversations.createGroup(groupSpec(owner, [x]), 1);
      await conversations.updateGroup(group.id, { name: 'Renamed', mutedAll: true });
      expect(await conversations.getGroup(group.id)).toMatchObject({
        name: 'Renamed', announcement: 'hello', mutedAll: true, dissolved: false, ownerId: owner, joinPolicy: 'approval',
      });
      await conversations.updateGroup(group.id, {
        avatarUrl: 'b', announcement: 'bye', joinPolicy: 'invite', ownerId: x, dissolved: true, mutedAll: false, large: true,
      });
      expect(await conversations.getGroup(group.id)).toEqual({
        conversationId: group.id, name: 'Renamed', avatarUrl: 'b', announcement: 'bye', ownerId: x,
        joinPolicy: 'invite', mutedAll: false, dissolved: true,
      });
      expect((await conversations.getConversation(group.id))!.large).toBe(true);
      await conversations.updateGroup(group.id, {});
      expect((await conversations.getGroup(group.id))!.name).toBe('Renamed');
    });

    it('adds and removes members, reporting only real changes and keeping memberCount exact', async () => {
      const { conversations } = ctx.stores();
      const [owner, x, y, z, w] = (await users(5)) as [UserId, UserId, UserId, UserId, UserId];
      const group = await conversations.createGroup(groupSpec(owner, [x]), 1);
      await fill(group.id, owner, 4);

      const added = await conversations.addMembers(group.id, [x, y, z, y], 'admin', 5, 3000);
      expect([...added].sort(byNumber)).toEqual([y, z].sort(byNumber));
      expect(await conversations.getMember(group.id, y)).toMatchObject({ role: 'admin', firstSeq: 5, joinedAt: 3000 });
      expect((await conversations.getMember(group.id, x))!.role).toBe('member');
      expect((await conversations.getConversation(group.id))!.memberCount).toBe(4);
      expect(await conversations.addMembers(group.id, [y], 'member', 9, 1)).toEqual([]);

      const removed = await conversations.removeMembers(group.id, [z, w, z]);
      expect(removed).toEqual([z]);
      expect(await conversations.removeMembers(group.id, [w])).toEqual([]);
      expect(await conversations.getMember(group.id, z)).toBeNull();
      const count = (await conversations.getConversation(group.id))!.memberCount;
      expect(count).toBe(3);
      expect(await conversations.listMembers(group.id, 0, 100)).toHaveLength(count);
      expect(await conversations.shareConversation(z, owner)).toBe(false);
    });

    it('keeps memberCount equal to the member rows under concurrent adds and removes', async () => {
      const { conversations } = ctx.stores();
      const peer = await ctx.peer();
      const [owner, ...pool] = (await users(13)) as [UserId, ...UserId[]];
      const group = await conversations.createGroup(groupSpec(owner, []), 1);
      const calls: Array<Promise<unknown>> = [];
      for (let i = 0; i < 40; i++) {
        const store = peer && i % 2 ? peer.conversations : conversations;
        const pick = shuffled(pool).slice(0, 1 + (i % 4));
        calls.push(i % 3 === 2 ? store.removeMembers(group.id, pick) : store.addMembers(group.id, pick, 'member', 1, i));
      }
      await Promise.all(calls);
      const rows = await conversations.listMembers(group.id, 0, 1000);
      expect((await conversations.getConversation(group.id))!.memberCount).toBe(rows.length);
    });

    it('starts a member who joins at firstSeq with no unread history before it', async () => {
      const { conversations } = ctx.stores();
      const [owner, late] = (await users(2)) as [UserId, UserId];
      const group = await conversations.createGroup(groupSpec(owner, []), 1);
      await fill(group.id, owner, 5);
      await conversations.addMembers(group.id, [late], 'member', 6, 2);
      expect(await conversations.getMember(group.id, late)).toMatchObject({ firstSeq: 6 });
      expect(await conversations.unreadCounts(late, group.id)).toEqual({ unread: 0, total: 0 });
    });

    it('patches members and reports whether the member exists', async () => {
      const { conversations } = ctx.stores();
      const [owner, x, stranger] = (await users(3)) as [UserId, UserId, UserId];
      const group = await conversations.createGroup(groupSpec(owner, [x]), 1);
      expect(await conversations.updateMember(group.id, x, { role: 'admin' })).toBe(true);
      expect(await conversations.updateMember(group.id, x, { mutedUntil: 5000, doNotDisturb: true })).toBe(true);
      expect(await conversations.getMember(group.id, x)).toMatchObject({ role: 'admin', mutedUntil: 5000, doNotDisturb: true });
      expect(await conversations.updateMember(group.id, x, { doNotDisturb: false })).toBe(true);
      expect(await conversations.getMember(group.id, x)).toMatchObject({ role: 'admin', mutedUntil: 5000, doNotDisturb: false });
      expect(await conversations.updateMember(group.id, stranger, { role: 'admin' })).toBe(false);
      expect(await conversations.getMember(group.id, stranger)).toBeNull();
    });

    it('advances read seqs forward only, clamped to lastSeq', async () => {
      const { conversations } = ctx.stores();
      const [a, b, stranger] = (await users(3)) as [UserId, UserId, UserId];
      const { conversation } = await conversations.getOrCreateDirect(a, b, 1);
      await fill(conversation.id, a, 6);
      expect(await conversations.advanceReadSeq(conversation.id, b, 3)).toBe(3);
      expect(await conversations.advanceReadSeq(conversation.id, b, 2)).toBe(3);
      expect(await conversations.advanceReadSeq(conversation.id, b, 100)).toBe(6);
      expect((await conversations.getMember(conversation.id, b))!.readSeq).toBe(6);
      expect(await conversations.advanceReadSeq(conversation.id, b, 4)).toBe(6);
      expect(await conversations.getMember(conversation.id, stranger)).toBeNull();
    });

    it('never moves a read seq backwards under concurrent advances', async () => {
      const { conversations } = ctx.stores();
      const peer = await ctx.peer();
      const [a, b] = (await users(2)) as [UserId, UserId];
      const { conversation } = await conversations.getOrCreateDirect(a, b, 1);
      await fill(conversation.id, a, 30);
      const targets = shuffled(Array.from({ length: 40 }, (_, i) => i + 1)); // some beyond lastSeq
      const results = await Promise.all(targets.map((seq, i) =>
        (peer && i % 2 ? peer.conversations : conversations).advanceReadSeq(conversation.id, b, seq)));
      results.forEach((result, i) => {
        expect(result).toBeGreaterThanOrEqual(Math.min(targets[i]!, 30));
        expect(result).toBeLessThanOrEqual(30);
      });
      expect((await conversations.getMember(conversation.id, b))!.readSeq).toBe(30);
    });

    it('lists a user conversations newest first with last message, group, peer and member', async () => {
      const { conversations, messages } = ctx.stores();
      const [me, friend, other] = (await users(3)) as [UserId, UserId, UserId];
      const direct = (await conversations.getOrCreateDirect(me, friend, 1000)).conversation;
      const group = await conversations.createGroup(groupSpec(other, [me]), 1000);
      const quiet = await conversations.createGroup(groupSpec(other, [me], { name: 'Quiet' }), 1000);
      const directMsg = makeMessage(direct.id, 1, friend, { serverTime: 5000, mentions: [me] });
      const groupMsg = makeMessage(group.id, 1, other, { serverTime: 6000 });
      const quietMsg = makeMessage(quiet.id, 1, other, { serverTime: 4000 });
      await messages.append([appendItem(directMsg, [], true), appendItem(groupMsg, [], true), appendItem(quietMsg, [], true)]);

      const views = await conversations.listUserConversations(me, 10, 0);
      expect(views.map((v) => v.conversation.id)).toEqual([group.id, direct.id, quiet.id]);
      const [groupView, directView] = views;
      expect(groupView!.conversation).toMatchObject({ kind: 'group', lastSeq: 1, lastMessageId: groupMsg.id, updatedAt: 6000 });
      expect(plain(groupView!.lastMessage)).toEqual(plain(groupMsg));
      expect(groupView!.group).toMatchObject({ conversationId: group.id, name: 'Team', ownerId: other });
      expect(groupView!.peerId).toBeNull();
      expect(groupView!.member).toMatchObject({ conversationId: group.id, userId: me, role: 'member', readSeq: 0 });
      expect(groupView!.mentions).toBe(0);
      expect(directView!.group).toBeNull();
      expect(directView!.peerId).toBe(friend);
      expect(directView!.mentions).toBe(1);
      expect(plain(directView!.lastMessage)).toEqual(plain(directMsg));

      expect((await conversations.listUserConversations(me, 2, 0)).map((v) => v.conversation.id)).toEqual([group.id, direct.id]);
      expect((await conversations.listUserConversations(me, 10, 6000)).map((v) => v.conversation.id)).toEqual([direct.id, quiet.id]);
      expect((await conversations.listUserConversations(me, 10, 4000))).toEqual([]);
      const friendView = (await conversations.listUserConversations(friend, 10, 0))[0]!;
      expect(friendView.peerId).toBe(me);
      expect(friendView.member.readSeq).toBe(1);

      const fresh = (await users(1))[0]!;
      expect(await conversations.listUserConversations(fresh, 10, 0)).toEqual([]);
      const empty = (await conversations.getOrCreateDirect(fresh, me, 1)).conversation;
      expect((await conversations.listUserConversations(fresh, 10, 0))[0]).toMatchObject({
        conversation: { id: empty.id, lastSeq: 0, lastMessageId: null }, lastMessage: null, peerId: me,
      });
    });

    it('sums unread over all conversations, alone and together with one conversation', async () => {
      const { conversations } = ctx.stores();
      const [me, a, b, outsider] = (await users(4)) as [UserId, UserId, UserId, UserId];
      const c1 = (await conversations.getOrCreateDirect(me, a, 1)).conversation.id;
      const c2 = (await conversations.getOrCreateDirect(me, b, 1)).conversation.id;
      const c3 = (await conversations.getOrCreateDirect(a, b, 1)).conversation.id;
      await fill(c1, a, 5);
      await fill(c2, b, 3);
      await fill(c3, a, 4);
      expect(await conversations.totalUnread(me)).toBe(8);
      await conversations.advanceReadSeq(c1, me, 2);
      expect(await conversations.totalUnread(me)).toBe(6);
      expect(await conversations.unreadCounts(me, c1)).toEqual({ unread: 3, total: 6 });
      expect(await conversations.unreadCounts(me, c2)).toEqual({ unread: 3, total: 6 });
      expect(await conversations.unreadCounts(me, c3)).toEqual({ unread: 0, total: 6 });
      expect(await conversations.totalUnread(outsider)).toBe(0);
      expect(await conversations.unreadCounts(outsider, c1)).toEqual({ unread: 0, total: 0 });
    });

    it('reports read positions and counts members who read up to a seq', async () => {
      const { conversations } = ctx.stores();
      const [owner, x, y] = (await users(3)) as [UserId, UserId, UserId];
      const group = await conversations.createGroup(groupSpec(owner, [x, y]), 1);
      await fill(group.id, owner, 10);
      await conversations.advanceReadSeq(group.id, x, 4);
      const positions = await conversations.readPositions(group.id);
      expect([...positions].sort((p, q) => p.userId - q.userId)).toEqual(
        [{ userId: owner, readSeq: 10 }, { userId: x, readSeq: 4 }, { userId: y, readSeq: 0 }].sort((p, q) => p.userId - q.userId),
      );
      expect(await conversations.countReadAtLeast(group.id, 1)).toBe(2);
      expect(await conversations.countReadAtLeast(group.id, 5)).toBe(1);
      expect(await conversations.countReadAtLeast(group.id, 0)).toBe(3);
      expect(await conversations.countReadAtLeast(group.id, 11)).toBe(0);
    });

    it('takes each pending join request once', async () => {
      const { conversations } = ctx.stores();
      const [owner, applicant, other] = (await users(3)) as [UserId, UserId, UserId];
      const group = await conversations.createGroup(groupSpec(owner, []), 1);
      expect(await conversations.takeJoinRequest(group.id, applicant)).toBe(false);
      await conversations.addJoinRequest(group.id, applicant, 10);
      await conversations.addJoinRequest(group.id, applicant, 20);
      expect(await conversations.takeJoinRequest(group.id, other)).toBe(false);
      expect(await conversations.takeJoinRequest(group.id, applicant)).toBe(true);
      expect(await conversations.takeJoinRequest(group.id, applicant)).toBe(false);
    });
  });
}
