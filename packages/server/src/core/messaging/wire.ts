import { ConversationKind, ContentSchema, MessageSchema, create, fromBinary, type Message } from '@xinbox/protocol';
import type { ConversationKind as Kind, StoredMessage, UserId } from '../model.js';

/** Convert a stored message to its wire form; `hidden` replaces content for readers who may not see it. */
export function toWireMessage(m: StoredMessage, kind: Kind, hidden = false): Message {
  return create(MessageSchema, {
    id: m.id,
    conversationId: String(m.conversationId),
    seq: m.seq,
    senderId: String(m.senderId),
    clientMsgId: hidden ? '' : m.clientMsgId,
    serverTime: m.serverTime,
    content: hidden ? undefined : fromBinary(ContentSchema, m.content),
    mentions: hidden ? [] : m.mentions.map(String),
    mentionAll: hidden ? false : m.mentionAll,
    visibleTo: hidden ? [] : m.visibleTo.map(String),
    hidden,
    conversationKind: kind === 'direct' ? ConversationKind.DIRECT : ConversationKind.GROUP,
  });
}

export function visibleTo(m: StoredMessage, userId: UserId): boolean {
  return m.visibleTo.length === 0 || m.senderId === userId || m.visibleTo.includes(userId);
}
