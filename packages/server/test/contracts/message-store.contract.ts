import { describe, expect, it } from 'vitest';
import {
  ContentSchema, EditSchema, PinChangeSchema, ReactionSchema, RecallSchema, TextSchema, create, fromBinary, toBinary, type Content,
} from '@xinbox/protocol';
import type { ConversationId, StoredMessage, TimelineEntry, UserId } from '../../src/core/model.js';
import { DuplicateClientMsgIdError, SeqConflictError, type MessageStore } from '../../src/core/ports/index.js';
import {
  appendItem, createUsers, makeMessage, plain, shuffled, useFixture,
  type ChatPorts, type FixtureFactory,
} from './contract-support.js';

export type MessageStorePorts = ChatPorts;

/** Everything observable that a failed append must leave untouched. */
async function observe(ports: ChatPorts, conversationId: ConversationId, users: readonly UserId[]): Promise<unknown> {
  const conversation = await ports.conversations.getConversation(conversationId);
  const perUser = await Promise.all(users.map(async (userId) => ({
    bounds: await ports.messages.timelineBounds(userId),
    timeline: (await ports.messages.readTimeline(userId, 0, 1000)).map((e) => [e.syncSeq, e.message.id]),
    member: await ports.conversations.getMember(conversationId, userId),
    mentions: (await ports.conversations.listUserConversations(userId, 100, 0))
      .find((v) => v.conversation.id === conversationId)?.mentions ?? null,
  })));
  const messages = (await ports.messages.getRange(conversationId, 0, Number.MAX_SAFE_INTEGER, 1000)).map((m) => m.id);
  return { conversation, perUser, messages };
}

/** The MessageStore contract (see core/ports/message-store.ts). */
export function describeMessageStoreContract(name: string, makeStores: FixtureFactory<MessageStorePorts>): void {
  describe(`MessageStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    /** Three fresh users and a direct chat between the first two. */
    async function setup(): Promise<{ a: UserId; b: UserId; c: UserId; chat: ConversationId }> {
      const { identity, conversations } = ctx.stores();
      const [a, b, c] = (await createUsers(identity, 3)) as [UserId, UserId, UserId];
      const { conversation } = await conversations.getOrCreateDirect(a, b, 1000);
      return { a, b, c, chat: conversation.id };
    }

    it('stores a message with every field intact and finds it by id, client id and seq', async () => {
      const { messages } = ctx.stores();
      const { a, b, chat } = await setup();
      const message = makeMessage(chat, 1, a, {
        serverTime: 5000,
        content: new Uint8Array([0, 1, 2, 250, 255, 0]),
        mentions: [b],
        visibleTo: [a, b],
      });
      const [result] = await messages.append([appendItem(message, [a, b], true)]);
      expect(result!.syncSeqs).toHaveLength(2);

      for (const found of [
        await messages.getById(message.id),
        await messages.findByClientMsgId(a, message.clientMsgId),
        (await messages.getRange(chat, 1, 1, 10))[0],
      ]) {
        expect(plain(found)).toEqual(plain(message));
        expect(found!.content).toBeInstanceOf(Uint8Array);
      }
      // Snowflake ids exceed 2^53: they must round-trip as exact strings.
      expect(BigInt(message.id)).toBeGreaterThan(2n ** 53n);
      expect((await messages.getById(message.id))!.id).toBe(message.id);
    });

    it('stores empty content and a message without extras', async () => {
      const { messages } = ctx.stores();
      const { a, chat } = await setup();
      const message = makeMessage(chat, 1, a, { content: new Uint8Array(0) });
      await messages.append([appendItem(message)]);
      expect(plain(await messages.getById(message.id))).toEqual(plain(message));
    });

    it('returns null for unknown ids and client ids', async () => {
      const { messages } = ctx.stores();
      const { a } = await setup();
      expect(await messages.getById('1')).toBeNull();
      expect(await messages.findByClientMsgId(a, 'never-sent')).toBeNull();
    });

    it('moves the conversation lastSeq, lastMessageId and updatedAt with the append', async () => {
      const { messages, conversations } = ctx.stores();
      const { a, b, chat } = await setup();
      const m1 = makeMessage(chat, 1, a, { serverTime: 2000 });
      const m2 = makeMessage(chat, 2, b, { serverTime: 3000 });
      await messages.append([appendItem(m1), appendItem(m2)]);
      const conversation = await conversations.getConversation(chat);
      expect(conversation).toMatchObject({ lastSeq: 2, lastMessageId: m2.id, updatedAt: 3000 });
    });

    it('never moves lastSeq (or the last message) backwards', async () => {
      const { messages, conversations } = ctx.stores();
      const { a, chat } = await setup();
      const m5 = makeMessage(chat, 5, a, { serverTime: 5000 });
      const m3 = makeMessage(chat, 3, a, { serverTime: 6000 });
      await messages.append([appendItem(m5)]);
      await messages.append([appendItem(m3)]);
      expect(await conversations.getConversation(chat)).toMatchObject({ lastSeq: 5, lastMessageId: m5.id });
      expect((await messages.getRange(chat, 1, 10, 10)).map((m) => m.seq)).toEqual([3, 5]);
    });

    it('ends at the highest seq after concurrent appends in any order', async () => {
      const { messages, conversations } = ctx.stores();
      const peer = await ctx.peer();
      const { a, chat } = await setup();
      const batches = shuffled(Array.from({ length: 40 }, (_, i) => makeMessage(chat, i + 1, a)));
      await Promise.all(batches.map((m, i) => (peer && i % 2 ? peer.messages : messages).append([appendItem(m, [a])])));
      const conversation = await conversations.getConversation(chat);
      expect(conversation!.lastSeq).toBe(40);
      expect(conversation!.lastMessageId).toBe(batches.find((m) => m.seq === 40)!.id);
      expect((await messages.getRange(chat, 1, 40, 100)).map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it('assigns sync seqs per user from 1, in timelineUsers order, strictly increasing', async () => {
      const { messages } = ctx.stores();
      const { a, b, c, chat } = await setup();
      const r1 = await messages.append([
        appendItem(makeMessage(chat, 1, a), [a, b]),
        appendItem(makeMessage(chat, 2, b), [b, a]),
        appendItem(makeMessage(chat, 3, b), []),
      ]);
      expect(r1.map((r) => r.syncSeqs)).toEqual([[1, 1], [2, 2], []]);
      const r2 = await messages.append([appendItem(makeMessage(chat, 4, a), [c, b, a])]);
      expect(r2[0]!.syncSeqs).toEqual([1, 3, 3]);
      const timeline = await messages.readTimeline(b, 0, 100);
      expect(timeline.map((e) => [e.syncSeq, e.message.seq])).toEqual([[1, 1], [2, 2], [3, 4]]);
    });

    it('records operation events: never unread, and a recall redacts its target and the target\'s edits in the same commit', async () => {
      const ports = ctx.stores();
      const { a, b, chat } = await setup();
      const bytes = (c: Content['kind']) => toBinary(ContentSchema, create(ContentSchema, { kind: c }));
      const textOf = (t: string) => bytes({ case: 'text', value: create(TextSchema, { text: t }) });
      await ports.messages.append([
        appendItem(makeMessage(chat, 1, a, { content: textOf('secret'), serverTime: 2000 }), [a, b], true),
        appendItem(makeMessage(chat, 2, a, { content: textOf('kept') }), [a, b], true),
        appendItem(makeMessage(chat, 3, a, { content: bytes({ case: 'edit', value: create(EditSchema, { targetSeq: 1, text: 'secret v2' }) }) }), [a, b], true),
        appendItem(makeMessage(chat, 4, a, { content: bytes({ case: 'reaction', value: create(ReactionSchema, { targetSeq: 2, emoji: 'x', add: true }) }) }), [a, b], true),
      ]);
      // b has two unread messages; the edit and the reaction are not counted.
      expect(await ports.conversations.unreadCounts(b, chat)).toEqual({ unread: 2, total: 2 });
      expect(await ports.conversations.totalUnread(b)).toBe(2);
      expect((await ports.conversations.listUserConversations(b, 10, 0))[0]!.opsUnread).toBe(2);
      await ports.conversations.advanceReadSeq(chat, b, 1);
      expect(await ports.conversations.unreadCounts(b, chat)).toEqual({ unread: 1, total: 1 });

      await ports.messages.append([appendItem(makeMessage(chat, 5, b, { content: bytes({ case: 'recall', value: create(RecallSchema, { targetSeq: 1 }) }), serverTime: 9000 }), [a, b], true)]);
      const [target, kept, edit] = await ports.messages.getRange(chat, 1, 3, 10);
      expect(fromBinary(ContentSchema, target!.content).kind).toMatchObject({ case: 'recalled', value: { by: String(b), at: 9000, op: false } });
      expect(fromBinary(ContentSchema, edit!.content).kind).toMatchObject({ case: 'recalled', value: { op: true } });
      expect(fromBinary(ContentSchema, kept!.content).kind.case).toBe('text');
      for (const found of [await ports.messages.getById(target!.id), (await ports.messages.readTimeline(a, 0, 10))[0]!.message]) {
        expect(fromBinary(ContentSchema, found!.content).kind.case).toBe('recalled');
      }
      // b sent the recall: read up to it; a has read its own messages only.
      expect(await ports.conversations.unreadCounts(b, chat)).toEqual({ unread: 0, total: 0 });
      expect(await ports.conversations.unreadCounts(a, chat)).toEqual({ unread: 0, total: 0 });
    });

    it('lists the current pins newest pin first, paged, converging with pin, unpin and recall events (last one in a batch wins)', async () => {
      const ports = ctx.stores();
      const { a, b, chat } = await setup();
      const bytes = (c: Content['kind']) => toBinary(ContentSchema, create(ContentSchema, { kind: c }));
      const pin = (seq: number, target: number, pinned: boolean, by = a) =>
        appendItem(makeMessage(chat, seq, by, { content: bytes({ case: 'pin', value: create(PinChangeSchema, { targetSeq: target, pinned }) }), serverTime: 1000 + seq }), [a, b], true);
      const textAt = (seq: number) => appendItem(makeMessage(chat, seq, a, { content: bytes({ case: 'text', value: create(TextSchema, { text: `m${seq}` }) }) }), [a, b], true);
      await ports.messages.append([textAt(1), textAt(2), textAt(3), textAt(4)]);
      await ports.messages.append([pin(5, 1, true), pin(6, 2, true, b), pin(7, 3, true)]);
      const list = async (before = 0, limit = 10) => (await ports.messages.listPins(chat, before, limit)).map((p) => [p.message.seq, p.pinSeq, p.pinnedBy]);
      expect(await list()).toEqual([[3, 7, a], [2, 6, b], [1, 5, a]]);
      expect(await list(0, 2)).toEqual([[3, 7, a], [2, 6, b]]);
      expect(await list(6, 2)).toEqual([[1, 5, a]]);
      // Unpin 2; pin 1 again (moves to the top); in one batch pin then unpin 4: unpinned.
      await ports.messages.append([pin(8, 2, false), pin(9, 1, true), pin(10, 4, true), pin(11, 4, false)]);
      expect(await list()).toEqual([[1, 9, a], [3, 7, a]]);
      // A recall of a pinned message removes its pin.
      await ports.messages.append([appendItem(makeMessage(chat, 12, a, { content: bytes({ case: 'recall', value: create(RecallSchema, { targetSeq: 3 }) }) }), [a, b], true)]);
      expect(await list()).toEqual([[1, 9, a]]);
      const [only] = await ports.messages.listPins(chat, 0, 10);
      expect(only!.pinnedAt).toBe(1009);
      expect(fromBinary(ContentSchema, only!.message.content).kind).toMatchObject({ case: 'text', value: { text: 'm1' } });
      expect(await ports.messages.listPins(chat + 1000, 0, 10)).toEqual([]);
    });

    it('rejects a taken seq with SeqConflictError and commits nothing of the batch', async () => {
      const ports = ctx.stores();
      const { a, b, c, chat } = await setup();
      await ports.messages.append([appendItem(makeMessage(chat, 1, a), [a, b], true)]);
      const before = await observe(ports, chat, [a, b, c]);

      const fresh = makeMessage(chat, 2, a, { mentions: [b] });
      const stale = makeMessage(chat, 1, b, { mentionAll: true });
      const error = await ports.messages.append([
        appendItem(fresh, [a, b, c], true),
        appendItem(stale, [a, b, c], true),
      ]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SeqConflictError);
      expect(error).toMatchObject({ conversationId: chat, seq: 1 });

      expect(await ports.messages.getById(fresh.id)).toBeNull();
      expect(await ports.messages.findByClientMsgId(a, fresh.clientMsgId)).toBeNull();
      expect(await observe(ports, chat, [a, b, c])).toEqual(before);
      // The rolled-back batch consumed no sync seqs: c's first entry is still 1.
      const [ok] = await ports.messages.append([appendItem(makeMessage(chat, 2, a), [c])]);
      expect(ok!.syncSeqs).toEqual([1]);
    });

    it('rejects two messages with one seq inside a batch', async () => {
      const ports = ctx.stores();
      const { a, b, chat } = await setup();
      const before = await observe(ports, chat, [a, b]);
      const error = await ports.messages.append([
        appendItem(makeMessage(chat, 1, a), [a, b]),
        appendItem(makeMessage(chat, 1, b), [a, b]),
      ]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SeqConflictError);
      expect(await observe(ports, chat, [a, b])).toEqual(before);
    });

    it('rejects a repeated (sender, clientMsgId) with DuplicateClientMsgIdError and commits nothing', async () => {
      const ports = ctx.stores();
      const { a, b, chat } = await setup();
      const original = makeMessage(chat, 1, a);
      await ports.messages.append([appendItem(original, [a, b], true)]);
      const before = await observe(ports, chat, [a, b]);

      const other = makeMessage(chat, 2, b);
      const repeat = makeMessage(chat, 3, a, { clientMsgId: original.clientMsgId });
      const error = await ports.messages.append([appendItem(other, [a, b]), appendItem(repeat, [a, b])]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateClientMsgIdError);
      expect(error).toMatchObject({ senderId: a, clientMsgId: original.clientMsgId });
      expect(await ports.messages.getById(other.id)).toBeNull();
      expect(await observe(ports, chat, [a, b])).toEqual(before);
      expect(plain(await ports.messages.findByClientMsgId(a, original.clientMsgId))).toEqual(plain(original));

      // Within one batch too.
      const twin = makeMessage(chat, 2, b);
      const twinError = await ports.messages.append([
        appendItem(twin),
        appendItem(makeMessage(chat, 3, b, { clientMsgId: twin.clientMsgId })),
      ]).catch((e: unknown) => e);
      expect(twinError).toBeInstanceOf(DuplicateClientMsgIdError);
      expect(await ports.messages.getById(twin.id)).toBeNull();
    });

    it('scopes client message ids to their sender', async () => {
      const { messages } = ctx.stores();
      const { a, b, chat } = await setup();
      const fromA = makeMessage(chat, 1, a, { clientMsgId: 'same-id' });
      const fromB = makeMessage(chat, 2, b, { clientMsgId: 'same-id' });
      await messages.append([appendItem(fromA), appendItem(fromB)]);
      expect((await messages.findByClientMsgId(a, 'same-id'))!.id).toBe(fromA.id);
      expect((await messages.findByClientMsgId(b, 'same-id'))!.id).toBe(fromB.id);
    });

    it("moves the sender's read seq to its own message, never backwards", async () => {
      const { messages, conversations } = ctx.stores();
      const { a, b, chat } = await setup();
      await messages.append([appendItem(makeMessage(chat, 1, a), [], true)]);
      expect((await conversations.getMember(chat, a))!.readSeq).toBe(1);
      expect((await conversations.getMember(chat, b))!.readSeq).toBe(0);
      await messages.append([appendItem(makeMessage(chat, 2, a), [], false)]);
      expect((await conversations.getMember(chat, a))!.readSeq).toBe(1);
      await messages.append([appendItem(makeMessage(chat, 5, a), [], true)]);
      await messages.append([appendItem(makeMessage(chat, 4, a), [], true)]);
      expect((await conversations.getMember(chat, a))!.readSeq).toBe(5);
    });

    it('counts unread mentions: by name for the named member, @all for everyone but the sender, once per message', async () => {
      const { identity, messages, conversations } = ctx.stores();
      const [owner, x, y, z] = (await createUsers(identity, 4)) as [UserId, UserId, UserId, UserId];
      const group = await conversations.createGroup({
        name: 'g', avatarUrl: '', announcement: '', ownerId: owner, joinPolicy: 'open', memberIds: [x, y, z], large: false,
      }, 1000);
      const mentionsOf = async (userId: UserId): Promise<number> =>
        (await conversations.listUserConversations(userId, 50, 0)).find((v) => v.conversation.id === group.id)!.mentions;

      await messages.append([
        appendItem(makeMessage(group.id, 1, owner, { mentions: [x] })),
        appendItem(makeMessage(group.id, 2, owner, { mentionAll: true })),
        appendItem(makeMessage(group.id, 3, x, { mentions: [y], mentionAll: true })),
        appendItem(makeMessage(group.id, 4, y)),
      ]);
      expect(await mentionsOf(x)).toBe(2); // seq 1 by name, seq 2 @all; its own @all at 3 does not count
      expect(await mentionsOf(y)).toBe(2); // seq 2, seq 3 (named and @all: once)
      expect(await mentionsOf(z)).toBe(2); // seq 2, seq 3
      expect(await mentionsOf(owner)).toBe(1); // seq 3 @all; own @all at 2 does not count

      await conversations.advanceReadSeq(group.id, x, 1);
      expect(await mentionsOf(x)).toBe(1);
      await conversations.advanceReadSeq(group.id, z, 3);
      expect(await mentionsOf(z)).toBe(0);
      await conversations.advanceReadSeq(group.id, y, 2);
      expect(await mentionsOf(y)).toBe(1);
    });

    it('reads ranges ascending and history descending, with bounds and limits', async () => {
      const { messages } = ctx.stores();
      const { a, chat } = await setup();
      await messages.append(Array.from({ length: 10 }, (_, i) => appendItem(makeMessage(chat, i + 1, a))));
      const seqs = (list: StoredMessage[]): number[] => list.map((m) => m.seq);
      expect(seqs(await messages.getRange(chat, 3, 6, 100))).toEqual([3, 4, 5, 6]);
      expect(seqs(await messages.getRange(chat, 3, 6, 2))).toEqual([3, 4]);
      expect(seqs(await messages.getRange(chat, 9, 50, 100))).toEqual([9, 10]);
      expect(seqs(await messages.getRange(chat, 11, 50, 100))).toEqual([]);
      expect(seqs(await messages.getBefore(chat, 0, 3))).toEqual([10, 9, 8]);
      expect(seqs(await messages.getBefore(chat, 4, 10))).toEqual([3, 2, 1]);
      expect(seqs(await messages.getBefore(chat, 1, 10))).toEqual([]);
      const { chat: empty } = await setup();
      expect(await messages.getRange(empty, 1, 100, 10)).toEqual([]);
      expect(await messages.getBefore(empty, 0, 10)).toEqual([]);
    });

    it('reads a timeline after a sync seq with a limit and reports its bounds', async () => {
      const { messages } = ctx.stores();
      const { a, b, c, chat } = await setup();
      expect(await messages.timelineBounds(c)).toEqual({ head: 0, oldest: 0 });
      expect(await messages.readTimeline(c, 0, 10)).toEqual([]);
      const sent = Array.from({ length: 6 }, (_, i) => makeMessage(chat, i + 1, a));
      await messages.append(sent.map((m) => appendItem(m, [b])));
      const page = await messages.readTimeline(b, 2, 3);
      expect(page.map((e) => e.syncSeq)).toEqual([3, 4, 5]);
      expect(page.map((e) => plain(e.message))).toEqual(sent.slice(2, 5).map(plain));
      expect(await messages.timelineBounds(b)).toEqual({ head: 6, oldest: 1 });
    });

    it('trims timelines without losing messages or reusing sync seqs', async () => {
      const { messages } = ctx.stores();
      const { a, b, chat } = await setup();
      const sent = Array.from({ length: 5 }, (_, i) => makeMessage(chat, i + 1, a));
      await messages.append(sent.map((m) => appendItem(m, [a, b])));
      await messages.trimTimeline(b, 3);
      expect(await messages.timelineBounds(b)).toEqual({ head: 5, oldest: 4 });
      expect((await messages.readTimeline(b, 0, 10)).map((e) => e.syncSeq)).toEqual([4, 5]);
      expect(await messages.timelineBounds(a)).toEqual({ head: 5, oldest: 1 });
      expect(await messages.getById(sent[0]!.id)).not.toBeNull();

      await messages.trimTimeline(b, 5);
      expect(await messages.timelineBounds(b)).toEqual({ head: 5, oldest: 0 });
      expect(await messages.readTimeline(b, 0, 10)).toEqual([]);
      const [next] = await messages.append([appendItem(makeMessage(chat, 6, a), [b])]);
      expect(next!.syncSeqs).toEqual([6]);
      expect(await messages.timelineBounds(b)).toEqual({ head: 6, oldest: 6 });
    });

    it('keeps sync seqs unique and in commit order under concurrent appends (readers only ever see a growing prefix)', async () => {
      const { identity, conversations, messages } = ctx.stores();
      const peer = await ctx.peer();
      const [reader, ...senders] = await createUsers(identity, 7);
      const chats = await Promise.all(senders.map(async (s) => (await conversations.getOrCreateDirect(s, reader!, 1)).conversation.id));
      const perChat = 12;
      const assigned = new Map<number, string>();
      const snapshots: Array<Array<[number, string]>> = [];
      let writing = true;

      const readLoop = (async () => {
        while (writing) {
          const store: MessageStore = peer && snapshots.length % 2 ? peer.messages : messages;
          const entries: TimelineEntry[] = await store.readTimeline(reader!, 0, 10_000);
          snapshots.push(entries.map((e) => [e.syncSeq, e.message.id]));
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await Promise.all(chats.map(async (chat, i) => {
        const store = peer && i % 2 ? peer.messages : messages;
        for (let seq = 1; seq <= perChat; seq++) {
          const message = makeMessage(chat, seq, senders[i]!);
          const [result] = await store.append([appendItem(message, [reader!, senders[i]!])]);
          const syncSeq = result!.syncSeqs[0]!;
          expect(assigned.has(syncSeq)).toBe(false);
          assigned.set(syncSeq, message.id);
        }
      }));
      writing = false;
      await readLoop;

      const final = (await messages.readTimeline(reader!, 0, 10_000)).map((e): [number, string] => [e.syncSeq, e.message.id]);
      expect(final).toHaveLength(chats.length * perChat);
      expect(final[0]![0]).toBe(1);
      for (let i = 1; i < final.length; i++) expect(final[i]![0]).toBeGreaterThan(final[i - 1]![0]);
      expect(new Map(final)).toEqual(assigned);
      for (const snapshot of snapshots) expect(final.slice(0, snapshot.length)).toEqual(snapshot);
    });

    it('keeps one user timeline consistent when batches interleave through two handles', async () => {
      const { messages } = ctx.stores();
      const peer = await ctx.peer();
      if (!peer) return; // single-handle adapters are covered by the test above
      const { a, b, chat } = await setup();
      let seq = 0;
      for (let round = 0; round < 6; round++) {
        for (const store of [messages, peer.messages, peer.messages, messages]) {
          seq += 1;
          const [r] = await store.append([appendItem(makeMessage(chat, seq, a), [b])]);
          expect(r!.syncSeqs).toEqual([seq]);
        }
      }
      expect(await peer.messages.timelineBounds(b)).toEqual({ head: seq, oldest: 1 });
    });
  });
}
