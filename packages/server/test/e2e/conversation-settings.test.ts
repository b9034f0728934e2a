import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors, type ConversationSettings, type Frame, type RelationChange } from '@xinbox/protocol';
import { device, register, text, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body, errorCode } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const set = (c: RawClient, conversationId: string, value: Record<string, unknown>): Promise<Frame> =>
  c.request({ case: 'conversationSettingsSet', value: { conversationId, ...value } });

async function waitSettings(c: RawClient, conversationId: string, match: (s: ConversationSettings) => boolean): Promise<ConversationSettings> {
  const f = await c.waitFor((fr: Frame) => fr.id === 0 && fr.body.case === 'relationChange'
    && fr.body.value.change.case === 'conversationSettings' && fr.body.value.change.value.conversationId === conversationId && match(fr.body.value.change.value));
  return (body(f, 'relationChange') as RelationChange).change.value as ConversationSettings;
}

/** Every settings state the device pulls from its feed, last one per conversation. */
async function pulled(c: RawClient): Promise<Map<string, ConversationSettings>> {
  const out = new Map<string, ConversationSettings>();
  let cursor = 0;
  for (;;) {
    const page = body(await c.request({ case: 'relationSync', value: { cursor, limit: 2 } }), 'relationSyncResult');
    for (const ch of page.changes) if (ch.change.case === 'conversationSettings') out.set(ch.change.value.conversationId, ch.change.value);
    cursor = page.nextCursor;
    if (!page.hasMore) return out;
  }
}

describe.each(['sqlite', 'memory'] as const)('per-user conversation settings on %s', (storage) => {
  let node: Node;
  beforeAll(async () => { node = await startTestNode({ storage }); });
  afterAll(async () => node.cleanup());

  it('syncs pin, mute, archive, mark-unread and drafts to both online devices and an offline one', async () => {
    const [me, peer] = await Promise.all([register(node.httpUrl, 'set'), register(node.httpUrl, 'set')]);
    const d1 = await device(node, me, 'phone');
    const d2 = await device(node, me, 'laptop');
    const p = await device(node, peer, 'peer');
    const conv = body(await d1.request({ case: 'openDirect', value: { userId: peer.userId } }), 'conversationInfo').conversation!.conversationId;

    const pinned = body(await set(d1, conv, { fields: ['pinned', 'muted'], pinned: true, muted: true }), 'conversationSettings');
    expect(pinned).toMatchObject({ conversationId: conv, muted: true, archived: false });
    expect(pinned.pinnedAt).toBeGreaterThan(0);
    await waitSettings(d2, conv, (s) => s.muted && s.pinnedAt === pinned.pinnedAt);
    await set(d2, conv, { fields: ['archived', 'draft'], archived: true, draft: '明天见 see you', draftAt: 2000 });
    await waitSettings(d1, conv, (s) => s.archived && s.draft === '明天见 see you');
    // An older draft (draftAt) loses: last writer wins by the client's time.
    const stale = body(await set(d1, conv, { fields: ['draft'], draft: 'old', draftAt: 1000 }), 'conversationSettings');
    expect(stale.draft).toBe('明天见 see you');
    // The peer's view is unaffected.
    const peerList = body(await p.request({ case: 'listConversations', value: {} }), 'conversationList');
    expect(peerList.conversations[0]!.settings?.muted ?? false).toBe(false);

    // The third device was offline for all of it: it converges from cursor 0.
    const d3 = await device(node, me, 'tablet');
    const [s2, s3] = [await pulled(d2), await pulled(d3)];
    expect(s3.get(conv)).toEqual(s2.get(conv));
    expect(s3.get(conv)).toMatchObject({ muted: true, archived: true, draft: '明天见 see you', draftAt: 2000, pinnedAt: pinned.pinnedAt });
    const list = body(await d3.request({ case: 'listConversations', value: {} }), 'conversationList');
    expect(list.conversations[0]!.settings).toMatchObject({ muted: true, archived: true, draft: '明天见 see you' });
    for (const c of [d1, d2, d3, p]) c.close();
  });

  it('applies the badge rule: a muted conversation counts only if chosen, a marked-unread one counts as 1 until read', async () => {
    const [me, a, b] = await Promise.all([register(node.httpUrl, 'badge'), register(node.httpUrl, 'badge'), register(node.httpUrl, 'badge')]);
    const d = await device(node, me, 'd');
    const ca = await device(node, a, 'a');
    const cb = await device(node, b, 'b');
    const open = async (c: RawClient, peerId: string) => body(await c.request({ case: 'openDirect', value: { userId: peerId } }), 'conversationInfo').conversation!.conversationId;
    const convA = await open(ca, me.userId);
    const convB = await open(cb, me.userId);
    for (let i = 0; i < 3; i++) body(await ca.request({ case: 'send', value: { conversationId: convA, clientMsgId: `a${i}`, content: text(`a${i}`) } }), 'sendAck');
    const ackB = body(await cb.request({ case: 'send', value: { conversationId: convB, clientMsgId: 'b0', content: text('b0') } }), 'sendAck');
    const total = async () => body(await d.request({ case: 'listConversations', value: {} }), 'conversationList').totalUnread;
    expect(await total()).toBe(4);
    await set(d, convA, { fields: ['muted'], muted: true });
    expect(await total()).toBe(1);
    await set(d, convA, { fields: ['muted_counts_in_badge'], mutedCountsInBadge: true });
    expect(await total()).toBe(4);
    await set(d, convA, { fields: ['muted_counts_in_badge'], mutedCountsInBadge: false });
    // Read B, then mark it unread: it counts as 1 until read again.
    body(await d.request({ case: 'markRead', value: { conversationId: convB, seq: ackB.seq } }), 'readUpdate');
    expect(await total()).toBe(0);
    await set(d, convB, { fields: ['marked_unread'], markedUnread: true });
    expect(await total()).toBe(1);
    body(await d.request({ case: 'markRead', value: { conversationId: convB, seq: ackB.seq } }), 'readUpdate');
    const list = body(await d.request({ case: 'listConversations', value: {} }), 'conversationList');
    expect(list.totalUnread).toBe(0);
    expect(list.conversations.find((c) => c.conversationId === convB)!.settings?.markedUnread).toBe(false);
    for (const c of [d, ca, cb]) c.close();
  });

  it('refuses settings on a conversation the caller is not in, unknown fields and oversized drafts', async () => {
    const [a, b, outsider] = await Promise.all([register(node.httpUrl, 'auth'), register(node.httpUrl, 'auth'), register(node.httpUrl, 'auth')]);
    const ca = await device(node, a, 'a');
    const co = await device(node, outsider, 'o');
    const conv = body(await ca.request({ case: 'openDirect', value: { userId: b.userId } }), 'conversationInfo').conversation!.conversationId;
    expect(errorCode(await set(co, conv, { fields: ['muted'], muted: true }))).toBe(Errors.NOT_A_MEMBER.code);
    expect(errorCode(await set(ca, conv, { fields: ['colour'] }))).toBe(Errors.CONVERSATION_SETTINGS_INVALID.code);
    expect(errorCode(await set(ca, conv, { fields: [] }))).toBe(Errors.CONVERSATION_SETTINGS_INVALID.code);
    expect(errorCode(await set(ca, conv, { fields: ['draft'], draft: '字'.repeat(4001), draftAt: 1 }))).toBe(Errors.CONVERSATION_SETTINGS_INVALID.code);
    const ok = body(await set(ca, conv, { fields: ['draft'], draft: '字'.repeat(4000), draftAt: 1 }), 'conversationSettings');
    expect(ok.draft.length).toBe(4000);
    ca.close();
    co.close();
  });

  it('deletes messages for me on all my devices (one offline), leaving the other member and search untouched', async () => {
    const [me, peer, outsider] = await Promise.all([register(node.httpUrl, 'del'), register(node.httpUrl, 'del'), register(node.httpUrl, 'del')]);
    const d1 = await device(node, me, 'phone');
    const d2 = await device(node, me, 'laptop');
    const p = await device(node, peer, 'peer');
    const conv = body(await p.request({ case: 'openDirect', value: { userId: me.userId } }), 'conversationInfo').conversation!.conversationId;
    const seqs: number[] = [];
    for (const t of ['keep zebra', 'secret zebra', 'also secret zebra', 'last zebra']) {
      seqs.push(body(await p.request({ case: 'send', value: { conversationId: conv, clientMsgId: t, content: text(t) } }), 'sendAck').seq);
    }
    const ok = await d1.request({ case: 'messagesHide', value: { conversationId: conv, seqs: [seqs[1]!, seqs[2]!] } });
    expect(ok.body.case).toBe('ok');
    const pushed = await d2.waitFor((f: Frame) => f.id === 0 && f.body.case === 'relationChange' && f.body.value.change.case === 'messagesHidden');
    expect((body(pushed, 'relationChange') as RelationChange).change.value).toMatchObject({ conversationId: conv, seqs: [seqs[1], seqs[2]] });

    const visible = async (c: RawClient) => {
      const h = body(await c.request({ case: 'history', value: { conversationId: conv, beforeSeq: 0, limit: 50 } }), 'historyResult');
      return h.messages.filter((m) => !m.hidden).map((m) => m.seq).sort((a, b) => a - b);
    };
    const d3 = await device(node, me, 'tablet'); // offline until now
    const mine = [seqs[0]!, seqs[3]!];
    expect(await visible(d1)).toEqual(mine);
    expect(await visible(d2)).toEqual(mine);
    expect(await visible(d3)).toEqual(mine);
    expect(await visible(p)).toEqual(seqs);
    // Sync and gap fill return placeholders; search leaves them out.
    const sync = body(await d3.request({ case: 'sync', value: { cursor: 0, limit: 100 } }), 'syncResult');
    expect(sync.entries.filter((e) => e.message!.conversationId === conv && !e.message!.hidden).map((e) => e.message!.seq)).toEqual(mine);
    const range = body(await d3.request({ case: 'pullRange', value: { conversationId: conv, fromSeq: seqs[0]!, toSeq: seqs[3]! } }), 'historyResult');
    expect(range.messages.map((m) => m.hidden)).toEqual([false, true, true, false]);
    const found = body(await d3.request({ case: 'search', value: { query: 'zebra', conversationId: conv, limit: 20 } }), 'searchResult');
    expect(found.hits.map((h) => h.message!.seq).sort((a, b) => a - b)).toEqual(mine);
    const theirs = body(await p.request({ case: 'search', value: { query: 'zebra', conversationId: conv, limit: 20 } }), 'searchResult');
    expect(theirs.hits).toHaveLength(4);
    // The offline device learns it from the change feed too.
    const feed = body(await d3.request({ case: 'relationSync', value: { cursor: 0, limit: 100 } }), 'relationSyncResult');
    expect(feed.changes.some((c) => c.change.case === 'messagesHidden' && c.change.value.conversationId === conv)).toBe(true);

    // Authorization: not a member, or a seq beyond what exists.
    const o = await device(node, outsider, 'o');
    expect(errorCode(await o.request({ case: 'messagesHide', value: { conversationId: conv, seqs: [seqs[0]!] } }))).toBe(Errors.NOT_A_MEMBER.code);
    expect(errorCode(await d1.request({ case: 'messagesHide', value: { conversationId: conv, seqs: [seqs[3]! + 50] } }))).toBe(Errors.TARGET_NOT_FOUND.code);
    expect(errorCode(await d1.request({ case: 'messagesHide', value: { conversationId: conv, seqs: [] } }))).toBe(Errors.INVALID_ARGUMENT.code);
    for (const c of [d1, d2, d3, p, o]) c.close();
  });
});
