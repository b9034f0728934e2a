/**
 * Search end to end over real sockets on a real node (SQLite FTS5 on the
 * storage thread): what a user finds is exactly what they may read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors, type Frame, type SearchResult } from '@xinbox/protocol';
import { device, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body, errorCode } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

async function createGroup(c: RawClient, name: string, members: Account[]): Promise<string> {
  return body(await c.request({ case: 'groupCreate', value: { name, memberIds: members.map((m) => m.userId) } }), 'groupInfo').group!.conversationId;
}
async function say(c: RawClient, conv: string, t: string, extra: Record<string, unknown> = {}): Promise<void> {
  body(await c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `m-${Math.random().toString(36).slice(2)}`, content: text(t), ...extra } as never }), 'sendAck');
}
function search(c: RawClient, query: string, opts: { conversationId?: string; cursor?: string; limit?: number } = {}): Promise<Frame> {
  return c.request({ case: 'search', value: { query, conversationId: opts.conversationId ?? '0', cursor: opts.cursor ?? '', limit: opts.limit ?? 0 } });
}
async function found(c: RawClient, query: string, opts: { conversationId?: string } = {}): Promise<string[]> {
  const r: SearchResult = body(await search(c, query, opts), 'searchResult');
  return r.hits.map((h) => (h.message!.content!.kind.case === 'text' ? h.message!.content!.kind.value.text : '?'));
}

describe('search', () => {
  let node: Node;
  let users: Account[];
  beforeAll(async () => {
    node = await startTestNode();
    users = await Promise.all(Array.from({ length: 5 }, (_, i) => register(node.httpUrl, `s${i}`)));
  });
  afterAll(async () => node.cleanup());

  it('finds Chinese and English text with highlighted snippets, newest first, paged by cursor', async () => {
    const [alice, bob] = users as [Account, Account];
    const a = await device(node, alice, 'a');
    const b = await device(node, bob, 'b');
    const conv = await createGroup(a, '项目组', [bob]);
    await say(a, conv, '周五之前提交季度预算报告');
    await say(b, conv, 'Budget draft is in the shared folder');
    await say(a, conv, `${'很长的前文，'.repeat(30)}关键的预算数字在这里${'，后面还有很多内容'.repeat(20)}`);

    const r = body(await search(b, '预算'), 'searchResult');
    expect(r.hits.map((h) => h.message!.seq)).toEqual([4, 2]); // seq 1 is the group's creation notice
    const long = r.hits[0]!;
    expect(long.snippet.startsWith('\u2026') && long.snippet.endsWith('\u2026')).toBe(true);
    expect(long.snippet.length).toBeLessThanOrEqual(122);
    expect(long.highlights.map((h) => long.snippet.slice(h.start, h.start + h.length))).toEqual(['预算']);
    expect(long.message!.conversationKind).toBeGreaterThan(0);

    const en = body(await search(b, 'BUDGET draft'), 'searchResult');
    expect(en.hits).toHaveLength(1);
    expect(en.hits[0]!.highlights.map((h) => en.hits[0]!.snippet.slice(h.start, h.start + h.length))).toEqual(['Budget', 'draft']);

    const first = body(await search(b, '预算', { limit: 1 }), 'searchResult');
    expect(first.hasMore).toBe(true);
    const second = body(await search(b, '预算', { limit: 1, cursor: first.nextCursor }), 'searchResult');
    expect(second.hits.map((h) => h.message!.seq)).toEqual([2]);
    expect(second.hasMore).toBe(false);
    expect(second.nextCursor).toBe('');

    // 1-2 character queries (below a trigram) still find recent messages.
    expect(await found(b, '报告')).toEqual(['周五之前提交季度预算报告']);
    await Promise.all([a.close(), b.close()]);
  });

  it('never returns a message the user may not read: before joining, after leaving, others\' conversations, personalised to others', async () => {
    const [alice, bob, carol, dave, eve] = users as [Account, Account, Account, Account, Account];
    const a = await device(node, alice, 'a2');
    const b = await device(node, bob, 'b2');
    const c = await device(node, carol, 'c2');
    const d = await device(node, dave, 'd2');
    const e = await device(node, eve, 'e2');
    const conv = await createGroup(a, 'launch', [bob]);
    await say(a, conv, 'launch code alpha before carol');
    body(await a.request({ case: 'groupInvite', value: { conversationId: conv, userIds: [carol.userId] } }), 'groupInfo');
    await say(a, conv, 'launch code bravo after carol');
    await say(a, conv, 'launch code charlie only for bob', { visibleTo: [bob.userId] });
    const direct = body(await d.request({ case: 'openDirect', value: { userId: eve.userId } }), 'conversationInfo').conversation!.conversationId;
    await say(d, direct, 'launch code delta between dave and eve');

    expect(await found(c, 'launch code')).toEqual(['launch code bravo after carol']);
    expect(await found(c, '码')).toEqual([]);
    expect(await found(b, 'launch code')).toEqual(['launch code charlie only for bob', 'launch code bravo after carol', 'launch code alpha before carol']);
    expect(await found(a, 'launch code')).toHaveLength(3);
    expect(await found(e, 'launch code')).toEqual(['launch code delta between dave and eve']);
    expect(errorCode(await search(b, 'launch', { conversationId: direct }))).toBe(Errors.NOT_A_MEMBER.code);

    body(await b.request({ case: 'groupLeave', value: { conversationId: conv } }), 'ok');
    expect(await found(b, 'launch code')).toEqual([]);
    expect(await found(b, 'la')).toEqual([]);
    expect(errorCode(await search(b, 'launch', { conversationId: conv }))).toBe(Errors.NOT_A_MEMBER.code);
    await Promise.all([a, b, c, d, e].map((x) => x.close()));
  });

  it('refuses bad queries with SEARCH_QUERY_INVALID', async () => {
    const b = await device(node, users[1]!, 'b3');
    for (const [query, cursor] of [['   ', ''], ['x'.repeat(101), ''], ['a b c d e f g h i', ''], ['ok', 'not-a-cursor'], ['ok', '-5']]) {
      expect(errorCode(await search(b, query!, { cursor }))).toBe(Errors.SEARCH_QUERY_INVALID.code);
    }
    await b.close();
  });
});

describe('search after a recall', () => {
  let node: Node;
  afterAll(async () => node.cleanup());
  beforeAll(async () => {
    node = await startTestNode();
  });

  it('a recalled message is no longer found by anyone (its index row leaves with its content)', async () => {
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'rs-a'), register(node.httpUrl, 'rs-b')]);
    const a = await device(node, alice, 'a');
    const b = await device(node, bob, 'b');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    await say(a, conv, '密码是 zebra-crossing-42');
    await say(a, conv, 'zebra-crossing-42 is also kept here');
    expect(await found(b, 'zebra-crossing')).toHaveLength(2);
    const target = body(await search(a, '密码是'), 'searchResult').hits[0]!.message!.seq;
    body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'rs-recall', content: { kind: { case: 'recall', value: { targetSeq: target } } } } as never }), 'sendAck');
    for (const c of [a, b]) {
      expect(await found(c, '密码是')).toEqual([]);
      expect(await found(c, 'zebra-crossing')).toEqual(['zebra-crossing-42 is also kept here']);
    }
    a.close();
    b.close();
  });

  it('an edit re-indexes its message: the old text is no longer found, the new text finds the original seq', async () => {
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'es-a'), register(node.httpUrl, 'es-b')]);
    const a = await device(node, alice, 'a');
    const b = await device(node, bob, 'b');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    await say(a, conv, '会议改到 tuesday-standup 下午');
    const target = body(await search(a, 'tuesday-standup'), 'searchResult').hits[0]!.message!.seq;
    body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'es-edit', content: { kind: { case: 'edit', value: { targetSeq: target, text: '会议改到 thursday-retro 上午' } } } } as never }), 'sendAck');
    for (const c of [a, b]) {
      expect(await found(c, 'tuesday-standup')).toEqual([]);
      const r = body(await search(c, 'thursday-retro'), 'searchResult');
      expect(r.hits.map((h) => [h.message!.seq, h.snippet])).toEqual([[target, '会议改到 thursday-retro 上午']]);
      expect(await found(c, '上午')).toHaveLength(1);
    }
    a.close();
    b.close();
  });
});
