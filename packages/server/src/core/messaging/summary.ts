import { ConversationKind, ConversationSummarySchema, create, type ConversationSummary } from '@xinbox/protocol';
import type { ConversationView } from '../model.js';
import { toWireMessage, visibleTo } from './wire.js';

/** A conversation-list row as the protocol shows it; unread is derived from seqs. */
export function toSummary(v: ConversationView, userId: number, title: string, peerReadSeq = 0): ConversationSummary {
  const c = v.conversation;
  const last = v.lastMessage;
  return create(ConversationSummarySchema, {
    conversationId: String(c.id),
    kind: c.kind === 'direct' ? ConversationKind.DIRECT : ConversationKind.GROUP,
    title,
    peerId: v.peerId ? String(v.peerId) : '0',
    lastSeq: c.lastSeq,
    lastMessage: last ? toWireMessage(last, c.kind, !visibleTo(last, userId)) : undefined,
    readSeq: v.member.readSeq,
    unread: Math.max(0, c.lastSeq - v.member.readSeq - v.opsUnread),
    mentions: v.mentions,
    mutedNotifications: v.member.doNotDisturb,
    updatedAt: c.updatedAt,
    memberCount: c.memberCount,
    large: c.large,
    peerReadSeq,
    firstVisibleSeq: v.member.firstSeq,
  });
}
