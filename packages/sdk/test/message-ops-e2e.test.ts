/**
 * Message operations through the SDK against the real server (in process,
 * SQLite): recall, edit, react, pin, reply and forward from one client reach
 * the peer's device as ordinary `message` events, and ConversationFold gives
 * the same state there as on a device that connects later and syncs.
 */
import { Errors, XinboxError, type Message } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { until, useLiveNode } from './support/live-node.js';
import { XinboxClient } from '../src/client.js';
import { HttpApi } from '../src/http-api.js';
import { ConversationFold, isSilent } from '../src/message-ops.js';

const live = useLiveNode('xinbox-sdk-ops-');
const node = {
  get httpUrl(): string {
    return live.node().httpUrl;
  },
};

async function online(user: string, deviceId: string): Promise<{ client: XinboxClient; messages: Message[] }> {
  const messages: Message[] = [];
  const client = await live.online(user, deviceId, (c) => c.on('message', (x) => messages.push(x)));
  return { client, messages };
}

function fold(messages: Message[], conv: string): ConversationFold {
  const f = new ConversationFold();
  for (const m of messages) if (m.conversationId === conv) f.add(m);
  return f;
}

describe('message operations through the SDK', () => {
  it('recall, edit, react, pin, reply and forward converge on a live device and a later one', async () => {
    for (const u of ['opsann', 'opsben']) await new HttpApi(node.httpUrl).register(u, `pw-${u}-12345`);
    const ann = await online('opsann', 'ann-1');
    const ben = await online('opsben', 'ben-1');
    const benId = ben.client.userId!;
    const conv = (await ann.client.openDirect({ userId: benId })).conversationId;
    const group = (await ann.client.createGroup('fwd', [benId])).group!.conversationId;

    const hello = (await ben.client.send(conv, 'hello ann')).seq;
    const draft = (await ann.client.send(conv, 'draft')).seq;
    const oops = (await ann.client.send(conv, 'oops')).seq;
    await ann.client.edit(conv, draft, 'final');
    await ann.client.react(conv, hello, '🎉');
    await ann.client.pin(conv, hello);
    const reply = (await ann.client.reply(conv, hello, 'hi ben')).seq;
    await ann.client.recall(conv, oops);
    const [fwd] = await ann.client.forward([{ conversationId: conv, seq: hello }], [group]);
    await expect(ben.client.edit(conv, draft, 'mine now')).rejects.toMatchObject({ code: Errors.NOT_YOUR_MESSAGE.code });
    await expect(ben.client.recall(conv, draft)).rejects.toBeInstanceOf(XinboxError);

    await until('ben has every event', () => ben.messages.some((m) => m.conversationId === group && m.seq === fwd!.seq) && ben.messages.filter((m) => m.conversationId === conv).length >= 8);
    const live = fold(ben.messages, conv);
    const later = await online('opsben', 'ben-2');
    await until('ben-2 synced', () => later.messages.filter((m) => m.conversationId === conv).length >= 8);
    expect(fold(later.messages, conv).views()).toEqual(live.views());

    const views = new Map(live.views().map((v) => [v.seq, v]));
    expect(views.get(draft)).toMatchObject({ edited: true, editHistory: ['draft'] });
    expect(views.get(hello)).toMatchObject({ pinned: true, reactions: { '🎉': [ann.client.userId] } });
    expect(views.get(reply)!.reply).toMatchObject({ seq: hello, snippet: 'hello ann' });
    expect(views.get(oops)!.recalled).not.toBeNull();
    expect(ben.messages.filter((m) => m.conversationId === conv && isSilent(m))).toHaveLength(4);
    const forwarded = fold(later.messages, group).views().find((v) => v.seq === fwd!.seq)!;
    expect(forwarded.forwarded).toMatchObject({ conversationId: conv, seq: hello });
    expect((forwarded.content!.kind.value as { text: string }).text).toBe('hello ann');
    // Operations are not unread: ben's unread in the chat is ann's three messages (draft, oops, the reply).
    await until('unread settles', () => later.client.conversation(conv)?.unread === 3);
  });

  it('lists a conversation\'s current pins from the server: paged, equal to the fold, members only, recall and unpin remove', async () => {
    for (const u of ['pinown', 'pinmem', 'pinout']) await new HttpApi(node.httpUrl).register(u, `pw-${u}-12345`);
    const owner = await online('pinown', 'own-1');
    const member = await online('pinmem', 'mem-1');
    const outsider = await online('pinout', 'out-1');
    const group = (await owner.client.createGroup('pins', [member.client.userId!])).group!.conversationId;
    const seqs: number[] = [];
    for (const t of ['one', 'two', 'three', 'four']) seqs.push((await member.client.send(group, t)).seq);
    for (const seq of seqs) await owner.client.pin(group, seq);
    await owner.client.pin(group, seqs[1]!, false);
    await owner.client.recall(group, seqs[2]!); // an owner recalls a member's pinned message
    await owner.client.pin(group, seqs[0]!); // pinned again: back on top

    const texts = (r: { pins: Array<{ message?: Message }> }) => r.pins.map((p) => (p.message!.content!.kind.value as { text: string }).text);
    const first = await member.client.listPins(group, { limit: 1 });
    expect(texts(first)).toEqual(['one']);
    expect(first.hasMore).toBe(true);
    expect(first.pins[0]!.pinnedBy).toBe(owner.client.userId);
    const second = await member.client.listPins(group, { cursor: first.nextCursor, limit: 1 });
    expect(texts(second)).toEqual(['four']);
    expect(second.hasMore).toBe(false);
    // The server's list equals the fold of the events a device received.
    await until('member has every pin event', () => member.messages.filter((m) => m.conversationId === group).length >= 11);
    const pinned = fold(member.messages, group).pinnedSeqs();
    const listed = (await member.client.listPins(group)).pins.map((p) => p.message!.seq).sort((a, b) => a - b);
    expect(listed).toEqual(pinned);
    expect(listed).toEqual([seqs[0], seqs[3]]);

    await expect(outsider.client.listPins(group)).rejects.toMatchObject({ code: Errors.NOT_A_MEMBER.code });
    await expect(member.client.listPins(group, { cursor: 'abc' })).rejects.toMatchObject({ code: Errors.INVALID_ARGUMENT.code });
    await member.client.leaveGroup(group);
    await expect(member.client.listPins(group)).rejects.toMatchObject({ code: Errors.NOT_A_MEMBER.code });
  });
});
