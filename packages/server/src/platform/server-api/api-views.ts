/**
 * The server API's JSON shapes of protocol messages: ids as strings (64-bit),
 * times in ms, content in protobuf JSON (the same as webhooks carry).
 * Their JSON Schemas are in api/server-api/schemas.ts.
 */
import { toJson, type JsonValue } from '@bufbuild/protobuf';
import { ContentSchema, ConversationKind, type ConversationSummary, type Group, type Message } from '@xinbox/protocol';

export interface ApiMessage {
  messageId: string; conversationId: string; seq: number; senderId: string; clientMsgId: string;
  serverTime: number; content: JsonValue; hidden: boolean;
}
export interface ApiConversation {
  conversationId: string; kind: 'direct' | 'group'; title: string; peerId: string; lastSeq: number;
  readSeq: number; unread: number; updatedAt: number; memberCount: number;
}
export interface ApiGroup {
  groupId: string; name: string; avatarUrl: string; announcement: string; ownerId: string;
  memberCount: number; dissolved: boolean; lastSeq: number;
}

export function toApiMessage(m: Message): ApiMessage {
  return {
    messageId: m.id, conversationId: m.conversationId, seq: m.seq, senderId: m.senderId, clientMsgId: m.clientMsgId,
    serverTime: m.serverTime, content: m.content ? toJson(ContentSchema, m.content) : {}, hidden: m.hidden,
  };
}

export function toApiConversation(c: ConversationSummary): ApiConversation {
  return {
    conversationId: c.conversationId, kind: c.kind === ConversationKind.GROUP ? 'group' : 'direct', title: c.title, peerId: c.peerId,
    lastSeq: c.lastSeq, readSeq: c.readSeq, unread: c.unread, updatedAt: c.updatedAt, memberCount: c.memberCount,
  };
}

export function toApiGroup(g: Group): ApiGroup {
  return {
    groupId: g.conversationId, name: g.name, avatarUrl: g.avatarUrl, announcement: g.announcement, ownerId: g.ownerId,
    memberCount: g.memberCount, dissolved: g.dissolved, lastSeq: g.lastSeq,
  };
}
