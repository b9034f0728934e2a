import { ConversationKind, ConversationSummarySchema, MessageSchema, UnreadUpdateSchema, create } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { ConversationState } from '../src/conversation-state.js';

const ME = '1';
const PEER = '2';

function msg(conversationId: string, seq: number, senderId: string, extra: Partial<{ mentions: string[]; mentionAll: boolean; hidden: boolean }> = {}) {
  return create(MessageSchema, { id: `${conversationId}${String(seq).padStart(6, '0')}`, conversationId, seq, senderId, serverTime: 1000 + seq, conversationKind: ConversationKind.DIRECT, ...extra });
}

function summary(conversationId: string, lastSeq: number, readSeq: number, extra: Partial<{ mentions: number; updatedAt: number; peerId: string }> = {}) {
  return create(ConversationSummarySchema, {
    conversationId,
    kind: ConversationKind.DIRECT,
    lastSeq,
    readSeq,
    unread: lastSeq - readSeq,
    peerId: PEER,
    updatedAt: extra.updatedAt ?? lastSeq,
    ...extra,
  });
}

const sumOfUnread = (s: ConversationState) => s.list().reduce((a, c) => a + c.unread, 0);

describe('ConversationState', () => {
  it('unread is lastSeq - readSeq and the total is the sum', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('101', 10, 4));
    s.applySummary(summary('102', 3, 3));
    expect(s.get('101')?.unread).toBe(6);
    expect(s.totalUnread).toBe(6);
    s.applyMessage(msg('102', 4, PEER));
    s.applyMessage(msg('102', 5, PEER));
    expect(s.get('102')?.unread).toBe(2);
    expect(s.totalUnread).toBe(8);
    expect(s.totalUnread).toBe(sumOfUnread(s));
  });

  it('own messages mark the conversation read up to them', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('101', 5, 2));
    s.applyMessage(msg('101', 6, ME));
    expect(s.get('101')).toMatchObject({ lastSeq: 6, readSeq: 6, unread: 0 });
    expect(s.totalUnread).toBe(0);
  });

  it('reads from another device lower unread and never move back', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('101', 10, 0));
    expect(s.applyOwnRead('101', 7)).toBe(true);
    expect(s.get('101')?.unread).toBe(3);
    expect(s.applyOwnRead('101', 5)).toBe(false);
    expect(s.get('101')?.readSeq).toBe(7);
    // A stale snapshot cannot undo a read either.
    s.applySummary(summary('101', 10, 2));
    expect(s.get('101')?.unread).toBe(3);
    expect(s.totalUnread).toBe(3);
  });

  it('a snapshot older than local pushes keeps the local lastSeq and last message', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('101', 3, 3));
    s.applyMessage(msg('101', 4, PEER));
    s.applySummary(summary('101', 3, 3));
    expect(s.get('101')).toMatchObject({ lastSeq: 4, unread: 1 });
    expect(s.get('101')?.lastMessage?.seq).toBe(4);
  });

  it('learns a conversation from its first message', () => {
    const s = new ConversationState(ME);
    expect(s.applyMessage(msg('106', 1, PEER))).toBe(true);
    expect(s.get('106')).toMatchObject({ lastSeq: 1, readSeq: 0, unread: 1 });
    expect(s.totalUnread).toBe(1);
  });

  it('hidden placeholders advance lastSeq but are not the last message', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('101', 1, 1));
    s.applyMessage(msg('101', 2, PEER));
    s.applyMessage(msg('101', 3, PEER, { hidden: true }));
    expect(s.get('101')?.lastSeq).toBe(3);
    expect(s.get('101')?.lastMessage?.seq).toBe(2);
  });

  it('counts mentions of me until read past them', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('105', 10, 10));
    s.applyMessage(msg('105', 11, PEER, { mentions: [ME] }));
    s.applyMessage(msg('105', 12, PEER, { mentions: ['3'] }));
    s.applyMessage(msg('105', 13, PEER, { mentionAll: true }));
    expect(s.get('105')?.mentions).toBe(2);
    s.applyOwnRead('105', 12);
    expect(s.get('105')?.mentions).toBe(1);
    s.applyOwnRead('105', 13);
    expect(s.get('105')?.mentions).toBe(0);
  });

  it('keeps the server mention count until the reader passes its snapshot', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('105', 10, 5, { mentions: 2 }));
    expect(s.get('105')?.mentions).toBe(2);
    s.applyOwnRead('105', 10);
    expect(s.get('105')?.mentions).toBe(0);
  });

  it('peer reads update peerReadSeq (receipts) without touching unread', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('101', 5, 1));
    expect(s.applyPeerRead('101', PEER, 4)).toBe(true);
    expect(s.get('101')).toMatchObject({ peerReadSeq: 4, unread: 4 });
    expect(s.applyPeerRead('101', PEER, 3)).toBe(false);
    expect(s.applyPeerRead('101', '99', 5)).toBe(false); // not this chat's peer
  });

  it('UnreadUpdate moves the read position', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('101', 8, 0));
    s.applyUnreadUpdate(create(UnreadUpdateSchema, { conversationId: '101', unread: 2, mentions: 1, totalUnread: 2 }));
    expect(s.get('101')).toMatchObject({ readSeq: 6, unread: 2, mentions: 1 });
  });

  it('lists most recent first and removes conversations', () => {
    const s = new ConversationState(ME);
    s.applySummary(summary('107', 5, 0, { updatedAt: 1 }));
    s.applySummary(summary('106', 5, 5, { updatedAt: 9 }));
    expect(s.list().map((c) => c.conversationId)).toEqual(['106', '107']);
    s.remove('107');
    expect(s.totalUnread).toBe(0);
    expect(s.list()).toHaveLength(1);
  });

  it('total stays equal to the sum under a random mix of updates', () => {
    const s = new ConversationState(ME);
    const ids = ['101', '102', '103', '104'];
    const last: Record<string, number> = { '101': 0, '102': 0, '103': 0, '104': 0 };
    for (let i = 0; i < 2000; i++) {
      const id = ids[i % 4]!;
      const r = Math.random();
      if (r < 0.5) s.applyMessage(msg(id, ++last[id]!, Math.random() < 0.2 ? ME : PEER));
      else if (r < 0.8) s.applyOwnRead(id, Math.floor(Math.random() * (last[id]! + 1)));
      else s.applySummary(summary(id, Math.floor(Math.random() * (last[id]! + 1)), 0));
      expect(s.totalUnread).toBe(sumOfUnread(s));
    }
  });
});
