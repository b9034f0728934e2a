import {
  ContentSchema, Errors, XinboxError, create, encodeSendAckFrame, fromBinary, ConversationListSchema, HistoryResultSchema,
  PresenceResultSchema, SendAckSchema, SyncResultSchema, Limits, type Content, type HotSend,
} from '@xinbox/protocol';
import type { HotSendHandler } from '../gateway.js';
import type { MessagingService } from '../../core/messaging/messaging-service.js';
import { validateContent } from '../../core/messaging/content.js';
import type { PresenceService } from '../../core/presence/presence-service.js';
import { toWirePresence } from '../../core/presence/wire.js';
import type { LocalSessions } from '../local-sessions.js';
import type { HandlerTable } from './types.js';
import { parseId, parseIds } from './ids.js';

/** The Send handler for frames the gateway decoded on its hot path; same checks as `send` below. */
export function hotSendHandler(messaging: MessagingService): HotSendHandler {
  return async (caller, s: HotSend) => {
    if (s.conversationId <= 0) throw new XinboxError(Errors.INVALID_ARGUMENT, 'conversationId must be a positive id');
    if (s.mentions.length > Limits.maxIdsPerRequest || s.visibleTo.length > Limits.maxIdsPerRequest) throw new XinboxError(Errors.LIST_TOO_LARGE);
    let content: Content | undefined;
    try {
      content = s.content.length ? fromBinary(ContentSchema, s.content) : undefined;
    } catch {
      throw new XinboxError(Errors.CONTENT_INVALID, 'content could not be decoded');
    }
    const ack = await messaging.send(caller, {
      conversationId: s.conversationId,
      clientMsgId: s.clientMsgId,
      content: validateContent(content),
      mentions: s.mentions,
      mentionAll: s.mentionAll,
      visibleTo: s.visibleTo,
    });
    return encodeSendAckFrame(s.id, ack);
  };
}

/** One-to-one and group message traffic, conversation list, presence. */
export function messagingHandlers(messaging: MessagingService, presence: PresenceService, sessions: LocalSessions): HandlerTable {
  return {
    send: async ({ caller }, v) => {
      const ack = await messaging.send(caller, {
        conversationId: parseId(v.conversationId, 'conversationId'),
        clientMsgId: v.clientMsgId,
        content: validateContent(v.content),
        mentions: parseIds(v.mentions, 'mentions'),
        mentionAll: v.mentionAll,
        visibleTo: parseIds(v.visibleTo, 'visibleTo'),
      });
      return {
        case: 'sendAck',
        value: create(SendAckSchema, { ...ack, conversationId: String(ack.conversationId) }),
      };
    },
    pushAck: ({ conn }, v) => {
      if (v.syncSeq > 0) conn?.ackPushes(v.syncSeq);
      return undefined;
    },
    sync: async ({ caller }, v) => ({ case: 'syncResult', value: create(SyncResultSchema, await messaging.sync(caller, v.cursor, v.limit)) }),
    history: async ({ caller }, v) => ({
      case: 'historyResult',
      value: create(HistoryResultSchema, await messaging.history(caller, parseId(v.conversationId, 'conversationId'), v.beforeSeq, v.limit)),
    }),
    pullRange: async ({ caller }, v) => ({
      case: 'historyResult',
      value: create(HistoryResultSchema, await messaging.pullRange(caller, parseId(v.conversationId, 'conversationId'), v.fromSeq, v.toSeq)),
    }),
    markRead: async ({ caller }, v) => ({ case: 'readUpdate', value: await messaging.markRead(caller, parseId(v.conversationId, 'conversationId'), v.seq) }),
    typing: async ({ caller }, v) => {
      await messaging.typing(caller, parseId(v.conversationId, 'conversationId'), v.typing);
      return { case: 'ok', value: {} };
    },
    listConversations: async ({ caller }, v) => ({
      case: 'conversationList',
      value: create(ConversationListSchema, await messaging.listConversations(caller, v.limit, v.beforeTime)),
    }),
    openDirect: async ({ caller }, v) => ({
      case: 'conversationInfo',
      value: {
        conversation: await messaging.openDirect(caller, { userId: v.userId && v.userId !== '0' ? parseId(v.userId, 'userId') : undefined, username: v.username || undefined }),
      },
    }),
    presenceQuery: async ({ caller }, v) => ({
      case: 'presenceResult',
      value: create(PresenceResultSchema, { users: (await presence.query(caller.userId, parseIds(v.userIds, 'userIds'))).map(toWirePresence) }),
    }),
    presenceSubscribe: async ({ conn, caller }, v) => {
      const ids = parseIds(v.userIds, 'userIds');
      await presence.requireContacts(caller.userId, ids);
      if (conn) sessions.watch(conn, ids);
      return { case: 'ok', value: {} };
    },
  };
}
