/**
 * Per-user conversation settings through the SDK against the real server (in
 * process, SQLite): a change on one device reaches the user's other online
 * device as a 'conversationSettings' event, and a device that was offline
 * converges to the same state when it connects.
 */
import { Errors, XinboxError, type ConversationSettings } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { until, useLiveNode } from './support/live-node.js';
import { HttpApi } from '../src/http-api.js';

const live = useLiveNode('xinbox-sdk-settings-');

describe('conversation settings through the SDK', () => {
  it('syncs pin, mute, archive and drafts to another online device and to one that was offline', async () => {
    for (const u of ['cat', 'dan', 'eve']) await new HttpApi(live.node().httpUrl).register(u, `pw-${u}-12345`);
    const seen1: ConversationSettings[] = [];
    const seen2: ConversationSettings[] = [];
    const c1 = await live.online('cat', 'cat-1', (c) => c.on('conversationSettings', (s) => seen1.push(s)));
    const c2 = await live.online('cat', 'cat-2', (c) => c.on('conversationSettings', (s) => seen2.push(s)));
    const dan = await live.online('dan', 'dan-1', () => {});
    const conv = (await c1.openDirect({ userId: dan.userId! })).conversationId;

    const pinned = await c1.setConversationSettings(conv, { pinned: true, muted: true });
    expect(pinned).toMatchObject({ conversationId: conv, muted: true });
    await c2.setConversationSettings(conv, { archived: true, draft: '周五开会', draftAt: 10 });
    await until('both devices saw both changes', () => [seen1, seen2].every((s) => s.some((x) => x.archived && x.draft === '周五开会')));
    expect(seen2.at(-1)).toEqual(seen1.at(-1));
    expect(seen1.at(-1)!.pinnedAt).toBe(pinned.pinnedAt);

    const seen3: ConversationSettings[] = [];
    const c3 = await live.online('cat', 'cat-3', (c) => c.on('conversationSettings', (s) => seen3.push(s)));
    await until('the offline device caught up', () => seen3.some((x) => x.draft === '周五开会'));
    expect(seen3.at(-1)).toEqual(seen1.at(-1));
    const list = await c3.listConversations();
    expect(list.conversations.find((c) => c.conversationId === conv)?.settings).toMatchObject({ muted: true, archived: true, draft: '周五开会' });

    const eve = await live.online('eve', 'eve-1', () => {});
    const refused = await eve.setConversationSettings(conv, { muted: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(XinboxError);
    expect((refused as XinboxError).code).toBe(Errors.NOT_A_MEMBER.code);
  });

  it('deletes for me on every device of the user, not for the other member', async () => {
    for (const u of ['fay', 'gus']) await new HttpApi(live.node().httpUrl).register(u, `pw-${u}-12345`);
    const hidden: Array<{ conversationId: string; seqs: readonly number[] }> = [];
    const f1 = await live.online('fay', 'fay-1', () => {});
    await live.online('fay', 'fay-2', (c) => c.on('messagesHidden', (h) => hidden.push(h)));
    const gus = await live.online('gus', 'gus-1', () => {});
    const conv = (await gus.openDirect({ userId: f1.userId! })).conversationId;
    const acks = [await gus.send(conv, 'one'), await gus.send(conv, 'two')];
    await f1.deleteForMe(conv, [acks[0]!.seq]);
    await until('the other device was told', () => hidden.length > 0);
    expect(hidden[0]).toEqual({ conversationId: conv, seqs: [acks[0]!.seq] });
    const mine = await f1.history(conv, { limit: 10 });
    expect(mine.messages.filter((m) => !m.hidden).map((m) => m.seq)).toEqual([acks[1]!.seq]);
    const theirs = await gus.history(conv, { limit: 10 });
    expect(theirs.messages.filter((m) => !m.hidden)).toHaveLength(2);
  });
});
