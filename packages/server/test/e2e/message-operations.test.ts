import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors, GroupRole, type Frame, type Message } from '@xinbox/protocol';
import { ConversationFold } from '@xinbox/sdk';
import { device, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body, errorCode } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const WINDOW_MS = 1500;

function send(c: RawClient, conv: string, clientMsgId: string, content: unknown): Promise<Frame> {
  return c.request({ case: 'send', value: { conversationId: conv, clientMsgId, content } as never });
}
async function ack(c: RawClient, conv: string, clientMsgId: string, content: unknown): Promise<number> {
  return body(await send(c, conv, clientMsgId, content), 'sendAck').seq;
}
const op = (kind: 'recall' | 'edit' | 'reaction' | 'pin', value: Record<string, unknown>) => ({ kind: { case: kind, value } });

async function syncMessages(c: RawClient): Promise<Message[]> {
  const out: Message[] = [];
  let cursor = 0;
  for (;;) {
    const page = body(await c.request({ case: 'sync', value: { cursor, limit: 50 } }), 'syncResult');
    out.push(...page.entries.map((e) => e.message!));
    cursor = page.nextCursor;
    if (!page.hasMore) return out;
  }
}
async function historyFold(c: RawClient, conv: string): Promise<ConversationFold> {
  const fold = new ConversationFold();
  for (const m of body(await c.request({ case: 'history', value: { conversationId: conv, limit: 100 } }), 'historyResult').messages) fold.add(m);
  return fold;
}
function foldOf(messages: Message[], conv: string): ConversationFold {
  const fold = new ConversationFold();
  for (const m of messages) if (m.conversationId === conv) fold.add(m);
  return fold;
}
async function unreadOf(c: RawClient, conv: string): Promise<{ unread: number; total: number }> {
  const list = body(await c.request({ case: 'listConversations', value: { limit: 50 } }), 'conversationList');
  return { unread: list.conversations.find((x) => x.conversationId === conv)!.unread, total: list.totalUnread };
}

describe('message operations (recall, edit, reply, reactions, forward, pins)', () => {
  let node: Node;
  let alice: Account;
  let bob: Account;
  let carol: Account;
  beforeAll(async () => {
    node = await startTestNode({ recallWindowMs: WINDOW_MS });
    [alice, bob, carol] = await Promise.all(['ops-a', 'ops-b', 'ops-c'].map((p) => register(node.httpUrl, p))) as [Account, Account, Account];
  });
  afterAll(async () => node.cleanup());

  it('converges on two online devices, an offline device that syncs later, and history; operations are never unread', async () => {
    const a1 = await device(node, alice, 'a1');
    const a2 = await device(node, alice, 'a2');
    const b1 = await device(node, bob, 'b1');
    const conv = body(await a1.request({ case: 'groupCreate', value: { name: 'ops', memberIds: [bob.userId, carol.userId] } }), 'groupInfo').group!.conversationId;
    const direct = body(await a1.request({ case: 'openDirect', value: { userId: carol.userId } }), 'conversationInfo').conversation!.conversationId;

    const hello = await ack(b1, conv, 'b-hello', text('hello from bob'));
    const mine = await ack(a1, conv, 'a-mine', text('first draft'));
    const doomed = await ack(b1, conv, 'b-doomed', text('oops, secret'));
    body(await b1.request({ case: 'markRead', value: { conversationId: conv, seq: doomed } }), 'readUpdate');

    const reply = await ack(a1, conv, 'a-reply', { ...text('agreed'), reply: { seq: hello } });
    await ack(a1, conv, 'a-edit1', op('edit', { targetSeq: mine, text: 'second draft' }));
    await ack(a1, conv, 'a-edit2', op('edit', { targetSeq: mine, text: 'final' }));
    await ack(a1, conv, 'a-react', op('reaction', { targetSeq: hello, emoji: '👍', add: true }));
    await ack(b1, conv, 'b-react', op('reaction', { targetSeq: hello, emoji: '👍', add: true }));
    await ack(b1, conv, 'b-react-heart', op('reaction', { targetSeq: mine, emoji: '❤️', add: true }));
    await ack(b1, conv, 'b-unreact', op('reaction', { targetSeq: hello, emoji: '👍', add: false }));
    await ack(a1, conv, 'a-pin', op('pin', { targetSeq: hello, pinned: true }));
    await ack(b1, conv, 'b-recall', op('recall', { targetSeq: doomed }));
    // A forward copies the source's content whatever the client claims, and names its origin.
    const fwdAck = body(await send(a1, direct, 'a-fwd', { ...text('forged'), forwarded: { conversationId: conv, seq: hello } }), 'sendAck');
    // The SDK's form: an empty text placeholder.
    body(await send(a1, direct, 'a-fwd2', { ...text(''), forwarded: { conversationId: conv, seq: mine } }), 'sendAck');

    const lastSeq = reply + 8;

    // a2 was online for all of it (pushes of Alice's own sends from a1 and Bob's sends).
    const live = await a2.waitForPushes(lastSeq, conv);
    const liveFold = foldOf(live.map((f) => body(f, 'push').message!), conv);
    // a3 was never connected: it catches up through ordinary sync from cursor 0.
    const a3 = await device(node, alice, 'a3');
    const synced = await syncMessages(a3);
    const syncFold = foldOf(synced, conv);
    const hist = await historyFold(a1, conv);

    const views = hist.views();
    // Carol read nothing: every message is unread (the recalled one's placeholder too), none of the 8 operations is.
    const c1 = await device(node, carol, 'c1');
    expect(await unreadOf(c1, conv)).toEqual({ unread: views.length, total: views.length + 2 });
    expect(views.length).toBe(lastSeq - 8);

    expect(liveFold.views()).toEqual(views);
    expect(syncFold.views()).toEqual(views);
    expect(foldOf(synced, direct).views()).toHaveLength(2);

    const bySeq = new Map(views.map((v) => [v.seq, v]));
    expect(bySeq.get(hello)!.reactions).toEqual({ '👍': [alice.userId] });
    expect(bySeq.get(hello)!.pinned).toBe(true);
    expect(bySeq.get(mine)!.edited).toBe(true);
    expect(bySeq.get(mine)!.editHistory).toEqual(['first draft', 'second draft']);
    expect((bySeq.get(mine)!.content!.kind.value as { text: string }).text).toBe('final');
    expect(bySeq.get(mine)!.reactions).toEqual({ '❤️': [bob.userId] });
    expect(bySeq.get(reply)!.reply).toMatchObject({ seq: hello, senderId: bob.userId, snippet: 'hello from bob' });
    expect(bySeq.get(doomed)!.recalled).toMatchObject({ by: bob.userId });
    expect(hist.pinnedSeqs()).toEqual([hello]);

    // The recalled content is gone from storage: history, sync and the stored row hold the placeholder.
    const stored = body(await a1.request({ case: 'pullRange', value: { conversationId: conv, fromSeq: doomed, toSeq: doomed } }), 'historyResult').messages[0]!;
    expect(stored.content!.kind.case).toBe('recalled');
    expect(JSON.stringify(synced)).not.toContain('oops, secret');

    const forwarded = foldOf(synced, direct).views()[0]!;
    expect(forwarded.seq).toBe(fwdAck.seq);
    expect((forwarded.content!.kind.value as { text: string }).text).toBe('hello from bob');
    expect(forwarded.forwarded).toMatchObject({ conversationId: conv, seq: hello, senderId: bob.userId });

    for (const c of [a1, a2, a3, b1, c1]) c.close();
  });

  it('refuses what the caller may not do, with catalog errors', async () => {
    const a = await device(node, alice, 'auth-a');
    const b = await device(node, bob, 'auth-b');
    const c = await device(node, carol, 'auth-c');
    const conv = body(await a.request({ case: 'groupCreate', value: { name: 'auth', memberIds: [bob.userId, carol.userId] } }), 'groupInfo').group!.conversationId;
    const aliceMsg = await ack(a, conv, 'auth-a1', text('alice speaks'));
    const bobMsg = await ack(b, conv, 'auth-b1', text('bob speaks'));
    const bobImage = await ack(b, conv, 'auth-b2', { kind: { case: 'image', value: { url: 'https://example.com/x.png' } } });

    // Members cannot recall or edit others' messages.
    expect(errorCode(await send(b, conv, 'x1', op('recall', { targetSeq: aliceMsg })))).toBe(Errors.NOT_YOUR_MESSAGE.code);
    expect(errorCode(await send(b, conv, 'x2', op('edit', { targetSeq: aliceMsg, text: 'hijack' })))).toBe(Errors.NOT_YOUR_MESSAGE.code);
    // Even the owner cannot edit someone else's message; only text is editable.
    expect(errorCode(await send(a, conv, 'x3', op('edit', { targetSeq: bobMsg, text: 'hijack' })))).toBe(Errors.NOT_YOUR_MESSAGE.code);
    expect(errorCode(await send(b, conv, 'x4', op('edit', { targetSeq: bobImage, text: 'caption' })))).toBe(Errors.CONTENT_INVALID.code);
    // Only owners/admins pin in groups.
    expect(errorCode(await send(b, conv, 'x5', op('pin', { targetSeq: bobMsg, pinned: true })))).toBe(Errors.PERMISSION_DENIED.code);
    // Targets must exist, be messages, and not be recalled.
    expect(errorCode(await send(b, conv, 'x6', op('reaction', { targetSeq: 999, emoji: '👍', add: true })))).toBe(Errors.TARGET_NOT_FOUND.code);
    const reacted = await ack(b, conv, 'x7', op('reaction', { targetSeq: aliceMsg, emoji: '👍', add: true }));
    expect(errorCode(await send(b, conv, 'x8', op('reaction', { targetSeq: reacted, emoji: '👍', add: true })))).toBe(Errors.TARGET_NOT_FOUND.code);
    expect(errorCode(await send(b, conv, 'x9', { ...op('recall', { targetSeq: bobMsg }), visibleTo: [] , reply: { seq: aliceMsg } }))).toBe(Errors.CONTENT_INVALID.code);
    expect(errorCode(await send(b, conv, 'x10', op('reaction', { targetSeq: aliceMsg, emoji: '', add: true })))).toBe(Errors.CONTENT_INVALID.code);

    // Past the window the sender cannot recall; an admin can, at any time.
    body(await a.request({ case: 'groupSetRole', value: { conversationId: conv, userId: carol.userId, role: GroupRole.ADMIN } }), 'ok');
    await new Promise((r) => setTimeout(r, WINDOW_MS + 100));
    expect(errorCode(await send(b, conv, 'x11', op('recall', { targetSeq: bobMsg })))).toBe(Errors.RECALL_WINDOW_PASSED.code);
    await ack(c, conv, 'c-recall', op('recall', { targetSeq: bobMsg }));
    expect(errorCode(await send(a, conv, 'x12', op('reaction', { targetSeq: bobMsg, emoji: '👍', add: true })))).toBe(Errors.MESSAGE_RECALLED.code);
    expect(errorCode(await send(a, conv, 'x13', { ...text('re'), reply: { seq: bobMsg } }))).toBe(Errors.MESSAGE_RECALLED.code);
    // Clients cannot write the placeholder themselves.
    expect(errorCode(await send(a, conv, 'x14', { kind: { case: 'recalled', value: { by: alice.userId } } }))).toBe(Errors.PERMISSION_DENIED.code);

    // Forwarding needs read access to the source.
    const other = body(await c.request({ case: 'groupCreate', value: { name: 'private', memberIds: [] } }), 'groupInfo').group!.conversationId;
    const secret = await ack(c, other, 'c-secret', text('carol only'));
    const ab = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    expect(errorCode(await send(a, ab, 'x15', { ...text('leak'), forwarded: { conversationId: other, seq: secret } }))).toBe(Errors.NOT_A_MEMBER.code);

    // A member who left cannot react.
    body(await b.request({ case: 'groupLeave', value: { conversationId: conv } }), 'ok');
    expect(errorCode(await send(b, conv, 'x16', op('reaction', { targetSeq: aliceMsg, emoji: '👍', add: false })))).toBe(Errors.NOT_A_MEMBER.code);
    for (const x of [a, b, c]) x.close();
  });
});
