import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { device, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;


async function openDirect(c: RawClient, peer: Account): Promise<string> {
  const r = await c.request({ case: 'openDirect', value: { userId: peer.userId } });
  return body(r, 'conversationInfo').conversation!.conversationId;
}

describe.each(['sqlite', 'memory'] as const)('one-to-one messaging on %s', (storage) => {
  let node: Node;
  let alice: Account;
  let bob: Account;

  beforeAll(async () => {
    node = await startTestNode({ storage });
    [alice, bob] = await Promise.all([register(node.httpUrl, 'alice'), register(node.httpUrl, 'bob')]);
  });
  afterAll(async () => node.cleanup());

  it('delivers both ways to every device of both users, over WS, WS-JSON and TCP', async () => {
    const a1 = await device(node, alice, 'a-phone', 'ws');
    const a2 = await device(node, alice, 'a-laptop', 'tcp');
    const b1 = await device(node, bob, 'b-phone', 'ws-json');
    const b2 = await device(node, bob, 'b-web', 'ws');
    const conv = await openDirect(a1, bob);
    expect(await openDirect(b1, alice)).toBe(conv);

    const ack = body(await a1.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'm1', content: text('你好 👋') } }), 'sendAck');
    expect(ack.seq).toBe(1);
    expect(ack.duplicate).toBe(false);
    const ack2 = body(await b2.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'm2', content: text('hi alice') } }), 'sendAck');
    expect(ack2.seq).toBe(2);

    for (const c of [b1, b2, a2]) await c.waitForPushes(c === b2 ? 1 : 2, conv);
    await a1.waitForPushes(1, conv);
    const seen = (c: RawClient) => c.pushes(conv).map((p) => body(p, 'push').message!.seq);
    expect(seen(a2)).toEqual([1, 2]); // alice's other device gets her own message too
    expect(seen(b1)).toEqual([1, 2]);
    expect(seen(a1)).toEqual([2]); // the sending device gets only the peer's message
    expect(seen(b2)).toEqual([1]);
    const m = body(b1.pushes(conv)[0]!, 'push').message!;
    expect(m.content?.kind.case).toBe('text');
    expect(m.content?.kind.value).toMatchObject({ text: '你好 👋' });
    expect(m.senderId).toBe(alice.userId);
    for (const c of [a1, a2, b1, b2]) c.close();
  });

  it('answers a resend with the same ack and stores nothing new', async () => {
    const a = await device(node, alice, 'a-resend');
    const b = await device(node, bob, 'b-resend');
    const conv = await openDirect(a, bob);
    const first = body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'same-id', content: text('once') } }), 'sendAck');
    const again = body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'same-id', content: text('once') } }), 'sendAck');
    expect(again.messageId).toBe(first.messageId);
    expect(again.seq).toBe(first.seq);
    expect(again.duplicate).toBe(true);
    const hist = body(await b.request({ case: 'history', value: { conversationId: conv } }), 'historyResult');
    expect(hist.messages.filter((x) => x.clientMsgId === 'same-id')).toHaveLength(1);
    a.close();
    b.close();
  });

  it('lets an offline device catch up exactly once and in order through sync', async () => {
    const a = await device(node, alice, 'a-sync');
    const conv = await openDirect(a, bob);
    const b = await device(node, bob, 'b-offline');
    const auth0 = b.frames.find((f) => f.body.case === 'authOk')!;
    const cursor0 = body(auth0, 'authOk').syncSeq;
    b.close();
    await b.waitClosed();
    const acks = [];
    for (let i = 0; i < 25; i++) acks.push(body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `off-${i}`, content: text(`m${i}`) } }), 'sendAck'));
    const b2 = await device(node, bob, 'b-offline');
    const got: number[] = [];
    let cursor = cursor0;
    for (;;) {
      const page = body(await b2.request({ case: 'sync', value: { cursor, limit: 10 } }), 'syncResult');
      expect(page.resyncRequired).toBe(false);
      for (const e of page.entries) if (e.message!.conversationId === conv) got.push(e.message!.seq);
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    expect(got).toEqual(acks.map((x) => x.seq));
    const again = body(await b2.request({ case: 'sync', value: { cursor, limit: 10 } }), 'syncResult');
    expect(again.entries).toHaveLength(0);
    a.close();
    b2.close();
  });

  it('pages history backwards 10 at a time and fills gaps forward', async () => {
    const a = await device(node, alice, 'a-hist');
    const carol = await register(node.httpUrl, 'carol');
    const conv = await openDirect(a, carol);
    for (let i = 1; i <= 23; i++) await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `h${i}`, content: text(`h${i}`) } });
    const p1 = body(await a.request({ case: 'history', value: { conversationId: conv } }), 'historyResult');
    expect(p1.messages.map((m) => m.seq)).toEqual([23, 22, 21, 20, 19, 18, 17, 16, 15, 14]);
    expect(p1.hasMore).toBe(true);
    const p3 = body(await a.request({ case: 'history', value: { conversationId: conv, beforeSeq: 4 } }), 'historyResult');
    expect(p3.messages.map((m) => m.seq)).toEqual([3, 2, 1]);
    expect(p3.hasMore).toBe(false);
    const range = body(await a.request({ case: 'pullRange', value: { conversationId: conv, fromSeq: 5, toSeq: 8 } }), 'historyResult');
    expect(range.messages.map((m) => m.seq)).toEqual([5, 6, 7, 8]);
    a.close();
  });

  it('keeps unread and total consistent, and mark-read reaches the other devices and the peer', async () => {
    const dave = await register(node.httpUrl, 'dave');
    const erin = await register(node.httpUrl, 'erin');
    const d1 = await device(node, dave, 'd1');
    const d2 = await device(node, dave, 'd2');
    const e1 = await device(node, erin, 'e1');
    const conv = await openDirect(e1, dave);
    for (let i = 0; i < 5; i++) await e1.request({ case: 'send', value: { conversationId: conv, clientMsgId: `u${i}`, content: text('x') } });
    const list = body(await d1.request({ case: 'listConversations', value: {} }), 'conversationList');
    const row = list.conversations.find((c) => c.conversationId === conv)!;
    expect(row.unread).toBe(5);
    expect(list.totalUnread).toBe(list.conversations.reduce((s, c) => s + c.unread, 0));
    expect(row.lastMessage?.seq).toBe(5);
    expect(row.peerId).toBe(erin.userId);

    const upd = body(await d1.request({ case: 'markRead', value: { conversationId: conv, seq: 3 } }), 'readUpdate');
    expect(upd.readSeq).toBe(3);
    expect(upd.unread).toBe(2);
    const other = await d2.waitFor((f) => f.body.case === 'readUpdate' && f.id === 0);
    expect(body(other, 'readUpdate').readSeq).toBe(3);
    const receipt = await e1.waitFor((f) => f.body.case === 'readUpdate');
    expect(body(receipt, 'readUpdate').userId).toBe(dave.userId);
    // Reading backwards or past the end never moves the position wrongly.
    expect(body(await d1.request({ case: 'markRead', value: { conversationId: conv, seq: 1 } }), 'readUpdate').readSeq).toBe(3);
    expect(body(await d1.request({ case: 'markRead', value: { conversationId: conv, seq: 999 } }), 'readUpdate').unread).toBe(0);
    for (const c of [d1, d2, e1]) c.close();
  });

  it('never drifts unread under concurrent sends and reads', async () => {
    const users = await Promise.all([0, 1, 2].map((i) => register(node.httpUrl, `cc${i}`)));
    const reader = await device(node, users[0]!, 'reader');
    const senders = await Promise.all(users.slice(1).map((u, i) => device(node, u, `sender${i}`)));
    const convs = await Promise.all(senders.map((s) => openDirect(s, users[0]!)));
    const sends = senders.flatMap((s, i) => Array.from({ length: 40 }, (_, k) =>
      s.request({ case: 'send', value: { conversationId: convs[i]!, clientMsgId: `c${k}`, content: text('c') } })));
    const reads = Array.from({ length: 30 }, (_, k) =>
      reader.request({ case: 'markRead', value: { conversationId: convs[k % 2]!, seq: k * 2 } }));
    const readReplies = await Promise.all(reads);
    await Promise.all(sends);
    for (const r of readReplies) {
      const u = body(r, 'readUpdate');
      expect(u.unread).toBeGreaterThanOrEqual(0);
      expect(u.totalUnread).toBeGreaterThanOrEqual(u.unread);
    }
    const list = body(await reader.request({ case: 'listConversations', value: {} }), 'conversationList');
    const sum = list.conversations.reduce((s, c) => s + c.unread, 0);
    expect(list.totalUnread).toBe(sum);
    for (const c of list.conversations) expect(c.unread).toBe(c.lastSeq - c.readSeq);
    reader.close();
    for (const s of senders) s.close();
  });

  it('relays typing without storing it, and shows presence to contacts', async () => {
    const a = await device(node, alice, 'a-typing');
    const b = await device(node, bob, 'b-typing');
    const conv = await openDirect(a, bob);
    await b.request({ case: 'presenceSubscribe', value: { userIds: [alice.userId] } });
    body(await a.request({ case: 'typing', value: { conversationId: conv, typing: true } }), 'ok');
    const t = body(await b.waitFor((f) => f.body.case === 'typingUpdate'), 'typingUpdate');
    expect(t.userId).toBe(alice.userId);
    const p = body(await b.request({ case: 'presenceQuery', value: { userIds: [alice.userId] } }), 'presenceResult');
    expect(p.users[0]!.online).toBe(true);
    a.close();
    const update = await b.waitFor((f) => f.body.case === 'presenceUpdate' && !body(f, 'presenceUpdate').user!.devices.find((d) => d.deviceId === 'a-typing')?.online);
    expect(body(update, 'presenceUpdate').user!.userId).toBe(alice.userId);
    b.close();
  });
});
