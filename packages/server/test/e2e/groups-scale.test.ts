import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, login, register, text, type Account } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

async function inBatches<T>(n: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => make(i + k)))));
  return out;
}

describe('a 10,000-member group', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode();
  });
  afterAll(async () => node.cleanup());

  it('reaches 1,000 online members through read fan-out, with membership churn while messages flow', async () => {
    const members: Account[] = await inBatches(10_000, 200, () => register(node.httpUrl, 'big'));
    const newcomers: Account[] = await inBatches(100, 100, () => register(node.httpUrl, 'new'));
    const ownerLogin = await login(node.httpUrl, members[0]!, 'owner');
    const owner = await RawClient.ws(node.wsUrl);
    await owner.request({ case: 'auth', value: { token: ownerLogin.accessToken } });
    const created = body(await owner.request({ case: 'groupCreate', value: { name: 'everyone', memberIds: members.slice(1, 500).map((m) => m.userId) } }), 'groupInfo');
    const conv = created.group!.conversationId;
    for (let i = 500; i < members.length; i += 500) {
      body(await owner.request({ case: 'groupInvite', value: { conversationId: conv, userIds: members.slice(i, i + 500).map((m) => m.userId) } }, 30_000), 'groupInfo');
    }
    const info = body(await owner.request({ case: 'groupGet', value: { conversationId: conv } }), 'groupInfo').group!;
    expect(info.memberCount).toBe(10_000);
    expect(info.large).toBe(true);

    // 1,000 online members (plus 100 online non-members who join mid-stream).
    const online = [...members.slice(1, 1001), ...newcomers];
    const clients = await inBatches(online.length, 100, async (i) => {
      const l = await login(node.httpUrl, online[i]!, 'd');
      const c = await RawClient.connect(i % 2 ? 'tcp' : 'ws', node, `127.0.0.${2 + (i % 8)}`);
      body(await c.request({ case: 'auth', value: { token: l.accessToken } }, 30_000), 'authOk');
      return c;
    });
    const memberClients = clients.slice(0, 1000);
    const newcomerClients = clients.slice(1000);
    const kicked = members.slice(901, 1001); // the last 100 online members get kicked mid-stream
    const stayers = memberClients.slice(0, 900);

    const before = info.lastSeq;
    const acks: number[] = [];
    for (let i = 0; i < 30; i++) {
      if (i === 10) body(await owner.request({ case: 'groupInvite', value: { conversationId: conv, userIds: newcomers.map((u) => u.userId) } }), 'groupInfo');
      if (i === 20) body(await owner.request({ case: 'groupKick', value: { conversationId: conv, userIds: kicked.map((u) => u.userId) } }), 'ok');
      acks.push(body(await owner.request({ case: 'send', value: { conversationId: conv, clientMsgId: `big-${i}`, content: text(`broadcast ${i}`) } }), 'sendAck').seq);
    }
    const last = acks[acks.length - 1]!;
    const pushedSeqs = (c: RawClient) => c.pushes(conv).map((p) => body(p, 'push').message!.seq);
    const deadline = Date.now() + 20_000;
    while (stayers.some((c) => !pushedSeqs(c).includes(last)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    // Every staying member got every message (and system notice) after connecting, in order. A push whose
    // ack is late (2 s by default: a loaded machine) is retransmitted, as protocol.md documents, so the wire
    // may repeat a message; clients deduplicate by (conversation, seq), and a repeat is only ever of a seq
    // already delivered, never a new message out of order.
    for (const c of stayers) {
      const seqs = pushedSeqs(c).filter((s) => s > before);
      const firstArrivals = seqs.filter((s, i) => seqs.indexOf(s) === i);
      expect(firstArrivals).toEqual(Array.from({ length: last - before }, (_, i) => before + 1 + i));
    }
    // Newcomers got everything from their join on; kicked members nothing after their kick.
    const joinSeq = acks[9]! + 1;
    for (const c of newcomerClients) expect(Math.min(...pushedSeqs(c))).toBeGreaterThanOrEqual(joinSeq);
    for (const c of newcomerClients) expect(pushedSeqs(c)).toContain(last);
    const kickSeq = acks[19]! + 1;
    for (const c of memberClients.slice(900)) expect(Math.max(...pushedSeqs(c))).toBeLessThanOrEqual(kickSeq);

    // Unread for a large group is lastSeq - readSeq without per-member writes.
    const list = body(await stayers[0]!.request({ case: 'listConversations', value: {} }), 'conversationList');
    const row = list.conversations.find((c) => c.conversationId === conv)!;
    expect(row.unread).toBe(row.lastSeq - row.readSeq);
    expect(list.totalUnread).toBe(list.conversations.reduce((s, c) => s + c.unread, 0));
    for (const c of [owner, ...clients]) c.close();
  }, 240_000);
});
