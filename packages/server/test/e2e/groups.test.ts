import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors, GroupRole, type Frame } from '@xinbox/protocol';
import { device, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body, errorCode } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const THRESHOLD = 5;

async function createGroup(c: RawClient, name: string, members: Account[]): Promise<string> {
  const r = await c.request({ case: 'groupCreate', value: { name, memberIds: members.map((m) => m.userId) } });
  return body(r, 'groupInfo').group!.conversationId;
}

function send(c: RawClient, conv: string, id: string, extra: Record<string, unknown> = {}): Promise<Frame> {
  return c.request({ case: 'send', value: { conversationId: conv, clientMsgId: id, content: text(id), ...extra } as never });
}

async function syncAll(c: RawClient, cursor = 0): Promise<{ seqsByConv: Map<string, number[]>; large: Map<string, number>; cursor: number }> {
  const seqsByConv = new Map<string, number[]>();
  const large = new Map<string, number>();
  for (;;) {
    const page = body(await c.request({ case: 'sync', value: { cursor, limit: 50 } }), 'syncResult');
    for (const e of page.entries) {
      const list = seqsByConv.get(e.message!.conversationId) ?? [];
      list.push(e.message!.seq);
      seqsByConv.set(e.message!.conversationId, list);
    }
    for (const s of page.largeConversations) large.set(s.conversationId, s.lastSeq);
    cursor = page.nextCursor;
    if (!page.hasMore) return { seqsByConv, large, cursor };
  }
}

describe('groups', () => {
  let node: Node;
  let users: Account[];
  beforeAll(async () => {
    node = await startTestNode({ largeGroupThreshold: THRESHOLD });
    users = await Promise.all(Array.from({ length: 9 }, (_, i) => register(node.httpUrl, `g${i}`)));
  });
  afterAll(async () => node.cleanup());

  it('enforces roles, mutes and membership, and writes every change as a system message', async () => {
    const [owner, admin, member, outsider] = users as [Account, Account, Account, Account];
    const o = await device(node, owner, 'o');
    const a = await device(node, admin, 'a');
    const m = await device(node, member, 'm');
    const x = await device(node, outsider, 'x');
    const conv = await createGroup(o, 'team', [admin, member]);
    body(await o.request({ case: 'groupSetRole', value: { conversationId: conv, userId: admin.userId, role: GroupRole.ADMIN } }), 'ok');

    expect(errorCode(await send(x, conv, 'intruder'))).toBe(Errors.NOT_A_MEMBER.code);
    expect(errorCode(await m.request({ case: 'groupKick', value: { conversationId: conv, userIds: [admin.userId] } }))).toBe(Errors.PERMISSION_DENIED.code);
    expect(errorCode(await a.request({ case: 'groupKick', value: { conversationId: conv, userIds: [owner.userId] } }))).toBe(Errors.PERMISSION_DENIED.code);
    expect(errorCode(await a.request({ case: 'groupSetRole', value: { conversationId: conv, userId: member.userId, role: GroupRole.ADMIN } }))).toBe(Errors.PERMISSION_DENIED.code);
    expect(errorCode(await o.request({ case: 'groupLeave', value: { conversationId: conv } }))).toBe(Errors.PERMISSION_DENIED.code);

    body(await a.request({ case: 'groupMute', value: { conversationId: conv, userId: member.userId, mutedUntil: Date.now() + 60_000 } }), 'ok');
    expect(errorCode(await send(m, conv, 'muted'))).toBe(Errors.MUTED.code);
    body(await a.request({ case: 'groupMute', value: { conversationId: conv, userId: member.userId, mutedUntil: 0 } }), 'ok');
    body(await send(m, conv, 'unmuted'), 'sendAck');
    body(await o.request({ case: 'groupMute', value: { conversationId: conv, userId: '0', mutedUntil: Date.now() + 60_000 } }), 'ok');
    expect(errorCode(await send(m, conv, 'all-muted'))).toBe(Errors.MUTED.code);
    body(await send(a, conv, 'admins-may-speak'), 'sendAck');

    const members = body(await m.request({ case: 'groupMembers', value: { conversationId: conv, limit: 2 } }), 'groupMemberList');
    expect(members.members).toHaveLength(2);
    expect(members.hasMore).toBe(true);

    const hist = body(await o.request({ case: 'history', value: { conversationId: conv, limit: 50 } }), 'historyResult');
    const kinds = hist.messages.filter((x) => x.content?.kind.case === 'system').map((x) => (x.content!.kind.value as { kind: string }).kind);
    expect(kinds).toEqual(expect.arrayContaining(['group_created', 'role_changed', 'member_muted', 'member_unmuted', 'group_muted']));
    const seqs = hist.messages.map((x) => x.seq).reverse();
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

    // Transfer, then the old owner may leave; the kicked cannot read what follows.
    body(await o.request({ case: 'groupTransfer', value: { conversationId: conv, newOwnerId: admin.userId } }), 'ok');
    body(await a.request({ case: 'groupMute', value: { conversationId: conv, userId: '0', mutedUntil: 0 } }), 'ok');
    body(await a.request({ case: 'groupKick', value: { conversationId: conv, userIds: [member.userId] } }), 'ok');
    body(await send(a, conv, 'after-kick'), 'sendAck');
    expect(errorCode(await m.request({ case: 'history', value: { conversationId: conv } }))).toBe(Errors.NOT_A_MEMBER.code);
    expect(errorCode(await send(m, conv, 'kicked-posting'))).toBe(Errors.NOT_A_MEMBER.code);
    body(await o.request({ case: 'groupLeave', value: { conversationId: conv } }), 'ok');
    body(await a.request({ case: 'groupDissolve', value: { conversationId: conv } }), 'ok');
    expect(errorCode(await send(a, conv, 'dissolved'))).toBe(Errors.GROUP_DISSOLVED.code);
    for (const c of [o, a, m, x]) c.close();
  });

  it('shows new members history from their join point only, and handles join policies', async () => {
    const [owner, early, late, asker] = users.slice(4, 8) as [Account, Account, Account, Account];
    const o = await device(node, owner, 'o2');
    const conv = await createGroup(o, 'history', [early]);
    for (let i = 0; i < 3; i++) await send(o, conv, `before-${i}`);
    body(await o.request({ case: 'groupInvite', value: { conversationId: conv, userIds: [late.userId] } }), 'groupInfo');
    await send(o, conv, 'after-join');
    const l = await device(node, late, 'l');
    const h = body(await l.request({ case: 'history', value: { conversationId: conv, limit: 50 } }), 'historyResult');
    expect(h.messages.map((m) => m.clientMsgId).filter((c) => !c.startsWith('sys-'))).toEqual(['after-join']);

    body(await o.request({ case: 'groupUpdate', value: { conversationId: conv, joinPolicy: 2 } }), 'groupInfo');
    const q = await device(node, asker, 'q');
    expect(errorCode(await q.request({ case: 'groupJoin', value: { conversationId: conv } }))).toBe(Errors.PENDING_APPROVAL.code);
    body(await o.request({ case: 'groupApprove', value: { conversationId: conv, userId: asker.userId, approve: true } }), 'ok');
    expect(body(await q.request({ case: 'groupGet', value: { conversationId: conv } }), 'groupInfo').myRole).toBe(GroupRole.MEMBER);
    for (const c of [o, l, q]) c.close();
  });

  it('counts @mentions apart from unread and hides personalised messages from others', async () => {
    const [owner, bob, carol] = [users[0]!, users[1]!, users[2]!];
    const o = await device(node, owner, 'o3');
    const conv = await createGroup(o, 'mentions', [bob, carol]);
    await send(o, conv, 'hey-bob', { mentions: [bob.userId] });
    await send(o, conv, 'hey-all', { mentionAll: true });
    await send(o, conv, 'secret-for-carol', { visibleTo: [carol.userId] });
    const b = await device(node, bob, 'b3');
    const list = body(await b.request({ case: 'listConversations', value: {} }), 'conversationList');
    const row = list.conversations.find((c) => c.conversationId === conv)!;
    expect(row.mentions).toBe(2);
    const h = body(await b.request({ case: 'history', value: { conversationId: conv, limit: 3 } }), 'historyResult');
    const secret = h.messages.find((m) => m.seq === row.lastSeq)!;
    expect(secret.hidden).toBe(true);
    expect(secret.content).toBeUndefined();
    const { seqsByConv } = await syncAll(b);
    expect(seqsByConv.get(conv)).not.toContain(row.lastSeq);
    const c = await device(node, carol, 'c3');
    const hc = body(await c.request({ case: 'history', value: { conversationId: conv, limit: 1 } }), 'historyResult');
    expect(hc.messages[0]!.clientMsgId).toBe('secret-for-carol');
    for (const x of [o, b, c]) x.close();
  });

  it('uses write fan-out below the threshold and read fan-out above it, switching without loss or duplicates', async () => {
    const [owner, ...rest] = users as [Account, ...Account[]];
    const o = await device(node, owner, 'o4');
    const watcher = rest[0]!;
    // The watcher's phone stays offline through the whole switch; its laptop stays online.
    const laptop = await device(node, watcher, 'w-laptop');
    const conv = await createGroup(o, 'switch', rest.slice(0, 2)); // 3 members: small
    let sent = 0;
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) body(await send(o, conv, `s${sent++}`), 'sendAck');
    };
    await burst(3);
    const small = body(await o.request({ case: 'groupGet', value: { conversationId: conv } }), 'groupInfo').group!;
    expect(small.large).toBe(false);
    body(await o.request({ case: 'groupInvite', value: { conversationId: conv, userIds: rest.slice(2, 6).map((u) => u.userId) } }), 'groupInfo');
    const large = body(await o.request({ case: 'groupGet', value: { conversationId: conv } }), 'groupInfo').group!;
    expect(large.large).toBe(true); // 7 members > 5
    await burst(3);
    body(await o.request({ case: 'groupKick', value: { conversationId: conv, userIds: rest.slice(2, 5).map((u) => u.userId) } }), 'ok');
    expect(body(await o.request({ case: 'groupGet', value: { conversationId: conv } }), 'groupInfo').group!.large).toBe(false);
    await burst(3);
    const lastSeq = body(await o.request({ case: 'groupGet', value: { conversationId: conv } }), 'groupInfo').group!.lastSeq;

    // Online laptop: pushes while small (timeline) and while large (audience), each seq once.
    await laptop.waitFor(() => laptop.pushes(conv).some((p) => body(p, 'push').message!.seq === lastSeq));
    const pushed = laptop.pushes(conv).map((p) => body(p, 'push').message!.seq);
    expect(new Set(pushed).size).toBe(pushed.length);
    expect([...pushed].sort((x, y) => x - y)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));

    // Offline phone: timeline sync + the large-conversation cursor + gap pull give every seq exactly once.
    const phone = await device(node, watcher, 'w-phone');
    const { seqsByConv, large: largeConvs } = await syncAll(phone);
    const got = new Set(seqsByConv.get(conv) ?? []);
    expect(largeConvs.has(conv)).toBe(false); // small again now
    const missing = Array.from({ length: lastSeq }, (_, i) => i + 1).filter((s) => !got.has(s));
    expect(missing.length).toBeGreaterThan(0); // the read-fan-out stretch is not in the timeline...
    const fill = body(await phone.request({ case: 'pullRange', value: { conversationId: conv, fromSeq: Math.min(...missing), toSeq: Math.max(...missing) } }), 'historyResult');
    for (const m of fill.messages) got.add(m.seq);
    expect(got.size).toBe(lastSeq); // ...and gap detection fills it
    for (const c of [o, laptop, phone]) c.close();
  });

  it('keeps total unread equal to the sum over small and large groups under concurrent sends and reads', async () => {
    const [reader, ...others] = users as [Account, ...Account[]];
    const smallConv = await createGroup(await device(node, others[0]!, 'mk-s'), 'small', [reader]);
    const largeConv = await createGroup(await device(node, others[1]!, 'mk-l'), 'large', [reader, ...others.slice(2, 7)]);
    const r = await device(node, reader, 'reader');
    const s1 = await device(node, others[0]!, 'snd1');
    const s2 = await device(node, others[1]!, 'snd2');
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      work.push(send(s1, smallConv, `x${i}`), send(s2, largeConv, `y${i}`));
      if (i % 3 === 0) work.push(r.request({ case: 'markRead', value: { conversationId: i % 2 ? smallConv : largeConv, seq: i } }));
    }
    const replies = (await Promise.all(work)) as Frame[];
    for (const f of replies) {
      if (f.body.case !== 'readUpdate') continue;
      expect(f.body.value.unread).toBeGreaterThanOrEqual(0);
      expect(f.body.value.totalUnread).toBeGreaterThanOrEqual(f.body.value.unread);
    }
    const list = body(await r.request({ case: 'listConversations', value: {} }), 'conversationList');
    expect(list.totalUnread).toBe(list.conversations.reduce((s, c) => s + c.unread, 0));
    const large = list.conversations.find((c) => c.conversationId === largeConv)!;
    expect(large.large).toBe(true);
    expect(large.unread).toBe(large.lastSeq - large.readSeq);

    const receipts = body(await s2.request({ case: 'readReceipts', value: { conversationId: largeConv, seq: 1 } }), 'readReceiptsResult');
    expect(receipts.readBy).toEqual([]); // large: counts only
    expect(receipts.memberCount).toBe(7);
    const small = body(await s1.request({ case: 'readReceipts', value: { conversationId: smallConv, seq: 1 } }), 'readReceiptsResult');
    expect(small.readBy).toContain(others[0]!.userId);
    for (const c of [r, s1, s2]) c.close();
  });

  it('refuses oversized member lists and unknown users without half-applying', async () => {
    const o = await device(node, users[0]!, 'o6');
    const tooMany = Array.from({ length: 501 }, (_, i) => String(1_000_000 + i));
    expect(errorCode(await o.request({ case: 'groupCreate', value: { name: 'big', memberIds: tooMany } }))).toBe(Errors.LIST_TOO_LARGE.code);
    expect(errorCode(await o.request({ case: 'groupCreate', value: { name: 'ghosts', memberIds: ['987654321'] } }))).toBe(Errors.NOT_FOUND.code);
    const conv = await createGroup(o, 'racing', [users[1]!]);
    const b = await device(node, users[1]!, 'b6');
    // Race a kick against a stream of sends: each send either lands before the kick or fails cleanly.
    const sends = Array.from({ length: 20 }, (_, i) => send(b, conv, `race${i}`));
    const kick = o.request({ case: 'groupKick', value: { conversationId: conv, userIds: [users[1]!.userId] } });
    const results = await Promise.all(sends);
    body(await kick, 'ok');
    const acked = results.filter((f) => f.body.case === 'sendAck').length;
    for (const f of results) if (f.body.case === 'error') expect(f.body.value.code).toBe(Errors.NOT_A_MEMBER.code);
    const h = body(await o.request({ case: 'history', value: { conversationId: conv, limit: 100 } }), 'historyResult');
    expect(h.messages.filter((m) => m.clientMsgId.startsWith('race'))).toHaveLength(acked);
    o.close();
    b.close();
  });
});
