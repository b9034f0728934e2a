/** @all is for group owners and admins only; everyone else gets MENTION_ALL_FORBIDDEN and nothing is stored. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors, GroupRole } from '@xinbox/protocol';
import { device, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body, errorCode } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
let n = 0;
const send = (c: RawClient, conv: string, extra: Record<string, unknown>) =>
  c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `all-${n++}`, content: text('hello @all'), ...extra } as never });

describe('@all', () => {
  let node: Node;
  let users: Account[];
  beforeAll(async () => {
    node = await startTestNode();
    users = await Promise.all(Array.from({ length: 3 }, (_, i) => register(node.httpUrl, `m${i}`)));
  });
  afterAll(async () => node.cleanup());

  it('is allowed to owners and admins, refused to members and in direct chats; mentions are counted for the others', async () => {
    const [owner, admin, member] = users as [Account, Account, Account];
    const o = await device(node, owner, 'o');
    const a = await device(node, admin, 'a');
    const m = await device(node, member, 'm');
    const conv = body(await o.request({ case: 'groupCreate', value: { name: 'all', memberIds: [admin.userId, member.userId] } }), 'groupInfo').group!.conversationId;
    body(await o.request({ case: 'groupSetRole', value: { conversationId: conv, userId: admin.userId, role: GroupRole.ADMIN } }), 'ok');
    const before = body(await m.request({ case: 'groupGet', value: { conversationId: conv } }), 'groupInfo').group!.lastSeq;

    expect(errorCode(await send(m, conv, { mentionAll: true }))).toBe(Errors.MENTION_ALL_FORBIDDEN.code);
    expect(body(await m.request({ case: 'groupGet', value: { conversationId: conv } }), 'groupInfo').group!.lastSeq).toBe(before);
    body(await send(o, conv, { mentionAll: true }), 'sendAck');
    body(await send(a, conv, { mentionAll: true }), 'sendAck');
    body(await send(m, conv, { mentions: [owner.userId] }), 'sendAck');

    // The owner: the admin's @all and the member's @owner (their own @all does not count; sending reads up to it).
    const rows = body(await o.request({ case: 'listConversations', value: {} }), 'conversationList').conversations;
    expect(rows.find((r) => r.conversationId === conv)!.mentions).toBe(2);
    const direct = body(await m.request({ case: 'openDirect', value: { userId: owner.userId } }), 'conversationInfo').conversation!.conversationId;
    expect(errorCode(await send(m, direct, { mentionAll: true }))).toBe(Errors.MENTION_ALL_FORBIDDEN.code);
    for (const c of [o, a, m]) c.close();
  });
});
